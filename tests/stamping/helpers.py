"""Running `supplychain test` and `cartotest` on the same folders and reading their verdicts."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

SUPPLYCHAIN = str(Path(sys.executable).parent / "supplychain")
VERDICT = re.compile(r"^(PASS|FAIL): (\S+)", re.MULTILINE)


@dataclass
class Run:
    code: int
    output: str
    verdicts: dict[str, str]


def _verdicts(text: str) -> dict[str, str]:
    return {str(Path(path)): verdict for verdict, path in VERDICT.findall(text)}


def run_ours(directory: Path) -> Run:
    proc = subprocess.run([SUPPLYCHAIN, "test", str(directory)], capture_output=True, text=True, check=False)
    return Run(proc.returncode, proc.stdout + proc.stderr, _verdicts(proc.stdout))


def run_cartotest(binary: Path, directory: Path, env: dict[str, str]) -> Run:
    proc = subprocess.run([str(binary), str(directory)], capture_output=True, text=True, check=False, env=env)
    return Run(proc.returncode, proc.stdout + proc.stderr, _verdicts(proc.stderr + proc.stdout))
