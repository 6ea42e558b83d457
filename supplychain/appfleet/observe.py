"""Watching one rollout: the Canary's phase timeline, the metric values Flagger saw, the primary's state.

A RolloutObserver polls the Canary (and the primary Deployment, and optionally the Deliverable) on a
background thread. Every change of (phase, failedChecks, iterations, canaryWeight) is a tick. When a
tick shows that an analysis ran (the canary was Progressing with iterations >= 1 before it, so Flagger
ran its metric checks rather than the pre-rollout hooks), the observer evaluates the Canary's metrics
right away: the MetricTemplate queries rendered as Flagger renders them, as instant queries against the
same Prometheus. The result is a replay recording (design.md format).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..analysis.model import parse_canary, parse_metric_template
from ..analysis.prometheus import QueryFailed, instant_query
from ..analysis.recording import RecordedTick as Tick
from ..analysis.recording import sample_to_json
from ..analysis.render import MetricQuery, canary_queries
from ..yamlio import Document
from .apijson import list_items, read_json
from .webhooks import WebhookCall

ANALYSIS_PHASES = ("Progressing", "WaitingPromotion")
PROMOTED_PHASES = ("Promoting", "Finalising", "Succeeded")


def metric_queries(canary: dict[str, Any], templates: list[dict[str, Any]]) -> dict[str, MetricQuery]:
    """The PromQL queries Flagger runs for CANARY's inline-query and templateRef metrics, by metric name, rendered
    by the one Flagger renderer (`analysis.render`); a query that cannot render carries its error."""
    source = f"Canary {((canary.get('metadata') or {}).get('name'))}"
    spec = parse_canary(Document(source, 0, canary))
    by_key = {}
    for i, body in enumerate(templates):
        template = parse_metric_template(Document("MetricTemplate", i, body), spec.namespace)
        by_key[(template.namespace, template.name)] = template
    return {q.metric.name: q for q in canary_queries(spec, by_key) if q.source in ("inline", "template") and q.promql}


@dataclass(frozen=True)
class PrimarySample:
    """The primary at one poll: its Deployment's pod-template version, whether it serves (Available),
    and the versions of its ready pods."""

    t: float
    version: str | None
    ready: bool
    pod_versions: tuple[str, ...] = ()


@dataclass
class Observation:
    """Everything seen during one rollout."""

    started_at: float
    ticks: list[Tick] = field(default_factory=list)
    primary: list[PrimarySample] = field(default_factory=list)
    deliverable: list[tuple[float, str | None]] = field(default_factory=list)
    metrics: dict[str, list[tuple[float, float | None]]] = field(default_factory=dict)
    canary: dict[str, Any] | None = None
    metric_templates: list[dict[str, Any]] = field(default_factory=list)
    poll_errors: int = 0
    query_errors: list[tuple[float, str, str]] = field(default_factory=list)  # (t, metric, error) besides no values

    @property
    def rollout_ticks(self) -> list[Tick]:
        """The ticks from Flagger's detection of the new revision (first Progressing or Waiting) on; the
        ticks before it show the state the rollout started from."""
        start = next((i for i, t in enumerate(self.ticks) if t.phase in ("Progressing", "Waiting")), len(self.ticks))
        return self.ticks[start:]

    @property
    def phases(self) -> list[str]:
        """Phases of the rollout ticks."""
        return [t.phase for t in self.rollout_ticks]

    def first(self, phase: str) -> Tick | None:
        """The first rollout tick in PHASE."""
        return next((t for t in self.rollout_ticks if t.phase == phase), None)

    @property
    def outcome(self) -> str | None:
        """Succeeded or Failed once the rollout ended, else None."""
        return next((t.phase for t in reversed(self.rollout_ticks) if t.phase in ("Succeeded", "Failed")), None)


class KubeReader:
    """The few reads the observer needs, over the kubernetes client with short timeouts."""

    def __init__(self, api_client: Any, timeout: float = 5.0) -> None:
        from kubernetes import client

        self._custom = client.CustomObjectsApi(api_client)
        self._apps = client.AppsV1Api(api_client)
        self._core = client.CoreV1Api(api_client)
        self._api = api_client
        self._timeout = timeout

    def canary(self, namespace: str, name: str) -> dict[str, Any]:
        obj: dict[str, Any] = self._custom.get_namespaced_custom_object(
            "flagger.app", "v1beta1", namespace, "canaries", name, _request_timeout=self._timeout
        )
        return obj

    def metric_template(self, namespace: str, name: str) -> dict[str, Any]:
        obj: dict[str, Any] = self._custom.get_namespaced_custom_object(
            "flagger.app", "v1beta1", namespace, "metrictemplates", name, _request_timeout=self._timeout
        )
        return obj

    def deployment(self, namespace: str, name: str) -> dict[str, Any]:
        return read_json(self._apps.read_namespaced_deployment, name, namespace, _request_timeout=self._timeout)

    def deliverable(self, namespace: str, name: str) -> dict[str, Any]:
        obj: dict[str, Any] = self._custom.get_namespaced_custom_object(
            "carto.run", "v1alpha1", namespace, "deliverables", name, _request_timeout=self._timeout
        )
        return obj

    def app(self, namespace: str, name: str) -> dict[str, Any]:
        """A kapp-controller App."""
        obj: dict[str, Any] = self._custom.get_namespaced_custom_object(
            "kappctrl.k14s.io", "v1alpha1", namespace, "apps", name, _request_timeout=self._timeout
        )
        return obj

    def set_deliverable_params(self, namespace: str, name: str, values: dict[str, Any]) -> None:
        """Set the Deliverable's params named in VALUES, keeping the others (Cartographer re-stamps on the change)."""
        params = [p for p in self.deliverable(namespace, name)["spec"].get("params") or [] if p["name"] not in values]
        params += [{"name": key, "value": value} for key, value in values.items()]
        self._custom.patch_namespaced_custom_object(
            "carto.run",
            "v1alpha1",
            namespace,
            "deliverables",
            name,
            {"spec": {"params": params}},
            _request_timeout=self._timeout,
        )

    def pods(self, namespace: str, selector: str) -> list[dict[str, Any]]:
        return list_items(
            self._core.list_namespaced_pod, namespace, label_selector=selector, _request_timeout=self._timeout
        )

    def deployments(self, field_selector: str) -> list[dict[str, Any]]:
        """Deployments in every namespace matching FIELD_SELECTOR (one list call)."""
        return list_items(
            self._apps.list_deployment_for_all_namespaces, field_selector=field_selector, _request_timeout=self._timeout
        )


