"""Cartographer v0.8.11's validating webhooks for templates (pkg/apis/v1alpha1/common_validations.go and the
*_webhook.go files), rule for rule, on an object as the webhook sees it (JSON data, CRD defaults applied).

The webhook stops at the first broken rule, so each check returns one problem or None, with Cartographer's
own message and the field it is about. `stamp` refuses a template with that problem; `validate` reports it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import EvalError
from .gojson import dumps

DEFAULT_LIFECYCLE = "mutable"  # the CRDs' default for spec.lifecycle, applied before the webhook runs


@dataclass(frozen=True)
class WebhookProblem:
    """What the webhook refuses: Cartographer's message, and the field path it is about."""

    path: str
    message: str


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


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _child_problem(template: Any, path: str) -> WebhookProblem | None:
    """The templated object: it must decode as an object and must not set metadata.namespace."""
    try:
        check_unstructured(template, "invalid template: failed to parse object: ")
    except EvalError as err:
        return WebhookProblem(path, str(err))
    namespace = _dict(template.get("metadata")).get("namespace")
    if isinstance(namespace, str) and namespace != "":
        return WebhookProblem(
            f"{path}.metadata.namespace",
            "invalid template: template should not set metadata.namespace on the child object",
        )
    return None


def _health_rule_problem(rule: dict[str, Any]) -> WebhookProblem | None:
    forms = [
        name
        for name, given in (
            ("alwaysHealthy", rule.get("alwaysHealthy") is not None),
            ("singleConditionType", rule.get("singleConditionType") not in (None, "")),
            ("multiMatch", rule.get("multiMatch") is not None),
        )
        if given
    ]
    if not forms:
        return WebhookProblem(
            "spec.healthRule",
            "invalid health rule: must specify one of alwaysHealthy, singleConditionType or multiMatch, found neither",
        )
    if len(forms) > 1:
        return WebhookProblem(
            f"spec.healthRule.{forms[1]}",
            "invalid health rule: must specify one of alwaysHealthy, singleConditionType or multiMatch, found multiple",
        )
    multi = rule.get("multiMatch")
    if isinstance(multi, dict):
        for side in ("unhealthy", "healthy"):
            match = _dict(multi.get(side))
            if not match.get("matchConditions") and not match.get("matchFields"):
                return WebhookProblem(
                    f"spec.healthRule.multiMatch.{side}",
                    f"invalid multi match health rule: {side} rule has no matchFields or matchConditions",
                )
    return None


def template_problem(body: dict[str, Any]) -> WebhookProblem | None:
    """TemplateSpec.validate (and the ClusterDeploymentTemplate rule): the first rule BODY breaks, or None."""
    spec = _dict(body.get("spec"))
    template, ytt = spec.get("template"), spec.get("ytt")
    has_template, has_ytt = template is not None, isinstance(ytt, str) and ytt != ""
    if not has_template and not has_ytt:
        return WebhookProblem("spec.template", "invalid template: must specify one of template or ytt, found neither")
    if has_template and has_ytt:
        return WebhookProblem("spec.ytt", "invalid template: must specify one of template or ytt, found both")
    if has_template:
        problem = _child_problem(template, "spec.template")
        if problem is not None:
            return problem
    rule = spec.get("healthRule")
    if rule is not None:
        problem = _health_rule_problem(_dict(rule))
        if problem is not None:
            return problem
        # the webhook returns here when a health rule is set: the retention rule is not reached
    elif spec.get("retentionPolicy") is not None and spec.get("lifecycle", DEFAULT_LIFECYCLE) == "mutable":
        return WebhookProblem(
            "spec.retentionPolicy", "invalid template: if lifecycle is mutable, no retention policy may be set"
        )
    matches, completion = spec.get("observedMatches"), spec.get("observedCompletion")
    if body.get("kind") == "ClusterDeploymentTemplate" and (matches is None) == (completion is None):
        return WebhookProblem(
            "spec.observedCompletion" if matches is not None else "spec",
            "invalid spec: must set exactly one of spec.ObservedMatches and spec.ObservedCompletion",
        )
    return None


def run_template_problem(body: dict[str, Any]) -> WebhookProblem | None:
    """RunTemplateSpec.validate: the templated object decodes, sets no namespace, and has a spec."""
    template = _dict(body.get("spec")).get("template")
    problem = _child_problem(template, "spec.template")
    if problem is not None:
        return problem
    if "spec" not in _dict(template):
        return WebhookProblem("spec.template.spec", "invalid template: object must have a spec")
    return None
