"""Flagger's scheduler semantics, scenario by scenario (pkg/controller/scheduler.go, v1.44.0)."""

from __future__ import annotations

import math
from typing import Any

import pytest

from supplychain.analysis import replay as R
from supplychain.analysis.model import CanarySpec
from supplychain.analysis.series import ReplayInput, Series, Signal
from supplychain.errors import InputError

from .conftest import make_canary

SR = {"name": "success-rate", "templateRef": {"name": "sr"}, "thresholdRange": {"min": 99}, "interval": "1m"}
LAT = {"name": "latency", "templateRef": {"name": "lat"}, "thresholdRange": {"max": 500}, "interval": "1m"}
PRE = {"name": "conformance", "type": "pre-rollout", "url": "http://loadtester/"}
LOAD = {"name": "load-test", "type": "rollout", "url": "http://loadtester/"}


def blue_green(iterations: int = 5, threshold: int = 3, interval: str = "30s", **extra: Any) -> CanarySpec:
    return make_canary(
        {
            "interval": interval,
            "threshold": threshold,
            "iterations": iterations,
            "metrics": [SR, LAT],
            "webhooks": [PRE, LOAD],
            **extra,
        }
    )


def steady(value: float | None, ticks: int = 60, interval: float = 30.0) -> Series:
    return Series(tuple(i * interval for i in range(ticks)), tuple(value for _ in range(ticks)))


def series(values: list[Any], interval: float = 30.0) -> Series:
    return Series(tuple(i * interval for i in range(len(values))), tuple(values))


def good(interval: float = 30.0) -> ReplayInput:
    return ReplayInput(
        metrics={"success-rate": steady(100.0, interval=interval), "latency": steady(120.0, interval=interval)}
    )


def statuses(result: R.ReplayResult) -> list[tuple[float, str, int, int, int]]:
    return [(r[0], R.PHASES[r[1]], r[2], r[3], r[4]) for r in result.records]


def test_good_version_promoted_after_iterations_plus_one_analyses() -> None:
    result = R.replay(blue_green(iterations=5), good())
    assert statuses(result) == [
        (0.0, "Progressing", 0, 0, 0),  # new revision detected, counters reset
        (30.0, "Progressing", 0, 1, 0),  # pre-rollout only
        (60.0, "Progressing", 0, 2, 0),
        (90.0, "Progressing", 0, 3, 0),
        (120.0, "Progressing", 0, 4, 0),
        (150.0, "Progressing", 0, 5, 0),  # iterations reached
        (180.0, "Progressing", 0, 6, 0),  # blue/green routes "all traffic" and counts one more
        (210.0, "Promoting", 0, 6, 0),  # the next passing analysis promotes
        (240.0, "Finalising", 0, 0, 0),
        (270.0, "Succeeded", 0, 0, 0),
    ]
    verdict = result.verdict
    assert (verdict.outcome, verdict.iterations, verdict.failed_checks, verdict.promoted_at) == (
        "Succeeded",
        6,
        0,
        270.0,
    )
    ran = [r[5] for r in result.records]
    assert ran.count(1) == 1 and ran.count(2) == 6  # one pre-rollout tick, iterations+1 analyses


def test_bad_version_rolled_back_the_tick_after_the_threshold() -> None:
    inputs = ReplayInput(metrics={"success-rate": steady(95.0), "latency": steady(120.0)})
    result = R.replay(blue_green(threshold=3), inputs)
    assert statuses(result)[-4:] == [
        (60.0, "Progressing", 1, 1, 0),
        (90.0, "Progressing", 2, 1, 0),
        (120.0, "Progressing", 3, 1, 0),
        (150.0, "Failed", 0, 0, 0),  # Flagger writes failedChecks back as 0
    ]
    verdict = result.verdict
    assert (verdict.outcome, verdict.failed_checks, verdict.iterations, verdict.failed_at) == ("Failed", 3, 1, 150.0)
    assert "threshold" in verdict.reason


