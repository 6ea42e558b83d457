"""Choosing interval, threshold and iterations from numbers: a seeded noise model replayed many times.

Traffic model (per 5 s scrape bucket, per run): requests ~ Poisson(rps x 5); each bucket is a transient
"burst" with probability `burst_rate` (errors x10 and latency x1.8, e.g. a GC pause or a slow dependency);
errors ~ Binomial(requests, error rate); the bucket's p99 latency is lognormal around the version's
median. At each analysis tick the metrics are what a 1-minute Prometheus window would show (success
rate = 1 - errors/requests, latency = request-weighted p99), and a query returns no values with
probability `no_data_rate` (a scrape gap; Flagger counts it as a failed check). A *good* version has
error rate 0.1% and p99 220 ms, a *bad* one (a subtle regression) 1.2% and 380 ms (defaults). Both replay through the same
Flagger state machine as `supplychain replay`, with common random numbers across settings.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..errors import InputError, Location
from ..gate import is_gate_check
from . import replay as R
from .model import CanarySpec, MetricSpec, ThresholdRange, WebhookSpec
from .series import Signal, gate_signals

BUCKET = 5.0
WINDOW = 60.0
MAX_RUNS = 5000
MAX_SETTINGS = 400


@dataclass(frozen=True)
class Version:
    """One version's behaviour in the noise model."""

    error_rate: float
    latency_ms: float


@dataclass(frozen=True)
class Model:
    rps: float = 20.0
    burst_rate: float = 0.02
    no_data_rate: float = 0.005
    latency_sigma: float = 0.25
    good: Version = Version(0.001, 220.0)
    bad: Version = Version(0.012, 380.0)


@dataclass(frozen=True)
class Setting:
    interval: float
    threshold: int
    iterations: int


@dataclass(frozen=True)
class Outcome:
    """Aggregates for one setting."""

    setting: Setting
    runs: int
    bad_rollback_rate: float
    bad_rollback_median: float | None
    bad_rollback_p90: float | None
    good_false_rollback_rate: float
    good_promotion_median: float | None

    def to_json(self) -> dict[str, Any]:
        return {
            "interval": self.setting.interval,
            "threshold": self.setting.threshold,
            "iterations": self.setting.iterations,
            "runs": self.runs,
            "bad": {
                "rollbackRate": self.bad_rollback_rate,
                "timeToRollbackMedian": self.bad_rollback_median,
                "timeToRollbackP90": self.bad_rollback_p90,
            },
            "good": {
                "falseRollbackRate": self.good_false_rollback_rate,
                "timeToPromoteMedian": self.good_promotion_median,
            },
        }


def sweep_canary(success_min: float, latency_max: float) -> CanarySpec:
    """A blue/green Canary with a success-rate (min) and a latency (max) metric."""
    from ..errors import Location as Loc

    metrics = (
        MetricSpec("success-rate", "1m", 0.0, ThresholdRange(success_min, None), "model", None, None, "metrics[0]"),
        MetricSpec("latency", "1m", 0.0, ThresholdRange(None, latency_max), "model", None, None, "metrics[1]"),
    )
    return CanarySpec(
        name="sweep",
        namespace="sweep",
        provider="kubernetes",
        target_kind="Deployment",
        target_name="sweep",
        service_name="sweep",
        ingress_name="sweep",
        route_name="sweep",
        metrics_server="",
        interval=60.0,
        interval_text="60s",
        threshold=5,
        iterations=10,
        max_weight=0,
        step_weight=0,
        step_weights=(),
        step_weight_promotion=0,
        has_match=False,
        mirror=False,
        metrics=metrics,
        webhooks=(),
        progress_deadline=600,
        skip_analysis=False,
        has_analysis=True,
        source=Loc("<sweep>"),
    )


def thresholds_from(canary: CanarySpec) -> tuple[float, float]:
    """The success-rate minimum and latency maximum of a Canary's first metrics with such ranges."""
    success = next(
        (
            m.threshold_range.min
            for m in canary.metrics
            if m.threshold_range is not None and m.threshold_range.min is not None
        ),
        None,
    )
    latency = next(
        (
            m.threshold_range.max
            for m in canary.metrics
            if m.threshold_range is not None and m.threshold_range.max is not None
        ),
        None,
    )
    return (99.0 if success is None else success), (500.0 if latency is None else latency)


