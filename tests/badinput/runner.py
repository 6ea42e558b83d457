"""Helpers for the hostile-input tests: the real CLI in a subprocess, with a timeout and no traceback."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

CANARY = """\
apiVersion: flagger.app/v1beta1
kind: Canary
metadata: {name: podinfo, namespace: test}
spec:
  provider: kubernetes
  targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}
  service: {port: 9898}
  analysis:
    interval: 15s
    threshold: 5
    iterations: 10
    metrics: [{name: request-success-rate, thresholdRange: {min: 99}, interval: 1m}]
"""


def cli(
    *args: str, stdin: str | bytes | None = None, timeout: float = 60, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `supplychain ARGS`; fails the test on a traceback or when it outlives TIMEOUT."""
    data = stdin.encode() if isinstance(stdin, str) else stdin
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-c", "from supplychain.cli import main; main()", *args],
        input=data,
        capture_output=True,
        timeout=timeout,
        check=False,
        cwd=cwd,
    )
    out = subprocess.CompletedProcess(
        proc.args, proc.returncode, proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace")
    )
    out.elapsed = time.monotonic() - started  # type: ignore[attr-defined]
    assert "Traceback" not in out.stderr + out.stdout, out.stderr[-3000:]
    return out
