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
from dataclasses import dataclass, field
from typing import Any, Sequence

from ..errors import InputError
from ..gate import initial_gate_answer
from .constants import STRATEGY_AB, STRATEGY_BLUE_GREEN
from .durations import format_seconds
from .model import CanarySpec, MetricSpec
from .series import ReplayInput, Series, Signal

# phases
WAITING, PROGRESSING, WAITING_PROMOTION, PROMOTING, FINALISING, SUCCEEDED, FAILED, DETECTING = range(8)
PHASES = ("Waiting", "Progressing", "WaitingPromotion", "Promoting", "Finalising", "Succeeded", "Failed",
          "Initialized")

# what a tick did
(E_DETECTED, E_CONFIRM_ROLLOUT, E_PRIMARY_NOT_READY, E_PRIMARY_DEADLINE, E_NOT_READY, E_DEADLINE, E_SKIPPED,
 E_ROLLBACK_HOOK, E_FINALISING, E_SUCCEEDED, E_THRESHOLD, E_PRE_FAILED, E_HOOK_FAILED, E_METRIC_FAILED,
 E_ITERATION, E_WEIGHT, E_TRAFFIC_GATE, E_PROMOTION_GATE, E_PROMOTED, E_PROMOTION_STEP, E_NO_METRIC,
 E_PRE_PASSED, E_WAIT) = range(23)

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
    for t, ready in zip(signal.times, signal.values):
        if not ready and prev:
            start = t
        since.append(start)
        prev = ready
    return Readiness(signal.times, signal.values, tuple(since))


def compile_plan(canary: CanarySpec, inputs: ReplayInput, start: float = 0.0, until: float | None = None,
                 max_ticks: int = 10_000) -> Plan:
    """Precompute everything the tick loop reads; missing series are an InputError."""
    checks: list[Check] = []
    templated: list[Check] = []
    known = {m.name for m in canary.metrics}
    for name in inputs.metrics:
        if name not in known:
            raise InputError(
                f"series for metric {name!r}, which the Canary does not have "
                f"(its metrics: {', '.join(sorted(known)) or 'none'})", _where(inputs))
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
                raise InputError(f"no series for metric {metric.name!r} (the Canary's metrics: "
                                 f"{', '.join(m.name for m in canary.metrics)})", _where(inputs))
        check = Check(metric.name, metric, series.times, series.values, passes_all(metric, series.values))
        if metric.is_builtin or metric.query is not None:
            checks.append(check)
        if metric.template_ref is not None and not metric.is_builtin:
            templated.append(check)
    hooks: list[Hook] = []
    names = {w.name for w in canary.webhooks}
    for name in inputs.webhooks:
        if name not in names:
            raise InputError(f"outcomes for webhook {name!r}, which the Canary does not have "
                             f"(its webhooks: {', '.join(sorted(names)) or 'none'})", _where(inputs))
    groups: dict[str, list[int]] = {t: [] for t in ("confirm-rollout", "pre-rollout", "rollout",
                                                   "confirm-traffic-increase", "confirm-promotion", "rollback")}
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


