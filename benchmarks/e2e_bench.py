"""Workload update -> Promoted: the time from a PackageInstall values bump of hello-app to Flagger's
Succeeded phase, against the floor (iterations + 1) x interval of a blue/green analysis, printed as a ratio.

Each run is split into detection (values bump -> Progressing: kapp-controller's re-deploy plus Flagger's
next tick), analysis (Progressing -> Promoting: the pre-rollout tick, then iterations + 1 metric ticks, as
blue/green counts past the last iteration before it promotes) and promotion (Promoting -> Finalising ->
Succeeded, one tick each). Also prints the time to roll back a bad version. Brings the integration environment up (or uses one
already running with --run-dir DIR --reuse) and leaves nothing running that it started.

With --provider kind the same is measured on kind: the real app under real load, scraped by the in-cluster
Prometheus, with the real loadtester running the webhooks.

usage: python benchmarks/e2e_bench.py [--provider kwok|kind] [--runs N] [--run-dir DIR --reuse]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from supplychain.analysis.durations import parse_go_duration
from supplychain.cluster import Environment
from supplychain.cluster.environment import quiet
from supplychain.testing.harness import BAD, GOOD, HelloApp, Rollout


def floor_seconds(rollout: Rollout) -> float:
    """(iterations + 1) x interval of the Canary that analysed ROLLOUT."""
    analysis = rollout.recording["canary"]["spec"]["analysis"]
    interval = max(10.0, parse_go_duration(str(analysis["interval"])) or 60.0)
    return (int(analysis["iterations"]) + 1) * interval


def measure(hello: HelloApp, runs: int) -> None:
    promoted: list[float] = []
    ratios: list[float] = []
    for index in range(runs):
        rollout = hello.rollout(f"bench-good-{index + 1}", GOOD)
        if rollout.outcome != "Succeeded" or rollout.recording["promoted_at"] is None:
            print(f"  run {index + 1}: not promoted ({rollout.outcome}); timeline: {rollout.timeline()}")
            continue
        seconds = float(rollout.recording["promoted_at"])
        floor = floor_seconds(rollout)
        promoted.append(seconds)
        ratios.append(seconds / floor)
        promoting = rollout.observation.first("Promoting")
        detected = rollout.detected_after or 0.0
        analysis = (promoting.t - detected) if promoting else float("nan")
        print(
            f"  run {index + 1}: update -> Promoted {seconds:.1f} s, floor {floor:.0f} s, ratio {seconds / floor:.2f} "
            f"(detection {detected:.1f} s, analysis {analysis:.1f} s, promotion {seconds - detected - analysis:.1f} s)"
        )
    if promoted:
        print(
            f"update -> Promoted: median {statistics.median(promoted):.1f} s over {len(promoted)} run(s); "
            f"ratio to floor (iterations+1) x interval: {statistics.median(ratios):.2f}"
        )
    bad = hello.rollout("bench-bad", BAD)
    if bad.finished_after is not None:
        print(
            f"bad version: update -> {bad.outcome} {bad.finished_after:.1f} s "
            f"(threshold {bad.recording['canary']['spec']['analysis']['threshold']}, "
            f"interval {bad.recording['canary']['spec']['analysis']['interval']})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=2, help="good rollouts to time (1-5)")
    parser.add_argument("--run-dir", type=Path, help="run directory of the environment")
    parser.add_argument("--reuse", action="store_true", help="use the environment already running in --run-dir")
    parser.add_argument("--provider", choices=("kwok", "kind"), default="kwok")
    args = parser.parse_args()
    runs = max(1, min(args.runs, 5))
    with tempfile.TemporaryDirectory(prefix="e2e-bench-") as tmp:
        run_dir = args.run_dir or Path(tmp) / "run"
        env = (
            Environment.attach(run_dir, quiet)
            if args.reuse
            else Environment.up(run_dir, provider=args.provider, progress=quiet)
        )
        hello = HelloApp(env, run_dir / "recordings")
        try:
            hello.install()
            measure(hello, runs)
        finally:
            hello.close()
            if not args.reuse:
                env.down()


if __name__ == "__main__":
    main()
