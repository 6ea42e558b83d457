"""Run every benchmark in one go: `python -m benchmarks` (or `make bench`). Each prints its own ratios."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Cheapest first; the end-to-end rollout benchmarks bring up the integration environment (kwok, then kind).
ORDER = [
    "replay_bench.py",
    "stamp_bench.py",
    "validate_bench.py",
    "scale_bench.py --repeat 3",
    "env_bench.py",
    "e2e_bench.py",
    "wave_bench.py",
    "env_bench.py --provider kind",
    "e2e_bench.py --provider kind",
]


def main() -> int:
    failed = []
    for name in ORDER:
        print(f"\n=== {name} ===", flush=True)
        script, *args = name.split()
        if subprocess.run([sys.executable, str(HERE / script), *args], check=False).returncode != 0:
            failed.append(name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
