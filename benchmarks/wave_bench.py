"""A release wave on kwok: N apps (default 1, 10, 50, 200), each with its PackageInstall, Deliverable, Canary and
MetricTemplates, all updated at once; the time from the update to the last verdict is printed as a ratio to the
single-app time (goal: N = 200 within 1.5x of N = 1), with the CPU seconds and peak memory of Flagger,
Cartographer, kapp-controller, kube-apiserver and Prometheus during the wave, and the backlog (the spread between
the first and the last verdict). The last size also runs a mixed wave: every fifth app gets a bad version.

usage: python benchmarks/wave_bench.py [--sizes 1,10,50,200] [--deployer packageinstall|app] [--run-dir DIR --reuse]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from supplychain.cluster import Environment
from supplychain.cluster.environment import quiet
from supplychain.testing.wave import WaveResult, installed, nodes_for


def _report(size: int, result: WaveResult, single: float | None) -> None:
    times = sorted(v.after for v in result.verdicts.values())
    last = times[-1] if times else float("nan")
    ratio = f"{last / single:.2f}x of N=1" if single else "baseline"
    outcomes = {phase: sum(1 for v in result.verdicts.values() if v.phase == phase) for phase in ("Succeeded", "Failed")}
    print(f"N={size:<4} update -> every verdict {last:6.1f} s ({ratio}); first {times[0] if times else float('nan'):.1f} s, "
          f"median {times[len(times) // 2] if times else float('nan'):.1f} s; {outcomes}, no verdict: "
          f"{len(result.unfinished)}; primaries unavailable in {len(result.unavailable)} of "
          f"{result.samples * size} samples; updates sent in {result.update_seconds:.1f} s")
    detected = sorted(result.detected.values())
    if detected:
        analysis = sorted(v.after - result.detected[ns] for ns, v in result.verdicts.items() if ns in result.detected)
        print(f"        analysing from {detected[0]:.1f} to {detected[-1]:.1f} s after the update (spread "
              f"{detected[-1] - detected[0]:.1f} s); analysis to verdict median "
              f"{analysis[len(analysis) // 2] if analysis else float('nan'):.1f} s, longest "
              f"{analysis[-1] if analysis else float('nan'):.1f} s")
    for name, use in sorted(result.usage.items()):
        children = f"  its children {use['children_cpu_seconds']:6.1f} s" if use["children_cpu_seconds"] else ""
        print(f"        {name:<16} CPU {use['cpu_seconds']:6.1f} s  peak RSS {use['max_rss_mb']:6.0f} MiB{children}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1,10,50,200")
    parser.add_argument("--run-dir", type=Path)
    parser.add_argument("--reuse", action="store_true", help="use the environment running in --run-dir")
    parser.add_argument("--deployer", choices=("packageinstall", "app"), default="packageinstall",
                        help="what each Deliverable deploys its app with (examples/hello-app/values.yaml)")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    with tempfile.TemporaryDirectory(prefix="wave-bench-") as tmp:
        run_dir = args.run_dir or Path(tmp) / "run"
        env = (
            Environment.attach(run_dir, quiet)
            if args.reuse
            else Environment.up(run_dir, provider="kwok", nodes=nodes_for(max(sizes)))
        )
        single: float | None = None
        stamp = int(time.time()) % 100000
        try:
            for index, size in enumerate(sizes):
                # fresh namespaces: old ones may be terminating
                with installed(env, size, timeout=600 + 3 * size, prefix=f"wave{stamp}-{index}",
                               deployer=args.deployer) as wave:
                    result = wave.update(timeout=300 + 2 * size)
                    _report(size, result, single)
                    if size == 1:
                        single = result.last_verdict
                    if index == len(sizes) - 1 and size > 1:
                        bad = {ns for i, ns in enumerate(wave.namespaces) if i % 5 == 0}
                        mixed = wave.update(bad=bad, timeout=300 + 2 * size)
                        failed = {ns for ns, v in mixed.verdicts.items() if v.phase == "Failed"}
                        print(f"mixed N={size}: {len(bad)} bad; rolled back exactly those: {failed == bad}; "
                              f"others promoted: {sum(1 for v in mixed.verdicts.values() if v.phase == 'Succeeded')} "
                              f"of {size - len(bad)}; primaries unavailable in {len(mixed.unavailable)} samples")
        finally:
            if not args.reuse:
                env.down()


if __name__ == "__main__":
    main()
