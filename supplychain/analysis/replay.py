"""Flagger's canary analysis replayed tick by tick (pkg/controller/scheduler.go, Flagger v1.44.0).

One tick per analysis interval, t=0 being the tick that detects the new revision:

- Detection / Waiting: `confirm-rollout` hooks (a failure holds the canary in Waiting), then Progressing
  with every counter reset.
- Progressing / WaitingPromotion: canary not ready -> the tick is lost, or a rollback once it has been
  unready for longer than progressDeadlineSeconds; a `rollback` hook answering 2xx -> rollback;
  failedChecks >= threshold -> rollback. The first tick (no traffic, iterations 0) runs only `pre-rollout`
  hooks; later ticks run `rollout` hooks, then builtin/inline metrics, then MetricTemplate metrics, the
  first failure adding one failed check. A passing tick advances: blue/green and A/B count iterations
  (blue/green needs iterations+1 passing analyses, then promotes), canary steps the weight up to
  maxWeight, then promotes. `confirm-promotion` failing -> WaitingPromotion (iterations reset to N-1).
  A hook on a flagger-loadtester gate (/gate/check, /rollback/check) with no outcomes in the input answers
  as the closed gate it starts as (403), so confirm-promotion holds the Canary in WaitingPromotion.
- Promoting -> Finalising -> Succeeded (one tick each; canary releases may step the weight back).

The provider `kubernetes` cannot shift traffic: iterations default to 10 there and the router reports
the canary weight as 100 once iterations > 0. Everything the loop reads is precomputed into flat lists;
a replay allocates one small tuple per tick.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError
from ..gate import initial_gate_answer
from .constants import STRATEGY_AB, STRATEGY_BLUE_GREEN
from .durations import format_seconds
from .model import CanarySpec, MetricSpec
from .series import ReplayInput, Series, Signal

# phases
WAITING, PROGRESSING, WAITING_PROMOTION, PROMOTING, FINALISING, SUCCEEDED, FAILED, DETECTING = range(8)
PHASES = ("Waiting", "Progressing", "WaitingPromotion", "Promoting", "Finalising", "Succeeded", "Failed", "Initialized")

# what a tick did
(
    E_DETECTED,
    E_CONFIRM_ROLLOUT,
    E_PRIMARY_NOT_READY,
    E_PRIMARY_DEADLINE,
    E_NOT_READY,
    E_DEADLINE,
    E_SKIPPED,
    E_ROLLBACK_HOOK,
    E_FINALISING,
    E_SUCCEEDED,
    E_THRESHOLD,
    E_PRE_FAILED,
    E_HOOK_FAILED,
    E_METRIC_FAILED,
    E_ITERATION,
    E_WEIGHT,
    E_TRAFFIC_GATE,
    E_PROMOTION_GATE,
    E_PROMOTED,
    E_PROMOTION_STEP,
    E_NO_METRIC,
    E_PRE_PASSED,
    E_WAIT,
) = range(23)

# how a metric value is compared
CMP_RANGE, CMP_MIN_DEFAULT, CMP_MAX_DEFAULT, CMP_DURATION_RANGE, CMP_DURATION_DEFAULT = range(5)


def metric_passes(metric: MetricSpec, value: float | None) -> bool:
    """Flagger's comparison of one metric value (None or NaN = no values found = failed)."""
    return passes_all(metric, (value,))[0]


def passes_all(metric: MetricSpec, values: Sequence[float | None]) -> tuple[bool, ...]:
    """metric_passes for every value, with the comparison chosen once.

    request-duration compares time.Duration values: whole milliseconds, thresholds truncated to ms. A
    metric without thresholdRange uses the deprecated `threshold`: a minimum for request-success-rate,
    a maximum for everything else. NaN fails (Flagger reports it as no values before comparing).
    """
    tr = metric.threshold_range
    if metric.name == "request-duration":
        if tr is not None:
            lo = -math.inf if tr.min is None else _trunc(tr.min)
            hi = math.inf if tr.max is None else _trunc(tr.max)
        else:
            lo, hi = -math.inf, _trunc(metric.threshold)
        return tuple(v is not None and v == v and lo <= _trunc(v) <= hi for v in values)
    if tr is not None:
        lo = -math.inf if tr.min is None else tr.min
        hi = math.inf if tr.max is None else tr.max
        return tuple(v is not None and lo <= v <= hi for v in values)
    threshold = metric.threshold
    if metric.name == "request-success-rate":
        return tuple(v is not None and v >= threshold for v in values)
    return tuple(v is not None and v <= threshold for v in values)


