"""Blue/green end to end: a PackageInstall values bump rolls out a new hello-app version, Flagger analyses it
(on kwok: the app fleet's metrics and webhooks; on kind: the real app's metrics scraped by Prometheus and the
real loadtester's curl and hey), and the Deliverable reports the outcome. Scenarios run in order on one shared
cluster; each starts from an idle canary."""

from __future__ import annotations

import json
from typing import Any

import pytest

from supplychain.appfleet import Behaviour
from supplychain.appfleet.observe import RolloutObserver
from supplychain.testing.harness import BAD, GOOD, HelloApp

from .checks import assert_never_promoted, assert_primary_served, hook_calls

pytestmark = pytest.mark.e2e


def test_good_version_is_promoted(hello: HelloApp) -> None:
    rollout = hello.rollout("good-version", GOOD)
    assert rollout.outcome == "Succeeded", rollout.timeline()
    phases = rollout.observation.phases
    assert (
        phases.index("Progressing") < phases.index("Promoting") < phases.index("Finalising") < phases.index("Succeeded")
    )
    assert max(t.iterations for t in rollout.observation.rollout_ticks) >= 3, "the analysis ran every iteration"
    assert_primary_served(rollout, allow_version=rollout.version)
    hello.wait(lambda: hello.primary_state() == (rollout.version, True), 60, "the primary to serve the new version")
    samples = rollout.recording["metrics"]["success-rate"]
    if hello.real:
        # The real app has no traffic until the load test (a rollout hook) starts, on the first analysis tick,
        # right before that tick's metric checks: they find no values, which Flagger counts as one failed check.
        assert samples and (samples[0][1] is None or samples[0][1] >= 99), samples
        samples = samples[1:]
        assert max(t.failed_checks for t in rollout.observation.rollout_ticks) <= 1, rollout.timeline()
    assert samples and all(v is not None and v >= 99 for _, v in samples), samples
    assert rollout.recording["webhooks"].get("conformance"), "the pre-rollout hook was called"
    assert rollout.recording["webhooks"].get("load-test"), "the rollout hook was called"
    hello.wait(lambda: hello.deliverable_ready() == "True", 60, "the Deliverable to report Ready", "cartographer")


def test_bad_version_is_rolled_back(hello: HelloApp) -> None:
    rollout = hello.rollout("bad-version", BAD)
    assert_never_promoted(rollout)
    samples = [v for _, v in rollout.recording["metrics"]["success-rate"]]
    assert any(v is not None and v < 99 for v in samples), f"Flagger saw the error rate: {samples}"
    hello.wait(
        lambda: hello.deliverable_ready() == "False", 60, "the Deliverable to report the failure", "cartographer"
    )
    ready = next(c for c in hello.deliverable()["status"]["conditions"] if c["type"] == "Ready")
    assert ready["status"] == "False"
    hello.wait(lambda: hello.primary_state() == (rollout.previous, True), 30, "the primary to keep the old version")


def test_failing_conformance_webhook_is_rolled_back(hello: HelloApp) -> None:
    rollout = hello.rollout("conformance-fails", Behaviour(100.0, 40.0, {"conformance": "fail"}))
    assert_never_promoted(rollout)
    calls = rollout.recording["webhooks"].get("conformance", [])
    assert len(calls) >= 2 and not any(ok for _, ok in calls), calls
    assert not rollout.recording["webhooks"].get("load-test"), "no analysis tick ran after a failed pre-rollout hook"


def test_prometheus_stopped_mid_analysis(hello: HelloApp) -> None:
    """Metrics cannot be checked: even a healthy version is not promoted unverified."""

    def stop_prometheus(observer: RolloutObserver) -> None:
        hello.wait_for_iterations(observer, 1)
        hello.env.stop("prometheus")

    try:
        rollout = hello.rollout("prometheus-stopped", GOOD, during=stop_prometheus)
    finally:
        if not hello.env.is_running("prometheus"):
            hello.env.start("prometheus")
    assert_never_promoted(rollout)
    samples = [v for _, v in rollout.recording["metrics"]["success-rate"]]
    assert samples and samples[-1] is None, f"the last checks had no metrics: {samples}"


def test_webhook_timing_out_is_rolled_back(hello: HelloApp) -> None:
    rollout = hello.rollout("webhook-timeout", Behaviour(100.0, 40.0, {"conformance": "hang"}))
    assert_never_promoted(rollout)
    hung = hook_calls(hello, rollout, "conformance")
    assert len(hung) >= 2 and all(c.action == "hang" for c in hung), hung


def test_canary_never_ready_hits_the_progress_deadline(hello: HelloApp) -> None:
    deadline = hello.canary()["spec"]["progressDeadlineSeconds"]
    rollout = hello.rollout("never-ready", GOOD, unschedulable=True)
    assert_never_promoted(rollout)
    assert rollout.finished_after is not None and rollout.detected_after is not None
    # Flagger measures the deadline from the Deployment's Available=False update, which follows the scale-up
    # that also sets Progressing; the observer polls every 0.5 s, hence the small allowance.
    assert rollout.finished_after - rollout.detected_after >= deadline - 2, rollout.timeline()
    assert max(t.iterations for t in rollout.observation.rollout_ticks) == 0, (
        "no analysis ran on a canary that is not ready"
    )


def test_flagger_restarted_mid_rollout(hello: HelloApp) -> None:
    def restart_flagger(observer: RolloutObserver) -> None:
        hello.wait_for_iterations(observer, 1)
        hello.env.restart("flagger")

    rollout = hello.rollout("flagger-restart", BAD, during=restart_flagger)
    assert_never_promoted(rollout)


def test_cartographer_restarted_mid_rollout(hello: HelloApp) -> None:
    uid_before = hello.canary()["metadata"]["uid"]

    def restart_cartographer(observer: RolloutObserver) -> None:
        hello.wait_for_iterations(observer, 1)
        hello.env.restart("cartographer")

    rollout = hello.rollout("cartographer-restart", BAD, during=restart_cartographer)
    assert_never_promoted(rollout)
    assert hello.canary()["metadata"]["uid"] == uid_before, "the Canary was re-stamped in place, not recreated"
    hello.wait(
        lambda: hello.deliverable_ready() == "False", 90, "the Deliverable to report the failure", "cartographer"
    )


def test_recordings_are_written(hello: HelloApp) -> None:
    if not hello.timings:
        pytest.skip("no rollout ran in this session")
    written = {p.stem for p in hello.recordings_dir.glob("*.json")}
    expected = {t["scenario"] for t in hello.timings}
    assert expected and expected <= written, (expected, written)
    for name in expected:
        data: dict[str, Any] = json.loads((hello.recordings_dir / f"{name}.json").read_text())
        assert {
            "scenario",
            "canary",
            "metric_templates",
            "started_at",
            "ticks",
            "metrics",
            "webhooks",
            "outcome",
            "promoted_at",
        } <= set(data)
        assert data["ticks"] and data["outcome"] in ("Succeeded", "Failed")


def test_recordings_agree_with_the_replay(hello: HelloApp) -> None:
    """Every rollout of this session, replayed offline by `supplychain replay`, ends as Flagger ended it."""
    from supplychain.analysis.recording import compare, load, replay_recording_result

    if not hello.timings:
        pytest.skip("no rollout ran in this session")
    disagreements = {}
    for timing in hello.timings:
        recording = load(hello.recordings_dir / f"{timing['scenario']}.json")
        agreement = compare(recording, replay_recording_result(recording))
        if not agreement.agrees:
            disagreements[timing["scenario"]] = agreement.mismatches()
    assert disagreements == {}
