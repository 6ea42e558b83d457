"""Replay inputs: metric series, webhook outcomes and readiness, read from JSON or CSV.

Times are seconds from the replay's t=0 (the tick that detects the new revision). The value a tick at
time T sees is the latest sample with t <= T + interval/2 (so samples taken just after a tick count).

JSON (a recording's "metrics"/"webhooks" sections have the same shape):
    {"metrics":  {"<metric name>": [[t, value], ...]},
     "webhooks": {"<webhook name>": [[t, true|false], ...] | true | false},
     "ready":    {"canary": [[t, true|false], ...] | true, "primary": ...}}
  value: a number; null or "NaN" = no values (a failed check); a list = several series at that time,
  the last one present wins (null inside the list = that series absent).

CSV (wide; '#' lines are comments):
    t,<metric>,<metric>#2,webhook:<name>,ready:canary,ready:primary
  metric cells: number, NaN/null = no values, empty = no sample; <metric>#k columns are further series
  of the same metric (the highest k with a cell wins); webhook/ready cells: true/false (also
  pass/fail, ok, 1/0), empty = no sample.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError, Location
from ..jsonio import load_strict

NO_VALUE = None


@dataclass(frozen=True)
class Series:
    """A metric as Flagger reads it: per sample time, a value or None (no values found)."""

    times: tuple[float, ...]
    values: tuple[float | None, ...]


@dataclass(frozen=True)
class Signal:
    """A boolean input over time (webhook outcome, readiness)."""

    times: tuple[float, ...]
    values: tuple[bool, ...]

    @staticmethod
    def constant(value: bool) -> Signal:
        return Signal((-math.inf,), (value,))


@dataclass
class ReplayInput:
    """Everything besides the Canary that decides the replay."""

    metrics: dict[str, Series] = field(default_factory=dict)
    webhooks: dict[str, Signal] = field(default_factory=dict)
    canary_ready: Signal | None = None
    primary_ready: Signal | None = None
    source: str = "<input>"

    def end_time(self) -> float | None:
        """The last sample time of any metric (None without metric samples)."""
        ends = [s.times[-1] for s in self.metrics.values() if s.times]
        return max(ends) if ends else None

    def merge(self, other: ReplayInput) -> ReplayInput:
        merged = ReplayInput(
            dict(self.metrics), dict(self.webhooks), self.canary_ready, self.primary_ready, self.source
        )
        merged.metrics.update(other.metrics)
        merged.webhooks.update(other.webhooks)
        merged.canary_ready = other.canary_ready or self.canary_ready
        merged.primary_ready = other.primary_ready or self.primary_ready
        return merged


_TRUE = {"true", "pass", "passed", "ok", "1", "yes", "2xx"}
_FALSE = {"false", "fail", "failed", "0", "no"}


def parse_bool(text: str) -> bool | None:
    low = text.strip().lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    return None


def _number(value: Any, where: Location) -> float | None:
    """A sample value: number, null/"NaN" = no values."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise InputError(f'must be a number, null or "NaN", got {value!r}', where)
    if isinstance(value, (int, float)):
        return None if math.isnan(float(value)) else float(value)
    if isinstance(value, str):
        low = value.strip().lower()
        if low in ("nan", "null", ""):
            return None
        try:
            parsed = float(value)
        except ValueError:
            raise InputError(f'must be a number, null or "NaN", got {value!r}', where) from None
        return None if math.isnan(parsed) else parsed
    raise InputError(f'must be a number, null or "NaN", got {type(value).__name__}', where)


def _last_series(value: Any, where: Location) -> tuple[bool, float | None]:
    """(present, value): for a list of series values the last present one wins."""
    if isinstance(value, list):
        chosen: tuple[bool, float | None] = (False, None)
        for i, item in enumerate(value):
            if item is None:
                continue
            chosen = (True, _number(item, Location(where.file, field=f"{where.field}[{i}]")))
        return chosen
    return True, _number(value, where)


def _time(value: Any, where: Location) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(float(value)):
        raise InputError(f"time must be a number of seconds, got {value!r}", where)
    return float(value)


def series_from_pairs(raw: Any, where: Location) -> Series:
    """[[t, value], ...] (JSON shape) to a Series, checking every sample."""
    if not isinstance(raw, list):
        raise InputError(f"must be a list of [t, value] samples, got {type(raw).__name__}", where)
    times: list[float] = []
    values: list[float | None] = []
    for i, sample in enumerate(raw):
        at = Location(where.file, field=f"{where.field}[{i}]")
        if not isinstance(sample, list) or len(sample) != 2:
            raise InputError("must be a [t, value] pair", at)
        t = _time(sample[0], at)
        if times and t <= times[-1]:
            raise InputError(f"samples must be in time order, one per time ({t:g} comes after {times[-1]:g})", at)
        present, value = _last_series(sample[1], Location(where.file, field=f"{where.field}[{i}][1]"))
        times.append(t)
        values.append(value if present else None)
    if not times:
        raise InputError("has no samples; a replay needs at least one", where)
    return Series(tuple(times), tuple(values))


