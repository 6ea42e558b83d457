"""Flagger Canary and MetricTemplate objects read into typed values, with Flagger's defaults.

Defaults follow flagger.app/v1beta1 (Flagger v1.44.0): analysis interval 60s clamped to at least 10s,
threshold <= 0 becomes 1, progress deadline 600s, metric interval "1m" for builtin and inline-query
metrics only (a templateRef metric without `interval` renders `{{ interval }}` as an empty string).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ..errors import InputError, Location
from ..yamlio import Document
from .constants import (
    BUILTIN_METRICS,
    DEFAULT_ANALYSIS_INTERVAL,
    DEFAULT_HOOK_TIMEOUT,
    DEFAULT_HOOK_TYPE,
    DEFAULT_MESH_PROVIDER,
    DEFAULT_PROGRESS_DEADLINE,
    HOOK_TYPES,
    MIN_ANALYSIS_INTERVAL,
    NON_PROMQL_PROVIDERS,
    STRATEGY_AB,
    STRATEGY_BLUE_GREEN,
    STRATEGY_CANARY,
)
from .durations import parse_go_duration


@dataclass(frozen=True)
class ThresholdRange:
    """thresholdRange {min, max}; None means unbounded."""

    min: float | None = None
    max: float | None = None


@dataclass(frozen=True)
class TemplateRef:
    name: str
    namespace: str | None = None


@dataclass(frozen=True)
class MetricSpec:
    """One entry of spec.analysis.metrics."""

    name: str
    interval: str | None
    threshold: float
    threshold_range: ThresholdRange | None
    query: str | None
    template_ref: TemplateRef | None
    variables: dict[str, str] | None
    field_path: str

    @property
    def is_builtin(self) -> bool:
        return self.name in BUILTIN_METRICS


@dataclass(frozen=True)
class WebhookSpec:
    """One entry of spec.analysis.webhooks."""

    name: str
    type: str
    url: str
    timeout: str
    metadata: dict[str, str] | None


@dataclass(frozen=True)
class CanarySpec:
    """The parts of a Canary that decide how its analysis runs and how its queries render."""

    name: str
    namespace: str
    provider: str
    target_kind: str
    target_name: str
    service_name: str
    ingress_name: str
    route_name: str
    metrics_server: str
    interval: float
    interval_text: str | None
    threshold: int
    iterations: int
    max_weight: int
    step_weight: int
    step_weights: tuple[int, ...]
    step_weight_promotion: int
    has_match: bool
    mirror: bool
    metrics: tuple[MetricSpec, ...]
    webhooks: tuple[WebhookSpec, ...]
    progress_deadline: int
    skip_analysis: bool
    has_analysis: bool
    source: Location = field(default_factory=lambda: Location("<canary>"))

    @property
    def strategy(self) -> str:
        """Flagger's DeploymentStrategy(): A/B with match+iterations, blue/green with iterations."""
        if self.has_match and self.iterations > 0:
            return STRATEGY_AB
        if self.iterations > 0:
            return STRATEGY_BLUE_GREEN
        return STRATEGY_CANARY

    @property
    def effective_iterations(self) -> int:
        """The kubernetes provider cannot shift traffic: Flagger forces iterations 10 when unset."""
        if self.provider == "kubernetes" and self.iterations < 1:
            return 10
        return self.iterations

    @property
    def effective_strategy(self) -> str:
        if self.provider == "kubernetes" and self.iterations < 1:
            return STRATEGY_AB if self.has_match else STRATEGY_BLUE_GREEN
        return self.strategy

    @property
    def effective_max_weight(self) -> int:
        if self.step_weights:
            return min(100, self.step_weights[-1])
        if self.max_weight > 0:
            return self.max_weight
        return 100

    def metric(self, name: str) -> MetricSpec | None:
        for metric in self.metrics:
            if metric.name == name:
                return metric
        return None


@dataclass(frozen=True)
class MetricTemplateSpec:
    """A flagger.app/v1beta1 MetricTemplate."""

    name: str
    namespace: str
    provider_type: str
    address: str
    headers: dict[str, list[str]]
    has_secret: bool
    query: str
    source: Location

    @property
    def is_promql(self) -> bool:
        """Flagger runs prometheus, an empty type and any unknown type against Prometheus."""
        return self.provider_type not in NON_PROMQL_PROVIDERS


T = TypeVar("T")


