"""Recordings of real Flagger runs, and the check that the replay agrees with them.

A recording is one JSON file per e2e scenario run (format in notes/design.md):

    {"scenario": "good-version", "canary": {...}, "metric_templates": [{...}], "started_at": 1764140000.0,
     "ticks": [{"t": 12.3, "phase": "Progressing", "failedChecks": 0, "iterations": 1, "canaryWeight": 0}],
     "metrics": {"success-rate": [[15.0, 100.0], [45.0, null]]},
     "webhooks": {"conformance": [[10.0, true]]},
     "outcome": "Succeeded", "promoted_at": 160.2}

`t` is seconds since started_at. The replay starts at the first recorded Progressing/Waiting tick (the
tick that detected the revision). When the first pre-rollout (or rollout) webhook call arrives whole
intervals later than the tick schedule predicts, the canary was not ready on the ticks in between
(Flagger skips those); the replay is told so. The replay agrees with a recording when the outcome,
the highest failedChecks and the highest iterations match and the promotion (or rollback) time is
within one analysis interval. The recorded promotion time is read from `ticks` (the first Succeeded after the
detection tick); `promoted_at` is kept as written.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, Location
from ..jsonio import load_strict
from ..outputs import write_text_atomic
from ..yamlio import Document, read_text
from . import replay as replay_mod
from .model import CanarySpec, parse_canary
from .series import ReplayInput, Series, Signal

OUTCOMES = ("Succeeded", "Failed")
_PHASES = {
    "",  # no status yet
    "Initializing",
    "Initialized",
    "Waiting",
    "Progressing",
    "WaitingPromotion",
    "Promoting",
    "Finalising",
    "Succeeded",
    "Failed",
    "Terminating",
    "Terminated",
}


@dataclass(frozen=True)
class RecordedTick:
    """One observed Canary status."""

    t: float
    phase: str
    failed_checks: int
    iterations: int
    canary_weight: int

    def to_json(self) -> dict[str, Any]:
        return {
            "t": self.t,
            "phase": self.phase,
            "failedChecks": self.failed_checks,
            "iterations": self.iterations,
            "canaryWeight": self.canary_weight,
        }


@dataclass
class Recording:
    """A real Flagger run: the Canary, what Flagger saw, and what it did."""

    scenario: str
    canary: dict[str, Any]
    metric_templates: list[dict[str, Any]]
    started_at: float
    ticks: list[RecordedTick]
    metrics: dict[str, list[tuple[float, float | None]]]
    webhooks: dict[str, list[tuple[float, bool]]]
    outcome: str | None  # None: the run ended before Flagger decided
    promoted_at: float | None
    source: str = field(default="<recording>", compare=False)

    @property
    def max_failed_checks(self) -> int:
        return max((t.failed_checks for t in self.ticks), default=0)

    @property
    def max_iterations(self) -> int:
        return max((t.iterations for t in self.ticks), default=0)

    @property
    def failure_time(self) -> float | None:
        """When this revision was rolled back: the first Failed status after the detection tick."""
        if not any(t.phase in ("Progressing", "Waiting") for t in self.ticks):
            return None
        start = detection_time(self)
        return next((t.t for t in self.ticks if t.phase == "Failed" and t.t > start), None)

    @property
    def promotion_time(self) -> float | None:
        """When this revision reached Succeeded: the first Succeeded status after the detection tick.

        Taken from `ticks`, so a Succeeded status left over from the previous revision never counts.
        """
        if not any(t.phase in ("Progressing", "Waiting") for t in self.ticks):
            return None
        start = detection_time(self)
        return next((t.t for t in self.ticks if t.phase == "Succeeded" and t.t > start), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "canary": self.canary,
            "metric_templates": self.metric_templates,
            "started_at": self.started_at,
            "ticks": [t.to_json() for t in self.ticks],
            "metrics": {k: [[t, sample_to_json(v)] for t, v in samples] for k, samples in self.metrics.items()},
            "webhooks": {k: [[t, ok] for t, ok in calls] for k, calls in self.webhooks.items()},
            "outcome": self.outcome,
            "promoted_at": self.promoted_at,
        }


def _fail(source: str, path: str, message: str) -> InputError:
    return InputError(message, Location(source, field=path or None))


def _num(value: Any, source: str, path: str, allow_none: bool = False) -> float | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(float(value)):
        raise _fail(source, path, f"must be a number{' or null' if allow_none else ''}, got {value!r}")
    return float(value)


def sample_to_json(value: float | None) -> float | str | None:
    """A metric value as a recording stores it: infinities spelled as Prometheus spells them (+Inf, -Inf)."""
    if value is not None and math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return value


def _sample(value: Any, source: str, path: str) -> float | None:
    """A recorded metric value: a number, +Inf/-Inf, or null/NaN (no values: a failed check)."""
    if isinstance(value, str) and value in ("+Inf", "-Inf", "Inf"):
        return math.inf if value != "-Inf" else -math.inf
    if (
        value is None
        or (isinstance(value, str) and value.lower() == "nan")
        or (isinstance(value, float) and math.isnan(value))
    ):
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isinf(float(value)):
        raise _fail(source, path, f"must be a number, +Inf, -Inf or null, got {value!r}")
    return float(value)


def _int(value: Any, source: str, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(source, path, f"must be an integer, got {value!r}")
    return int(value)


def from_json(data: Any, source: str) -> Recording:
    """Validate DATA as a recording; errors name the file and the field."""
    if not isinstance(data, dict):
        raise _fail(source, "", f"a recording must be a JSON object, got {type(data).__name__}")
    for key in ("scenario", "canary", "ticks", "outcome"):
        if key not in data:
            raise _fail(source, key, "is required")
    scenario = data["scenario"]
    if not isinstance(scenario, str):
        raise _fail(source, "scenario", "must be a string")
    canary = data["canary"]
    if not isinstance(canary, dict):
        raise _fail(source, "canary", "must be the Canary object")
    templates = data.get("metric_templates", [])
    if not isinstance(templates, list) or not all(isinstance(t, dict) for t in templates):
        raise _fail(source, "metric_templates", "must be a list of MetricTemplate objects")
    started = _num(data.get("started_at", 0.0), source, "started_at")
    raw_ticks = data["ticks"]
    if not isinstance(raw_ticks, list):
        raise _fail(source, "ticks", "must be a list")
    ticks: list[RecordedTick] = []
    for i, raw in enumerate(raw_ticks):
        path = f"ticks[{i}]"
        if not isinstance(raw, dict):
            raise _fail(source, path, "must be an object")
        phase = raw.get("phase")
        if phase not in _PHASES:
            raise _fail(source, f"{path}.phase", f"unknown phase {phase!r}")
        t = _num(raw.get("t"), source, f"{path}.t")
        assert t is not None
        if ticks and t < ticks[-1].t:
            raise _fail(source, f"{path}.t", "ticks must be in time order")
        ticks.append(
            RecordedTick(
                t,
                str(phase),
                _int(raw.get("failedChecks", 0), source, f"{path}.failedChecks"),
                _int(raw.get("iterations", 0), source, f"{path}.iterations"),
                _int(raw.get("canaryWeight", 0), source, f"{path}.canaryWeight"),
            )
        )
    metrics: dict[str, list[tuple[float, float | None]]] = {}
    raw_metrics = data.get("metrics", {})
    if not isinstance(raw_metrics, dict):
        raise _fail(source, "metrics", "must be an object of metric name to [t, value] samples")
    for name, samples in raw_metrics.items():
        if not isinstance(samples, list):
            raise _fail(source, f"metrics.{name}", "must be a list of [t, value] samples")
        out: list[tuple[float, float | None]] = []
        for j, sample in enumerate(samples):
            path = f"metrics.{name}[{j}]"
            if not isinstance(sample, list) or len(sample) != 2:
                raise _fail(source, path, "must be a [t, value] pair")
            t = _num(sample[0], source, path)
            assert t is not None
            out.append((t, _sample(sample[1], source, path)))
        out.sort(key=lambda s: s[0])
        metrics[str(name)] = out
    webhooks: dict[str, list[tuple[float, bool]]] = {}
    raw_hooks = data.get("webhooks", {})
    if not isinstance(raw_hooks, dict):
        raise _fail(source, "webhooks", "must be an object of webhook name to [t, ok] calls")
    for name, calls in raw_hooks.items():
        if not isinstance(calls, list):
            raise _fail(source, f"webhooks.{name}", "must be a list of [t, ok] calls")
        out_calls: list[tuple[float, bool]] = []
        for j, call in enumerate(calls):
            path = f"webhooks.{name}[{j}]"
            if not isinstance(call, list) or len(call) != 2 or not isinstance(call[1], bool):
                raise _fail(source, path, "must be a [t, true|false] pair")
            t = _num(call[0], source, path)
            assert t is not None
            out_calls.append((t, call[1]))
        out_calls.sort(key=lambda c: c[0])
        webhooks[str(name)] = out_calls
    outcome = data["outcome"]
    if outcome is not None and outcome not in OUTCOMES:
        raise _fail(source, "outcome", f"must be Succeeded, Failed or null, got {outcome!r}")
    promoted = _num(data.get("promoted_at"), source, "promoted_at", allow_none=True)
    return Recording(
        scenario,
        canary,
        templates,
        started or 0.0,
        ticks,
        metrics,
        webhooks,
        None if outcome is None else str(outcome),
        promoted,
        source,
    )


def loads(text: str, source: str) -> Recording:
    return from_json(load_strict(text, source), source)


def load(path: str | Path) -> Recording:
    return loads(read_text(str(path)), str(path))


def save(recording: Recording, path: str | Path) -> None:
    """Write atomically (a temporary file in the same directory, then a rename)."""
    write_text_atomic(path, json.dumps(recording.to_json(), indent=2) + "\n")


def write_recording(path: str | Path, data: dict[str, Any]) -> None:
    """Validate a recording given as JSON data and write it atomically (used by the e2e harness)."""
    save(from_json(data, str(path)), path)


def canary_of(recording: Recording) -> CanarySpec:
    """The recorded Canary; errors name the recording and the field under `canary`."""
    try:
        return parse_canary(Document(recording.source, 0, recording.canary))
    except InputError as err:
        inner = err.location.field if err.location else None
        raise InputError(
            err.message, Location(recording.source, field=f"canary.{inner}" if inner else "canary")
        ) from None


def detection_time(recording: Recording) -> float:
    """When Flagger detected the revision: the first Progressing/Waiting status (0 without one)."""
    for tick in recording.ticks:
        if tick.phase in ("Progressing", "Waiting"):
            return tick.t
    return 0.0


def replay_input(recording: Recording, canary: CanarySpec) -> tuple[ReplayInput, float]:
    """The replay's inputs and start time, from what the recording observed."""
    start = detection_time(recording)
    inputs = ReplayInput(source=recording.source)
    for name, samples in recording.metrics.items():
        inputs.metrics[name] = Series(tuple(t for t, _ in samples), tuple(v for _, v in samples))
    known = {w.name for w in canary.webhooks}
    for name, calls in recording.webhooks.items():
        if name in known:
            inputs.webhooks[name] = Signal(tuple(t for t, _ in calls), tuple(ok for _, ok in calls))
    lost = _lost_ticks(recording, canary, start)
    if math.isinf(lost):
        inputs.canary_ready = Signal((start,), (False,))
    elif lost > 0:
        ready_at = start + (lost + 1) * canary.interval  # ticks read readiness up to interval/2 ahead
        inputs.canary_ready = Signal((start, ready_at), (False, True))
    return inputs, start