def _trunc(x: float) -> float:
    if math.isinf(x):
        return x
    return float(math.trunc(x))


@dataclass(frozen=True)
class Check:
    """One metric check in Flagger's order, with each sample's pass/fail precomputed."""

    name: str
    metric: MetricSpec | None
    times: tuple[float, ...]
    values: tuple[float | None, ...]
    ok: tuple[bool, ...]


@dataclass(frozen=True)
class Hook:
    name: str
    type: str
    times: tuple[float, ...]
    ok: tuple[bool, ...]
    default: bool


@dataclass(frozen=True)
class Readiness:
    """Readiness samples; `since` is when each sample's unready stretch began."""

    times: tuple[float, ...]
    ready: tuple[bool, ...]
    since: tuple[float, ...]


@dataclass(frozen=True)
class Plan:
    """A Canary and its inputs, precomputed for the tick loop."""

    canary: CanarySpec
    interval: float
    start: float
    horizon: float  # the input's end: no metric is read after it
    stop: float  # --until: no tick runs after it
    max_ticks: int
    threshold: int
    iterations: int
    strategy: str
    kubernetes: bool
    max_weight: int
    step_weight: int
    step_weights: tuple[int, ...]
    step_weight_promotion: int
    mirror: bool
    skip_analysis: bool
    deadline: float
    checks: tuple[Check, ...]
    hooks: tuple[Hook, ...]
    confirm_rollout: tuple[int, ...]
    pre_rollout: tuple[int, ...]
    rollout: tuple[int, ...]
    traffic: tuple[int, ...]
    promotion: tuple[int, ...]
    rollback: tuple[int, ...]
    canary_ready: Readiness | None
    primary_ready: Readiness | None


# A tick record: (t, phase, failedChecks, iterations, canaryWeight, ran, event, a, b)
# ran: 0 nothing, 1 pre-rollout hooks, 2 analysis; a/b: hook or check index and sample index.
TickRecord = tuple[float, int, int, int, int, int, int, int, int]


@dataclass(frozen=True)
class Verdict:
    """How the analysis ends."""

    outcome: str  # Succeeded | Failed | the phase the input ended in
    complete: bool
    reason: str
    failed_checks: int  # the highest failedChecks reached
    iterations: int  # the highest iterations reached
    promoted_at: float | None
    failed_at: float | None
    ended_at: float
    ticks: int

    def to_json(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "complete": self.complete,
            "reason": self.reason,
            "failedChecks": self.failed_checks,
            "iterations": self.iterations,
            "promotedAt": self.promoted_at,
            "failedAt": self.failed_at,
            "endedAt": self.ended_at,
            "ticks": self.ticks,
        }


@dataclass
class ReplayResult:
    plan: Plan
    verdict: Verdict
    records: list[TickRecord] = field(default_factory=list)


def _readiness(signal: Signal | None) -> Readiness | None:
    if signal is None:
        return None
    since: list[float] = []
    start = -math.inf
    prev = True
    for t, ready in zip(signal.times, signal.values, strict=True):
        if not ready and prev:
            start = t
        since.append(start)
        prev = ready
    return Readiness(signal.times, signal.values, tuple(since))