def deployment_version(deployment: dict[str, Any], label: str = "version") -> str | None:
    meta = ((deployment.get("spec") or {}).get("template") or {}).get("metadata") or {}
    value = (meta.get("labels") or {}).get(label) or (meta.get("annotations") or {}).get(label)
    return str(value) if value else None


def deployment_available(deployment: dict[str, Any]) -> bool:
    """At least one available replica and the Available condition True."""
    status = deployment.get("status") or {}
    conditions = {c.get("type"): c.get("status") for c in status.get("conditions") or []}
    return int(status.get("availableReplicas") or 0) >= 1 and conditions.get("Available") == "True"


def pod_ready(pod: dict[str, Any]) -> bool:
    status = pod.get("status") or {}
    conditions = {c.get("type"): c.get("status") for c in status.get("conditions") or []}
    return (
        status.get("phase") == "Running"
        and conditions.get("Ready") == "True"
        and not (pod.get("metadata") or {}).get("deletionTimestamp")
    )


def is_not_found(err: Exception) -> bool:
    return getattr(err, "status", None) == 404


def condition_status(obj: dict[str, Any], kind: str = "Ready") -> str | None:
    for condition in (obj.get("status") or {}).get("conditions") or []:
        if condition.get("type") == kind:
            return str(condition.get("status"))
    return None


