"""Stamping speed: the same 200 cartotest-layout cases through `supplychain test` and through Cartographer's
own `cartotest` (built from the pinned module by hack/install-cartotest.sh), wall time ratio printed.

The cases are synthetic (supplychain.testing.corpus): three quarters ytt templates, one quarter
`template:` bodies, each with its own workload, params and image input. cartotest runs one `ytt --version`
and one ytt process per ytt case; `supplychain test` renders many templates per ytt process.
Every case must pass in both, so the comparison is of equal work.

usage: python benchmarks/stamp_bench.py [--cases N] [--runs N] [--ytt-share F]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from supplychain.testing.corpus import generate
from supplychain.toolchain import bin_dir, tool

SUPPLYCHAIN = str(Path(sys.executable).parent / "supplychain")


def _cartotest() -> str:
    binary = bin_dir() / "cartotest"
    if not binary.exists():
        print("==> building cartotest (hack/install-cartotest.sh)", file=sys.stderr, flush=True)
        subprocess.run(["nice", "bash", str(REPO / "hack" / "install-cartotest.sh")], check=True)
    return str(binary)


def _timed(argv: list[str], env: dict[str, str], expect: int) -> float:
    started = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    elapsed = time.perf_counter() - started
    passed = (proc.stdout + proc.stderr).count("PASS: ")
    if proc.returncode != 0 or passed != expect:
        raise SystemExit(f"{argv[0]} did not pass all {expect} cases ({passed} passed):\n{proc.stdout}{proc.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--ytt-share", type=float, default=0.75)
    args = parser.parse_args()
    cartotest = _cartotest()
    env = {**os.environ, "PATH": f"{Path(tool('ytt')).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    with tempfile.TemporaryDirectory(prefix="stamp-bench-") as tmp:
        root = Path(tmp) / "cases"
        print(f"==> generating {args.cases} cases ({args.ytt_share:.0%} ytt)", file=sys.stderr, flush=True)
        generate(root, args.cases, ytt_share=args.ytt_share)
        ours, theirs = [], []
        for run in range(1, args.runs + 1):
            print(f"==> run {run}/{args.runs}", file=sys.stderr, flush=True)
            ours.append(_timed([SUPPLYCHAIN, "test", str(root)], env, args.cases))
            theirs.append(_timed([cartotest, str(root)], env, args.cases))
    ours_s, theirs_s = statistics.median(ours), statistics.median(theirs)
    print(f"cases: {args.cases} ({args.ytt_share:.0%} ytt), runs: {args.runs} (median wall time)")
    print(f"supplychain test: {ours_s:.2f}s  (runs: {', '.join(f'{t:.2f}' for t in ours)})")
    print(f"cartotest:        {theirs_s:.2f}s  (runs: {', '.join(f'{t:.2f}' for t in theirs)})")
    print(f"ratio cartotest / supplychain test: {theirs_s / ours_s:.2f}x")


if __name__ == "__main__":
    main()
