"""Rules on a Canary's metrics and on MetricTemplates.

A templateRef resolves against the MetricTemplates of the input and, for a Canary stamped from a template,
against what the same blueprint stamps for the same sample owner (or what the same config file holds). A
template stamped on its own (no blueprint in the input uses it) cannot know the params other resources give
the MetricTemplate templates, so a missing name is only reported when no template of the input stamps any
MetricTemplate, and then as a warning.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from ..analysis.constants import BUILTIN_METRICS as FLAGGER_BUILTIN_METRICS
from ..analysis.constants import METRIC_PROVIDERS, MODEL_KEYS, QUERY_FUNCTIONS
from ..analysis.render import RenderFailure, try_render
from ..checking.findings import Severity
from ..validation import Subject
from .context import LintContext
from .rules import Check, Hit, Rule, as_dict, as_list, rule

BUILTIN_METRICS = frozenset(FLAGGER_BUILTIN_METRICS)
PROVIDERS = frozenset(METRIC_PROVIDERS)
# Placeholder values for Flagger's model when a rule only needs to know whether a query renders.
_SAMPLE_MODEL = {key: key for key in MODEL_KEYS}


def metrics(subject: Subject) -> list[tuple[int, dict[str, Any]]]:
    analysis = as_dict(as_dict(subject.body.get("spec")).get("analysis"))
    return [(i, m) for i, m in enumerate(as_list(analysis.get("metrics"))) if isinstance(m, dict)]


def label(i: int, metric: dict[str, Any]) -> str:
    name = metric.get("name")
    return f"metric {name!r}" if isinstance(name, str) else f"metric {i}"


def render_failure(query: str, variables: dict[str, Any] | None) -> RenderFailure | None:
    """Why QUERY does not render with Flagger's renderer for a metric giving VARIABLES (None when it does)."""
    given = {str(k): str(v) for k, v in variables.items()} if variables is not None else None
    result = try_render(query, {**_SAMPLE_MODEL, "variables": given})
    return result if isinstance(result, RenderFailure) else None


def _canary(rule_id: str, severity: Severity, summary: str) -> Callable[[Check], Rule]:
    return rule(rule_id, severity, "flagger.app", ["Canary"], summary)


@_canary("metric-source", Severity.ERROR, "each metric is a builtin or has a templateRef or a query")
def metric_source(s: Subject, ctx: LintContext) -> Iterator[Hit]:
    for i, m in metrics(s):
        if m.get("name") not in BUILTIN_METRICS and not m.get("templateRef") and not m.get("query"):
            yield Hit(
                f"spec.analysis.metrics[{i}].templateRef",
                f"{label(i, m)} is not a builtin ({', '.join(sorted(BUILTIN_METRICS))}) and has "
                "neither templateRef nor query; Flagger fails the check every interval",
            )


@_canary("metric-template-exists", Severity.ERROR, "a metric's templateRef names a MetricTemplate in the input")
def metric_template_exists(s: Subject, ctx: LintContext) -> Iterator[Hit]:
    for i, m in metrics(s):
        ref = as_dict(m.get("templateRef"))
        name = ref.get("name")
        if not isinstance(name, str) or not name:
            continue
        namespace = ref.get("namespace") if isinstance(ref.get("namespace"), str) else None
        if ctx.find_metric_template(s, name, namespace) is not None:
            continue
        path = f"spec.analysis.metrics[{i}].templateRef.name"
        shown = f"{namespace}/{name}" if namespace else name
        if s.standalone:
            if ctx.templates_stamp_metric_templates():
                continue  # stamped by another template with params only a blueprint sets
            yield Hit(
                path,
                f"MetricTemplate {shown!r} is not in the input, and no template in the input stamps a MetricTemplate",
                Severity.WARNING,
            )
        else:
            yield Hit(
                path,
                f"MetricTemplate {shown!r} is not in the input; Flagger accepts the Canary and then "
                "fails every check (flagger#892)",
            )


@_canary("metric-threshold-range", Severity.ERROR, "each metric has a thresholdRange with min or max")
def threshold_range(s: Subject, ctx: LintContext) -> Iterator[Hit]:
    for i, m in metrics(s):
        bounds = as_dict(m.get("thresholdRange"))
        if bounds.get("min") is None and bounds.get("max") is None:
            yield Hit(
                f"spec.analysis.metrics[{i}].thresholdRange",
                f"{label(i, m)} has no thresholdRange min or max; Flagger would compare it with "
                "the deprecated threshold (0 when unset)",
            )


@_canary(
    "metric-template-variables",
    Severity.ERROR,
    "every variables.<key> a referenced MetricTemplate's query reads is set in templateVariables",
)
def template_variables(s: Subject, ctx: LintContext) -> Iterator[Hit]:
    for i, m in metrics(s):
        ref = as_dict(m.get("templateRef"))
        if not isinstance(ref.get("name"), str):
            continue
        mt = ctx.find_metric_template(
            s, ref["name"], ref.get("namespace") if isinstance(ref.get("namespace"), str) else None
        )
        query = as_dict(mt.body.get("spec")).get("query") if mt else None
        if not isinstance(query, str):
            continue
        given = m.get("templateVariables") if isinstance(m.get("templateVariables"), dict) else None
        failure = render_failure(query, given)
        if failure is None or failure.stage != "exec":
            continue  # parse errors are the MetricTemplate's own finding
        key = failure.missing_key
        if key is not None:
            yield Hit(
                f"spec.analysis.metrics[{i}].templateVariables",
                f"MetricTemplate {ref['name']!r} reads variables.{key}, which this metric does not set; "
                "the query fails to render (missingkey=error)",
            )
        else:
            yield Hit(
                f"spec.analysis.metrics[{i}].templateVariables",
                f"MetricTemplate {ref['name']!r} does not render for this metric: {failure.flagger_message}",
            )


def _metric_template(rule_id: str, severity: Severity, summary: str) -> Callable[[Check], Rule]:
    return rule(rule_id, severity, "flagger.app", ["MetricTemplate"], summary)


@_metric_template("metrictemplate-provider", Severity.WARNING, "spec.provider.type is a provider Flagger knows")
def provider(s: Subject, ctx: LintContext) -> Iterator[Hit]:
    kind = as_dict(as_dict(s.body.get("spec")).get("provider")).get("type")
    if isinstance(kind, str) and kind not in PROVIDERS:
        yield Hit(
            "spec.provider.type",
            f"unknown provider type {kind!r}; Flagger silently uses prometheus (known: {', '.join(sorted(PROVIDERS))})",
        )


@_metric_template(
    "metrictemplate-query-functions",
    Severity.ERROR,
    "the query calls only the functions Flagger provides: name, namespace, target, service, ingress, "
    "route, interval, variables",
)
def query_functions(s: Subject, ctx: LintContext) -> Iterator[Hit]:
    query = as_dict(s.body.get("spec")).get("query")
    if not isinstance(query, str):
        return
    failure = render_failure(query, {})
    if failure is None or failure.stage != "parse":
        return
    name = failure.undefined_function
    if name is not None:
        yield Hit(
            "spec.query",
            f"the query calls {{{{ {name} }}}}, which Flagger does not define; rendering fails "
            f"(available: {', '.join(sorted(QUERY_FUNCTIONS))})",
        )
    else:
        yield Hit("spec.query", f"the query does not parse, so Flagger fails every check: {failure.flagger_message}")


RULES: list[Rule] = [
    metric_source,
    metric_template_exists,
    threshold_range,
    template_variables,
    provider,
    query_functions,
]