def test_failed_checks_are_cumulative_not_consecutive() -> None:
    values = [100, 100, 100, 90, 100, 90, 100, 90, 100, 100, 100, 100]
    inputs = ReplayInput(metrics={"success-rate": series(values), "latency": steady(1.0)})
    result = R.replay(blue_green(iterations=10, threshold=3), inputs)
    assert result.verdict.outcome == "Failed"
    assert result.verdict.failed_at == 240.0  # third failure at 210, rollback on the next tick


def test_no_values_and_nan_fail_the_check() -> None:
    for missing in (None, math.nan):
        inputs = ReplayInput(metrics={"success-rate": steady(missing), "latency": steady(120.0)})
        result = R.replay(blue_green(threshold=2), inputs)
        assert result.verdict.outcome == "Failed"
        assert R.describe(result, result.records[2]).startswith("metric 'success-rate': ")


def test_metrics_are_checked_in_order_and_the_first_failure_counts() -> None:
    inputs = ReplayInput(metrics={"success-rate": steady(90.0), "latency": steady(900.0)})
    result = R.replay(blue_green(threshold=1), inputs)
    failing = [r for r in result.records if r[6] == R.E_METRIC_FAILED]
    assert len(failing) == 1 and result.plan.checks[failing[0][7]].name == "success-rate"


def test_pre_rollout_failure_counts_and_is_retried_every_tick() -> None:
    inputs = good()
    inputs.webhooks["conformance"] = Signal.constant(False)
    result = R.replay(blue_green(threshold=2), inputs)
    assert statuses(result) == [
        (0.0, "Progressing", 0, 0, 0),
        (30.0, "Progressing", 1, 0, 0),
        (60.0, "Progressing", 2, 0, 0),
        (90.0, "Failed", 0, 0, 0),
    ]
    assert all(r[5] != 2 for r in result.records), "no analysis ran"


def test_pre_rollout_recovers() -> None:
    inputs = good()
    inputs.webhooks["conformance"] = Signal((0.0, 50.0), (False, True))  # seen from the tick at 60 (60 - 30/2 < 50)
    result = R.replay(blue_green(threshold=5), inputs)
    assert result.verdict.outcome == "Succeeded" and result.verdict.failed_checks == 1


def test_rollout_hook_failure_counts_before_metrics() -> None:
    inputs = good()
    inputs.webhooks["load-test"] = Signal.constant(False)
    result = R.replay(blue_green(threshold=2), inputs)
    assert result.verdict.outcome == "Failed"
    assert any(r[6] == R.E_HOOK_FAILED for r in result.records)


def test_rollback_webhook_answering_2xx_rolls_back() -> None:
    canary = blue_green(webhooks=[PRE, LOAD, {"name": "manual", "type": "rollback", "url": "http://x/"}])
    inputs = good()
    assert R.replay(canary, inputs).verdict.outcome == "Succeeded"  # not signalling by default
    inputs.webhooks["manual"] = Signal((0.0, 110.0), (False, True))
    result = R.replay(canary, inputs)
    assert (result.verdict.outcome, result.verdict.failed_at) == ("Failed", 120.0)
    assert "rollback webhook 'manual'" in result.verdict.reason


def test_confirm_rollout_holds_in_waiting() -> None:
    canary = blue_green(webhooks=[{"name": "gate", "type": "confirm-rollout", "url": "http://x/"}, PRE, LOAD])
    inputs = good()
    inputs.webhooks["gate"] = Signal((0.0, 55.0), (False, True))
    result = R.replay(canary, inputs)
    assert [s[1] for s in statuses(result)[:4]] == ["Waiting", "Waiting", "Progressing", "Progressing"]
    assert result.verdict.outcome == "Succeeded" and result.verdict.promoted_at == 270.0 + 60.0


def test_confirm_promotion_waits_then_promotes() -> None:
    canary = blue_green(
        iterations=3, webhooks=[PRE, LOAD, {"name": "promo", "type": "confirm-promotion", "url": "http://x/"}]
    )
    inputs = good()
    inputs.webhooks["promo"] = Signal((0.0, 200.0), (False, True))
    result = R.replay(canary, inputs)
    rows = statuses(result)
    assert rows[4] == (120.0, "WaitingPromotion", 0, 2, 0)  # iterations reset to N-1
    assert rows[5] == (150.0, "WaitingPromotion", 0, 3, 0)
    assert rows[6] == (180.0, "WaitingPromotion", 0, 2, 0)
    assert [r[1] for r in rows[7:]] == ["WaitingPromotion", "WaitingPromotion", "Promoting", "Finalising", "Succeeded"]


