"""`supplychain cluster up|status|down` end to end: all ready, then nothing left running."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from supplychain.testing.plugin import require_environment

pytestmark = pytest.mark.e2e


def supplychain(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(Path(sys.executable).parent / "supplychain"), *args], capture_output=True, text=True,
                          timeout=timeout)


def test_up_status_down_leaves_no_process(tmp_path: Path) -> None:
    require_environment("kwok")
    run_dir = tmp_path / "run"
    up = supplychain("cluster", "up", "--run-dir", str(run_dir))
    try:
        assert up.returncode == 0, up.stderr
        assert f"export KUBECONFIG={run_dir}/kubeconfig" in up.stdout
        status = supplychain("cluster", "status", "--run-dir", str(run_dir), "-o", "json")
        assert status.returncode == 0, status.stdout + status.stderr
        report = json.loads(status.stdout)
        assert {c["name"] for c in report["components"] if c["ready"]} >= {
            "etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok-controller", "cluster",
            "prometheus", "flagger", "cartographer", "kapp-controller",
        }
        assert report["memory_mib"] > 0
        again = supplychain("cluster", "up", "--run-dir", str(run_dir))
        assert again.returncode == 2 and "already running" in again.stderr
    finally:
        down = supplychain("cluster", "down", "--run-dir", str(run_dir))
    assert down.returncode == 0, down.stderr
    left = subprocess.run(["pgrep", "-f", str(run_dir)], capture_output=True, text=True)
    assert left.stdout == "", left.stdout
    after = supplychain("cluster", "status", "--run-dir", str(run_dir))
    assert after.returncode == 2 and "no environment" in after.stderr

