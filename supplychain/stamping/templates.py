"""Cluster*Template objects: decoding, the webhook's validation rules, and what each kind outputs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import gotypes as gt
from .errors import EvalError
from .gojson import dumps, to_interface, to_unstructured

_s = gt.Field

TEMPLATE_KINDS = (
    "ClusterSourceTemplate",
    "ClusterImageTemplate",
    "ClusterConfigTemplate",
    "ClusterTemplate",
    "ClusterDeploymentTemplate",
)
SHORT_KIND = {
    "ClusterSourceTemplate": "source",
    "ClusterImageTemplate": "image",
    "ClusterConfigTemplate": "config",
    "ClusterTemplate": "template",
    "ClusterDeploymentTemplate": "deployment",
}

FIELD_SELECTOR_REQUIREMENT = gt.Struct("v1alpha1.FieldSelectorRequirement", (
    _s("Key", "key", gt.STRING), _s("Operator", "operator", gt.Prim("string", "v1alpha1.FieldSelectorOperator")),
    _s("Values", "values", gt.Slice(gt.STRING), True),
))
HEALTH_MATCH_RULE = gt.Struct("v1alpha1.HealthMatchRule", (
    _s("MatchConditions", "matchConditions", gt.Slice(gt.Struct("v1alpha1.ConditionRequirement", (
        _s("Type", "type", gt.STRING), _s("Status", "status", gt.Prim("string", "v1.ConditionStatus")),
    ))), True),
    _s("MatchFields", "matchFields", gt.Slice(gt.Struct("v1alpha1.HealthMatchFieldSelectorRequirement", (
        _s("FieldSelectorRequirement", "", FIELD_SELECTOR_REQUIREMENT, inline=True),
        _s("MessagePath", "messagePath", gt.STRING, True),
    ))), True),
))
HEALTH_RULE = gt.Struct("v1alpha1.HealthRule", (
    _s("AlwaysHealthy", "alwaysHealthy", gt.Ptr(gt.RAW_JSON), True),
    _s("SingleConditionType", "singleConditionType", gt.STRING, True),
    _s("MultiMatch", "multiMatch", gt.Ptr(gt.Struct("v1alpha1.MultiMatchHealthRule", (
        _s("Healthy", "healthy", HEALTH_MATCH_RULE), _s("Unhealthy", "unhealthy", HEALTH_MATCH_RULE),
    ))), True),
))
TEMPLATE_SPEC_FIELDS = (
    _s("Template", "template", gt.Ptr(gt.RAW_JSON), True),
    _s("Ytt", "ytt", gt.STRING, True),
    _s("Params", "params", gt.Slice(gt.Struct("v1alpha1.TemplateParam", (
        _s("Name", "name", gt.STRING), _s("DefaultValue", "default", gt.RAW_JSON),
    ))), True),
    _s("HealthRule", "healthRule", gt.Ptr(HEALTH_RULE), True),
    _s("Lifecycle", "lifecycle", gt.STRING, True),
    _s("RetentionPolicy", "retentionPolicy", gt.Ptr(gt.Struct("v1alpha1.RetentionPolicy", (
        _s("MaxFailedRuns", "maxFailedRuns", gt.INT64), _s("MaxSuccessfulRuns", "maxSuccessfulRuns", gt.INT64),
    ))), True),
)
DEPLOYMENT_CONDITION = gt.Struct("v1alpha1.Condition", (_s("Key", "key", gt.STRING), _s("Value", "value", gt.STRING)))
_EXTRA = {
    "ClusterSourceTemplate": (_s("URLPath", "urlPath", gt.STRING), _s("RevisionPath", "revisionPath", gt.STRING)),
    "ClusterImageTemplate": (_s("ImagePath", "imagePath", gt.STRING),),
    "ClusterConfigTemplate": (_s("ConfigPath", "configPath", gt.STRING),),
    "ClusterTemplate": (),
    "ClusterDeploymentTemplate": (
        _s("ObservedMatches", "observedMatches", gt.Slice(gt.Struct("v1alpha1.ObservedMatch", (
            _s("Input", "input", gt.STRING), _s("Output", "output", gt.STRING),
        ))), True),
        _s("ObservedCompletion", "observedCompletion", gt.Ptr(gt.Struct("v1alpha1.ObservedCompletion", (
            _s("SucceededCondition", "succeeded", DEPLOYMENT_CONDITION),
            _s("FailedCondition", "failed", gt.Ptr(DEPLOYMENT_CONDITION), True),
        ))), True),
    ),
}
TEMPLATE_TYPES = {
    kind: gt.Struct(f"v1alpha1.{kind}", (
        _s("TypeMeta", "", gt.TYPE_META, inline=True),
        _s("ObjectMeta", "metadata", gt.OBJECT_META),
        _s("Spec", "spec", gt.Struct(f"v1alpha1.{kind}Spec", (
            _s("TemplateSpec", "", gt.Struct("v1alpha1.TemplateSpec", TEMPLATE_SPEC_FIELDS), inline=True),
            *_EXTRA[kind],
        ))),
    ))
    for kind in TEMPLATE_KINDS
}


@dataclass
class TemplateParam:
    name: str
    default: gt.RawJSON


@dataclass
class Template:
    """A decoded Cluster*Template."""

    kind: str
    name: str
    body: Any  # the `template:` object as interface{} data (numbers are float64), or None
    ytt: str
    params: list[TemplateParam]
    lifecycle: str
    has_health_rule: bool
    url_path: str = ""
    revision_path: str = ""
    image_path: str = ""
    config_path: str = ""
    health_rule: Any = None

    @property
    def output_kind(self) -> str:
        return SHORT_KIND[self.kind]

    @property
    def effective_lifecycle(self) -> str:
        return self.lifecycle if self.lifecycle in ("immutable", "tekton") else "mutable"


def decode_template(obj: Any) -> Template:
    """Decode and validate a template object as Cartographer's webhook would; raise EvalError."""
    if not isinstance(obj, dict):
        raise EvalError("a template must be a YAML mapping")
    kind = obj.get("kind")
    if kind not in TEMPLATE_KINDS:
        known = ", ".join(TEMPLATE_KINDS)
        raise EvalError(f"unknown template kind {kind!r} (expected one of {known})")
    typed = gt.decode(obj, TEMPLATE_TYPES[kind])
    spec = typed.get("Spec")
    core = spec.get("TemplateSpec")
    raw = core.get("Template")
    params = [TemplateParam(p.get("Name"), p.get("DefaultValue")) for p in (core.get("Params") or [])]
    template = Template(
        kind=kind,
        name=typed.get("ObjectMeta").get("Name"),
        body=to_interface(raw.value) if raw is not None else None,
        ytt=core.get("Ytt"),
        params=params,
        lifecycle=core.get("Lifecycle"),
        has_health_rule=core.get("HealthRule") is not None,
        health_rule=gt.encode(core.get("HealthRule"), gt.Ptr(HEALTH_RULE)),
    )
    if kind == "ClusterSourceTemplate":
        template.url_path = spec.get("URLPath")
        template.revision_path = spec.get("RevisionPath")
    elif kind == "ClusterImageTemplate":
        template.image_path = spec.get("ImagePath")
    elif kind == "ClusterConfigTemplate":
        template.config_path = spec.get("ConfigPath")
    _validate(template, raw, core)
    if kind == "ClusterDeploymentTemplate":
        matches = spec.get("ObservedMatches")
        completion = spec.get("ObservedCompletion")
        if (matches is None) == (completion is None):
            raise EvalError("invalid spec: must set exactly one of spec.ObservedMatches and spec.ObservedCompletion")
    return template