def compile_plan(
    canary: CanarySpec, inputs: ReplayInput, start: float = 0.0, until: float | None = None, max_ticks: int = 10_000
) -> Plan:
    """Precompute everything the tick loop reads; missing series are an InputError."""
    checks: list[Check] = []
    templated: list[Check] = []
    known = {m.name for m in canary.metrics}
    for name in inputs.metrics:
        if name not in known:
            raise InputError(
                f"series for metric {name!r}, which the Canary does not have "
                f"(its metrics: {', '.join(sorted(known)) or 'none'})",
                _where(inputs),
            )
    for metric in canary.metrics:
        usable = metric.is_builtin or metric.query is not None or metric.template_ref is not None
        if not usable:
            templated.append(Check(metric.name, None, (), (), ()))
            continue
        series = inputs.metrics.get(metric.name)
        if series is None:
            if canary.skip_analysis:
                series = Series((), ())
            else:
                raise InputError(
                    f"no series for metric {metric.name!r} (the Canary's metrics: "
                    f"{', '.join(m.name for m in canary.metrics)})",
                    _where(inputs),
                )
        check = Check(metric.name, metric, series.times, series.values, passes_all(metric, series.values))
        if metric.is_builtin or metric.query is not None:
            checks.append(check)
        if metric.template_ref is not None and not metric.is_builtin:
            templated.append(check)
    hooks: list[Hook] = []
    names = {w.name for w in canary.webhooks}
    for name in inputs.webhooks:
        if name not in names:
            raise InputError(
                f"outcomes for webhook {name!r}, which the Canary does not have "
                f"(its webhooks: {', '.join(sorted(names)) or 'none'})",
                _where(inputs),
            )
    groups: dict[str, list[int]] = {
        t: []
        for t in (
            "confirm-rollout",
            "pre-rollout",
            "rollout",
            "confirm-traffic-increase",
            "confirm-promotion",
            "rollback",
        )
    }
    for hook in canary.webhooks:
        signal = inputs.webhooks.get(hook.name)
        # A rollback hook rolls back only when it answers 2xx; a flagger-loadtester gate starts closed.
        gate = initial_gate_answer(hook.url)
        default = (hook.type != "rollback") if gate is None else gate
        times, oks = (signal.times, signal.values) if signal else ((), ())
        if hook.type in groups:
            groups[hook.type].append(len(hooks))
        hooks.append(Hook(hook.name, hook.type, times, oks, default))
    end = inputs.end_time()
    horizon = until if until is not None else (math.inf if end is None else end + canary.interval / 2)
    return Plan(
        canary=canary,
        interval=canary.interval,
        start=start,
        horizon=horizon,
        stop=math.inf if until is None else until,
        max_ticks=max_ticks,
        threshold=canary.threshold,
        iterations=canary.effective_iterations,
        strategy=canary.effective_strategy,
        kubernetes=canary.provider == "kubernetes",
        max_weight=canary.effective_max_weight,
        step_weight=canary.step_weight,
        step_weights=canary.step_weights,
        step_weight_promotion=canary.step_weight_promotion,
        mirror=canary.mirror,
        skip_analysis=canary.skip_analysis,
        deadline=float(canary.progress_deadline),
        checks=tuple(checks + templated),
        hooks=tuple(hooks),
        confirm_rollout=tuple(groups["confirm-rollout"]),
        pre_rollout=tuple(groups["pre-rollout"]),
        rollout=tuple(groups["rollout"]),
        traffic=tuple(groups["confirm-traffic-increase"]),
        promotion=tuple(groups["confirm-promotion"]),
        rollback=tuple(groups["rollback"]),
        canary_ready=_readiness(inputs.canary_ready),
        primary_ready=_readiness(inputs.primary_ready),
    )


def _where(inputs: ReplayInput) -> Any:
    from ..errors import Location

    return Location(inputs.source)


def _next_step_weight(plan: Plan, weight: int) -> int:
    """Flagger's nextStepWeight."""
    steps = plan.step_weights
    if plan.step_weight > 0 or not steps:
        return plan.step_weight
    max_step = 100 - weight
    if max_step == 0:
        return 1
    if weight == 0:
        return min(max_step, steps[0])
    for i in range(len(steps) - 1):
        if steps[i] == weight:
            return min(max_step, steps[i + 1] - weight)
    return max_step


# Step results: go on with the tick's next step, end the tick, or end the analysis.
_GO_ON, _TICK_OVER, _ANALYSIS_OVER = 0, 1, 2


