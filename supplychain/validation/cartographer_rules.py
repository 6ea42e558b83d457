"""Cartographer rules that only its validating webhooks enforce (pkg/apis/v1alpha1/*_webhook.go).

Template rules come from supplychain.stamping.webhook, the implementation `stamp` uses too.

The CRD schemas cannot express them, and Cartographer run without its webhook (as in its own kuttl tests)
accepts objects that break them, so they are checked here from the same rules.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Iterator

from ..stamping.webhook import run_template_problem, template_problem
from .schema_check import Problem, join

TEMPLATE_KINDS = frozenset({
    "ClusterTemplate", "ClusterSourceTemplate", "ClusterImageTemplate", "ClusterConfigTemplate",
    "ClusterDeploymentTemplate",
})
BLUEPRINT_KINDS = frozenset({"ClusterSupplyChain", "ClusterDelivery"})
WORKLOAD_PATHS = frozenset({
    "spec.source", "spec.source.git", "spec.source.git.url", "spec.source.git.ref", "spec.source.git.ref.branch",
    "spec.source.git.ref.tag", "spec.source.git.ref.commit", "spec.source.image", "spec.source.subPath",
    "spec.build", "spec.image", "spec.serviceAccountName",
})
WORKLOAD_PREFIXES = ("spec.params", "spec.build.env", "spec.env", "spec.resources", "spec.serviceClaims", "metadata")
DELIVERABLE_PATHS = frozenset({
    "spec.source", "spec.source.git", "spec.source.git.url", "spec.source.git.ref", "spec.source.git.ref.branch",
    "spec.source.git.ref.tag", "spec.source.git.ref.commit", "spec.source.image", "spec.source.subPath",
    "spec.serviceAccountName",
})
DELIVERABLE_PREFIXES = ("spec.params", "metadata")
# Which template kind produces each input type of a supply chain resource.
SUPPLY_CHAIN_PRODUCERS = {"sources": "ClusterSourceTemplate", "images": "ClusterImageTemplate",
                          "configs": "ClusterConfigTemplate"}
_LABEL_KEY = re.compile(r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
_LABEL_VALUE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$")
_JSONPATH_KEY = re.compile(r"^[A-Za-z0-9_.\[\]'\"@?()=!<>&| -]+$")


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def check_template(body: dict[str, Any]) -> Iterator[Problem]:
    """TemplateSpec.validate and the ClusterDeploymentTemplate rule: the one implementation stamping uses."""
    problem = template_problem(body)
    if problem is not None:
        yield Problem(problem.path, problem.message)


def check_run_template(body: dict[str, Any]) -> Iterator[Problem]:
    problem = run_template_problem(body)
    if problem is not None:
        yield Problem(problem.path, problem.message)


def check_blueprint(body: dict[str, Any]) -> Iterator[Problem]:
    """ClusterSupplyChain / ClusterDelivery webhook rules."""
    delivery = body.get("kind") == "ClusterDelivery"
    paths, prefixes = (DELIVERABLE_PATHS, DELIVERABLE_PREFIXES) if delivery else (WORKLOAD_PATHS, WORKLOAD_PREFIXES)
    spec = _dict(body.get("spec"))
    if not spec.get("selector") and not spec.get("selectorMatchExpressions") and not spec.get("selectorMatchFields"):
        yield Problem("spec.selector", "at least one of selector, selectorMatchExpressions or selectorMatchFields is required")
    yield from _labels(spec.get("selector"), "spec.selector")
    yield from _match_fields(spec.get("selectorMatchFields"), "spec.selectorMatchFields", paths, prefixes)
    for i, param in enumerate(_list(spec.get("params"))):
        yield from _param(param, join("spec.params", i))
    resources = _list(spec.get("resources"))
    seen: set[str] = set()
    for i, res in enumerate(resources):
        res = _dict(res)
        base = join("spec.resources", i)
        name = res.get("name")
        if isinstance(name, str):
            if name in seen:
                yield Problem(join(base, "name"), f"resource name {name!r} appears more than once")
            seen.add(name)
        for j, param in enumerate(_list(res.get("params"))):
            yield from _param(param, join(base, "params", j))
        yield from _template_ref(_dict(res.get("templateRef")), res, join(base, "templateRef"), paths, prefixes, delivery)
        kind = _dict(res.get("templateRef")).get("kind")
        if delivery:
            if kind == "ClusterDeploymentTemplate" and res.get("deployment") is None:
                yield Problem(join(base, "deployment"), "a ClusterDeploymentTemplate resource must receive a deployment")
            if res.get("deployment") is not None and kind != "ClusterDeploymentTemplate":
                yield Problem(join(base, "deployment"), "only a ClusterDeploymentTemplate resource may receive a deployment")
            if kind == "ClusterDeploymentTemplate" and res.get("configs") is not None:
                yield Problem(join(base, "configs"), "a ClusterDeploymentTemplate resource must not receive configs")
        else:
            by_name = {_dict(r).get("name"): _dict(r) for r in resources}
            for field, producer in SUPPLY_CHAIN_PRODUCERS.items():
                for j, ref in enumerate(_list(res.get(field))):
                    ref = _dict(ref)
                    source = by_name.get(ref.get("resource"))
                    where = join(base, field, j, "resource")
                    if source is None:
                        yield Problem(where, f"{field[:-1]} {ref.get('name')!r} is provided by unknown resource {ref.get('resource')!r}")
                    elif _dict(source.get("templateRef")).get("kind") != producer:
                        yield Problem(where, f"resource {ref.get('resource')!r} providing {field} must reference a {producer}")


def _param(param: Any, path: str) -> Iterator[Problem]:
    param = _dict(param)
    if ("value" in param) == ("default" in param):
        found = "both" if "value" in param else "neither"
        yield Problem(path, f"param {param.get('name')!r} must set exactly one of value and default; found {found}")


def _template_ref(ref: dict[str, Any], res: dict[str, Any], path: str, paths: frozenset[str],
                  prefixes: tuple[str, ...], delivery: bool) -> Iterator[Problem]:
    options = _list(ref.get("options"))
    if ref.get("name") and options:
        yield Problem(join(path, "options"), "set only one of templateRef.name and templateRef.options; found both")
    elif not ref.get("name"):
        if len(options) == 1:
            yield Problem(join(path, "options"), "templateRef.options needs at least two options")
        elif not options:
            yield Problem(join(path, "name"), "one of templateRef.name or templateRef.options is required")
    names: set[str] = set()
    passthrough = 0
    for i, option in enumerate(options):
        option = _dict(option)
        where = join(path, "options", i)
        name, through = option.get("name"), option.get("passThrough")
        if name and through:
            yield Problem(where, "set only one of name and passThrough; found both")
        elif not name and not through:
            yield Problem(where, "one of name or passThrough is required")
        if name:
            if name in names:
                yield Problem(join(where, "name"), f"template {name!r} appears twice in the options")
            names.add(name)
        if through:
            passthrough += 1
            input_field = {"ClusterSourceTemplate": "sources", "ClusterConfigTemplate": "configs",
                           "ClusterImageTemplate": None if delivery else "images"}.get(str(ref.get("kind")))
            if input_field is None:
                yield Problem(join(where, "passThrough"), f"passThrough is not allowed for a {ref.get('kind')} resource")
            elif through not in {_dict(r).get("name") for r in _list(res.get(input_field))}:
                yield Problem(join(where, "passThrough"), f"passThrough {through!r} does not name one of this resource's {input_field}")
        yield from _selector(_dict(option.get("selector")), join(where, "selector"), paths, prefixes)
    if passthrough > 1:
        yield Problem(join(path, "options"), f"at most one passThrough option is allowed; found {passthrough}")
    selectors = [(i, _dict(_dict(o).get("selector"))) for i, o in enumerate(options)]
    for a, (i, sel_a) in enumerate(selectors):
        for j, sel_b in selectors[a + 1:]:
            if sel_a == sel_b:
                yield Problem(join(path, "options", j, "selector"), f"the same selector as option {i}")


def _selector(sel: dict[str, Any], path: str, paths: frozenset[str], prefixes: tuple[str, ...]) -> Iterator[Problem]:
    if not sel.get("matchLabels") and not sel.get("matchExpressions") and not sel.get("matchFields"):
        yield Problem(path, "at least one of matchLabels, matchExpressions or matchFields is required")
    yield from _labels(sel.get("matchLabels"), join(path, "matchLabels"))
    yield from _match_fields(sel.get("matchFields"), join(path, "matchFields"), paths, prefixes)


def _labels(labels: Any, path: str) -> Iterator[Problem]:
    for key, value in _dict(labels).items():
        if not _LABEL_KEY.match(str(key)):
            yield Problem(join(path, key), f"{key!r} is not a valid label key")
        elif not isinstance(value, str) or len(value) > 63 or not _LABEL_VALUE.match(value):
            yield Problem(join(path, key), f"{value!r} is not a valid label value")


def _match_fields(reqs: Any, path: str, paths: frozenset[str], prefixes: tuple[str, ...]) -> Iterator[Problem]:
    for i, req in enumerate(_list(reqs)):
        req = _dict(req)
        where = join(path, i)
        op, values, key = req.get("operator"), _list(req.get("values")), str(req.get("key", ""))
        if op in ("Exists", "DoesNotExist") and values:
            yield Problem(join(where, "values"), f"operator {op} takes no values")
        if op in ("In", "NotIn") and not values:
            yield Problem(join(where, "values"), f"operator {op} needs values")
        if key not in paths and not key.startswith(prefixes):
            yield Problem(join(where, "key"), f"{key!r} is not a selectable path (no 'workload.' prefix; e.g. spec.image, spec.params, metadata.labels)")
        elif not _JSONPATH_KEY.match(key) or key.count("[") != key.count("]"):
            yield Problem(join(where, "key"), f"{key!r} is not a valid JSONPath")


CHECKS: dict[str, Callable[[dict[str, Any]], Iterator[Problem]]] = {
    **{kind: check_template for kind in TEMPLATE_KINDS},
    "ClusterRunTemplate": check_run_template,
    "ClusterSupplyChain": check_blueprint,
    "ClusterDelivery": check_blueprint,
}


def check(body: dict[str, Any]) -> list[Problem]:
    """Webhook problems of a carto.run object (none for other kinds)."""
    if str(body.get("apiVersion", "")).split("/")[0] != "carto.run":
        return []
    fn = CHECKS.get(str(body.get("kind")))
    return list(fn(body)) if fn else []
