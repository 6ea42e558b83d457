"""Each Canary metric's query, rendered as Flagger v1.44.0 renders it.

Flagger's model (`toMetricModel`): name/namespace of the Canary, target = targetRef.name, service =
service.name or the target, ingress = ingressRef.name or the target, route = routeRef.name or the
target (for Knative, Flagger uses the Service's latest created revision instead), interval = the
metric's interval and variables = templateVariables. Builtin and inline-query metrics get interval
"1m" when unset; templateRef metrics keep it as written, so a missing interval renders as "".
Flagger sends the query with every whitespace run collapsed to one space.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..errors import InputError
from . import gotemplate
from .constants import DEFAULT_METRIC_INTERVAL, MODEL_KEYS
from .model import (
    CanarySpec,
    MetricSpec,
    MetricTemplateSpec,
)

# Builtin queries in the form Flagger sends them (whitespace collapsed), per observer.
_HTTP_POD = 'kubernetes_namespace="{{ namespace }}", kubernetes_pod_name=~"{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)"'
_KNATIVE_CLUSTER = 'envoy_cluster_name=~"{{ namespace }}/{{ route }}"'
BUILTIN_QUERIES: dict[str, dict[str, str]] = {
    "http": {
        "request-success-rate": (
            " sum( rate( http_request_duration_seconds_count{ " + _HTTP_POD + ', status!~"5.*" }[{{ interval }}] ) )'
            " / sum( rate( http_request_duration_seconds_count{ " + _HTTP_POD + " }[{{ interval }}] ) ) * 100"
        ),
        "request-duration": (
            " histogram_quantile( 0.99, sum( rate( http_request_duration_seconds_bucket{ "
            + _HTTP_POD
            + " }[{{ interval }}] ) ) by (le) )"
        ),
    },
    "knative": {
        "request-success-rate": (
            " sum( rate( envoy_cluster_upstream_rq{ " + _KNATIVE_CLUSTER + ', envoy_response_code!~"5.*" }'
            "[{{ interval }}] ) ) / sum( rate( envoy_cluster_upstream_rq{ " + _KNATIVE_CLUSTER + ", }"
            "[{{ interval }}] ) ) * 100"
        ),
        "request-duration": (
            " histogram_quantile( 0.99, sum( rate( envoy_cluster_upstream_rq_time_bucket{ "
            + _KNATIVE_CLUSTER
            + ", }[{{ interval }}] ) ) by (le) )"
        ),
    },
}
# How the builtin duration query's value becomes milliseconds: http returns seconds, knative ms.
BUILTIN_DURATION_SCALE = {"http": 1000.0, "knative": 1.0}

_ROUTE_NOTE = "Flagger sets route to the Knative Service's latest created revision; pass --set route=<revision>"
_WHITESPACE = re.compile(r"[\t\n\f\r ]+")


def collapse_whitespace(query: str) -> str:
    """What Flagger's Prometheus provider sends: every whitespace run becomes one space."""
    return _WHITESPACE.sub(" ", query)


def builtin_observer(canary: CanarySpec) -> str | None:
    """The observer Flagger picks for builtin metrics, when it is one reproduced here."""
    provider = canary.provider
    if canary.target_kind == "Service" and provider != "knative":
        return None  # Flagger appends ":service" and falls back to the Istio observer
    if provider == "kubernetes" or provider.startswith("gatewayapi"):
        return "http"
    if provider == "knative":
        return "knative"
    return None


@dataclass(frozen=True)
class MetricQuery:
    """One metric's query: where it comes from, its text as rendered and as sent, or why not."""

    metric: MetricSpec
    source: str  # builtin | inline | template | none
    template: MetricTemplateSpec | None
    rendered: str | None
    error: str | None
    promql: bool
    address: str
    notes: tuple[str, ...] = ()

    @property
    def sent(self) -> str | None:
        return None if self.rendered is None else collapse_whitespace(self.rendered)

    @property
    def label(self) -> str:
        if self.template is not None:
            return f"MetricTemplate {self.template.namespace}/{self.template.name}"
        return f"{self.source} metric"


def metric_model(
    canary: CanarySpec, interval: str, variables: Mapping[str, str] | None, overrides: Mapping[str, str] | None = None
) -> dict[str, object]:
    """Flagger's MetricTemplateModel for one metric."""
    model: dict[str, object] = {
        "name": canary.name,
        "namespace": canary.namespace,
        "target": canary.target_name,
        "service": canary.service_name,
        "ingress": canary.ingress_name,
        "route": canary.route_name,
        "interval": interval,
        "variables": dict(variables) if variables is not None else None,
    }
    for key, value in (overrides or {}).items():
        model[key] = value
    return model


def render(text: str, model: Mapping[str, object]) -> str:
    """Render TEXT like Flagger's RenderQuery; raises gotemplate.TemplateError/UnsupportedTemplate."""
    funcs: dict[str, Callable[[], object]] = {key: _constant(model[key]) for key in (*MODEL_KEYS, "variables")}
    return gotemplate.parse(text, set(funcs)).render(funcs)


def _constant(value: object) -> Callable[[], object]:
    return lambda: value


