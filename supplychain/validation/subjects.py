"""Everything to check: the input documents, the objects their templates stamp with sample data, and the
YAML documents inside a ClusterConfigTemplate's output config (e.g. a canary.yml file)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ..checking.findings import Finding, Severity, finding_at
from ..errors import SupplychainError
from ..stamping.blueprint import BLUEPRINT_KINDS as OWNER_KINDS  # blueprint kind -> owner kind
from ..yamlio import Document, parse_documents
from .cartographer_rules import BLUEPRINT_KINDS, TEMPLATE_KINDS
from .sample_repair import stamp_with_samples
from .samples import SAMPLE_NAME, SampleInputs, default_inputs, inputs_for, sample_owner
from .schema_check import join

INPUT_GROUP = "input"
# (template, owner, params, inputs) -> stamped object; raises SupplychainError when Cartographer would refuse.
Stamper = Callable[[dict[str, Any], dict[str, Any], dict[str, Any], SampleInputs], dict[str, Any]]


@dataclass(frozen=True)
class Subject:
    """One object to check and where it lives in the input.

    `group` names the set of objects that exist together: the input documents ("input"), or everything
    stamped for one sample owner by one blueprint ("ClusterDelivery/x") or by one template on its own.
    """

    doc: Document
    body: dict[str, Any]
    via: tuple[str, ...] = ()
    group: str = INPUT_GROUP
    standalone: bool = False

    @property
    def kind(self) -> str | None:
        value = self.body.get("kind")
        return value if isinstance(value, str) else None

    @property
    def api_version(self) -> str | None:
        value = self.body.get("apiVersion")
        return value if isinstance(value, str) else None

    @property
    def name(self) -> str | None:
        meta = self.body.get("metadata")
        value = meta.get("name") if isinstance(meta, dict) else None
        return value if isinstance(value, str) else None

    @property
    def namespace(self) -> str | None:
        meta = self.body.get("metadata")
        value = meta.get("namespace") if isinstance(meta, dict) else None
        return value if isinstance(value, str) else None

    @property
    def embedded(self) -> bool:
        return bool(self.via)

    def finding(self, field_path: str, message: str, rule: str, severity: Severity = Severity.ERROR) -> Finding:
        return finding_at(self.doc, field_path, message, rule, severity, self.via)


@dataclass
class Expansion:
    """The subjects of an input, and problems met while stamping."""

    subjects: list[Subject] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    stamped: int = 0


@dataclass(frozen=True)
class _Context:
    template: Document
    owner_kind: str
    labels: dict[str, str]
    params: dict[str, Any]
    inputs: SampleInputs
    group: str
    label: str
    owner_params: list[dict[str, Any]] = field(default_factory=list)


_PARAM_FIELD = re.compile(r"""^spec\.params\[\?\(@\.name==["']([^"']+)["']\)\]$""")


def _option_owner(selector: Any) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """Labels and params a sample owner needs so that an option's selector picks it."""
    selector = _dict(selector)
    labels = {k: v for k, v in _dict(selector.get("matchLabels")).items() if isinstance(k, str) and isinstance(v, str)}
    for expr in _list(selector.get("matchExpressions")):
        expr = _dict(expr)
        values = [v for v in _list(expr.get("values")) if isinstance(v, str)]
        if isinstance(expr.get("key"), str) and expr.get("operator") == "In" and values:
            labels[expr["key"]] = values[0]
        elif isinstance(expr.get("key"), str) and expr.get("operator") == "Exists":
            labels[expr["key"]] = "true"
    params = []
    for requirement in _list(selector.get("matchFields")):
        requirement = _dict(requirement)
        match = _PARAM_FIELD.match(str(requirement.get("key", "")))
        if match and requirement.get("operator") in ("Exists", "In"):
            values = _list(requirement.get("values"))
            params.append({"name": match.group(1), "value": values[0] if values else "sample"})
    return labels, params


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def is_carto(doc: Document | Subject, kinds: frozenset[str]) -> bool:
    return str(doc.api_version or "").split("/")[0] == "carto.run" and doc.kind in kinds


