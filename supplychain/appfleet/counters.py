"""Per-pod request counters in the shape Flagger's kubernetes-provider queries read.

Every pod serves `rate` requests per second. Counters advance lazily (on each scrape) by the elapsed time,
split by the pod version's success rate into status 200 and 500, and spread over the histogram buckets so
that `histogram_quantile(0.99, ...)` over the buckets returns the version's p99 latency (see
`bucket_shares`). All series of a pod grow in proportion, so `rate()` ratios
(success rate, quantiles) are exact whatever the scrape timing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .behaviour import Behaviour

# Upper bounds (seconds) of the histogram buckets; +Inf is implicit.
BUCKETS: tuple[float, ...] = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
QUANTILE = 0.99
METRIC = "http_request_duration_seconds"
STATUSES = ("200", "500")


def bucket_shares(latency_s: float, buckets: tuple[float, ...] = BUCKETS) -> list[float]:
    """Cumulative share of requests at or below each bucket bound, then +Inf, for a p99 of LATENCY_S.

    With the latency in bucket (lower, upper] at relative position r, histogram_quantile interpolates
    lower + (upper - lower) * (q - x) / (c - x), where x is the share at or below `lower` and c the share
    at or below `upper`. For r < q, x = (q - r) / (1 - r) and c = 1 give exactly the latency; for r >= q,
    x = 0 and c = q / r do (the rest goes to the next bucket). In the first bucket, whose lower edge is
    0, x must be 0, so latencies under q * BUCKETS[0] read as that. Past the last finite bound everything
    lands in +Inf, where histogram_quantile reports that bound.
    """
    index = next((i for i, bound in enumerate(buckets) if latency_s <= bound), len(buckets))
    shares = [0.0 if i < index else 1.0 for i in range(len(buckets))] + [1.0]
    if index == len(buckets):
        return shares
    lower = buckets[index - 1] if index > 0 else 0.0
    position = (latency_s - lower) / (buckets[index] - lower)
    if position >= QUANTILE or index == 0:
        shares[index] = min(1.0, QUANTILE / position) if position > 0 else 1.0
    else:
        shares[index - 1] = (QUANTILE - position) / (1.0 - position)
    return shares


@dataclass
class _Series:
    """One status's counters of one pod."""

    count: float = 0.0
    total_seconds: float = 0.0
    buckets: list[float] = field(default_factory=lambda: [0.0] * (len(BUCKETS) + 1))

    def add(self, requests: float, latency_s: float) -> None:
        """Count REQUESTS more, spread for a p99 of LATENCY_S (their mean is taken as LATENCY_S too)."""
        if requests <= 0:
            return
        for i, share in enumerate(bucket_shares(latency_s)):
            self.buckets[i] += requests * share
        self.total_seconds += requests * latency_s
        self.count += requests


@dataclass
class PodCounters:
    """The counters of one pod since the fleet first saw it."""

    namespace: str
    pod: str
    app: str
    version: str
    last_update: float
    series: dict[str, _Series] = field(default_factory=lambda: {s: _Series() for s in STATUSES})

    def advance(self, now: float, rate: float, behaviour: Behaviour) -> None:
        """Add the requests served between the last update and NOW with BEHAVIOUR."""
        elapsed = now - self.last_update
        if elapsed <= 0:
            return
        self.last_update = now
        requests = rate * elapsed
        errors = requests * (100.0 - behaviour.success_rate) / 100.0
        latency_s = behaviour.latency_ms / 1000.0
        self.series["200"].add(requests - errors, latency_s)
        self.series["500"].add(errors, latency_s)

    def labels(self, status: str) -> str:
        pairs = [
            ("kubernetes_namespace", self.namespace),
            ("kubernetes_pod_name", self.pod),
            ("app", self.app),
            ("version", self.version),
            ("status", status),
        ]
        return ",".join(f'{k}="{_escape(v)}"' for k, v in pairs)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _number(value: float) -> str:
    return repr(float(value))


def render(pods: list[PodCounters]) -> str:
    """The Prometheus text exposition of PODS' histograms."""
    lines = [
        f"# HELP {METRIC} Simulated HTTP request latency of the app fleet's pods.",
        f"# TYPE {METRIC} histogram",
    ]
    bounds = [_number(b) for b in BUCKETS] + ["+Inf"]
    for pod in sorted(pods, key=lambda p: (p.namespace, p.pod)):
        for status in STATUSES:
            series = pod.series[status]
            labels = pod.labels(status)
            for bound, value in zip(bounds, series.buckets, strict=True):
                lines.append(f'{METRIC}_bucket{{{labels},le="{bound}"}} {_number(value)}')
            lines.append(f"{METRIC}_sum{{{labels}}} {_number(series.total_seconds)}")
            lines.append(f"{METRIC}_count{{{labels}}} {_number(series.count)}")
    return "\n".join(lines) + "\n"