class _Fields:
    """Typed access to a nested mapping, raising InputError at the exact field path."""

    def __init__(self, location: Callable[[str], Location]) -> None:
        self.location = location

    def fail(self, path: str, message: str) -> InputError:
        return InputError(message, self.location(path))

    def mapping(self, value: Any, path: str, required: bool = False) -> dict[str, Any] | None:
        if value is None:
            if required:
                raise self.fail(path, "is required")
            return None
        if not isinstance(value, dict):
            raise self.fail(path, f"must be a mapping, got {_type_name(value)}")
        return value

    def get(
        self,
        obj: dict[str, Any] | None,
        key: str,
        path: str,
        kind: type[T] | tuple[type, ...],
        default: T,
        required: bool = False,
    ) -> T:
        full = f"{path}.{key}" if path else key
        if obj is None or key not in obj or obj[key] is None:
            if required:
                raise self.fail(full, "is required")
            return default
        value = obj[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if isinstance(value, bool) and bool not in kinds:
            raise self.fail(full, f"must be {_kinds_name(kinds)}, got a boolean")
        if not isinstance(value, kinds):
            raise self.fail(full, f"must be {_kinds_name(kinds)}, got {_type_name(value)}")
        return value  # type: ignore[return-value]

    def string_map(self, obj: dict[str, Any] | None, key: str, path: str) -> dict[str, str] | None:
        full = f"{path}.{key}"
        value = self.mapping(obj.get(key) if obj else None, full)
        if value is None:
            return None
        out: dict[str, str] = {}
        for k, v in value.items():
            if not isinstance(v, str):
                raise self.fail(f"{full}.{k}", f"must be a string, got {_type_name(v)}")
            out[str(k)] = v
        return out


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    return type(value).__name__


def _kinds_name(kinds: tuple[type, ...]) -> str:
    names = {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "a boolean",
        list: "a list",
        dict: "a mapping",
    }
    if set(kinds) == {int, float}:
        return "a number"
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def is_canary(doc: Document) -> bool:
    return doc.kind == "Canary" and str(doc.api_version or "").startswith("flagger.app/")


def is_metric_template(doc: Document) -> bool:
    return doc.kind == "MetricTemplate" and str(doc.api_version or "").startswith("flagger.app/")


def parse_canary(
    doc: Document, default_namespace: str = "default", mesh_provider: str = DEFAULT_MESH_PROVIDER
) -> CanarySpec:
    """Read a Canary document; wrong types raise InputError naming the field."""
    f = _Fields(doc.location)
    body = f.mapping(doc.body, "", required=True)
    meta = f.mapping(body.get("metadata") if body else None, "metadata", required=True)
    name = f.get(meta, "name", "metadata", str, "", required=True)
    namespace = f.get(meta, "namespace", "metadata", str, default_namespace) or default_namespace
    spec = f.mapping(body.get("spec") if body else None, "spec", required=True)
    assert spec is not None
    target = f.mapping(spec.get("targetRef"), "spec.targetRef", required=True)
    target_name = f.get(target, "name", "spec.targetRef", str, "", required=True)
    target_kind = f.get(target, "kind", "spec.targetRef", str, "Deployment")
    service = f.mapping(spec.get("service"), "spec.service")
    service_name = f.get(service, "name", "spec.service", str, "") or target_name
    ingress = f.mapping(spec.get("ingressRef"), "spec.ingressRef")
    ingress_name = f.get(ingress, "name", "spec.ingressRef", str, "") if ingress is not None else target_name
    route = f.mapping(spec.get("routeRef"), "spec.routeRef")
    route_name = f.get(route, "name", "spec.routeRef", str, "") if route is not None else target_name
    provider = f.get(spec, "provider", "spec", str, "") or mesh_provider
    metrics_server = f.get(spec, "metricsServer", "spec", str, "")
    deadline = f.get(spec, "progressDeadlineSeconds", "spec", int, DEFAULT_PROGRESS_DEADLINE)
    skip = f.get(spec, "skipAnalysis", "spec", bool, False)

    apath = "spec.analysis" if "analysis" in spec and spec["analysis"] is not None else "spec.canaryAnalysis"
    analysis = f.mapping(spec.get("analysis") if apath == "spec.analysis" else spec.get("canaryAnalysis"), apath)
    interval_text = f.get(analysis, "interval", apath, str, "") or None
    interval = DEFAULT_ANALYSIS_INTERVAL
    if interval_text:
        parsed = parse_go_duration(interval_text)
        interval = DEFAULT_ANALYSIS_INTERVAL if parsed is None else max(parsed, MIN_ANALYSIS_INTERVAL)
    threshold = f.get(analysis, "threshold", apath, int, 0)
    step_weights_raw = f.get(analysis, "stepWeights", apath, list, [])
    step_weights: list[int] = []
    for i, w in enumerate(step_weights_raw):
        if isinstance(w, bool) or not isinstance(w, int):
            raise f.fail(f"{apath}.stepWeights[{i}]", f"must be an integer, got {_type_name(w)}")
        step_weights.append(w)
    match = f.get(analysis, "match", apath, list, [])
    metrics = tuple(
        _parse_metric(f, m, f"{apath}.metrics[{i}]") for i, m in enumerate(f.get(analysis, "metrics", apath, list, []))
    )
    webhooks = tuple(
        _parse_webhook(f, w, f"{apath}.webhooks[{i}]")
        for i, w in enumerate(f.get(analysis, "webhooks", apath, list, []))
    )
    return CanarySpec(
        name=name,
        namespace=namespace,
        provider=provider,
        target_kind=target_kind,
        target_name=target_name,
        service_name=service_name,
        ingress_name=ingress_name,
        route_name=route_name,
        metrics_server=metrics_server,
        interval=interval,
        interval_text=interval_text,
        threshold=threshold if threshold > 0 else 1,
        iterations=f.get(analysis, "iterations", apath, int, 0),
        max_weight=f.get(analysis, "maxWeight", apath, int, 0),
        step_weight=f.get(analysis, "stepWeight", apath, int, 0),
        step_weights=tuple(step_weights),
        step_weight_promotion=f.get(analysis, "stepWeightPromotion", apath, int, 0),
        has_match=len(match) > 0,
        mirror=f.get(analysis, "mirror", apath, bool, False),
        metrics=metrics,
        webhooks=webhooks,
        progress_deadline=deadline,
        skip_analysis=skip or analysis is None,
        has_analysis=analysis is not None,
        source=doc.location(),
    )


def _parse_metric(f: _Fields, raw: Any, path: str) -> MetricSpec:
    m = f.mapping(raw, path, required=True)
    name = f.get(m, "name", path, str, "", required=True)
    tr_raw = f.mapping(m.get("thresholdRange") if m else None, f"{path}.thresholdRange")
    tr = None
    if tr_raw is not None:
        lo = f.get(tr_raw, "min", f"{path}.thresholdRange", (int, float), None)
        hi = f.get(tr_raw, "max", f"{path}.thresholdRange", (int, float), None)
        tr = ThresholdRange(None if lo is None else float(lo), None if hi is None else float(hi))
    ref_raw = f.mapping(m.get("templateRef") if m else None, f"{path}.templateRef")
    ref = None
    if ref_raw is not None:
        ref = TemplateRef(
            f.get(ref_raw, "name", f"{path}.templateRef", str, "", required=True),
            f.get(ref_raw, "namespace", f"{path}.templateRef", str, "") or None,
        )
    return MetricSpec(
        name=name,
        interval=f.get(m, "interval", path, str, "") or None,
        threshold=float(f.get(m, "threshold", path, (int, float), 0)),
        threshold_range=tr,
        query=f.get(m, "query", path, str, "") or None,
        template_ref=ref,
        variables=f.string_map(m, "templateVariables", path),
        field_path=path,
    )


def _parse_webhook(f: _Fields, raw: Any, path: str) -> WebhookSpec:
    w = f.mapping(raw, path, required=True)
    hook_type = f.get(w, "type", path, str, "") or DEFAULT_HOOK_TYPE
    if hook_type not in HOOK_TYPES:
        raise f.fail(f"{path}.type", f"unknown webhook type {hook_type!r} (one of {', '.join(HOOK_TYPES)})")
    return WebhookSpec(
        name=f.get(w, "name", path, str, "", required=True),
        type=hook_type,
        url=f.get(w, "url", path, str, ""),
        timeout=f.get(w, "timeout", path, str, "") or DEFAULT_HOOK_TIMEOUT,
        metadata=f.string_map(w, "metadata", path),
    )


def parse_metric_template(doc: Document, default_namespace: str = "default") -> MetricTemplateSpec:
    """Read a MetricTemplate document; wrong types raise InputError naming the field."""
    f = _Fields(doc.location)
    body = f.mapping(doc.body, "", required=True)
    meta = f.mapping(body.get("metadata") if body else None, "metadata", required=True)
    name = f.get(meta, "name", "metadata", str, "", required=True)
    namespace = f.get(meta, "namespace", "metadata", str, default_namespace) or default_namespace
    spec = f.mapping(body.get("spec") if body else None, "spec", required=True)
    provider = f.mapping(spec.get("provider") if spec else None, "spec.provider")
    headers_raw = f.mapping(provider.get("headers") if provider else None, "spec.provider.headers")
    headers: dict[str, list[str]] = {}
    for key, value in (headers_raw or {}).items():
        values = value if isinstance(value, list) else [value]
        if not all(isinstance(v, str) for v in values):
            raise f.fail(f"spec.provider.headers.{key}", "must be a list of strings")
        headers[str(key)] = list(values)
    secret = f.mapping(provider.get("secretRef") if provider else None, "spec.provider.secretRef")
    return MetricTemplateSpec(
        name=name,
        namespace=namespace,
        provider_type=f.get(provider, "type", "spec.provider", str, ""),
        address=f.get(provider, "address", "spec.provider", str, ""),
        headers=headers,
        has_secret=secret is not None,
        query=f.get(spec, "query", "spec", str, "", required=True),
        source=doc.location(),
    )
