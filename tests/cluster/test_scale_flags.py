"""The kwok environment runs its controllers with the throughput flags the README tells a platform to set."""

from __future__ import annotations

import base64
from pathlib import Path

import yaml

from supplychain.cluster import components
from supplychain.cluster.environment import Environment


def _env(tmp_path: Path) -> Environment:
    kubeconfig = tmp_path / "kubeconfig"
    cluster = {"server": "https://127.0.0.1:6443", "certificate-authority-data": base64.b64encode(b"CA").decode()}
    kubeconfig.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "c", "cluster": cluster}],
                "contexts": [{"name": "c", "context": {"cluster": "c", "user": "u"}}],
                "current-context": "c",
                "users": [{"name": "u", "user": {}}],
            }
        ),
        encoding="utf-8",
    )
    ports = {"prometheus": 9090, "flagger": 8080, "kapp-controller-api": 8443}
    return Environment(tmp_path / "run", "kwok", kubeconfig, ports)


def _argv(component: components.Component, env: Environment, process: str) -> list[str]:
    return next(spec.argv for spec in component.processes(env) if spec.name == process)


def test_flagger_runs_with_more_workers_and_a_higher_client_rate(tmp_path: Path) -> None:
    argv = _argv(components.Flagger(), _env(tmp_path), "flagger")
    assert "-threadiness=8" in argv
    assert "-kubeconfig-qps=400" in argv
    assert "-kubeconfig-burst=800" in argv


def test_cartographer_reconciles_many_owners_at_once(tmp_path: Path) -> None:
    argv = _argv(components.Cartographer(), _env(tmp_path), "cartographer")
    assert "-max-concurrent-deliveries=16" in argv
    assert "-max-concurrent-workloads=16" in argv


def test_kapp_controller_deploys_a_wave_of_apps_at_once(tmp_path: Path) -> None:
    argv = _argv(components.KappController(), _env(tmp_path), "kapp-controller")
    # each App reconcile holds its worker through the kapp wait rule: the bench's largest wave needs 200
    assert components.KAPP_CONTROLLER_CONCURRENCY >= 200
    assert f"-concurrency={components.KAPP_CONTROLLER_CONCURRENCY}" in argv
    sidecar = _argv(components.KappController(), _env(tmp_path), "kapp-controller-sidecar")
    assert not any(a.startswith("-concurrency") for a in sidecar)