def condition(obj: dict[str, Any], kind: str = "Ready") -> dict[str, Any] | None:
    return next((c for c in (obj.get("status") or {}).get("conditions") or [] if c.get("type") == kind), None)


def analysis_ran(before: tuple[str, int, int, int], after: tuple[str, int, int, int]) -> bool:
    """Whether the tick from BEFORE to AFTER (phase, failedChecks, iterations, canaryWeight) ran metric checks.

    Flagger runs the pre-rollout hooks (no metrics) while iterations is 0, then on each later analysis tick
    the rollout hooks and the metrics; the result is iterations+1, failedChecks+1, or promotion. A rollback
    tick runs no checks.
    """
    if before[0] not in ANALYSIS_PHASES or before[2] < 1:
        return False
    if after[0] in ("Promoting", "WaitingPromotion") and after[0] != before[0]:
        return True
    return after[0] in ANALYSIS_PHASES and (after[1] > before[1] or after[2] > before[2])


class RolloutObserver:
    """Polls a Canary, its primary Deployment and optionally a Deliverable until stopped."""

    def __init__(
        self,
        reader: KubeReader,
        namespace: str,
        canary: str,
        prometheus_url: str,
        *,
        deliverable: str | None = None,
        version_label: str = "version",
        selector_label: str = "app",
        poll_interval: float = 0.5,
        started_at: float | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.reader = reader
        self.namespace = namespace
        self.canary_name = canary
        self.prometheus_url = prometheus_url
        self.deliverable_name = deliverable
        self.version_label = version_label
        self.selector_label = selector_label
        self.poll_interval = poll_interval
        self._clock = clock
        self.observation = Observation(started_at if started_at is not None else clock())
        self._stop = threading.Event()
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None
        self._last: tuple[str, int, int, int] | None = None
        self._queries: dict[str, MetricQuery] = {}

    # -- lifecycle --------------------------------------------------------------------------------

    def start(self) -> RolloutObserver:
        self._load_spec()
        self.poll()
        self._thread = threading.Thread(target=self._run, name=f"observe-{self.canary_name}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> Observation:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        return self.observation

    def _run(self) -> None:
        while not self._stop.wait(self.poll_interval):
            try:
                self.poll()
            except Exception:  # an API hiccup (e.g. during a restart) must not end the observation
                self.observation.poll_errors += 1

    def _load_spec(self) -> None:
        """The Canary as applied and the rendered query of each of its templateRef metrics."""
        canary = self.reader.canary(self.namespace, self.canary_name)
        obs = self.observation
        obs.canary = {k: canary[k] for k in ("apiVersion", "kind", "metadata", "spec") if k in canary}
        obs.metric_templates = []
        for metric in ((canary.get("spec") or {}).get("analysis") or {}).get("metrics") or []:
            ref = metric.get("templateRef")
            if not ref:
                continue
            template = self.reader.metric_template(ref.get("namespace") or self.namespace, ref["name"])
            obs.metric_templates.append(
                {k: template[k] for k in ("apiVersion", "kind", "metadata", "spec") if k in template}
            )
        self._queries = metric_queries(obs.canary, obs.metric_templates)
        for name in self._queries:
            obs.metrics.setdefault(name, [])

    # -- polling ----------------------------------------------------------------------------------

    def now(self) -> float:
        return self._clock() - self.observation.started_at

    def poll(self) -> None:
        obs = self.observation
        canary = self.reader.canary(self.namespace, self.canary_name)
        status = canary.get("status") or {}
        key = (
            str(status.get("phase", "")),
            int(status.get("failedChecks") or 0),
            int(status.get("iterations") or 0),
            int(status.get("canaryWeight") or 0),
        )
        t = self.now()
        if key[0] and key != self._last:
            previous = self._last
            self._last = key
            obs.ticks.append(Tick(round(t, 3), *key))
            if previous is not None and analysis_ran(previous, key):
                self._sample_metrics(t)
        target = ((canary.get("spec") or {}).get("targetRef") or {}).get("name", self.canary_name)
        try:
            primary = self.reader.deployment(self.namespace, f"{target}-primary")
        except Exception as err:
            if not is_not_found(err):
                raise
            obs.primary.append(PrimarySample(t, None, False))
        else:
            pods = self.reader.pods(self.namespace, f"{self.selector_label}={target}-primary")
            versions = tuple(
                sorted(
                    str(((p.get("metadata") or {}).get("labels") or {}).get(self.version_label, ""))
                    for p in pods
                    if pod_ready(p)
                )
            )
            obs.primary.append(
                PrimarySample(
                    t, deployment_version(primary, self.version_label), deployment_available(primary), versions
                )
            )
        if self.deliverable_name:
            deliverable = self.reader.deliverable(self.namespace, self.deliverable_name)
            ready = condition_status(deliverable)
            if not obs.deliverable or obs.deliverable[-1][1] != ready:
                obs.deliverable.append((t, ready))
        with self._changed:
            self._changed.notify_all()

    def _sample_metrics(self, t: float) -> None:
        """Each query as Flagger reads it (analysis.prometheus), against the observer's Prometheus: a value
        (+Inf included) or None, the failed check Flagger counts; errors other than no values are kept."""
        at = self._clock()
        for name, query in self._queries.items():
            value: float | None = None
            if query.rendered is None:
                self.observation.query_errors.append((t, name, query.error or "the query did not render"))
            else:
                headers = query.template.headers if query.template is not None else None
                try:
                    value = instant_query(self.prometheus_url, query.rendered, headers, at=at)
                except QueryFailed as err:
                    if not err.no_values:
                        self.observation.query_errors.append((t, name, err.message))
            self.observation.metrics[name].append((t, value))

    # -- waiting ----------------------------------------------------------------------------------

    def wait_until(self, predicate: Callable[[Observation], bool], timeout: float) -> bool:
        """Wait (bounded) until PREDICATE holds on the observation; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not predicate(self.observation):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._changed.wait(min(remaining, 1.0))
        return True

    def current_phase(self) -> str | None:
        return self.observation.ticks[-1].phase if self.observation.ticks else None

    # -- recording --------------------------------------------------------------------------------

    def recording(self, scenario: str, calls: list[WebhookCall]) -> dict[str, Any]:
        """The replay recording of this rollout (design.md format)."""
        obs = self.observation
        webhooks: dict[str, list[list[Any]]] = {}
        for call in calls:
            if call.canary != self.canary_name or call.namespace != self.namespace or call.time < obs.started_at:
                continue
            webhooks.setdefault(_webhook_name(obs.canary, call), []).append(
                [round(call.time - obs.started_at, 3), call.ok]
            )
        final = obs.outcome
        promoted = obs.first("Succeeded")
        return {
            "scenario": scenario,
            "canary": obs.canary,
            "metric_templates": obs.metric_templates,
            "started_at": round(obs.started_at, 3),
            "ticks": [t.to_json() for t in obs.ticks],
            "metrics": {
                name: [[round(t, 3), sample_to_json(v)] for t, v in samples] for name, samples in obs.metrics.items()
            },
            "webhooks": webhooks,
            "outcome": final,
            "promoted_at": round(promoted.t, 3) if promoted else None,
        }


def _webhook_name(canary: dict[str, Any] | None, call: WebhookCall) -> str:
    """The Canary's webhook name whose metadata.cmd the call carried (else the call's keyword)."""
    hooks = (((canary or {}).get("spec") or {}).get("analysis") or {}).get("webhooks") or []
    for hook in hooks:
        if ((hook.get("metadata") or {}).get("cmd")) == call.cmd:
            return str(hook.get("name"))
    return call.keyword or "unknown"
