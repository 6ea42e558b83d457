"""`supplychain cluster up|status|down` end to end: all ready, then nothing left running."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from supplychain.testing.plugin import require_environment

pytestmark = pytest.mark.e2e

KIND_CONTAINERS = {
    "prometheus",
    "flagger",
    "loadtester",
    "cartographer",
    "kapp-controller",
    "kapp-controller-sidecarexec",
}


def supplychain(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(Path(sys.executable).parent / "supplychain"), *args], capture_output=True, text=True, timeout=timeout
    )


@pytest.mark.provider("kwok")
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
            "etcd",
            "kube-apiserver",
            "kube-controller-manager",
            "kube-scheduler",
            "kwok-controller",
            "cluster",
            "prometheus",
            "flagger",
            "cartographer",
            "kapp-controller",
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


def _node_containers(run_dir: Path) -> list[str]:
    from supplychain.cluster import providers

    return providers.KindProvider().containers(run_dir)


@pytest.mark.provider("kind")
def test_kind_up_runs_every_component_in_the_node_and_down_leaves_no_container(tmp_path: Path) -> None:
    require_environment("kind")
    run_dir = tmp_path / "run"
    up = supplychain("cluster", "up", "--provider", "kind", "--run-dir", str(run_dir))
    try:
        assert up.returncode == 0, up.stderr
        for step in (
            "creating kind cluster",
            "loading 6 images into the node",
            "prometheus ready",
            "flagger ready",
            "flagger-loadtester ready",
            "cartographer ready",
            "kapp-controller ready",
            "canary-package ready",
        ):
            assert step in up.stderr, up.stderr
        status = supplychain("cluster", "status", "--run-dir", str(run_dir), "-o", "json")
        assert status.returncode == 0, status.stdout + status.stderr
        report = json.loads(status.stdout)
        assert report["provider"] == "kind" and all(c["ready"] for c in report["components"]), report
        (node,) = _node_containers(run_dir)
        crictl = subprocess.run(
            ["docker", "exec", node, "crictl", "ps", "-o", "json"], capture_output=True, text=True, timeout=60
        )
        assert crictl.returncode == 0, crictl.stderr
        running = {
            c["metadata"]["name"] for c in json.loads(crictl.stdout)["containers"] if c["state"] == "CONTAINER_RUNNING"
        }
        assert running >= KIND_CONTAINERS, running
    finally:
        down = supplychain("cluster", "down", "--run-dir", str(run_dir))
    assert down.returncode == 0, down.stderr
    assert _node_containers(run_dir) == []
    logs = run_dir / "logs"
    assert {"flagger.log", "prometheus.log", "cartographer.log", "kapp-controller.log"} <= {
        p.name for p in logs.iterdir()
    }
    assert "Started operator workers" in (logs / "flagger.log").read_text()
    left = subprocess.run(["pgrep", "-f", str(run_dir)], capture_output=True, text=True)
    assert left.stdout == "", left.stdout
