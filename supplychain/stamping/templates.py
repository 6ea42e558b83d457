"""Cluster*Template objects: decoding, the webhook's validation rules, and what each kind outputs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import gotypes as gt
from .errors import EvalError
from .gojson import to_interface
from .webhook import check_unstructured as check_unstructured
from .webhook import template_problem

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

FIELD_SELECTOR_REQUIREMENT = gt.Struct(
    "v1alpha1.FieldSelectorRequirement",
    (
        _s("Key", "key", gt.STRING),
        _s("Operator", "operator", gt.Prim("string", "v1alpha1.FieldSelectorOperator")),
        _s("Values", "values", gt.Slice(gt.STRING), True),
    ),
)
HEALTH_MATCH_RULE = gt.Struct(
    "v1alpha1.HealthMatchRule",
    (
        _s(
            "MatchConditions",
            "matchConditions",
            gt.Slice(
                gt.Struct(
                    "v1alpha1.ConditionRequirement",
                    (
                        _s("Type", "type", gt.STRING),
                        _s("Status", "status", gt.Prim("string", "v1.ConditionStatus")),
                    ),
                )
            ),
            True,
        ),
        _s(
            "MatchFields",
            "matchFields",
            gt.Slice(
                gt.Struct(
                    "v1alpha1.HealthMatchFieldSelectorRequirement",
                    (
                        _s("FieldSelectorRequirement", "", FIELD_SELECTOR_REQUIREMENT, inline=True),
                        _s("MessagePath", "messagePath", gt.STRING, True),
                    ),
                )
            ),
            True,
        ),
    ),
)
HEALTH_RULE = gt.Struct(
    "v1alpha1.HealthRule",
    (
        _s("AlwaysHealthy", "alwaysHealthy", gt.Ptr(gt.RAW_JSON), True),
        _s("SingleConditionType", "singleConditionType", gt.STRING, True),
        _s(
            "MultiMatch",
            "multiMatch",
            gt.Ptr(
                gt.Struct(
                    "v1alpha1.MultiMatchHealthRule",
                    (
                        _s("Healthy", "healthy", HEALTH_MATCH_RULE),
                        _s("Unhealthy", "unhealthy", HEALTH_MATCH_RULE),
                    ),
                )
            ),
            True,
        ),
    ),
)
TEMPLATE_SPEC_FIELDS = (
    _s("Template", "template", gt.Ptr(gt.RAW_JSON), True),
    _s("Ytt", "ytt", gt.STRING, True),
    _s(
        "Params",
        "params",
        gt.Slice(
            gt.Struct(
                "v1alpha1.TemplateParam",
                (
                    _s("Name", "name", gt.STRING),
                    _s("DefaultValue", "default", gt.RAW_JSON),
                ),
            )
        ),
        True,
    ),
    _s("HealthRule", "healthRule", gt.Ptr(HEALTH_RULE), True),
    _s("Lifecycle", "lifecycle", gt.STRING, True),
    _s(
        "RetentionPolicy",
        "retentionPolicy",
        gt.Ptr(
            gt.Struct(
                "v1alpha1.RetentionPolicy",
                (
                    _s("MaxFailedRuns", "maxFailedRuns", gt.INT64),
                    _s("MaxSuccessfulRuns", "maxSuccessfulRuns", gt.INT64),
                ),
            )
        ),
        True,
    ),
)
DEPLOYMENT_CONDITION = gt.Struct("v1alpha1.Condition", (_s("Key", "key", gt.STRING), _s("Value", "value", gt.STRING)))
_EXTRA = {
    "ClusterSourceTemplate": (_s("URLPath", "urlPath", gt.STRING), _s("RevisionPath", "revisionPath", gt.STRING)),
    "ClusterImageTemplate": (_s("ImagePath", "imagePath", gt.STRING),),
    "ClusterConfigTemplate": (_s("ConfigPath", "configPath", gt.STRING),),
    "ClusterTemplate": (),
    "ClusterDeploymentTemplate": (
        _s(
            "ObservedMatches",
            "observedMatches",
            gt.Slice(
                gt.Struct(
                    "v1alpha1.ObservedMatch",
                    (
                        _s("Input", "input", gt.STRING),
                        _s("Output", "output", gt.STRING),
                    ),
                )
            ),
            True,
        ),
        _s(
            "ObservedCompletion",
            "observedCompletion",
            gt.Ptr(
                gt.Struct(
                    "v1alpha1.ObservedCompletion",
                    (
                        _s("SucceededCondition", "succeeded", DEPLOYMENT_CONDITION),
                        _s("FailedCondition", "failed", gt.Ptr(DEPLOYMENT_CONDITION), True),
                    ),
                )
            ),
            True,
        ),
    ),
}
TEMPLATE_TYPES = {
    kind: gt.Struct(
        f"v1alpha1.{kind}",
        (
            _s("TypeMeta", "", gt.TYPE_META, inline=True),
            _s("ObjectMeta", "metadata", gt.OBJECT_META),
            _s(
                "Spec",
                "spec",
                gt.Struct(
                    f"v1alpha1.{kind}Spec",
                    (
                        _s("TemplateSpec", "", gt.Struct("v1alpha1.TemplateSpec", TEMPLATE_SPEC_FIELDS), inline=True),
                        *_EXTRA[kind],
                    ),
                ),
            ),
        ),
    )
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
    problem = template_problem(obj)
    if problem is not None:
        raise EvalError(problem.message)
    return template