def _param_values(params: Any) -> dict[str, Any]:
    """Blueprint params as name -> value (value wins over default, as it also wins over the owner)."""
    out: dict[str, Any] = {}
    for param in _list(params):
        param = _dict(param)
        if isinstance(param.get("name"), str):
            out[param["name"]] = param["value"] if "value" in param else param.get("default")
    return out


def _contexts(docs: list[Document]) -> Iterator[_Context]:
    templates = {
        (d.kind, d.name): d for d in docs if is_carto(d, TEMPLATE_KINDS) and isinstance(d.body.get("spec"), dict)
    }
    used: set[tuple[str | None, str | None]] = set()
    for bp in docs:
        if not is_carto(bp, BLUEPRINT_KINDS):
            continue
        spec = _dict(bp.body.get("spec"))
        owner_kind = OWNER_KINDS[str(bp.kind)]
        labels = {k: v for k, v in _dict(spec.get("selector")).items() if isinstance(k, str) and isinstance(v, str)}
        bp_params = _param_values(spec.get("params"))
        for res in _list(spec.get("resources")):
            res = _dict(res)
            ref = _dict(res.get("templateRef"))
            choices: list[tuple[Any, tuple[dict[str, str], list[dict[str, Any]]]]]
            if ref.get("name"):
                choices = [(ref.get("name"), ({}, []))]
            else:
                choices = [
                    (_dict(o).get("name"), _option_owner(_dict(o).get("selector"))) for o in _list(ref.get("options"))
                ]
            for name, (option_labels, option_params) in choices:
                template = templates.get((ref.get("kind"), name))
                if template is None:
                    continue
                used.add((template.kind, template.name))
                inputs = inputs_for(
                    [str(_dict(s).get("name")) for s in _list(res.get("sources"))],
                    [str(_dict(s).get("name")) for s in _list(res.get("images"))],
                    [str(_dict(s).get("name")) for s in _list(res.get("configs"))],
                    res.get("deployment") is not None,
                )
                yield _Context(
                    template,
                    owner_kind,
                    {**labels, **option_labels},
                    {**bp_params, **_param_values(res.get("params"))},
                    inputs,
                    f"{bp.kind}/{bp.name}",
                    f"resource {res.get('name')!r} of {bp.kind}/{bp.name}",
                    option_params,
                )
    for key, template in templates.items():
        if key not in used:
            owner_kind = "Deliverable" if template.kind == "ClusterDeploymentTemplate" else "Workload"
            yield _Context(
                template, owner_kind, {}, {}, default_inputs(str(template.kind)), f"{template.kind}/{template.name}", ""
            )


def expand(docs: list[Document], stamper: Stamper | None) -> Expansion:
    """Top-level documents, plus stamped template output when a stamper is available."""
    result = Expansion(subjects=[Subject(d, d.body) for d in docs if isinstance(d.body, dict)])
    for top in list(result.subjects):
        if top.api_version == "v1" and top.kind == "ConfigMap":
            result.subjects.extend(embedded_documents(top, top.body.get("data"), "data", None))
    if stamper is None:
        for d in docs:
            if is_carto(d, TEMPLATE_KINDS):
                result.findings.append(
                    finding_at(
                        d,
                        "spec",
                        "template output not checked: stamping is not available",
                        "template-stamp",
                        Severity.WARNING,
                    )
                )
        return result
    for ctx in _contexts(docs):
        _stamp(ctx, stamper, result)
    return result


