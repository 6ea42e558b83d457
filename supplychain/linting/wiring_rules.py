"""Rules on ClusterSupplyChain / ClusterDelivery wiring and on the params templates read.

A referenced template that is not in the input is a warning, not an error: TAP installs its own templates
(source-template, kpack-template, config-writer-template, app-deploy, ...), so an overlay-patched OOTB chain is
expected to name templates the input does not hold. `--strict` makes warnings fail for bundles that must be
self-contained. A name that exists in the input under another template kind is an error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from ..checking.findings import Severity
from ..validation import TEMPLATE_KINDS, Subject
from .context import LintContext
from .rules import Check, Hit, Rule, as_dict, as_list, rule
from .selectors import blueprint_requirements, compatible, implied, option_requirements

BLUEPRINTS = ["ClusterSupplyChain", "ClusterDelivery"]
INPUT_FIELDS = ("sources", "images", "configs")
PRODUCERS = {
    "ClusterSupplyChain": {
        "sources": {"ClusterSourceTemplate"},
        "images": {"ClusterImageTemplate"},
        "configs": {"ClusterConfigTemplate"},
    },
    "ClusterDelivery": {
        "sources": {"ClusterSourceTemplate", "ClusterDeploymentTemplate"},
        "configs": {"ClusterConfigTemplate"},
        "deployment": {"ClusterSourceTemplate", "ClusterDeploymentTemplate"},
    },
}
_PARAM_USE = re.compile(
    r"""\$\(\s*params\.([A-Za-z0-9_-]+)|data\.values\.params\.([A-Za-z_][A-Za-z0-9_]*)|"""
    r"""data\.values\.params\[\s*["']([^"']+)["']\s*\]"""
)


def _blueprint(rule_id: str, severity: Severity, summary: str) -> Callable[[Check], Rule]:
    return rule(rule_id, severity, "carto.run", BLUEPRINTS, summary, input_only=True)


def resources(s: Subject) -> list[tuple[int, dict[str, Any]]]:
    return [(i, r) for i, r in enumerate(as_list(as_dict(s.body.get("spec")).get("resources"))) if isinstance(r, dict)]


def template_names(res: dict[str, Any]) -> list[tuple[str, str]]:
    """(field path under the resource, template name) for templateRef.name or each named option."""
    ref = as_dict(res.get("templateRef"))
    if isinstance(ref.get("name"), str) and ref["name"]:
        return [("templateRef.name", ref["name"])]
    return [
        (f"templateRef.options[{j}].name", o["name"])
        for j, o in enumerate(as_list(ref.get("options")))
        if isinstance(o, dict) and isinstance(o.get("name"), str)
    ]


def _inputs(res: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """(input type, field path, producing resource name) for every input of a resource."""
    for fld in INPUT_FIELDS:
        for j, ref in enumerate(as_list(res.get(fld))):
            yield fld, f"{fld}[{j}].resource", as_dict(ref).get("resource")
    if isinstance(res.get("deployment"), dict):
        yield "deployment", "deployment.resource", res["deployment"].get("resource")


@_blueprint(
    "wiring-template-exists",
    Severity.WARNING,
    "each referenced template is in the input (a warning: TAP ships templates the input may not hold)",
)
def template_exists(s: Subject, ctx: LintContext) -> Iterator[Hit]:
    for i, res in resources(s):
        kind = as_dict(res.get("templateRef")).get("kind")
        for sub, name in template_names(res):
            if (kind, name) in ctx.templates:
                continue
            others = [k for (k, n) in ctx.templates if n == name and k != kind]
            if others:
                yield Hit(
                    f"spec.resources[{i}].{sub}",
                    f"{name!r} is a {others[0]} in the input, but the reference asks for a {kind}",
                    Severity.ERROR,
                )
            else:
                yield Hit(
                    f"spec.resources[{i}].{sub}",
                    f"{kind} {name!r} is not in the input (fine if the cluster already has it, e.g. a TAP template)",
                )


@_blueprint("wiring-input-order", Severity.ERROR, "each input names a resource declared earlier in the list")
def input_order(s: Subject, ctx: LintContext) -> Iterator[Hit]:
    position = {r.get("name"): i for i, r in resources(s)}
    for i, res in resources(s):
        for _, sub, producer in _inputs(res):
            where = position.get(producer)
            if where is None:
                yield Hit(f"spec.resources[{i}].{sub}", f"no resource named {producer!r} in this {s.kind}")
            elif where >= i:
                yield Hit(
                    f"spec.resources[{i}].{sub}",
                    f"resource {producer!r} comes at position {where}, not before {res.get('name')!r} ({i}); "
                    "inputs must name earlier resources",
                )


@_blueprint("wiring-input-kind", Severity.ERROR, "each input comes from a template kind that produces that output")
def input_kind(s: Subject, ctx: LintContext) -> Iterator[Hit]:
    allowed = PRODUCERS[str(s.kind)]
    kinds = {r.get("name"): as_dict(r.get("templateRef")).get("kind") for _, r in resources(s)}
    for i, res in resources(s):
        for fld, sub, producer in _inputs(res):
            kind = kinds.get(producer)
            if producer not in kinds:
                continue
            if fld not in allowed:
                yield Hit(f"spec.resources[{i}].{fld}", f"a {s.kind} resource cannot take {fld}")
            elif kind not in allowed[fld]:
                yield Hit(
                    f"spec.resources[{i}].{sub}",
                    f"{fld} must come from a {' or '.join(sorted(allowed[fld]))}; {producer!r} is a {kind}",
                )


def declared_params(template: Subject) -> set[str]:
    return {
        p["name"]
        for p in as_list(as_dict(template.body.get("spec")).get("params"))
        if isinstance(p, dict) and isinstance(p.get("name"), str)
    }


def template_text(template: Subject) -> str:
    spec = as_dict(template.body.get("spec"))
    if isinstance(spec.get("ytt"), str):
        return str(spec["ytt"])
    return repr(spec.get("template"))


@_blueprint(
    "wiring-param-unused",
    Severity.WARNING,
    "params a blueprint or resource sets are declared or read by the template (catches typos)",
)
def param_unused(s: Subject, ctx: LintContext) -> Iterator[Hit]:
    for i, res in resources(s):
        kind = str(as_dict(res.get("templateRef")).get("kind"))
        templates = [ctx.templates[(kind, n)] for _, n in template_names(res) if (kind, n) in ctx.templates]
        for j, param in enumerate(as_list(res.get("params"))):
            name = as_dict(param).get("name")
            if not isinstance(name, str) or not templates:
                continue
            if not any(
                name in declared_params(t) or re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", template_text(t))
                for t in templates
            ):
                yield Hit(
                    f"spec.resources[{i}].params[{j}].name",
                    f"template {templates[0].name!r} neither declares nor reads param {name!r}; it has no effect "
                    f"(declared: {', '.join(sorted(declared_params(templates[0]))) or 'none'})",
                )


@_blueprint(
    "wiring-selector-ambiguous",
    Severity.ERROR,
    "no two blueprints of a kind can tie for one owner (Cartographer then selects neither)",
)
def selector_ambiguous(s: Subject, ctx: LintContext) -> Iterator[Hit]:
    mine = blueprint_requirements(as_dict(s.body.get("spec")))
    for other in ctx.blueprints:
        if other is s:
            break  # report each pair once, on the later document
        if other.kind != s.kind:
            continue
        theirs = blueprint_requirements(as_dict(other.body.get("spec")))
        if not (mine and len(mine) == len(theirs) and compatible(mine, theirs)):
            continue
        # A more specific blueprint that every owner matching both also matches wins the tie for them.
        both = mine + theirs
        if any(
            other_reqs and len(other_reqs) > len(mine) and implied(other_reqs, both)
            for other_reqs in (
                blueprint_requirements(as_dict(b.body.get("spec"))) for b in ctx.blueprints if b.kind == s.kind
            )
        ):
            continue
        yield Hit(
            "spec.selector",
            f"an owner can match both this and {other.kind}/{other.name} ({other.doc.source} document "
            f"{other.doc.index}) with {len(mine)} requirement(s) each; Cartographer then picks neither "
            "(MultipleSupplyChainMatches)",
        )


@_blueprint(
    "wiring-option-ambiguous",
    Severity.WARNING,
    "the selectors of a resource's template options cannot match the same owner",
)
def option_ambiguous(s: Subject, ctx: LintContext) -> Iterator[Hit]:
    for i, res in resources(s):
        options = [as_dict(o) for o in as_list(as_dict(res.get("templateRef")).get("options"))]
        reqs = [option_requirements(as_dict(o.get("selector"))) for o in options]
        for b in range(len(options)):
            for a in range(b):
                if reqs[a] and reqs[b] and compatible(reqs[a], reqs[b]):
                    yield Hit(
                        f"spec.resources[{i}].templateRef.options[{b}].selector",
                        f"an owner can match both option {a} and option {b}; the resource then fails "
                        "(exactly one option must match)",
                    )


@rule(
    "template-param-undeclared",
    Severity.WARNING,
    "carto.run",
    sorted(TEMPLATE_KINDS),
    "params a template reads by name ($(params.x)$, data.values.params.x) are declared with a default",
    input_only=True,
)
def param_undeclared(s: Subject, ctx: LintContext) -> Iterator[Hit]:
    declared = declared_params(s)
    used = {next(g for g in m.groups() if g) for m in _PARAM_USE.finditer(template_text(s))}
    body = "spec.ytt" if isinstance(as_dict(s.body.get("spec")).get("ytt"), str) else "spec.template"
    for name in sorted(used - declared):
        yield Hit(
            body,
            f"reads param {name!r} but spec.params does not declare it; stamping fails for owners and "
            "blueprints that do not set it",
        )


RULES: list[Rule] = [
    template_exists,
    input_order,
    input_kind,
    param_unused,
    selector_ambiguous,
    option_ambiguous,
    param_undeclared,
]