def test_waiting_promotion_still_counts_failed_checks() -> None:
    canary = blue_green(
        iterations=2,
        threshold=2,
        webhooks=[PRE, LOAD, {"name": "promo", "type": "confirm-promotion", "url": "http://x/"}],
    )
    inputs = ReplayInput(metrics={"success-rate": series([100] * 4 + [90] * 20), "latency": steady(1.0)})
    inputs.webhooks["promo"] = Signal.constant(False)
    result = R.replay(canary, inputs)
    assert result.verdict.outcome == "Failed" and result.verdict.failed_checks == 2


def test_progress_deadline_rolls_back_a_canary_that_never_gets_ready() -> None:
    canary = make_canary(
        {"interval": "30s", "threshold": 3, "iterations": 5, "metrics": [SR, LAT]}, progressDeadlineSeconds=60
    )
    inputs = good()
    inputs.canary_ready = Signal((0.0,), (False,))
    result = R.replay(canary, inputs)
    # unready since the detection tick (t=0); at t=60 the 60s deadline has passed on Flagger's clock
    assert [s[1] for s in statuses(result)] == ["Progressing", "Progressing", "Failed"]
    assert result.verdict.failed_at == 60.0 and result.verdict.iterations == 0
    assert "progress deadline" in result.verdict.reason


def test_canary_not_ready_loses_ticks_without_counting() -> None:
    inputs = good()
    inputs.canary_ready = Signal((0.0, 50.0), (False, True))
    result = R.replay(blue_green(), inputs)
    assert result.verdict.outcome == "Succeeded"
    assert result.verdict.promoted_at == 270.0 + 30.0
    assert result.verdict.failed_checks == 0


def test_primary_not_ready_delays_finalising() -> None:
    inputs = good()
    inputs.primary_ready = Signal((0.0, 235.0, 265.0), (True, False, True))  # unready for the tick at 240
    result = R.replay(blue_green(), inputs)
    assert result.verdict.promoted_at == 270.0 + 30.0


def test_interval_threshold_and_iterations_defaults() -> None:
    assert blue_green(interval="5s").interval == 10.0  # clamped
    assert blue_green(interval="1m30s").interval == 90.0
    assert blue_green(interval="soon").interval == 60.0  # unparsable -> 60s
    assert make_canary({"iterations": 3}).interval == 60.0
    assert blue_green(threshold=0).threshold == 1
    progressive = make_canary({"interval": "30s", "threshold": 2, "stepWeight": 20, "maxWeight": 60})
    assert (progressive.effective_strategy, progressive.effective_iterations) == ("blue-green", 10)


def test_blue_green_with_a_five_second_interval_runs_every_ten_seconds() -> None:
    result = R.replay(blue_green(interval="5s"), good(interval=10.0))
    assert result.verdict.promoted_at == 90.0


def canary_release(**analysis: Any) -> CanarySpec:
    return make_canary(
        {"interval": "1m", "threshold": 2, "metrics": [SR], "webhooks": [PRE, LOAD], **analysis}, provider="knative"
    )


def canary_input() -> ReplayInput:
    return ReplayInput(metrics={"success-rate": steady(100.0, interval=60.0)})


def test_progressive_canary_steps_the_weight_then_promotes() -> None:
    result = R.replay(canary_release(stepWeight=20, maxWeight=60), canary_input())
    assert [(s[1], s[4]) for s in statuses(result)] == [
        ("Progressing", 0),
        ("Progressing", 20),
        ("Progressing", 40),
        ("Progressing", 60),
        ("Promoting", 60),
        ("Finalising", 0),
        ("Succeeded", 0),
    ]
    assert result.records[1][5] == 1  # the first weight step follows the pre-rollout hooks, no metrics