def _stamp(ctx: _Context, stamper: Stamper, result: Expansion) -> None:
    template = ctx.template
    spec = _dict(template.body.get("spec"))
    if (spec.get("template") is None) == (not isinstance(spec.get("ytt"), str)):
        return  # neither or both: nothing Cartographer would stamp; the webhook rules report it
    body_field = "spec.ytt" if isinstance(spec.get("ytt"), str) else "spec.template"
    owner = sample_owner(ctx.owner_kind, ctx.labels, ctx.owner_params)
    where = f"{ctx.owner_kind}/{SAMPLE_NAME}" + (f" via {ctx.label}" if ctx.label else "")
    outcome = stamp_with_samples(stamper, template.body, owner, ctx.params, ctx.inputs)
    if outcome.error is not None:
        if outcome.sample_caused:
            result.findings.append(
                finding_at(
                    template,
                    body_field,
                    f"not checked: it reads {', '.join(dict.fromkeys([*outcome.supplied, str(outcome.missing)]))}, "
                    f"which a real supply chain hands it but the sample {where} ({ctx.inputs.describe()}) lacks: "
                    f"{outcome.error.message}",
                    "template-stamp",
                    Severity.WARNING,
                )
            )
            return
        result.findings.append(
            finding_at(
                template,
                body_field,
                f"cannot be stamped for sample {where} ({ctx.inputs.describe()}): {outcome.error.message}",
                "template-stamp",
            )
        )
        return
    stamped = outcome.stamped
    if outcome.supplied:
        where += f" given sample {', '.join(outcome.supplied)}"
    if not isinstance(stamped, dict):
        return
    result.stamped += 1
    stamped_kind = f"{stamped.get('kind', '?')}/{_dict(stamped.get('metadata')).get('name', '?')}"
    hop = f"{body_field} (stamped for sample {where}: {stamped_kind})"
    subject = Subject(template, stamped, (hop,), ctx.group, standalone=not ctx.label)
    result.subjects.append(subject)
    if template.kind == "ClusterConfigTemplate":
        result.subjects.extend(_config_documents(subject, spec.get("configPath"), result))


_PATH_PART = re.compile(r"""\.([A-Za-z0-9_-]+)|\[['"]([^'"]+)['"]\]""")


def read_path(obj: Any, path: Any) -> tuple[bool, Any, str]:
    """Evaluate a simple JSONPath such as `.data`, `{.spec.config}` or `.data['a.yml']`."""
    if not isinstance(path, str):
        return False, None, ""
    text = path.strip()
    if text.startswith("{") and text.endswith("}"):
        text = text[1:-1]
    if text and not text.startswith((".", "[")):
        text = "." + text
    parts: list[str] = []
    pos = 0
    while pos < len(text):
        match = _PATH_PART.match(text, pos)
        if match is None:
            return False, None, ""
        parts.append(match.group(1) or match.group(2))
        pos = match.end()
    value = obj
    for part in parts:
        if not isinstance(value, dict) or part not in value:
            return False, None, ""
        value = value[part]
    return True, value, join("", *parts)


def _reads_status(path: Any) -> bool:
    """True when PATH points into .status, which only the object's controller fills in."""
    text = str(path).strip().lstrip("{").lstrip(".")
    return text == "status" or text.startswith(("status.", "status["))


def _config_documents(stamped: Subject, config_path: Any, result: Expansion) -> Iterator[Subject]:
    found, config, config_field = read_path(stamped.body, config_path)
    if not found and _reads_status(config_path):
        return  # written by the object's controller once it runs; nothing to check offline
    if not found:
        result.findings.append(
            stamped.finding("", f"configPath {config_path!r} finds nothing in the stamped object", "template-stamp")
        )
        return
    yield from embedded_documents(stamped, config, config_field, result)


def embedded_documents(parent: Subject, config: Any, config_field: str, result: Expansion | None) -> Iterator[Subject]:
    """Kubernetes objects in the YAML files of CONFIG ({file name: text} or one text); with RESULT, a file that
    is not YAML is reported, otherwise it is skipped (plain data)."""
    files: list[tuple[str, Any]]
    if isinstance(config, dict):
        files = [
            (join(config_field, k), v)
            for k, v in config.items()
            if isinstance(k, str) and k.endswith((".yml", ".yaml"))
        ]
    else:
        files = [(config_field, config)]
    for file_field, text in files:
        if not isinstance(text, str):
            continue
        try:
            docs = parse_documents(text, file_field)
        except SupplychainError as err:
            if result is not None:
                result.findings.append(
                    parent.finding(file_field, f"output config file is not valid YAML: {err.message}", "template-stamp")
                )
            continue
        for doc in docs:
            if (
                not isinstance(doc.body, dict)
                or not isinstance(doc.body.get("kind"), str)
                or not isinstance(doc.body.get("apiVersion"), str)
            ):
                continue
            hop = f"{file_field} document {doc.index} ({doc.kind or '?'}/{doc.name or '?'})"
            yield Subject(parent.doc, doc.body, (*parent.via, hop), parent.group, parent.standalone)