@dataclass(frozen=True)
class RenderFailure:
    """Why a query does not render: Go's message, and whether parsing, executing or this engine failed."""

    stage: str  # parse | exec | unsupported
    message: str

    @property
    def undefined_function(self) -> str | None:
        """The name in Go's `function "X" not defined` parse error."""
        found = _UNDEFINED.search(self.message) if self.stage == "parse" else None
        return found.group(1) if found else None

    @property
    def missing_key(self) -> str | None:
        """The key in Go's `map has no entry for key "K"` error (missingkey=error)."""
        found = _MISSING_KEY.search(self.message) if self.stage == "exec" else None
        return found.group(1) if found else None

    @property
    def flagger_message(self) -> str:
        if self.stage == "unsupported":
            return f"cannot render offline: {self.message}"
        return flagger_render_error(gotemplate.TemplateError(self.message, self.stage))


_UNDEFINED = re.compile(r'function "([^"]*)" not defined')
_MISSING_KEY = re.compile(r'map has no entry for key "([^"]*)"')


def try_render(text: str, model: Mapping[str, object]) -> str | RenderFailure:
    """TEXT rendered like Flagger's RenderQuery, or why it does not render."""
    try:
        return render(text, model)
    except gotemplate.TemplateError as err:
        return RenderFailure(err.stage, err.message)
    except gotemplate.UnsupportedTemplate as err:
        return RenderFailure("unsupported", str(err))


def flagger_render_error(err: gotemplate.TemplateError) -> str:
    """Flagger's wrapping of a RenderQuery error (including its spelling)."""
    prefix = "template parsing failed" if err.stage == "parse" else "template excution failed"
    return f"{prefix}: {err.message}"


def find_template(
    canary: CanarySpec, metric: MetricSpec, templates: Mapping[tuple[str, str], MetricTemplateSpec]
) -> MetricTemplateSpec:
    """The MetricTemplate a metric references, or an InputError naming the reference."""
    ref = metric.template_ref
    assert ref is not None
    namespace = ref.namespace or canary.namespace
    found = templates.get((namespace, ref.name))
    if found is None:
        have = ", ".join(sorted(f"{ns}/{name}" for ns, name in templates)) or "none"
        raise InputError(
            f"metric {metric.name!r} references MetricTemplate {namespace}/{ref.name}, which is not in the input"
            f" (MetricTemplates given: {have})",
            dataclasses.replace(canary.source, field=f"{metric.field_path}.templateRef.name"),
        )
    return found


def canary_queries(
    canary: CanarySpec,
    templates: Mapping[tuple[str, str], MetricTemplateSpec],
    overrides: Mapping[str, str] | None = None,
) -> list[MetricQuery]:
    """Render every metric of CANARY in Flagger's evaluation order (builtin/inline first, then templates)."""
    builtin_pass: list[MetricQuery] = []
    template_pass: list[MetricQuery] = []
    observer = builtin_observer(canary)
    for metric in canary.metrics:
        interval = metric.interval or DEFAULT_METRIC_INTERVAL
        if metric.is_builtin:
            notes: list[str] = []
            if observer is None:
                builtin_pass.append(
                    MetricQuery(
                        metric,
                        "builtin",
                        None,
                        None,
                        None,
                        False,
                        canary.metrics_server,
                        (
                            f"builtin {metric.name} for provider {canary.provider!r} is not reproduced offline"
                            " (reproduced: kubernetes, gatewayapi, knative)",
                        ),
                    )
                )
                continue
            if observer == "knative" and not (overrides or {}).get("route"):
                notes.append(_ROUTE_NOTE)
            builtin_pass.append(
                _render_one(
                    metric,
                    "builtin",
                    None,
                    BUILTIN_QUERIES[observer][metric.name],
                    metric_model(canary, interval, metric.variables, overrides),
                    True,
                    canary.metrics_server,
                    notes,
                )
            )
        elif metric.query is not None:
            builtin_pass.append(
                _render_one(
                    metric,
                    "inline",
                    None,
                    metric.query,
                    metric_model(canary, interval, metric.variables, overrides),
                    True,
                    canary.metrics_server,
                    [],
                )
            )
        if metric.template_ref is not None:
            template = find_template(canary, metric, templates)
            notes = []
            if metric.interval is None and "interval" in template.query:
                notes.append("metric has no interval: Flagger renders {{ interval }} as an empty string here")
            if canary.provider == "knative" and "route" in template.query and not (overrides or {}).get("route"):
                notes.append(_ROUTE_NOTE)
            if template.has_secret:
                notes.append("the provider's secretRef credentials are not read offline")
            template_pass.append(
                _render_one(
                    metric,
                    "template",
                    template,
                    template.query,
                    metric_model(canary, metric.interval or "", metric.variables, overrides),
                    template.is_promql,
                    template.address,
                    notes,
                )
            )
        elif not metric.is_builtin and metric.query is None:
            template_pass.append(
                MetricQuery(
                    metric,
                    "none",
                    None,
                    None,
                    "Metric query failed for no usable metrics template and query were configured",
                    False,
                    "",
                    (),
                )
            )
    return builtin_pass + template_pass


def _render_one(
    metric: MetricSpec,
    source: str,
    template: MetricTemplateSpec | None,
    text: str,
    model: dict[str, object],
    promql: bool,
    address: str,
    notes: list[str],
) -> MetricQuery:
    try:
        rendered = render(text, model)
    except gotemplate.TemplateError as err:
        return MetricQuery(metric, source, template, None, flagger_render_error(err), promql, address, tuple(notes))
    except gotemplate.UnsupportedTemplate as err:
        return MetricQuery(
            metric, source, template, None, f"cannot render offline: {err}", promql, address, tuple(notes)
        )
    return MetricQuery(metric, source, template, rendered, None, promql, address, tuple(notes))
