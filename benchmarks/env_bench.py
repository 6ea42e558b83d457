"""Integration environment benchmarks: cold build time (recorded by hack/install-env.sh),
warm re-run of install-env.sh, warm `cluster up` to all-ready, memory, and `down`.

usage: python benchmarks/env_bench.py [--skip-up] [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from supplychain import toolchain  # noqa: E402
from supplychain.cluster import Environment  # noqa: E402
from supplychain.cluster.environment import quiet  # noqa: E402

# Cache directory name -> versions.env key, in build order.
BUILT = {
    "kubernetes": "KUBERNETES_VERSION",
    "etcd": "ETCD_VERSION",
    "kwok": "KWOK_VERSION",
    "kwokctl": "KWOK_VERSION",
    "flagger": "FLAGGER_VERSION",
    "cartographer": "CARTOGRAPHER_VERSION",
    "kapp-controller": "KAPP_CONTROLLER_VERSION",
}
# Budgets the figures are compared against (seconds): the estimates in the project notes.
COLD_BUILD_BUDGET = 50 * 60
WARM_INSTALL_BUDGET = 10
READY_BUDGET = 30


def cold_build() -> float:
    versions = toolchain.versions()
    total = 0.0
    print("cold build (from the timing recorded at build time):")
    for name, key in BUILT.items():
        record = toolchain.cache_dir() / "tools" / f"{name}-{versions[key]}" / ".build-seconds"
        if not record.exists():
            print(f"  {name:<16} not recorded ({record} missing)")
            continue
        seconds = float(record.read_text().strip())
        total += seconds
        print(f"  {name:<16} {seconds:7.0f} s")
    print(f"  {'total':<16} {total:7.0f} s  ({total / 60:.1f} min; ratio to {COLD_BUILD_BUDGET // 60} min budget: "
          f"{total / COLD_BUILD_BUDGET:.2f})")
    return total


def warm_install() -> float:
    started = time.monotonic()
    subprocess.run(["bash", str(REPO / "hack" / "install-env.sh")], check=True, capture_output=True)
    seconds = time.monotonic() - started
    print(f"warm install-env.sh: {seconds:.1f} s (ratio to {WARM_INSTALL_BUDGET} s budget: "
          f"{seconds / WARM_INSTALL_BUDGET:.2f})")
    return seconds


def warm_up(runs: int) -> None:
    ready: list[float] = []
    down: list[float] = []
    for index in range(runs):
        with tempfile.TemporaryDirectory(prefix="env-bench-") as tmp:
            started = time.monotonic()
            env = Environment.up(Path(tmp) / "run", progress=quiet)
            ready.append(time.monotonic() - started)
            by_process = env.memory_by_process()
            memory_mib = sum(by_process.values()) / 1024
            started = time.monotonic()
            env.down()
            down.append(time.monotonic() - started)
            stray = env.stray_processes()
            print(f"  run {index + 1}: up->ready {ready[-1]:.1f} s, memory {memory_mib:.0f} MiB RSS, "
                  f"down {down[-1]:.1f} s, stray processes {len(stray)}")
            if index == 0:
                print("    memory by process (MiB): " + ", ".join(
                    f"{name} {kib / 1024:.0f}" for name, kib in sorted(by_process.items(), key=lambda i: -i[1])))
    median = statistics.median(ready)
    print(f"warm cluster up -> all ready: median {median:.1f} s over {runs} run(s) "
          f"(ratio to {READY_BUDGET} s budget: {median / READY_BUDGET:.2f}); down median {statistics.median(down):.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-up", action="store_true", help="Only report build figures.")
    parser.add_argument("--runs", type=int, default=1, help="How many times to bring the environment up.")
    args = parser.parse_args()
    cold_build()
    warm_install()
    if not args.skip_up:
        warm_up(max(1, min(args.runs, 5)))


if __name__ == "__main__":
    main()
