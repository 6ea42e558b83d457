"""Rules on a Canary's production controls: hook time budget, iterations, finite thresholds.

Flagger calls every `rollout` hook (an empty type is one) one after the other on each analysis tick, each
bounded by its own timeout (10s when unset), before it queries the metrics; its webhook documentation asks
that their timeouts add up to less than the interval, or slow hooks stretch every tick.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

from ..analysis.constants import DEFAULT_HOOK_TIMEOUT
from ..checking.findings import Severity
from ..validation import Subject
from .canary_rules import analysis, interval_seconds
from .context import LintContext
from .durations import format_seconds, parse_duration
from .metric_rules import label, metrics
from .rules import Check, Hit, Rule, as_dict, as_list, rule

ROLLOUT_HOOK_TYPES = frozenset({"", "rollout"})


def _canary(rule_id: str, severity: Severity, summary: str) -> Callable[[Check], Rule]:
    return rule(rule_id, severity, "flagger.app", ["Canary"], summary)


@_canary(
    "webhook-rollout-timeouts",
    Severity.WARNING,
    "the timeouts of the rollout hooks add up to less than the analysis interval",
)
def rollout_timeouts(s: Subject, ctx: LintContext) -> Iterator[Hit]:
    interval = interval_seconds(s)
    total, names = 0.0, []
    for h in as_list(analysis(s).get("webhooks")):
        if not isinstance(h, dict) or h.get("type", "") not in ROLLOUT_HOOK_TYPES:
            continue
        timeout = parse_duration(h.get("timeout") if h.get("timeout") is not None else DEFAULT_HOOK_TIMEOUT)
        if timeout is None:
            continue
        total += timeout
        names.append(str(h.get("name")))
    if names and total >= interval:
        yield Hit(
            "spec.analysis.webhooks",
            f"the rollout hooks ({', '.join(names)}) may take {format_seconds(total)} in all, not less than the "
            f"analysis interval ({format_seconds(interval)}); Flagger calls them one after the other on every "
            "tick, so slow hooks stretch every tick: lower their timeouts",
        )


@_canary("canary-iterations-min", Severity.ERROR, "analysis.iterations is at least 1")
def iterations_min(s: Subject, ctx: LintContext) -> Iterator[Hit]:
    value = analysis(s).get("iterations")
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 1:
        provider = as_dict(s.body.get("spec")).get("provider")
        effect = (
            "provider kubernetes silently runs 10 iterations instead"
            if provider == "kubernetes"
            else "Flagger ignores it and runs a progressive canary (or 10 iterations on provider kubernetes)"
        )
        yield Hit("spec.analysis.iterations", f"iterations {value} is below 1: {effect}")


def _shown(value: float) -> str:
    return "NaN" if math.isnan(value) else ("-Infinity" if value < 0 else "Infinity")


def _not_finite(value: object) -> bool:
    return isinstance(value, float) and not math.isfinite(value)


_WHY = (
    "JSON has no NaN or infinity, so the API server cannot store it, and in Flagger's comparisons a NaN "
    "or infinite bound either never fails or always fails: use a finite number"
)


@_canary("metric-threshold-finite", Severity.ERROR, "metric thresholds are finite numbers (no NaN or infinity)")
def threshold_finite(s: Subject, ctx: LintContext) -> Iterator[Hit]:
    for i, m in metrics(s):
        path = f"spec.analysis.metrics[{i}]"
        bounds = as_dict(m.get("thresholdRange"))
        for key in ("min", "max"):
            value = bounds.get(key)
            if _not_finite(value):
                assert isinstance(value, float)
                yield Hit(
                    f"{path}.thresholdRange.{key}", f"{label(i, m)} thresholdRange.{key} is {_shown(value)}; {_WHY}"
                )
        value = m.get("threshold")
        if _not_finite(value):
            assert isinstance(value, float)
            yield Hit(f"{path}.threshold", f"{label(i, m)} threshold is {_shown(value)}; {_WHY}")


SCALER_KINDS = ("HorizontalPodAutoscaler", "ScaledObject")  # by kind only (pkg/canary/factory.go)


@_canary(
    "canary-autoscaler",
    Severity.ERROR,
    "autoscalerRef is a HorizontalPodAutoscaler or a KEDA ScaledObject; primaryScalerReplicas 1 <= min <= max",
)
def autoscaler(s: Subject, ctx: LintContext) -> Iterator[Hit]:
    ref = as_dict(s.body.get("spec")).get("autoscalerRef")
    if not isinstance(ref, dict):
        return
    if ref.get("kind") not in SCALER_KINDS:
        yield Hit(
            "spec.autoscalerRef.kind",
            f"Flagger scales only a HorizontalPodAutoscaler or a ScaledObject and "
            f"silently ignores a {ref.get('kind')!r}",
        )
    replicas = as_dict(ref.get("primaryScalerReplicas"))
    low, high = replicas.get("minReplicas"), replicas.get("maxReplicas")
    for key, value in (("minReplicas", low), ("maxReplicas", high)):
        if isinstance(value, int) and not isinstance(value, bool) and value < 1:
            yield Hit(f"spec.autoscalerRef.primaryScalerReplicas.{key}", f"{key} {value} must be at least 1")
    if isinstance(low, int) and isinstance(high, int) and low > high:
        yield Hit(
            "spec.autoscalerRef.primaryScalerReplicas",
            f"minReplicas {low} exceeds maxReplicas {high}; the primary HPA would be rejected",
        )


GATE_READERS = {"confirm-promotion": "/gate/", "rollback": "/rollback/"}


@_canary(
    "webhook-gate",
    Severity.ERROR,
    "a webhook on flagger-loadtester's gates reads its own gate (/gate/check, /rollback/check), never opens or "
    "closes one",
)
def loadtester_gate(s: Subject, ctx: LintContext) -> Iterator[Hit]:
    for i, h in enumerate(as_list(analysis(s).get("webhooks"))):
        if not isinstance(h, dict) or not isinstance(h.get("url"), str):
            continue
        try:
            path = urlsplit(h["url"]).path.rstrip("/")
        except ValueError:
            continue  # not a URL at all: nothing to say about gates
        if "/gate/" not in path and "/rollback/" not in path:
            continue
        where = f"spec.analysis.webhooks[{i}].url"
        if path.endswith(("/open", "/close")):
            yield Hit(
                where,
                f"{path} changes the gate (202 Accepted) on every call instead of reading it: "
                f"use {path.rsplit('/', 1)[0]}/check",
            )
            continue
        wanted = GATE_READERS.get(str(h.get("type")))
        if wanted is not None and wanted not in path + "/":
            other = "rollback" if wanted == "/gate/" else "promotion"
            yield Hit(
                where,
                f"a {h.get('type')} hook reading the {other} gate ({path}): opening that gate to "
                f"{'promote' if other == 'promotion' else 'roll back'} would also "
                f"{'roll back' if other == 'promotion' else 'promote'}; use {wanted}check",
            )


ALERT_SEVERITIES = ("info", "warn", "error")


def _alert_providers(ctx: LintContext) -> set[tuple[str | None, str | None]]:
    return {
        (p.namespace, p.name)
        for p in ctx.subjects
        if not p.embedded and p.kind == "AlertProvider" and str(p.api_version).startswith("flagger.app/")
    }


@_canary(
    "canary-alerts",
    Severity.ERROR,
    "each alert names an AlertProvider (one of the input's, when it has any) and a severity info, warn or error",
)
def alerts(s: Subject, ctx: LintContext) -> Iterator[Hit]:
    providers = _alert_providers(ctx)
    for i, alert in enumerate(as_list(analysis(s).get("alerts"))):
        if not isinstance(alert, dict):
            continue
        path = f"spec.analysis.alerts[{i}]"
        ref = as_dict(alert.get("providerRef"))
        name = ref.get("name")
        if not isinstance(name, str) or not name:
            yield Hit(f"{path}.providerRef.name", "an alert needs providerRef.name, the AlertProvider to send through")
        elif providers and not s.embedded:
            namespace = ref.get("namespace") if isinstance(ref.get("namespace"), str) else s.namespace
            if (namespace, name) not in providers and not any(n == name and ns is None for ns, n in providers):
                yield Hit(
                    f"{path}.providerRef",
                    f"AlertProvider {namespace}/{name} is not in the input; Flagger logs an error and sends nothing",
                    Severity.WARNING,
                )
        severity = alert.get("severity", "info")
        if severity not in ALERT_SEVERITIES:
            yield Hit(f"{path}.severity", f"severity {severity!r} is not one of {', '.join(ALERT_SEVERITIES)}")


@_canary("metric-names-unique", Severity.ERROR, "metric names are unique within a Canary")
def metric_names_unique(s: Subject, ctx: LintContext) -> Iterator[Hit]:
    seen: set[object] = set()
    for i, m in metrics(s):
        name = m.get("name")
        if name in seen:
            yield Hit(
                f"spec.analysis.metrics[{i}].name",
                f"metric name {name!r} is used twice; Flagger's events, "
                "alerts and the replay cannot tell the two checks apart",
            )
        seen.add(name)


def _input_object(ctx: LintContext, kind: str, name: str, namespace: str | None) -> Subject | None:
    for o in ctx.subjects:
        if (
            not o.embedded
            and o.kind == kind
            and o.name == name
            and (namespace is None or o.namespace is None or o.namespace == namespace)
        ):
            return o
    return None


def _port_names(ports: list[object]) -> str:
    return ", ".join(
        str(as_dict(p).get("name") or as_dict(p).get("port") or as_dict(p).get("containerPort")) for p in ports
    )


@_canary(
    "canary-service-ports",
    Severity.WARNING,
    "the target's own Service and Deployment expose one port, or the Canary sets portDiscovery "
    "(Flagger rewrites an adopted Service to a single port)",
)
def service_ports(s: Subject, ctx: LintContext) -> Iterator[Hit]:
    spec = as_dict(s.body.get("spec"))
    if spec.get("provider") == "knative":
        return
    target, service = as_dict(spec.get("targetRef")), as_dict(spec.get("service"))
    apex = service.get("name") or target.get("name")
    discovery = service.get("portDiscovery") is True
    port = service.get("port")
    if isinstance(apex, str):
        own = _input_object(ctx, "Service", apex, s.namespace)
        ports = as_list(as_dict(own.body.get("spec") if own else {}).get("ports"))
        if own is not None and len(ports) > 1:
            kept = "its port plus the Deployment's container ports" if discovery else f"the single port {port}"
            yield Hit(
                "spec.service",
                f"Flagger adopts the app's Service {apex!r} and rewrites it to {kept}: its "
                f"ports ({_port_names(ports)}) are replaced, so clients of the others break; "
                "give them their own Service",
            )
    if isinstance(target.get("name"), str) and target.get("kind") == "Deployment" and not discovery:
        deployment = _input_object(ctx, "Deployment", target["name"], s.namespace)
        pod = as_dict(as_dict(as_dict(deployment.body.get("spec")).get("template")).get("spec")) if deployment else {}
        container_ports = [p for c in as_list(pod.get("containers")) for p in as_list(as_dict(c).get("ports"))]
        if len(container_ports) > 1:
            yield Hit(
                "spec.service.portDiscovery",
                f"Deployment {target['name']!r} listens on several ports ({_port_names(container_ports)}), but "
                f"the Services Flagger generates carry only port {port}: set portDiscovery: true (or "
                "canary_port_discovery) to add the others",
            )


@_canary(
    "canary-suspend", Severity.WARNING, "a Canary is not left suspended (with skipAnalysis it does nothing either)"
)
def suspended(s: Subject, ctx: LintContext) -> Iterator[Hit]:
    spec = as_dict(s.body.get("spec"))
    if spec.get("suspend") is True:
        extra = "; skipAnalysis has no effect while it is" if spec.get("skipAnalysis") is True else ""
        yield Hit(
            "spec.suspend",
            "the Canary is suspended: Flagger neither analyses nor promotes new revisions, "
            f"so the new version never reaches the primary{extra}",
        )


RULES: list[Rule] = [
    rollout_timeouts,
    iterations_min,
    threshold_finite,
    autoscaler,
    loadtester_gate,
    alerts,
    metric_names_unique,
    service_ports,
    suspended,
]
