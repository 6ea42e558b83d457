"""The kind start-up remedy: kube-apiserver is restarted once per cluster after 404s from the Package API."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest

from supplychain.cluster import incluster, providers
from supplychain.cluster.components import KappController
from supplychain.cluster.environment import Environment

STUCK = (
    "APIService v1alpha1.data.packaging.carvel.dev not available: failing or missing response from "
    "https://10.96.0.9:443/apis/data.packaging.carvel.dev/v1alpha1: bad status from "
    "https://10.96.0.9:443/apis/data.packaging.carvel.dev/v1alpha1: 404"
)


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> SimpleNamespace:
    state = SimpleNamespace(problem=STUCK, now=1000.0, containers=["node-a"], restarts=[], said=[])
    monkeypatch.setattr(KappController, "check", lambda self, env: state.problem)
    monkeypatch.setattr(providers.KindProvider, "containers", lambda self, run_dir: list(state.containers))
    monkeypatch.setattr(
        providers.KindProvider, "restart_api_server", lambda self, run_dir: state.restarts.append(state.containers[0])
    )
    monkeypatch.setattr(incluster, "_clock", lambda: state.now)
    monkeypatch.setattr(incluster, "_stuck_since", {})
    monkeypatch.setattr(incluster, "_restarted", set())
    state.env = cast(Environment, cast(Any, SimpleNamespace(run_dir=tmp_path, progress=state.said.append)))
    return state


def test_restarts_kube_apiserver_once_after_the_grace_period(world: SimpleNamespace) -> None:
    assert incluster.package_api_problem(world.env) == STUCK
    world.now += incluster.PACKAGE_API_STUCK_FOR - 1
    assert incluster.package_api_problem(world.env) == STUCK
    assert world.restarts == []
    world.now += 1
    incluster.package_api_problem(world.env)
    assert world.restarts == ["node-a"]
    assert "restarting kube-apiserver once" in world.said[0]
    world.now += 10 * incluster.PACKAGE_API_STUCK_FOR
    incluster.package_api_problem(world.env)
    assert world.restarts == ["node-a"], "once per cluster"


def test_a_new_cluster_gets_its_own_restart(world: SimpleNamespace) -> None:
    incluster.package_api_problem(world.env)
    world.now += incluster.PACKAGE_API_STUCK_FOR
    incluster.package_api_problem(world.env)
    incluster.package_api_problem(world.env)
    world.containers = ["node-b"]  # `up` retried with a new cluster in the same run folder
    incluster.package_api_problem(world.env)
    world.now += incluster.PACKAGE_API_STUCK_FOR
    incluster.package_api_problem(world.env)
    assert world.restarts == ["node-a", "node-b"]


@pytest.mark.parametrize(
    "problem",
    [
        None,
        "APIService v1alpha1.data.packaging.carvel.dev not available: no status yet",
        "the Package API does not answer yet",
    ],
)
def test_other_states_pass_through_untouched(world: SimpleNamespace, problem: str | None) -> None:
    world.problem = problem
    for _ in range(3):
        assert incluster.package_api_problem(world.env) == problem
        world.now += incluster.PACKAGE_API_STUCK_FOR
    assert world.restarts == []