def run(plan: Plan, record: bool = True) -> ReplayResult:
    """Replay PLAN; returns the verdict and (when RECORD) one record per tick."""
    interval = plan.interval
    half = interval / 2
    start = plan.start
    horizon = plan.horizon
    checks = plan.checks
    check_times = [c.times for c in checks]
    check_ok = [c.ok for c in checks]
    check_len = [len(c.times) for c in checks]
    check_ptr = [-1] * len(checks)
    n_checks = len(checks)
    hooks = plan.hooks
    hook_times = [h.times for h in hooks]
    hook_ok = [h.ok for h in hooks]
    hook_default = [h.default for h in hooks]
    hook_ptr = [-1] * len(hooks)
    confirm_rollout = plan.confirm_rollout
    pre_rollout = plan.pre_rollout
    rollout = plan.rollout
    promotion_hooks = plan.promotion
    rollback_hooks = plan.rollback
    traffic_hooks = plan.traffic
    threshold = plan.threshold
    n_iter = plan.iterations
    strategy = plan.strategy
    blue_green = strategy == STRATEGY_BLUE_GREEN
    ab = strategy == STRATEGY_AB
    kubernetes = plan.kubernetes
    max_weight = plan.max_weight
    deadline = plan.deadline
    canary_ready = plan.canary_ready
    primary_ready = plan.primary_ready
    records: list[TickRecord] = []
    add = records.append

    phase = DETECTING
    fc = it = sw = 0  # status: failedChecks, iterations, canaryWeight
    weight = 0  # canary weight in the router
    mirrored = False
    max_fc = max_it = 0
    promoted_at: float | None = None
    failed_at: float | None = None
    reason = ""
    t = start
    tick = 0
    input_ended = False
    stopped = False

    def hook_passes(index: int, limit: float) -> bool:
        times = hook_times[index]
        p = hook_ptr[index]
        n = len(times)
        while p + 1 < n and times[p + 1] <= limit:
            p += 1
        hook_ptr[index] = p
        return hook_ok[index][p] if p >= 0 else hook_default[index]

    def unready(r: Readiness, now: float) -> int:
        """0 ready, 1 not ready (retry), 2 progress deadline exceeded."""
        times = r.times
        lo, hi = 0, len(times)
        limit = now + half
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
        return 2 if r.since[p] + deadline <= now else 1

    for tick in range(plan.max_ticks):
        t = start + tick * interval
        limit = t + half
        if t > plan.stop:
            stopped = True
            break
        if t > horizon and (phase == WAITING or phase == WAITING_PROMOTION):
            input_ended = True
            break
        ran = 0
        a = b = -1
        # primary readiness is checked on every tick that may advance
        if primary_ready is not None and not plan.skip_analysis:
            state = unready(primary_ready, t)
            if state:
                if state == 2:
                    if phase in (PROMOTING, FINALISING):
                        phase, sw = FAILED, 100
                    else:
                        phase, sw = FAILED, 0
                    fc = it = 0
                    failed_at = t
                    reason = "primary progress deadline exceeded"
                    if record:
                        add((t, phase, fc, it, sw, 0, E_PRIMARY_DEADLINE, -1, -1))
                    break
                if record:
                    add((t, phase, fc, it, sw, 0, E_PRIMARY_NOT_READY, -1, -1))
                continue
        if phase == DETECTING or phase == WAITING:
            event = E_DETECTED
            for h in confirm_rollout:
                if not hook_passes(h, limit):
                    phase = WAITING
                    event, a = E_CONFIRM_ROLLOUT, h
                    break
            else:
                phase = PROGRESSING
                fc = it = sw = 0
                weight = 0
                mirrored = False
            if record:
                add((t, phase, fc, it, sw, 0, event, a, -1))
            continue
        if kubernetes:
            weight = 100 if it > 0 else 0
        if canary_ready is not None:
            state = unready(canary_ready, t)
            if state:
                if state == 2:
                    phase, fc, it, sw = FAILED, 0, 0, 0
                    failed_at = t
                    reason = "progress deadline exceeded"
                    if record:
                        add((t, phase, fc, it, sw, 0, E_DEADLINE, -1, -1))
                    break
                if record:
                    add((t, phase, fc, it, sw, 0, E_NOT_READY, -1, -1))
                continue
        if plan.skip_analysis:
            phase, it, sw = SUCCEEDED, 0, 0
            promoted_at = t
            reason = "analysis skipped"
            if record:
                add((t, phase, fc, it, sw, 0, E_SKIPPED, -1, -1))
            break
        if phase == PROGRESSING or phase == WAITING_PROMOTION:
            rolled = -1
            for h in rollback_hooks:
                if hook_passes(h, limit):
                    rolled = h
                    break
            if rolled >= 0:
                phase, fc, it, sw = FAILED, 0, 0, 0
                failed_at = t
                reason = f"rollback webhook {hooks[rolled].name!r} answered 2xx"
                if record:
                    add((t, phase, fc, it, sw, 0, E_ROLLBACK_HOOK, rolled, -1))
                break
        if phase == PROMOTING:
            event = E_FINALISING
            if kubernetes or plan.step_weight_promotion == 0:
                weight = 0
                phase, it, sw = FINALISING, 0, 0
            elif weight > 0:
                spp = plan.step_weight_promotion
                primary = min(100, 100 - weight + spp)
                weight = max(0, weight - spp)
                if primary == 100:
                    phase, it, sw = FINALISING, 0, 0
                else:
                    sw = weight
                    event = E_PROMOTION_STEP
            if record:
                add((t, phase, fc, it, sw, 0, event, -1, -1))
            continue
        if phase == FINALISING:
            phase, it, sw = SUCCEEDED, 0, 0
            promoted_at = t
            reason = "promoted"
            if record:
                add((t, phase, fc, it, sw, 0, E_SUCCEEDED, -1, -1))
            break
        if fc >= threshold:
            reason = f"failed checks threshold reached ({fc}/{threshold})"
            phase, fc, it, sw = FAILED, 0, 0, 0
            failed_at = t
            weight = 0
            if record:
                add((t, phase, fc, it, sw, 0, E_THRESHOLD, -1, -1))
            break
        # analysis
        if weight == 0 and it == 0 and not (plan.mirror and mirrored):
            ran = 1
            failed = -1
            for h in pre_rollout:
                if not hook_passes(h, limit):
                    failed = h
                    break
            if failed >= 0:
                fc += 1
                if fc > max_fc:
                    max_fc = fc
                if record:
                    add((t, phase, fc, it, sw, 1, E_PRE_FAILED, failed, -1))
                continue
        else:
            if t > horizon:
                input_ended = True
                break
            ran = 2
            failed = -1
            for h in rollout:
                if not hook_passes(h, limit):
                    failed = h
                    break
            if failed >= 0:
                fc += 1
                if fc > max_fc:
                    max_fc = fc
                if record:
                    add((t, phase, fc, it, sw, 2, E_HOOK_FAILED, failed, -1))
                continue
            bad = -1
            for i in range(n_checks):
                times = check_times[i]
                p = check_ptr[i]
                n = check_len[i]
                while p + 1 < n and times[p + 1] <= limit:
                    p += 1
                check_ptr[i] = p
                if p < 0 or not check_ok[i][p]:
                    bad = i
                    b = p
                    break
            if bad >= 0:
                fc += 1
                if fc > max_fc:
                    max_fc = fc
                if record:
                    add((t, phase, fc, it, sw, 2, E_METRIC_FAILED, bad, b))
                continue
        # advance
        event = E_PRE_PASSED if ran == 1 else E_WAIT
        if blue_green or ab:
            if n_iter > it:
                if ab:
                    weight = 100
                elif not kubernetes and plan.mirror and not mirrored:
                    mirrored = True
                it += 1
                event = E_ITERATION
            else:
                gate = -1
                for h in promotion_hooks:
                    if not hook_passes(h, limit):
                        gate = h
                        break
                if gate >= 0:
                    if phase != WAITING_PROMOTION:
                        phase, sw = WAITING_PROMOTION, 0
                    it = n_iter - 1
                    event, a = E_PROMOTION_GATE, gate
                elif n_iter == it and blue_green:
                    if not kubernetes:
                        weight, mirrored = 100, False
                    it += 1
                    event = E_ITERATION
                else:
                    phase = PROMOTING
                    event = E_PROMOTED
        else:
            step = _next_step_weight(plan, weight)
            if step > 0:
                gate = -1
                if not mirrored and phase != WAITING_PROMOTION:
                    for h in traffic_hooks:
                        if not hook_passes(h, limit):
                            gate = h
                            break
                if gate >= 0:
                    event, a = E_TRAFFIC_GATE, gate
                elif weight < max_weight:
                    if plan.mirror and weight == 0:
                        if not mirrored:
                            mirrored = True
                        else:
                            mirrored = False
                            weight = step
                    else:
                        weight = min(100, weight + step)
                    sw = weight
                    event = E_WEIGHT
                else:
                    for h in promotion_hooks:
                        if not hook_passes(h, limit):
                            gate = h
                            break
                    if gate >= 0:
                        if phase != WAITING_PROMOTION:
                            phase, sw = WAITING_PROMOTION, 0
                        it = plan.canary.iterations - 1
                        event, a = E_PROMOTION_GATE, gate
                    else:
                        phase = PROMOTING
                        event = E_PROMOTED
        if it > max_it:
            max_it = it
        if record:
            add((t, phase, fc, it, sw, ran, event, a, -1))
    else:
        tick = plan.max_ticks

    complete = phase in (SUCCEEDED, FAILED)
    if not complete:
        if stopped:
            reason = f"stopped at t={format_seconds(plan.stop)} (--until)"
        elif input_ended:
            reason = "the input ended before the analysis did"
        else:
            reason = f"stopped after {plan.max_ticks} ticks"
    ended = failed_at if failed_at is not None else (promoted_at if promoted_at is not None else t)
    verdict = Verdict(
        outcome=PHASES[phase],
        complete=complete,
        reason=reason,
        failed_checks=max_fc,
        iterations=max_it,
        promoted_at=promoted_at,
        failed_at=failed_at,
        ended_at=ended,
        ticks=len(records) if record else tick + 1,
    )
    return ReplayResult(plan, verdict, records)


def replay(canary: CanarySpec, inputs: ReplayInput, start: float = 0.0, until: float | None = None,
           max_ticks: int = 10_000) -> ReplayResult:
    """Compile and run."""
    return run(compile_plan(canary, inputs, start, until, max_ticks))


def describe(result: ReplayResult, record: TickRecord) -> str:
    """A one-line explanation of what a tick did."""
    plan = result.plan
    t, phase, fc, it, sw, ran, event, a, b = record
    threshold = plan.threshold
    n_iter = plan.iterations
    hook = plan.hooks[a].name if 0 <= a < len(plan.hooks) and event in (
        E_CONFIRM_ROLLOUT, E_PRE_FAILED, E_HOOK_FAILED, E_TRAFFIC_GATE, E_PROMOTION_GATE, E_ROLLBACK_HOOK) else ""
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
        {"t": r[0], "phase": PHASES[r[1]], "failedChecks": r[2], "iterations": r[3], "canaryWeight": r[4],
         "event": describe(result, r)}
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