class _Scheduler:
    """One analysis, tick by tick. Each method is one step of Flagger's advanceCanary (scheduler.go),
    named after the Flagger function it follows, and returns _GO_ON, _TICK_OVER or _ANALYSIS_OVER."""

    __slots__ = (
        "a",
        "ab",
        "blue_green",
        "check_len",
        "check_ok",
        "check_ptr",
        "check_times",
        "failed_at",
        "fc",
        "half",
        "hook_default",
        "hook_ok",
        "hook_ptr",
        "hook_times",
        "horizon",
        "input_ended",
        "it",
        "kubernetes",
        "limit",
        "max_fc",
        "max_it",
        "mirrored",
        "n_iter",
        "phase",
        "plan",
        "promoted_at",
        "ran",
        "reason",
        "record",
        "records",
        "sw",
        "t",
        "weight",
    )

    def __init__(self, plan: Plan, record: bool) -> None:
        self.plan = plan
        self.record = record
        self.records: list[TickRecord] = []
        self.half = plan.interval / 2
        self.horizon = plan.horizon
        self.kubernetes = plan.kubernetes
        self.blue_green = plan.strategy == STRATEGY_BLUE_GREEN
        self.ab = plan.strategy == STRATEGY_AB
        self.n_iter = plan.iterations
        self.check_times = [c.times for c in plan.checks]
        self.check_ok = [c.ok for c in plan.checks]
        self.check_len = [len(c.times) for c in plan.checks]
        self.check_ptr = [-1] * len(plan.checks)
        self.hook_times = [h.times for h in plan.hooks]
        self.hook_ok = [h.ok for h in plan.hooks]
        self.hook_default = [h.default for h in plan.hooks]
        self.hook_ptr = [-1] * len(plan.hooks)
        self.phase = DETECTING
        self.fc = self.it = self.sw = 0  # status: failedChecks, iterations, canaryWeight
        self.weight = 0  # the canary's weight in the router
        self.mirrored = False
        self.max_fc = self.max_it = 0
        self.promoted_at: float | None = None
        self.failed_at: float | None = None
        self.reason = ""
        self.t = self.limit = plan.start
        self.ran = 0  # 0 nothing, 1 pre-rollout hooks, 2 analysis
        self.a = -1  # the hook that held the canary, for the tick record
        self.input_ended = False

    # --- the tick -------------------------------------------------------------------------------------

    def advance_canary(self, t: float) -> bool:
        """One tick at time T, its steps in advanceCanary's order; True when the analysis is over."""
        self.t = t
        self.limit = t + self.half
        self.ran = 0
        self.a = -1
        plan = self.plan
        if plan.primary_ready is not None and not plan.skip_analysis:
            result = self.check_primary_ready()
            if result:
                return result == _ANALYSIS_OVER
        phase = self.phase
        if phase in (DETECTING, WAITING):
            return self.run_confirm_rollout_hooks() == _ANALYSIS_OVER
        result = self.check_canary_status()
        if result:
            return result == _ANALYSIS_OVER
        if plan.skip_analysis:
            return self.should_skip_analysis() == _ANALYSIS_OVER
        if phase in (PROGRESSING, WAITING_PROMOTION):
            result = self.run_rollback_hooks()
            if result:
                return result == _ANALYSIS_OVER
        elif phase == PROMOTING:
            return self.run_promotion_traffic_shift() == _ANALYSIS_OVER
        elif phase == FINALISING:
            return self.finalise() == _ANALYSIS_OVER
        if self.fc >= plan.threshold:
            return self.check_failed_checks() == _ANALYSIS_OVER
        result = self.run_analysis()
        if result:
            return result == _ANALYSIS_OVER
        return self.advance_strategy() == _ANALYSIS_OVER

    def emit(self, event: int, a: int = -1, b: int = -1) -> None:
        if self.record:
            self.records.append((self.t, self.phase, self.fc, self.it, self.sw, self.ran, event, a, b))

    def fail(self, reason: str, event: int, canary_weight: int = 0, a: int = -1) -> int:
        """Flagger's rollback: phase Failed, counters reset."""
        self.phase, self.fc, self.it, self.sw = FAILED, 0, 0, canary_weight
        self.failed_at = self.t
        self.reason = reason
        self.emit(event, a)
        return _ANALYSIS_OVER

    def add_failed_check(self, event: int, a: int, b: int = -1) -> int:
        self.fc += 1
        if self.fc > self.max_fc:
            self.max_fc = self.fc
        self.emit(event, a, b)
        return _TICK_OVER

    def hook_passes(self, index: int) -> bool:
        """The hook's latest outcome up to this tick (its default before the first one)."""
        times = self.hook_times[index]
        p = self.hook_ptr[index]
        n = len(times)
        limit = self.limit
        while p + 1 < n and times[p + 1] <= limit:
            p += 1
        self.hook_ptr[index] = p
        return self.hook_ok[index][p] if p >= 0 else self.hook_default[index]

    def first_failing_hook(self, hooks: tuple[int, ...]) -> int:
        for h in hooks:
            if not self.hook_passes(h):
                return h
        return -1

    def readiness(self, r: Readiness) -> int:
        """0 ready, 1 not ready (retry), 2 progress deadline exceeded."""
        times = r.times
        lo, hi = 0, len(times)
        limit = self.limit
        while lo < hi:
            mid = (lo + hi) // 2
            if times[mid] <= limit:
                lo = mid + 1
            else:
                hi = mid
        p = lo - 1
        if p < 0 or r.ready[p]:
            return 0
        # Flagger: from + deadline < now on a wall clock that has moved on since the tick began
        return 2 if r.since[p] + self.plan.deadline <= self.t else 1

    # --- the steps, in advanceCanary's order ----------------------------------------------------------

    def check_primary_ready(self) -> int:
        """The primary must be ready before anything advances (its deadline fails the canary)."""
        assert self.plan.primary_ready is not None
        state = self.readiness(self.plan.primary_ready)
        if not state:
            return _GO_ON
        if state == 2:
            weight = 100 if self.phase in (PROMOTING, FINALISING) else 0
            return self.fail("primary progress deadline exceeded", E_PRIMARY_DEADLINE, weight)
        self.emit(E_PRIMARY_NOT_READY)
        return _TICK_OVER

    def run_confirm_rollout_hooks(self) -> int:
        """A new revision waits for its confirm-rollout hooks, then starts Progressing from zero."""
        failed = self.first_failing_hook(self.plan.confirm_rollout)
        if failed >= 0:
            self.phase = WAITING
            self.emit(E_CONFIRM_ROLLOUT, failed)
            return _TICK_OVER
        self.phase = PROGRESSING
        self.fc = self.it = self.sw = self.weight = 0
        self.mirrored = False
        self.emit(E_DETECTED)
        return _TICK_OVER

    def check_canary_status(self) -> int:
        """The router's weights, then the canary's readiness (retry, or fail past the progress deadline)."""
        if self.kubernetes:
            self.weight = 100 if self.it > 0 else 0
        ready = self.plan.canary_ready
        if ready is None:
            return _GO_ON
        state = self.readiness(ready)
        if not state:
            return _GO_ON
        if state == 2:
            return self.fail("progress deadline exceeded", E_DEADLINE)
        self.emit(E_NOT_READY)
        return _TICK_OVER

    def should_skip_analysis(self) -> int:
        """skipAnalysis promotes without checking anything."""
        self.phase, self.it, self.sw = SUCCEEDED, 0, 0
        self.promoted_at = self.t
        self.reason = "analysis skipped"
        self.emit(E_SKIPPED)
        return _ANALYSIS_OVER

    def run_rollback_hooks(self) -> int:
        """A rollback hook answering 2xx while the analysis runs rolls the canary back."""
        for h in self.plan.rollback:
            if self.hook_passes(h):
                return self.fail(f"rollback webhook {self.plan.hooks[h].name!r} answered 2xx", E_ROLLBACK_HOOK, a=h)
        return _GO_ON

    def run_promotion_traffic_shift(self) -> int:
        """Promoting: the primary takes the new spec; traffic moves back to it (in steps when configured)."""
        plan = self.plan
        event = E_FINALISING
        if self.kubernetes or plan.step_weight_promotion == 0:
            self.weight = 0
            self.phase, self.it, self.sw = FINALISING, 0, 0
        elif self.weight > 0:
            step = plan.step_weight_promotion
            primary = min(100, 100 - self.weight + step)
            self.weight = max(0, self.weight - step)
            if primary == 100:
                self.phase, self.it, self.sw = FINALISING, 0, 0
            else:
                self.sw = self.weight
                event = E_PROMOTION_STEP
        self.emit(event)
        return _TICK_OVER

    def finalise(self) -> int:
        """Finalising: the canary is scaled down; the release has Succeeded."""
        self.phase, self.it, self.sw = SUCCEEDED, 0, 0
        self.promoted_at = self.t
        self.reason = "promoted"
        self.emit(E_SUCCEEDED)
        return _ANALYSIS_OVER

    def check_failed_checks(self) -> int:
        """failedChecks reaching the threshold rolls the canary back."""
        self.weight = 0
        return self.fail(f"failed checks threshold reached ({self.fc}/{self.plan.threshold})", E_THRESHOLD)

    def run_analysis(self) -> int:
        """The first tick (no traffic yet) runs the pre-rollout hooks; later ticks the rollout hooks, then
        the metric checks; the first failure adds one failed check."""
        plan = self.plan
        if self.weight == 0 and self.it == 0 and not (plan.mirror and self.mirrored):
            self.ran = 1
            failed = self.first_failing_hook(plan.pre_rollout)
            return self.add_failed_check(E_PRE_FAILED, failed) if failed >= 0 else _GO_ON
        if self.t > self.horizon:
            self.input_ended = True
            return _ANALYSIS_OVER
        self.ran = 2
        failed = self.first_failing_hook(plan.rollout)
        if failed >= 0:
            return self.add_failed_check(E_HOOK_FAILED, failed)
        return self.run_metric_checks()

    def run_metric_checks(self) -> int:
        """Builtin and inline metrics, then MetricTemplate metrics: each one's latest sample up to this tick."""
        limit = self.limit
        ptrs = self.check_ptr
        for i in range(len(ptrs)):
            times = self.check_times[i]
            p = ptrs[i]
            n = self.check_len[i]
            while p + 1 < n and times[p + 1] <= limit:
                p += 1
            ptrs[i] = p
            if p < 0 or not self.check_ok[i][p]:
                return self.add_failed_check(E_METRIC_FAILED, i, p)
        return _GO_ON

    def advance_strategy(self) -> int:
        """A passing tick advances the release by its strategy."""
        if self.blue_green or self.ab:
            event = self.run_blue_green_or_ab()
        else:
            event = self.run_canary()
        if self.it > self.max_it:
            self.max_it = self.it
        self.emit(event, self.a)
        return _TICK_OVER

    def confirm_promotion(self, iterations_while_waiting: int) -> int:
        """confirm-promotion hooks: a failing one holds the canary in WaitingPromotion (returns the event)."""
        gate = self.first_failing_hook(self.plan.promotion)
        if gate < 0:
            self.phase = PROMOTING
            return E_PROMOTED
        if self.phase != WAITING_PROMOTION:
            self.phase, self.sw = WAITING_PROMOTION, 0
        self.it = iterations_while_waiting
        self.a = gate
        return E_PROMOTION_GATE

    def run_blue_green_or_ab(self) -> int:
        """runBlueGreen / runAB: count iterations (mirroring first when asked), then promote."""
        if self.n_iter > self.it:
            if self.ab:
                self.weight = 100
            elif not self.kubernetes and self.plan.mirror and not self.mirrored:
                self.mirrored = True
            self.it += 1
            return E_ITERATION
        gate = self.first_failing_hook(self.plan.promotion)
        if gate < 0 and self.n_iter == self.it and self.blue_green:
            if not self.kubernetes:
                self.weight, self.mirrored = 100, False
            self.it += 1
            return E_ITERATION
        if gate < 0:
            self.phase = PROMOTING
            return E_PROMOTED
        if self.phase != WAITING_PROMOTION:
            self.phase, self.sw = WAITING_PROMOTION, 0
        self.it = self.n_iter - 1
        self.a = gate
        return E_PROMOTION_GATE

    def run_canary(self) -> int:
        """runCanary: step the weight up to maxWeight (confirm-traffic-increase gates each step), then promote."""
        plan = self.plan
        step = _next_step_weight(plan, self.weight)
        if step <= 0:
            return E_PRE_PASSED if self.ran == 1 else E_WAIT
        if not self.mirrored and self.phase != WAITING_PROMOTION:
            gate = self.first_failing_hook(plan.traffic)
            if gate >= 0:
                self.a = gate
                return E_TRAFFIC_GATE
        if self.weight < plan.max_weight:
            if plan.mirror and self.weight == 0:
                if not self.mirrored:
                    self.mirrored = True
                else:
                    self.mirrored = False
                    self.weight = step
            else:
                self.weight = min(100, self.weight + step)
            self.sw = self.weight
            return E_WEIGHT
        return self.confirm_promotion(plan.canary.iterations - 1)

    # --- the end --------------------------------------------------------------------------------------

    def verdict(self, ticks: int, stopped: bool) -> Verdict:
        plan = self.plan
        complete = self.phase in (SUCCEEDED, FAILED)
        reason = self.reason
        if not complete:
            if stopped:
                reason = f"stopped at t={format_seconds(plan.stop)} (--until)"
            elif self.input_ended:
                reason = "the input ended before the analysis did"
            else:
                reason = f"stopped after {plan.max_ticks} ticks"
        if self.failed_at is not None:
            ended = self.failed_at
        else:
            ended = self.promoted_at if self.promoted_at is not None else self.t
        return Verdict(
            outcome=PHASES[self.phase],
            complete=complete,
            reason=reason,
            failed_checks=self.max_fc,
            iterations=self.max_it,
            promoted_at=self.promoted_at,
            failed_at=self.failed_at,
            ended_at=ended,
            ticks=len(self.records) if self.record else ticks,
        )