def _lost_ticks(recording: Recording, canary: CanarySpec, start: float) -> float:
    """Ticks Flagger skipped (canary not ready) before its first pre-rollout (or rollout) webhook call.

    A Canary with pre-rollout hooks none of which was ever called was never ready: math.inf.
    """
    interval = canary.interval
    for hook_type, expected in (("pre-rollout", 1), ("rollout", 2)):
        names = [w.name for w in canary.webhooks if w.type == hook_type]
        if not names:
            continue
        calls = [c[0] for n in names for c in recording.webhooks.get(n, []) if c[0] >= start - interval / 2]
        if calls:
            first = min(calls)
            return max(0, math.floor((first - start) / interval + 0.5) - expected)
        if hook_type == "pre-rollout" and recording.ticks and recording.ticks[-1].t > start + 1.5 * interval:
            return math.inf
    return 0


def replay_recording_result(recording: Recording) -> replay_mod.ReplayResult:
    canary = canary_of(recording)
    inputs, start = replay_input(recording, canary)
    return replay_mod.replay(canary, inputs, start=start)


def replay_recording(recording: Recording) -> replay_mod.Verdict:
    """The replay's verdict for a recording."""
    return replay_recording_result(recording).verdict


@dataclass(frozen=True)
class Agreement:
    """How a replay compares with a recording."""

    scenario: str
    rows: tuple[tuple[str, str, str, bool], ...]  # (what, recorded, replayed, agrees)

    @property
    def agrees(self) -> bool:
        return all(row[3] for row in self.rows)

    def mismatches(self) -> list[str]:
        return [f"{what}: recorded {rec}, replayed {rep}" for what, rec, rep, ok in self.rows if not ok]

    def to_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "agrees": self.agrees,
            "checks": [{"what": w, "recorded": r, "replayed": p, "agrees": ok} for w, r, p, ok in self.rows],
        }


