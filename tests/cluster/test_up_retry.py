"""`Environment.up` on kind retries once, with a new cluster, when kapp-controller's Package API never
becomes available (the known kind start-up problem in the README); any other failure is raised at once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from supplychain.cluster import binaries, manifests, providers
from supplychain.cluster.environment import Environment, is_package_api_stuck
from supplychain.cluster.errors import ClusterError, NotReady

STUCK = NotReady("kapp-controller", f"APIService {manifests.PACKAGING_APISERVICE} not available: 404", None)


class FakeProvider:
    name = "kind"

    def __init__(self, run_dir: Path) -> None:
        self.created = 0
        self.kubeconfig = run_dir / "admin.yaml"

    def unavailable(self) -> str | None:
        return None

    def create(self, run_dir: Path, progress: Any) -> Path:
        self.created += 1
        self.kubeconfig.write_text("apiVersion: v1\nkind: Config\n")
        return self.kubeconfig


def _up(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, provider: str, failures: list[BaseException]) -> FakeProvider:
    fake = FakeProvider(tmp_path)
    downs: list[int] = []
    monkeypatch.setattr(providers, "get", lambda name, nodes=2: fake)
    monkeypatch.setattr(binaries, "prerequisites_missing", lambda name: ())
    monkeypatch.setattr(Environment, "components", property(lambda self: {}))
    monkeypatch.setattr(Environment, "_wait_cluster", lambda self, timeout: None)
    monkeypatch.setattr(Environment, "_install_crds", lambda self: None)

    def wait_ready(self: Environment, names: list[str], timeout: float) -> None:
        if failures:
            self.logs_dir.mkdir(parents=True, exist_ok=True)
            raise failures.pop(0)

    monkeypatch.setattr(Environment, "wait_ready", wait_ready)
    monkeypatch.setattr(Environment, "down", lambda self: downs.append(1))
    Environment.up(tmp_path / "run", provider=provider, progress=lambda message: None)
    assert len(downs) == fake.created - 1  # every failed attempt was cleaned up
    return fake


def test_kind_retries_once_when_the_package_api_is_stuck(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = _up(monkeypatch, tmp_path, "kind", [STUCK])
    assert fake.created == 2
    assert (tmp_path / "run" / "logs-attempt-1").is_dir()


def test_a_second_stuck_start_is_raised(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with pytest.raises(NotReady, match=manifests.PACKAGING_APISERVICE):
        _up(monkeypatch, tmp_path, "kind", [STUCK, STUCK])


@pytest.mark.parametrize("provider", ["kind", "kwok"])
def test_other_failures_are_not_retried(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, provider: str) -> None:
    failure = NotReady("flagger", "no leader", None)
    with pytest.raises(NotReady, match="no leader"):
        _up(monkeypatch, tmp_path, provider, [failure])


def test_kwok_never_retries(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with pytest.raises(NotReady):
        _up(monkeypatch, tmp_path, "kwok", [STUCK])


def test_what_counts_as_stuck() -> None:
    assert is_package_api_stuck(STUCK)
    assert is_package_api_stuck(
        ClusterError("cannot install our Package: kapp-controller not ready: the Package API does not answer yet")
    )
    assert not is_package_api_stuck(ClusterError("kind create cluster failed"))
    assert not is_package_api_stuck(KeyboardInterrupt())
