"""Replay throughput: how many 10-iteration blue/green analyses `supplychain replay` decides per second.

The analysis: interval 30s, threshold 5, iterations 10, two MetricTemplate metrics (success rate, latency),
a pre-rollout and a rollout webhook, 40 samples per metric; a good version (Succeeded on its 15th tick) and a
bad one (rolled back). Figures: the replay core on a compiled plan with its tick timeline (the headline,
target >= 10,000/s), the same without a timeline (what --sweep runs), and compile + replay from the parsed
Canary and series.

usage: python benchmarks/replay_bench.py [--seconds S]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from supplychain.analysis import replay as R
from supplychain.analysis.model import parse_canary
from supplychain.analysis.series import ReplayInput, Series
from supplychain.yamlio import Document

TARGET = 10_000.0

CANARY = {
    "apiVersion": "flagger.app/v1beta1",
    "kind": "Canary",
    "metadata": {"name": "hello-app", "namespace": "prod"},
    "spec": {
        "provider": "kubernetes",
        "targetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "hello-app"},
        "analysis": {
            "interval": "30s",
            "threshold": 5,
            "iterations": 10,
            "metrics": [
                {
                    "name": "success-rate",
                    "templateRef": {"name": "hello-app-success-rate"},
                    "thresholdRange": {"min": 99},
                    "interval": "1m",
                },
                {
                    "name": "latency",
                    "templateRef": {"name": "hello-app-latency"},
                    "thresholdRange": {"max": 500},
                    "interval": "1m",
                },
            ],
            "webhooks": [
                {"name": "conformance", "type": "pre-rollout", "url": "http://flagger-loadtester.test/"},
                {"name": "load-test", "type": "rollout", "url": "http://flagger-loadtester.test/"},
            ],
        },
    },
}


def _inputs(success: float) -> ReplayInput:
    times = tuple(30.0 * i for i in range(40))
    wobble = tuple(success - (0.2 if i % 7 == 3 else 0.0) for i in range(40))
    return ReplayInput(
        metrics={
            "success-rate": Series(times, wobble),
            "latency": Series(times, tuple(180.0 + (i % 5) * 20 for i in range(40))),
        }
    )


def _rate(label: str, fn: Callable[[], object], seconds: float) -> float:
    """Best of three timed rounds, each about SECONDS/3 long."""
    fn()
    best = 0.0
    for _ in range(3):
        count = 0
        start = time.perf_counter()
        deadline = start + seconds / 3
        while True:
            for _ in range(200):
                fn()
            count += 200
            now = time.perf_counter()
            if now >= deadline:
                break
        best = max(best, count / (now - start))
    print(f"  {label:<52} {best:>10,.0f} replays/s")
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="time per measurement (default 3)")
    args = parser.parse_args()
    canary = parse_canary(Document("bench", 0, CANARY))
    good, bad = _inputs(99.9), _inputs(97.0)
    good_plan, bad_plan = R.compile_plan(canary, good), R.compile_plan(canary, bad)
    assert R.run(good_plan).verdict.outcome == "Succeeded" and len(R.run(good_plan).records) == 15
    assert R.run(bad_plan).verdict.outcome == "Failed"
    print("replay of a 10-iteration blue/green analysis (good: Succeeded on the 15th tick; bad: rolled back)")
    headline = _rate("good version, replay core with timeline", lambda: R.run(good_plan), args.seconds)
    _rate("bad version, replay core with timeline", lambda: R.run(bad_plan), args.seconds)
    _rate("good version, no timeline (--sweep)", lambda: R.run(good_plan, record=False), args.seconds)
    full = _rate("good version, compile + replay", lambda: R.replay(canary, good), args.seconds)
    print(
        f"replays/s: {headline:,.0f}  target {TARGET:,.0f}  ratio {headline / TARGET:.2f}x"
        f"  (compile + replay: {full / TARGET:.2f}x)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
