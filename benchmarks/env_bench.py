"""Integration environment benchmarks: cold build time (recorded by hack/install-env.sh),
warm re-run of install-env.sh, warm `cluster up` to all-ready, memory, and `down`.

With --provider kind: the cold build of what kind needs (the kind binary, the node image and the
component images, as recorded by hack/install-kind.sh and hack/install-images.sh), and warm
`cluster up --provider kind` to all ready against its 60 s goal.

usage: python benchmarks/env_bench.py [--provider kwok|kind] [--skip-up] [--runs N]
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

from supplychain import toolchain
from supplychain.cluster import Environment
from supplychain.cluster.environment import quiet

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
KIND_READY_GOAL = 60


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
    print(
        f"  {'total':<16} {total:7.0f} s  ({total / 60:.1f} min; ratio to {COLD_BUILD_BUDGET // 60} min budget: "
        f"{total / COLD_BUILD_BUDGET:.2f})"
    )
    return total


def cold_build_kind() -> float:
    """Build seconds recorded for what only kind needs: images (node, base, components) and the binaries
    built for them (every cached tool that the kwok environment does not use)."""
    versions = toolchain.versions()
    kwok_tools = {f"{name}-{versions[key]}" for name, key in BUILT.items()}
    tool_names = {"ytt", "kapp", "vendir", "cartotest", "kubeconform"}  # make tools: not for kind
    total = 0.0
    print("cold build for kind (from the timings recorded at build time):")
    records = sorted((toolchain.cache_dir() / "images").glob("*/.build-seconds"))
    records += sorted(
        p
        for p in (toolchain.cache_dir() / "tools").glob("*/.build-seconds")
        if p.parent.name not in kwok_tools and p.parent.name.rsplit("-", 1)[0] not in tool_names
    )
    for record in records:
        seconds = float(record.read_text().strip() or 0)
        total += seconds
        kind = "image" if record.parent.parent.name == "images" else "binary"
        print(f"  {kind:<6} {record.parent.name:<36} {seconds:7.0f} s")
    print(
        f"  {'total':<43} {total:7.0f} s  ({total / 60:.1f} min; ratio to {COLD_BUILD_BUDGET // 60} min budget: "
        f"{total / COLD_BUILD_BUDGET:.2f})"
    )
    return total


def node_memory_mib(env: Environment) -> float:
    """Memory of the kind node container (every pod in it), from the engine."""
    from supplychain.cluster import providers

    total = 0.0
    for container in providers.KindProvider().containers(env.run_dir):
        done = subprocess.run(
            ["docker", "stats", "--no-stream", "--format", "{{.MemUsage}}", container],
            capture_output=True,
            text=True,
            timeout=60,
        )
        used = done.stdout.split("/")[0].strip()
        for unit, factor in (("GiB", 1024.0), ("MiB", 1.0), ("KiB", 1 / 1024)):
            if used.endswith(unit):
                total += float(used[: -len(unit)]) * factor
                break
    return total


def warm_install() -> float:
    started = time.monotonic()
    subprocess.run(["bash", str(REPO / "hack" / "install-env.sh")], check=True, capture_output=True)
    seconds = time.monotonic() - started
    print(
        f"warm install-env.sh: {seconds:.1f} s (ratio to {WARM_INSTALL_BUDGET} s budget: "
        f"{seconds / WARM_INSTALL_BUDGET:.2f})"
    )
    return seconds


def warm_up(runs: int, provider: str = "kwok") -> None:
    ready: list[float] = []
    down: list[float] = []
    for index in range(runs):
        with tempfile.TemporaryDirectory(prefix="env-bench-") as tmp:
            started = time.monotonic()
            env = Environment.up(Path(tmp) / "run", provider=provider, progress=quiet)
            ready.append(time.monotonic() - started)
            by_process = env.memory_by_process()
            memory_mib = sum(by_process.values()) / 1024
            if provider == "kind":
                by_process = {"kind node": int(node_memory_mib(env) * 1024)}
                memory_mib = by_process["kind node"] / 1024
            started = time.monotonic()
            env.down()
            down.append(time.monotonic() - started)
            stray = env.stray_processes()
            print(
                f"  run {index + 1}: up->ready {ready[-1]:.1f} s, memory {memory_mib:.0f} MiB RSS, "
                f"down {down[-1]:.1f} s, stray processes {len(stray)}"
            )
            if index == 0:
                print(
                    "    memory by process (MiB): "
                    + ", ".join(
                        f"{name} {kib / 1024:.0f}" for name, kib in sorted(by_process.items(), key=lambda i: -i[1])
                    )
                )
    median = statistics.median(ready)
    budget = KIND_READY_GOAL if provider == "kind" else READY_BUDGET
    print(
        f"warm cluster up --provider {provider} -> all ready: median {median:.1f} s over {runs} run(s) "
        f"(ratio to {budget} s {'goal' if provider == 'kind' else 'budget'}: {median / budget:.2f}); "
        f"down median {statistics.median(down):.1f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--provider", choices=("kwok", "kind"), default="kwok")
    parser.add_argument("--skip-up", action="store_true", help="Only report build figures.")
    parser.add_argument("--runs", type=int, default=1, help="How many times to bring the environment up.")
    args = parser.parse_args()
    if args.provider == "kind":
        cold_build_kind()
    else:
        cold_build()
        warm_install()
    if not args.skip_up:
        warm_up(max(1, min(args.runs, 5)), args.provider)


if __name__ == "__main__":
    main()
