"""Provider configuration and availability, without starting anything."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from supplychain.cluster import binaries, providers
from supplychain.cluster.errors import ClusterError, ProviderUnavailable


@pytest.fixture
def fake_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A tool cache holding an executable stub for every cached binary."""
    bin_dir = tmp_path / "cache" / "bin"
    bin_dir.mkdir(parents=True)
    for name in binaries.CACHED:
        stub = bin_dir / name
        stub.write_text("#!/bin/sh\nexit 0\n")
        stub.chmod(stub.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("SUPPLYCHAIN_CACHE", str(tmp_path / "cache"))
    return bin_dir


def test_kwok_config_pins_every_binary_loopback_and_rbac(fake_cache: Path, tmp_path: Path) -> None:
    config = providers.KwokProvider().config(tmp_path / "run")
    options = config["options"]
    assert isinstance(options, dict)
    assert options["runtime"] == "binary"
    assert options["bindAddress"] == "127.0.0.1"
    assert options["kubeAuthorization"] is True
    for key, name in {
        "kubeApiserverBinary": "kube-apiserver",
        "kubeControllerManagerBinary": "kube-controller-manager",
        "kubeSchedulerBinary": "kube-scheduler",
        "kwokControllerBinary": "kwok",
        "etcdBinary": "etcd",
        "kubectlBinary": "kubectl",
    }.items():
        assert options[key] == str(fake_cache / name), key
    patches = config["componentsPatches"]
    assert isinstance(patches, list)
    args = {a["key"]: a["value"] for a in patches[0]["extraArgs"]}
    assert patches[0]["name"] == "kube-apiserver"
    assert args["requestheader-client-ca-file"].endswith("/pki/ca.crt")
    assert args["service-cluster-ip-range"] == "10.96.0.0/16"  # room for 200 apps of three Services each
    manager = {a["key"]: a["value"] for a in patches[1]["extraArgs"]}
    assert patches[1]["name"] == "kube-controller-manager"
    assert manager == {
        "kube-api-qps": "200",
        "kube-api-burst": "400",
        "concurrent-deployment-syncs": "25",
        "concurrent-replicaset-syncs": "25",
    }


def test_kwok_unavailable_names_missing_binaries_and_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPPLYCHAIN_CACHE", str(tmp_path / "empty"))
    reason = providers.KwokProvider().unavailable()
    assert reason is not None
    assert "kube-apiserver" in reason and "etcd" in reason
    assert "make env" in reason
    with pytest.raises(ProviderUnavailable, match="kwok provider unavailable"):
        providers.KwokProvider().create(tmp_path / "run", lambda _: None)


def test_kind_unavailable_without_a_container_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no docker, no kind
    monkeypatch.delenv("KIND_EXPERIMENTAL_PROVIDER", raising=False)
    reason = providers.KindProvider().unavailable()
    assert reason is not None and reason.startswith("no container engine")


def test_kind_unavailable_when_the_engine_does_not_answer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    docker = tmp_path / "docker"
    docker.write_text("#!/bin/sh\necho 'Cannot connect to the Docker daemon' >&2\nexit 1\n")
    docker.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}/usr/bin:/bin")
    monkeypatch.delenv("KIND_EXPERIMENTAL_PROVIDER", raising=False)
    reason = providers.KindProvider().unavailable()
    assert reason == "no container engine: `docker info` failed (Cannot connect to the Docker daemon)"


def test_unknown_provider_is_a_clear_error() -> None:
    with pytest.raises(ClusterError, match="unknown provider 'minikube'"):
        providers.get("minikube")