def run(plan: Plan, record: bool = True) -> ReplayResult:
    """Replay PLAN; returns the verdict and (when RECORD) one record per tick."""
    scheduler = _Scheduler(plan, record)
    start, interval = plan.start, plan.interval
    stopped = False
    ticks = plan.max_ticks + 1
    for tick in range(plan.max_ticks):
        t = start + tick * interval
        if t > plan.stop:
            scheduler.t = t
            stopped = True
            ticks = tick + 1
            break
        if t > plan.horizon and scheduler.phase in (WAITING, WAITING_PROMOTION):
            scheduler.t = t
            scheduler.input_ended = True
            ticks = tick + 1
            break
        if scheduler.advance_canary(t):
            ticks = tick + 1
            break
    return ReplayResult(plan, scheduler.verdict(ticks, stopped), scheduler.records)


def replay(
    canary: CanarySpec, inputs: ReplayInput, start: float = 0.0, until: float | None = None, max_ticks: int = 10_000
) -> ReplayResult:
    """Compile and run."""
    return run(compile_plan(canary, inputs, start, until, max_ticks))


def describe(result: ReplayResult, record: TickRecord) -> str:
    """A one-line explanation of what a tick did."""
    plan = result.plan
    _t, _phase, fc, it, sw, ran, event, a, b = record
    threshold = plan.threshold
    n_iter = plan.iterations
    hook = (
        plan.hooks[a].name
        if 0 <= a < len(plan.hooks)
        and event in (E_CONFIRM_ROLLOUT, E_PRE_FAILED, E_HOOK_FAILED, E_TRAFFIC_GATE, E_PROMOTION_GATE, E_ROLLBACK_HOOK)
        else ""
    )
    if event == E_DETECTED:
        return "new revision detected, analysis starts"
    if event == E_CONFIRM_ROLLOUT:
        return f"confirm-rollout {hook!r} not approved: waiting"
    if event == E_PRIMARY_NOT_READY:
        return "primary not ready: tick skipped"
    if event == E_PRIMARY_DEADLINE:
        return "primary stuck past the progress deadline: failed"
    if event == E_NOT_READY:
        return "canary not ready: tick skipped"
    if event == E_DEADLINE:
        return f"canary not ready for {plan.canary.progress_deadline}s (progressDeadlineSeconds): rolled back"
    if event == E_SKIPPED:
        return "skipAnalysis: promoted without analysis"
    if event == E_ROLLBACK_HOOK:
        return f"rollback webhook {hook!r} answered 2xx: rolled back"
    if event == E_FINALISING:
        return "primary updated, finalising"
    if event == E_PROMOTION_STEP:
        return f"promotion: canary weight {sw}"
    if event == E_SUCCEEDED:
        return "canary scaled to zero: promotion finished"
    if event == E_THRESHOLD:
        return f"failed checks reached the threshold ({threshold}): rolled back"
    if event == E_PRE_FAILED:
        return f"pre-rollout {hook!r} failed (failed checks {fc}/{threshold})"
    if event == E_HOOK_FAILED:
        return f"rollout webhook {hook!r} failed (failed checks {fc}/{threshold})"
    if event == E_METRIC_FAILED:
        check = plan.checks[a]
        if check.metric is None:
            return f"metric {check.name!r} has no query or templateRef (failed checks {fc}/{threshold})"
        value = check.values[b] if b >= 0 else None
        no_value = value is None or math.isnan(value)
        what = "no values found" if no_value else f"{value:g} {_range_text(check.metric)}"
        return f"metric {check.name!r}: {what} (failed checks {fc}/{threshold})"
    if event == E_ITERATION:
        prefix = "pre-rollout passed, " if ran == 1 else "checks passed, "
        if it > n_iter:
            return f"{prefix}iterations done ({it}): promotion on the next passing tick"
        return f"{prefix}iteration {it}/{n_iter}"
    if event == E_WEIGHT:
        prefix = "pre-rollout passed, " if ran == 1 else "checks passed, "
        return f"{prefix}canary weight {sw}"
    if event == E_TRAFFIC_GATE:
        return f"confirm-traffic-increase {hook!r} not approved"
    if event == E_PROMOTION_GATE:
        return f"confirm-promotion {hook!r} not approved: waiting for promotion"
    if event == E_PROMOTED:
        return "checks passed, promoting: primary gets the canary's spec"
    if event == E_PRE_PASSED:
        return "pre-rollout passed"
    return "checks passed"


