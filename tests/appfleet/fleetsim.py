"""Helpers shared by the fleet tests: a controllable clock, scrapes over time, the stamped example queries."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import yaml

from supplychain.appfleet import AppFleet

_SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*\{[^}]*\}|[a-zA-Z_:][a-zA-Z0-9_:]*) (\S+)$")


class FakeClock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def parse_exposition(text: str) -> dict[str, float]:
    """{series: value} of a Prometheus text exposition (comments skipped)."""
    samples: dict[str, float] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = _SAMPLE.match(line)
        assert match, f"malformed exposition line: {line!r}"
        samples[match.group(1)] = float(match.group(2))
    return samples


def scrape_series(
    fleet: AppFleet, clock: FakeClock, steps: int, step: float, events: dict[int, Any] | None = None
) -> dict[str, list[float | None]]:
    """Scrape FLEET every STEP seconds; EVENTS[i] (a callable) runs before scrape i (e.g. a pod appears)."""
    series: dict[str, list[float | None]] = {}
    for i in range(steps):
        if events and i in events:
            events[i]()
            fleet.refresh()
        samples = parse_exposition(fleet.metrics_text())
        for name, value in samples.items():
            series.setdefault(name, [None] * i).append(value)
        for values in series.values():
            if len(values) < i + 1:
                values.append(None)
        clock.now += step
    return series


def promtool_eval(
    series: dict[str, list[float | None]], step: float, exprs: list[tuple[str, float]], eval_time: float, tmp: Path
) -> subprocess.CompletedProcess[str]:
    """Run `promtool test rules` checking that each expr in EXPRS is within 0.01 of its value at EVAL_TIME."""
    input_series = [
        {"series": name, "values": " ".join("_" if v is None else repr(v) for v in values)}
        for name, values in series.items()
    ]
    tests = [
        {
            "expr": f"abs(({expr}) - {expected!r}) < bool 0.01",
            "eval_time": f"{int(eval_time)}s",
            "exp_samples": [{"labels": "{}", "value": 1}],
        }
        for expr, expected in exprs
    ]
    spec = {
        "rule_files": [],
        "evaluation_interval": f"{int(step)}s",
        "tests": [{"interval": f"{int(step)}s", "input_series": input_series, "promql_expr_test": tests}],
    }
    path = tmp / "promtool-test.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return subprocess.run(["promtool", "test", "rules", str(path)], capture_output=True, text=True, timeout=60)