def signal_from_json(raw: Any, where: Location) -> Signal:
    """true/false or [[t, bool], ...] to a Signal."""
    if isinstance(raw, bool):
        return Signal.constant(raw)
    if not isinstance(raw, list):
        raise InputError(f"must be true, false or a list of [t, true|false] samples, got {type(raw).__name__}", where)
    times: list[float] = []
    values: list[bool] = []
    for i, sample in enumerate(raw):
        at = Location(where.file, field=f"{where.field}[{i}]")
        if not isinstance(sample, list) or len(sample) != 2:
            raise InputError("must be a [t, true|false] pair", at)
        t = _time(sample[0], at)
        if times and t <= times[-1]:
            raise InputError(f"samples must be in time order, one per time ({t:g} comes after {times[-1]:g})", at)
        if not isinstance(sample[1], bool):
            raise InputError(f"outcome must be true or false, got {sample[1]!r}", at)
        times.append(t)
        values.append(sample[1])
    return Signal(tuple(times), tuple(values))


def input_from_json(data: Any, source: str) -> ReplayInput:
    """A ReplayInput from the JSON shape described in this module."""
    if not isinstance(data, dict):
        raise InputError(f'must be a JSON object with "metrics", got {type(data).__name__}', Location(source))
    unknown = set(data) - {"metrics", "webhooks", "ready"}
    result = ReplayInput(source=source)
    if unknown and not {"canary", "ticks"} & set(data):
        raise InputError(f"unknown keys {sorted(unknown)} (expected metrics, webhooks, ready)", Location(source))
    metrics = data.get("metrics", {})
    if not isinstance(metrics, dict):
        raise InputError("must be an object of metric name to samples", Location(source, field="metrics"))
    for name, raw in metrics.items():
        result.metrics[str(name)] = series_from_pairs(raw, Location(source, field=f"metrics.{name}"))
    hooks = data.get("webhooks", {})
    if not isinstance(hooks, dict):
        raise InputError("must be an object of webhook name to outcomes", Location(source, field="webhooks"))
    for name, raw in hooks.items():
        result.webhooks[str(name)] = signal_from_json(raw, Location(source, field=f"webhooks.{name}"))
    ready = data.get("ready", {})
    if not isinstance(ready, dict):
        raise InputError("must be an object with canary and/or primary", Location(source, field="ready"))
    for key, raw in ready.items():
        if key not in ("canary", "primary"):
            raise InputError(f"unknown readiness {key!r} (canary or primary)", Location(source, field="ready"))
        signal = signal_from_json(raw, Location(source, field=f"ready.{key}"))
        if key == "canary":
            result.canary_ready = signal
        else:
            result.primary_ready = signal
    return result