def compare(
    recording: Recording, result: replay_mod.ReplayResult | replay_mod.Verdict, interval: float | None = None
) -> Agreement:
    """Verdict, failedChecks and iterations must match; promotion (and rollback) within one interval."""
    verdict = result.verdict if isinstance(result, replay_mod.ReplayResult) else result
    if interval is None:
        interval = (
            result.plan.interval if isinstance(result, replay_mod.ReplayResult) else canary_of(recording).interval
        )
    rows: list[tuple[str, str, str, bool]] = [
        ("outcome", str(recording.outcome), verdict.outcome, recording.outcome == verdict.outcome),
        (
            "failedChecks",
            str(recording.max_failed_checks),
            str(verdict.failed_checks),
            recording.max_failed_checks == verdict.failed_checks,
        ),
        (
            "iterations",
            str(recording.max_iterations),
            str(verdict.iterations),
            recording.max_iterations == verdict.iterations,
        ),
    ]
    rec_p, rep_p = recording.promotion_time, verdict.promoted_at
    if rec_p is None or rep_p is None:
        ok = rec_p is None and rep_p is None
    else:
        ok = abs(rec_p - rep_p) <= interval + 1e-6
    rows.append((f"promoted_at (±{interval:g}s)", _t(rec_p), _t(rep_p), ok))
    rec_f, rep_f = recording.failure_time, verdict.failed_at
    if rec_f is not None and rep_f is not None:
        rows.append((f"failed_at (±{interval:g}s)", _t(rec_f), _t(rep_f), abs(rec_f - rep_f) <= interval + 1e-6))
    return Agreement(recording.scenario, tuple(rows))


def assert_agrees(recording: Recording, result: replay_mod.ReplayResult | replay_mod.Verdict) -> None:
    """compare(), raising AssertionError that lists every mismatch."""
    agreement = compare(recording, result)
    if not agreement.agrees:
        raise AssertionError(f"{recording.source} ({recording.scenario}): " + "; ".join(agreement.mismatches()))


def _t(value: float | None) -> str:
    return "never" if value is None else f"{value:.1f}s"


def is_recording(path: Path) -> bool:
    """Whether PATH holds a JSON object with a recording's keys (other JSON files are skipped)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return True  # let load() report it
    return isinstance(data, dict) and "ticks" in data and "canary" in data


def find_recordings(*directories: str | Path | None) -> list[Path]:
    """Every recording (*.json) under the given directories (missing ones are skipped), sorted."""
    found: list[Path] = []
    for directory in directories:
        if not directory:
            continue
        path = Path(directory)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*.json") if p.is_file() and is_recording(p)))
    return found