def _validate(template: Template, raw: gt.RawJSON | None, core: gt.StructVal) -> None:
    """TemplateSpec.validate from the webhook, rule for rule."""
    if raw is None and template.ytt == "":
        raise EvalError("invalid template: must specify one of template or ytt, found neither")
    if raw is not None and template.ytt != "":
        raise EvalError("invalid template: must specify one of template or ytt, found both")
    if raw is not None:
        body = to_unstructured(raw.value)
        check_unstructured(body, "invalid template: failed to parse object: ")
        meta = body.get("metadata")
        if isinstance(meta, dict) and isinstance(meta.get("namespace"), str) and meta["namespace"] != "":
            raise EvalError("invalid template: template should not set metadata.namespace on the child object")
    rule = core.get("HealthRule")
    if rule is not None:
        forms = sum([rule.get("AlwaysHealthy") is not None, rule.get("SingleConditionType") != "",
                     rule.get("MultiMatch") is not None])
        if forms == 0:
            raise EvalError("invalid health rule: must specify one of alwaysHealthy, singleConditionType or "
                            "multiMatch, found neither")
        if forms > 1:
            raise EvalError("invalid health rule: must specify one of alwaysHealthy, singleConditionType or "
                            "multiMatch, found multiple")
        multi = rule.get("MultiMatch")
        if multi is not None:
            for side in ("Unhealthy", "Healthy"):
                match = multi.get(side)
                if not match.get("MatchConditions") and not match.get("MatchFields"):
                    raise EvalError(f"invalid multi match health rule: {side.lower()} rule has no matchFields or "
                                    "matchConditions")
        return  # the webhook stops here when a health rule is set
    if core.get("RetentionPolicy") is not None and template.lifecycle == "mutable":
        raise EvalError("invalid template: if lifecycle is mutable, no retention policy may be set")


def check_unstructured(body: Any, prefix: str = "") -> None:
    """An object apimachinery's unstructured decoder accepts: a mapping with a string kind."""
    if not isinstance(body, dict):
        raise EvalError(f"{prefix}cannot unmarshal {_json_kind(body)} into an object")
    kind = body.get("kind")
    if not isinstance(kind, str) or kind == "":
        raise EvalError(f"{prefix}Object 'Kind' is missing in '{_short(body)}'")


def _json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if value is None:
        return "null"
    return "a scalar"


def _short(body: Any) -> str:
    text = dumps(body)
    return text if len(text) <= 200 else text[:200] + "…"