def input_from_csv(text: str, source: str) -> ReplayInput:
    """A ReplayInput from the wide CSV shape described in this module."""
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        raise InputError("no header row (expected t,<metric>,...)", Location(source))
    reader = csv.reader(io.StringIO("\n".join(lines)))
    try:
        rows = list(reader)
    except csv.Error as err:
        raise InputError(f"unreadable CSV: {err}", Location(source, field=f"line {reader.line_num}")) from None
    if len(rows) < 2:
        raise InputError("no samples: the header has no rows under it", Location(source))
    header = [h.strip() for h in rows[0]]
    if not header or header[0] not in ("t", "time", "seconds"):
        raise InputError(f"the first column must be t (seconds), got {header[0]!r}", Location(source, field="line 1"))
    if len(set(header)) != len(header):
        raise InputError("duplicate column names", Location(source, field="line 1"))
    metric_cols: dict[str, list[tuple[int, int]]] = {}
    hook_cols: dict[str, int] = {}
    ready_cols: dict[str, int] = {}
    for col, name in enumerate(header[1:], start=1):
        if not name:
            raise InputError(f"column {col + 1} has no name", Location(source, field="line 1"))
        if name.startswith("webhook:"):
            hook_cols[name[len("webhook:") :]] = col
        elif name.startswith("ready:"):
            key = name[len("ready:") :]
            if key not in ("canary", "primary"):
                raise InputError(
                    f"unknown readiness column {name!r} (ready:canary or ready:primary)",
                    Location(source, field="line 1"),
                )
            ready_cols[key] = col
        else:
            base, _, rank = name.partition("#")
            if rank and not rank.isdigit():
                raise InputError(
                    f"column {name!r}: a series number after # must be an integer", Location(source, field="line 1")
                )
            metric_cols.setdefault(base, []).append((int(rank) if rank else 1, col))
    metric_samples: dict[str, tuple[list[float], list[float | None]]] = {m: ([], []) for m in metric_cols}
    hook_samples: dict[str, tuple[list[float], list[bool]]] = {h: ([], []) for h in hook_cols}
    ready_samples: dict[str, tuple[list[float], list[bool]]] = {r: ([], []) for r in ready_cols}
    last_t = -math.inf
    for row_no, row in enumerate(rows[1:], start=2):
        where = Location(source, field=f"line {row_no}")
        if len(row) != len(header):
            raise InputError(
                f"{len(row)} cells but the header has {len(header)} columns (leave a cell empty for a missing value)",
                where,
            )
        try:
            t = float(row[0])
        except ValueError:
            raise InputError(f"column t: {row[0]!r} is not a number of seconds", where) from None
        if not math.isfinite(t) or t <= last_t:
            raise InputError(f"column t: {row[0]!r} is not after the previous row's time", where)
        last_t = t
        for metric, cols in metric_cols.items():
            present = False
            value: float | None = None
            for _, col in sorted(cols):
                cell = row[col].strip()
                if cell == "":
                    continue
                present = True
                value = _number(cell, Location(source, field=f"line {row_no}, column {header[col]!r}"))
            if present:
                metric_samples[metric][0].append(t)
                metric_samples[metric][1].append(value)
        for target, cols2 in ((hook_samples, hook_cols), (ready_samples, ready_cols)):
            for key, col in cols2.items():
                cell = row[col].strip()
                if cell == "":
                    continue
                flag = parse_bool(cell)
                if flag is None:
                    raise InputError(f"column {header[col]!r}: {cell!r} is not true or false", where)
                target[key][0].append(t)
                target[key][1].append(flag)
    result = ReplayInput(source=source)
    for name, (ts, vs) in metric_samples.items():
        if not ts:
            raise InputError(f"column {name!r} has no samples (every cell is empty)", Location(source))
        result.metrics[name] = Series(tuple(ts), tuple(vs))
    for name, (ts, bs) in hook_samples.items():
        result.webhooks[name] = Signal(tuple(ts), tuple(bs))
    if "canary" in ready_samples:
        result.canary_ready = Signal(tuple(ready_samples["canary"][0]), tuple(ready_samples["canary"][1]))
    if "primary" in ready_samples:
        result.primary_ready = Signal(tuple(ready_samples["primary"][0]), tuple(ready_samples["primary"][1]))
    return result


def load_input(text: str, source: str) -> ReplayInput:
    """JSON when the text starts with '{', CSV otherwise."""
    stripped = text.lstrip()
    if stripped.startswith("{") or source.endswith(".json"):
        return input_from_json(load_strict(text, source), source)
    return input_from_csv(text, source)


def webhook_overrides(specs: list[str], known: Mapping[str, str]) -> dict[str, Signal]:
    """--webhook NAME=pass|fail flags; KNOWN maps webhook names to types."""
    out: dict[str, Signal] = {}
    for spec in specs:
        name, sep, outcome = spec.partition("=")
        where = Location("--webhook", field=spec)
        if not sep:
            raise InputError("expected NAME=pass|fail", where)
        flag = parse_bool(outcome)
        if flag is None:
            raise InputError(f"outcome {outcome!r} is not pass or fail", where)
        if name not in known:
            raise InputError(f"the Canary has no webhook {name!r} (webhooks: {', '.join(known) or 'none'})", where)
        out[name] = Signal.constant(flag)
    return out


def gate_signals(hooks: Mapping[str, tuple[str, str]], opens_at: float | None) -> dict[str, Signal]:
    """--gate-opens-at: every confirm-promotion hook on a flagger-loadtester gate (HOOKS: name -> (type,
    url)) answers closed (403) until OPENS_AT and open (200) from then on; None keeps them closed."""
    from ..gate import is_gate_check

    gated = [name for name, (kind, url) in hooks.items() if kind == "confirm-promotion" and is_gate_check(url)]
    if not gated:
        raise InputError(
            "the Canary has no confirm-promotion webhook on a flagger-loadtester gate (/gate/check)",
            Location("--gate-opens-at"),
        )
    signal = Signal((-math.inf,), (False,)) if opens_at is None else Signal((-math.inf, opens_at), (False, True))
    return dict.fromkeys(gated, signal)