def test_step_weights_and_promotion_steps() -> None:
    result = R.replay(canary_release(stepWeights=[10, 50, 80], stepWeightPromotion=40), canary_input())
    assert [(s[1], s[4]) for s in statuses(result)] == [
        ("Progressing", 0),
        ("Progressing", 10),
        ("Progressing", 50),
        ("Progressing", 80),
        ("Promoting", 80),
        ("Promoting", 40),
        ("Finalising", 0),
        ("Succeeded", 0),
    ]


def test_ab_testing_routes_everything_then_promotes() -> None:
    canary = make_canary(
        {
            "interval": "1m",
            "threshold": 2,
            "iterations": 3,
            "metrics": [SR],
            "webhooks": [PRE],
            "match": [{"headers": {"x-canary": {"exact": "insider"}}}],
        },
        provider="istio",
    )
    assert canary.effective_strategy == "ab-testing"
    result = R.replay(canary, canary_input())
    assert [(s[1], s[3]) for s in statuses(result)] == [
        ("Progressing", 0),
        ("Progressing", 1),
        ("Progressing", 2),
        ("Progressing", 3),
        ("Promoting", 3),
        ("Finalising", 0),
        ("Succeeded", 0),
    ]


def test_skip_analysis_promotes_on_the_first_progressing_tick() -> None:
    canary = make_canary({"interval": "30s", "threshold": 2, "iterations": 5, "metrics": [SR]}, skipAnalysis=True)
    result = R.replay(canary, ReplayInput())
    assert statuses(result) == [(0.0, "Progressing", 0, 0, 0), (30.0, "Succeeded", 0, 0, 0)]


def test_last_series_wins_and_thresholds() -> None:
    from supplychain.analysis.model import MetricSpec, ThresholdRange

    def metric(name: str, tr: ThresholdRange | None, threshold: float = 0.0) -> MetricSpec:
        return MetricSpec(name, "1m", threshold, tr, None, None, None, "m")

    both = metric("x", ThresholdRange(1.0, 2.0))
    assert [R.metric_passes(both, v) for v in (0.5, 1.0, 2.0, 2.5, None)] == [False, True, True, False, False]
    assert R.metric_passes(metric("request-success-rate", None, 99.0), 99.0)
    assert not R.metric_passes(metric("request-success-rate", None, 99.0), 98.9)
    assert not R.metric_passes(metric("custom", None, 5.0), 5.1)  # deprecated threshold is a maximum
    # request-duration compares whole milliseconds, like Flagger's time.Duration
    assert R.metric_passes(metric("request-duration", ThresholdRange(None, 500.0)), 500.9)
    assert not R.metric_passes(metric("request-duration", ThresholdRange(None, 500.0)), 501.0)


def test_input_end_leaves_the_verdict_incomplete() -> None:
    inputs = ReplayInput(metrics={"success-rate": series([100, 100, 100]), "latency": series([1, 1, 1])})
    verdict = R.replay(blue_green(), inputs).verdict
    assert (verdict.outcome, verdict.complete) == ("Progressing", False)
    assert "input ended" in verdict.reason


def test_missing_and_unknown_series_are_input_errors() -> None:
    with pytest.raises(InputError, match="no series for metric 'latency'"):
        R.replay(blue_green(), ReplayInput(metrics={"success-rate": steady(1.0)}))
    with pytest.raises(InputError, match="series for metric 'errors', which the Canary does not have"):
        R.replay(blue_green(), ReplayInput(metrics={**good().metrics, "errors": steady(1.0)}))
    with pytest.raises(InputError, match="webhook 'gate'"):
        R.replay(blue_green(), ReplayInput(metrics=good().metrics, webhooks={"gate": Signal.constant(True)}))


def test_replay_without_records_gives_the_same_verdict() -> None:
    plan = R.compile_plan(blue_green(), good())
    assert R.run(plan, record=False).verdict.outcome == R.run(plan).verdict.outcome == "Succeeded"


def test_status_changes_have_the_recording_shape() -> None:
    changes = R.status_changes(R.replay(blue_green(iterations=2), good()))
    assert changes[0] == {"t": 0.0, "phase": "Progressing", "failedChecks": 0, "iterations": 0, "canaryWeight": 0}
    assert changes[-1]["phase"] == "Succeeded"