def _range_text(metric: MetricSpec) -> str:
    tr = metric.threshold_range
    if tr is None:
        if metric.name == "request-success-rate":
            return f"(threshold min {metric.threshold:g})"
        return f"(threshold max {metric.threshold:g})"
    parts = []
    if tr.min is not None:
        parts.append(f"min {tr.min:g}")
    if tr.max is not None:
        parts.append(f"max {tr.max:g}")
    return "(outside " + ", ".join(parts) + ")"


def status_changes(result: ReplayResult) -> list[dict[str, Any]]:
    """The replay as the Canary status changes a watcher would see (the recording `ticks` shape)."""
    out: list[dict[str, Any]] = []
    last: tuple[int, int, int, int] | None = None
    for t, phase, fc, it, sw, *_ in result.records:
        key = (phase, fc, it, sw)
        if key != last:
            out.append({"t": t, "phase": PHASES[phase], "failedChecks": fc, "iterations": it, "canaryWeight": sw})
            last = key
    return out


def timeline_json(result: ReplayResult) -> list[dict[str, Any]]:
    return [
        {
            "t": r[0],
            "phase": PHASES[r[1]],
            "failedChecks": r[2],
            "iterations": r[3],
            "canaryWeight": r[4],
            "event": describe(result, r),
        }
        for r in result.records
    ]


def summary(verdict: Verdict) -> str:
    if verdict.outcome == "Succeeded":
        return f"Succeeded: promoted at t={format_seconds(verdict.promoted_at or 0.0)}"
    if verdict.outcome == "Failed":
        return f"Failed: {verdict.reason} at t={format_seconds(verdict.failed_at or 0.0)}"
    return f"incomplete ({verdict.outcome}): {verdict.reason}"


def checks_at(result: ReplayResult, t: float) -> Sequence[int]:
    """For each check, the sample index a tick at T reads (-1: none)."""
    limit = t + result.plan.interval / 2
    out = []
    for check in result.plan.checks:
        lo, hi = 0, len(check.times)
        while lo < hi:
            mid = (lo + hi) // 2
            if check.times[mid] <= limit:
                lo = mid + 1
            else:
                hi = mid
        out.append(lo - 1)
    return out
