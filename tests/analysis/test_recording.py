"""Recordings: reading, writing, replaying and comparing, on timelines written the way Flagger behaves."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from supplychain.analysis import recording as rec
from supplychain.errors import InputError

from .conftest import canary_doc

HOOKS = [
    {"name": "conformance", "type": "pre-rollout", "url": "http://loadtester/", "metadata": {"type": "bash"}},
    {"name": "load-test", "type": "rollout", "url": "http://loadtester/", "metadata": {"type": "cmd"}},
]
METRICS = [{"name": "success-rate", "templateRef": {"name": "sr"}, "thresholdRange": {"min": 99}, "interval": "1m"}]


def canary(**analysis: Any) -> dict[str, Any]:
    base = {"interval": "10s", "threshold": 2, "iterations": 3, "metrics": METRICS, "webhooks": HOOKS}
    return canary_doc({**base, **analysis}, progressDeadlineSeconds=30)


def tick(t: float, phase: str, fc: int = 0, it: int = 0) -> dict[str, Any]:
    return {"t": t, "phase": phase, "failedChecks": fc, "iterations": it, "canaryWeight": 0}


def recording(
    scenario: str,
    ticks: list[dict[str, Any]],
    metrics: list[list[Any]],
    conformance: list[list[Any]],
    load: list[list[Any]],
    outcome: str | None,
    promoted_at: float | None,
) -> dict[str, Any]:
    return {
        "scenario": scenario,
        "canary": canary(),
        "metric_templates": [],
        "started_at": 1764140000.0,
        "ticks": ticks,
        "metrics": {"success-rate": metrics},
        "webhooks": {"conformance": conformance, "load-test": load},
        "outcome": outcome,
        "promoted_at": promoted_at,
    }


# What Flagger does with interval 10s, iterations 3, threshold 2 (ticks drift a little, as real ones do).
GOOD = recording(
    "good-version",
    [
        tick(0.4, "Succeeded"),
        tick(6.2, "Progressing"),
        tick(16.3, "Progressing", 0, 1),
        tick(26.5, "Progressing", 0, 2),
        tick(36.6, "Progressing", 0, 3),
        tick(46.8, "Progressing", 0, 4),
        tick(56.9, "Promoting", 0, 4),
        tick(67.1, "Finalising"),
        tick(77.2, "Succeeded"),
    ],
    [[26.6, 100.0], [36.8, 99.7], [46.9, 100.0], [57.0, 99.9]],
    [[16.25, True]],
    [[26.4, True], [36.5, True], [46.7, True], [56.8, True]],
    "Succeeded",
    77.2,
)

BAD = recording(
    "bad-version",
    [
        tick(0.4, "Succeeded"),
        tick(4.1, "Progressing"),
        tick(14.2, "Progressing", 0, 1),
        tick(24.4, "Progressing", 1, 1),
        tick(34.5, "Progressing", 2, 1),
        tick(44.6, "Failed"),
    ],
    [[24.5, 91.0], [34.6, None]],
    [[14.1, True]],
    [[24.3, True], [34.4, True]],
    "Failed",
    None,
)

SLOW_READY = recording(  # the canary's pods took two ticks to become ready
    "slow-ready",
    [
        tick(0.4, "Succeeded"),
        tick(6.2, "Progressing"),
        tick(36.3, "Progressing", 0, 1),
        tick(46.5, "Progressing", 0, 2),
        tick(56.6, "Progressing", 0, 3),
        tick(66.8, "Progressing", 0, 4),
        tick(76.9, "Promoting", 0, 4),
        tick(87.1, "Finalising"),
        tick(97.2, "Succeeded"),
    ],
    [[46.6, 100.0], [56.8, 100.0], [66.9, 100.0], [77.0, 100.0]],
    [[36.2, True]],
    [[46.4, True], [56.5, True], [66.7, True], [76.8, True]],
    "Succeeded",
    97.2,
)

NEVER_READY = recording(  # progressDeadlineSeconds 30: Flagger gives up once 30s have elapsed since the scale-up
    "never-ready", [tick(0.4, "Succeeded"), tick(6.2, "Progressing"), tick(36.4, "Failed")], [], [], [], "Failed", None
)


@pytest.mark.parametrize("data", [GOOD, BAD, SLOW_READY, NEVER_READY], ids=lambda d: d["scenario"])
def test_replay_agrees_with_flagger_shaped_recordings(data: dict[str, Any]) -> None:
    recording = rec.from_json(data, "r.json")
    result = rec.replay_recording_result(recording)
    agreement = rec.compare(recording, result)
    assert agreement.agrees, agreement.mismatches()
    rec.assert_agrees(recording, result)
    assert rec.replay_recording(recording) == result.verdict


def test_verdict_details() -> None:
    good = rec.replay_recording(rec.from_json(GOOD, "r.json"))
    assert (good.outcome, good.iterations, good.failed_checks) == ("Succeeded", 4, 0)
    assert good.promoted_at == pytest.approx(6.2 + 70)
    bad = rec.replay_recording(rec.from_json(BAD, "r.json"))
    assert (bad.outcome, bad.failed_checks, bad.iterations) == ("Failed", 2, 1)


def test_disagreements_are_named() -> None:
    wrong = dict(
        GOOD, promoted_at=120.0, ticks=GOOD["ticks"][:-1] + [tick(100.0, "Finalising", 1, 0), tick(120.0, "Succeeded")]
    )
    agreement = rec.compare(rec.from_json(wrong, "r.json"), rec.replay_recording(rec.from_json(GOOD, "r.json")))
    assert not agreement.agrees
    assert agreement.mismatches() == [
        "failedChecks: recorded 1, replayed 0",
        "promoted_at (±10s): recorded 120.0s, replayed 76.2s",
    ]
    with pytest.raises(AssertionError, match="promoted_at"):
        rec.assert_agrees(rec.from_json(wrong, "r.json"), rec.replay_recording(rec.from_json(GOOD, "r.json")))
    flipped = dict(BAD, outcome="Succeeded", promoted_at=44.6)
    mismatch = rec.compare(rec.from_json(flipped, "r.json"), rec.replay_recording(rec.from_json(BAD, "r.json")))
    assert "outcome: recorded Succeeded, replayed Failed" in mismatch.mismatches()


def test_promotion_time_ignores_the_previous_revisions_status() -> None:
    # the observer's first status is the previous revision's Succeeded; promoted_at as written points at it
    recording = rec.from_json(dict(BAD, ticks=[tick(0.01, "Succeeded")] + BAD["ticks"][1:], promoted_at=0.01), "r.json")
    assert recording.promotion_time is None
    assert rec.compare(recording, rec.replay_recording(recording)).agrees
    good = rec.from_json(dict(GOOD, ticks=[tick(0.01, "Succeeded")] + GOOD["ticks"][1:], promoted_at=0.01), "r.json")
    assert good.promotion_time == 77.2
    assert rec.compare(good, rec.replay_recording(good)).agrees


def test_saved_recordings_are_readable_by_others(tmp_path: Path) -> None:
    rec.save(rec.from_json(GOOD, "r.json"), tmp_path / "good.json")
    assert (tmp_path / "good.json").stat().st_mode & 0o044 == 0o044


def test_save_and_load_round_trip_atomically(tmp_path: Path) -> None:
    recording = rec.from_json(GOOD, "r.json")
    target = tmp_path / "out" / "good.json"
    rec.save(recording, target)
    rec.save(recording, target)  # replaces
    assert [p.name for p in target.parent.iterdir()] == ["good.json"]
    loaded = rec.load(target)
    assert loaded == recording
    assert json.loads(target.read_text())["ticks"][2] == GOOD["ticks"][2]


def test_write_recording_validates_before_writing(tmp_path: Path) -> None:
    rec.write_recording(tmp_path / "ok.json", GOOD)
    assert rec.load(tmp_path / "ok.json").scenario == "good-version"
    with pytest.raises(InputError):
        rec.write_recording(tmp_path / "bad.json", dict(GOOD, ticks="many"))
    assert not (tmp_path / "bad.json").exists()


def test_unfinished_runs_load_with_no_outcome() -> None:
    assert rec.from_json(dict(GOOD, outcome=None, promoted_at=None), "r.json").outcome is None


@pytest.mark.parametrize(
    "change,message",
    [
        ({"ticks": "x"}, "r.json: ticks: must be a list"),
        ({"ticks": [tick(1, "Progresing")]}, "r.json: ticks[0].phase: unknown phase 'Progresing'"),
        (
            {"ticks": [tick(5, "Progressing"), tick(1, "Progressing")]},
            "r.json: ticks[1].t: ticks must be in time order",
        ),
        (
            {"ticks": [dict(tick(1, "Progressing"), failedChecks="1")]},
            "r.json: ticks[0].failedChecks: must be an integer",
        ),
        ({"metrics": {"sr": [[1]]}}, "r.json: metrics.sr[0]: must be a [t, value] pair"),
        ({"metrics": {"sr": [[1, "high"]]}}, "r.json: metrics.sr[0]: must be a number, +Inf, -Inf or null"),
        ({"webhooks": {"w": [[1, "yes"]]}}, "r.json: webhooks.w[0]: must be a [t, true|false] pair"),
        ({"outcome": "Done"}, "r.json: outcome: must be Succeeded, Failed or null"),
        ({"started_at": "yesterday"}, "r.json: started_at: must be a number"),
        ({"canary": []}, "r.json: canary: must be the Canary object"),
    ],
)
def test_bad_recordings_name_the_field(change: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError) as raised:
        rec.from_json(dict(GOOD, **change), "r.json")
    assert str(raised.value).startswith(message), str(raised.value)


def test_missing_keys_and_malformed_json() -> None:
    data = dict(GOOD)
    del data["ticks"]
    with pytest.raises(InputError, match=r"r\.json: ticks: is required"):
        rec.from_json(data, "r.json")
    with pytest.raises(InputError, match=r"r\.json: malformed JSON at line 1"):
        rec.loads("{", "r.json")


def test_a_bad_recorded_canary_names_the_field() -> None:
    broken = dict(GOOD, canary=canary(threshold="2"))
    with pytest.raises(InputError) as raised:
        rec.replay_recording(rec.from_json(broken, "r.json"))
    assert str(raised.value).startswith("r.json: canary.spec.analysis.threshold: must be an integer")


def test_find_recordings_skips_other_json(tmp_path: Path) -> None:
    rec.write_recording(tmp_path / "a.json", GOOD)
    (tmp_path / "timings.json").write_text("[]")
    assert rec.find_recordings(tmp_path, None, tmp_path / "missing") == [tmp_path / "a.json"]