def generate(model: Model, version: Version, runs: int, ticks: int, interval: float, seed: int) -> tuple[Any, Any]:
    """Success rate and latency per (run, tick) at t = tick x interval; NaN = no values."""
    import numpy as np

    rng = np.random.default_rng(seed)
    buckets = math.ceil(ticks * interval / BUCKET) + 1
    requests = rng.poisson(model.rps * BUCKET, size=(runs, buckets)).astype(float)
    burst = rng.random((runs, buckets)) < model.burst_rate
    rate = np.where(burst, np.minimum(version.error_rate * 10 + 0.02, 0.5), version.error_rate)
    errors = rng.binomial(requests.astype(np.int64), rate).astype(float)
    p99 = version.latency_ms * np.exp(model.latency_sigma * rng.standard_normal((runs, buckets)))
    p99 = np.where(burst, p99 * 1.8, p99)
    zero = np.zeros((runs, 1))
    cum_req = np.concatenate([zero, np.cumsum(requests, axis=1)], axis=1)
    cum_err = np.concatenate([zero, np.cumsum(errors, axis=1)], axis=1)
    cum_lat = np.concatenate([zero, np.cumsum(requests * p99, axis=1)], axis=1)
    tick_times = np.arange(ticks) * interval
    end = np.minimum((tick_times // BUCKET).astype(int) + 1, buckets)
    start = np.maximum(end - int(WINDOW / BUCKET), 0)
    req = cum_req[:, end] - cum_req[:, start]
    err = cum_err[:, end] - cum_err[:, start]
    lat = cum_lat[:, end] - cum_lat[:, start]
    with np.errstate(divide="ignore", invalid="ignore"):
        success = np.where(req > 0, 100.0 * (1.0 - err / req), np.nan)
        latency = np.where(req > 0, lat / req, np.nan)
    gaps = rng.random((runs, ticks)) < model.no_data_rate
    success[gaps] = np.nan
    latency[gaps] = np.nan
    return success, latency


def _percentile(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = math.floor(k), math.ceil(k)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


GATE_HOOK = WebhookSpec(
    "confirm-promotion", "confirm-promotion", "http://flagger-loadtester.test/gate/check", "10s", None
)


def has_promotion_gate(canary: CanarySpec) -> bool:
    """Whether the Canary waits for a flagger-loadtester gate before promotion."""
    return any(w.type == "confirm-promotion" and is_gate_check(w.url) for w in canary.webhooks)


def run_sweep(
    settings: Sequence[Setting],
    runs: int,
    seed: int,
    success_min: float = 99.0,
    latency_max: float = 500.0,
    model: Model = Model(),
    progress: Callable[[int], None] | None = None,
    gate: bool = False,
    gate_opens_at: float | None = None,
) -> list[Outcome]:
    """Replay RUNS good and RUNS bad versions for every setting.

    With GATE, promotion waits for a flagger-loadtester gate that opens at GATE_OPENS_AT (never when None):
    the analysis goes on while it waits, so a bad version can still be rolled back, and a good one is
    promoted only after the gate opens.
    """
    if runs < 1 or runs > MAX_RUNS:
        raise InputError(f"--runs must be from 1 to {MAX_RUNS}", Location("--runs"))
    if not settings or len(settings) > MAX_SETTINGS:
        raise InputError(f"the sweep must have 1 to {MAX_SETTINGS} settings, got {len(settings)}", Location("--sweep"))
    base = sweep_canary(success_min, latency_max)
    hooks: dict[str, Signal] = {}
    if gate or gate_opens_at is not None:
        base = replace(base, webhooks=(GATE_HOOK,))
        hooks = gate_signals({GATE_HOOK.name: (GATE_HOOK.type, GATE_HOOK.url)}, gate_opens_at)
    outcomes: list[Outcome] = []
    for interval in sorted({s.interval for s in settings}):
        group = [s for s in settings if s.interval == interval]
        ticks = max(s.iterations + s.threshold for s in group) + 6
        if hooks and gate_opens_at is not None:
            ticks = max(ticks, math.ceil(gate_opens_at / interval) + 6)
        series = {}
        for label, version, offset in (("good", model.good, 0), ("bad", model.bad, 1)):
            series[label] = generate(model, version, runs, ticks, interval, seed * 1000 + offset)
        times = tuple(i * interval for i in range(ticks))
        for setting in group:
            canary = replace(
                base,
                interval=interval,
                interval_text=f"{interval:g}s",
                threshold=setting.threshold,
                iterations=setting.iterations,
            )
            rollback_times: list[float] = []
            false_rollbacks = 0
            promotion_times: list[float] = []
            for label in ("good", "bad"):
                success, latency = series[label]
                template = R.compile_plan(canary, _inputs(times, success[0], latency[0], hooks))
                for r in range(runs):
                    plan = replace(
                        template,
                        checks=(
                            _check(template.checks[0], times, success[r]),
                            _check(template.checks[1], times, latency[r]),
                        ),
                    )
                    verdict = R.run(plan, record=False).verdict
                    if label == "bad":
                        if verdict.outcome == "Failed" and verdict.failed_at is not None:
                            rollback_times.append(verdict.failed_at)
                    elif verdict.outcome == "Failed":
                        false_rollbacks += 1
                    elif verdict.promoted_at is not None:
                        promotion_times.append(verdict.promoted_at)
            outcomes.append(
                Outcome(
                    setting,
                    runs,
                    bad_rollback_rate=len(rollback_times) / runs,
                    bad_rollback_median=_percentile(rollback_times, 0.5),
                    bad_rollback_p90=_percentile(rollback_times, 0.9),
                    good_false_rollback_rate=false_rollbacks / runs,
                    good_promotion_median=_percentile(promotion_times, 0.5),
                )
            )
            if progress is not None:
                progress(1)
    order = {s: i for i, s in enumerate(settings)}
    outcomes.sort(key=lambda o: order[o.setting])
    return outcomes


def _inputs(times: tuple[float, ...], success: Any, latency: Any, hooks: dict[str, Signal]) -> Any:
    from .series import ReplayInput, Series

    return ReplayInput(
        metrics={"success-rate": Series(times, _values(success)), "latency": Series(times, _values(latency))},
        webhooks=dict(hooks),
    )


def _values(row: Any) -> tuple[float | None, ...]:
    return tuple(None if math.isnan(v) else float(v) for v in row.tolist())


def _check(template: R.Check, times: tuple[float, ...], row: Any) -> R.Check:
    metric = template.metric
    assert metric is not None
    return R.Check(template.name, metric, times, (), R.passes_all(metric, row.tolist()))  # NaN fails


def recommend(outcomes: Sequence[Outcome], max_false_rate: float = 0.01) -> Outcome | None:
    """The fastest rollback among settings that roll back every bad version and rarely a good one."""
    eligible = [
        o
        for o in outcomes
        if o.good_false_rollback_rate <= max_false_rate
        and o.bad_rollback_rate >= 0.99
        and o.bad_rollback_median is not None
    ]
    if not eligible:
        return None
    return min(eligible, key=lambda o: (o.bad_rollback_median or 0.0, o.good_promotion_median or 0.0))
