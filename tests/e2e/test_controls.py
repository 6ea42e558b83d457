"""Production controls on a live cluster, provider-neutral: an HPA-backed app is promoted and Flagger's primary
HPA gets the bounds the Deliverable asks for; a confirm-promotion gate on a real flagger-loadtester holds the
promotion in WaitingPromotion until `supplychain gate open` opens it.

On kwok the pods are simulated and no metrics API runs, so the HPA controller cannot read CPU use: the test
checks that Flagger creates the primary HPA with the requested bounds and that the primary is scaled to its
minimum (the HPA controller applies minReplicas without metrics), not that load scales it.
On kwok Flagger runs on the host and calls a loadtester started here on 127.0.0.1; on kind it calls the
in-cluster loadtester, which the CLI reaches through the environment's port-forward.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from supplychain.cli import cli
from supplychain.testing.harness import APP, GOOD, IDLE, NAMESPACE, HelloApp
from supplychain.testing.loadtester import running_loadtester

pytestmark = pytest.mark.e2e

INTERVAL = 10.0  # the example's canary_interval


def _params(hello: HelloApp) -> list[dict[str, Any]]:
    return list(hello.deliverable()["spec"].get("params") or [])


def _set_params(hello: HelloApp, params: list[dict[str, Any]]) -> None:
    hello.custom.patch_namespaced_custom_object(
        "carto.run", "v1alpha1", NAMESPACE, "deliverables", APP, {"spec": {"params": params}}, _request_timeout=10
    )


def _has_gate(hello: HelloApp) -> bool:
    return any(h["type"] == "confirm-promotion" for h in hello.canary()["spec"]["analysis"]["webhooks"])


@pytest.fixture()
def extra_params(hello: HelloApp) -> Iterator[Any]:
    """Adds params to the Deliverable; puts the original ones back afterwards and waits for the re-stamp."""
    original = _params(hello)

    def add(**values: Any) -> None:
        keep = [p for p in original if p["name"] not in values]
        _set_params(hello, keep + [{"name": k, "value": v} for k, v in values.items()])

    yield add
    _set_params(hello, original)
    names = {p["name"] for p in original}
    hello.wait(
        lambda: "autoscalerRef" not in hello.canary()["spec"] or "canary_autoscaler_ref" in names,
        60,
        "the Canary to be stamped without the test's params",
        "cartographer",
    )
    hello.wait(lambda: not _has_gate(hello), 60, "the Canary to be stamped without the gate", "cartographer")
    hello.wait(lambda: hello.canary_phase() in IDLE, 240, "the canary to be idle", "flagger")


def _hpa(hello: HelloApp, name: str) -> dict[str, Any] | None:
    try:
        return dict(
            hello.custom.get_namespaced_custom_object(
                "autoscaling", "v2", NAMESPACE, "horizontalpodautoscalers", name, _request_timeout=5
            )
        )
    except Exception:
        return None


def _replicas(hello: HelloApp, name: str) -> int:
    deployment: dict[str, Any] = dict(hello.reader.deployment(NAMESPACE, name))
    return int((deployment.get("spec") or {}).get("replicas") or 0)


def test_hpa_backed_app_is_promoted_with_primary_bounds(hello: HelloApp, extra_params: Any) -> None:
    hpa: dict[str, Any] = {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": APP, "namespace": NAMESPACE},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": APP},
            "minReplicas": 1,
            "maxReplicas": 3,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}},
                }
            ],
        },
    }
    hello.kubectl.apply([hpa])
    try:
        extra_params(canary_autoscaler_ref=APP, canary_primary_min_replicas=2, canary_primary_max_replicas=4)
        hello.wait(
            lambda: (hello.canary()["spec"].get("autoscalerRef") or {}).get("name") == APP,
            60,
            "the Canary to reference the HPA",
            "cartographer",
        )
        rollout = hello.rollout("hpa-backed", GOOD)
        assert rollout.outcome == "Succeeded", rollout.timeline()
        hello.wait(lambda: _hpa(hello, f"{APP}-primary") is not None, 60, "Flagger's primary HPA", "flagger")
        primary = _hpa(hello, f"{APP}-primary")
        assert primary is not None
        assert primary["spec"]["scaleTargetRef"]["name"] == f"{APP}-primary"
        assert (primary["spec"]["minReplicas"], primary["spec"]["maxReplicas"]) == (2, 4)
        assert primary["spec"]["metrics"] == hpa["spec"]["metrics"]  # copied from the workload's HPA
        hello.wait(
            lambda: _replicas(hello, f"{APP}-primary") >= 2,
            90,
            "the primary HPA to scale the primary to its minimum",
            "kube-controller-manager",
        )
    finally:
        hello.kubectl.run("delete", "hpa", APP, f"{APP}-primary", "-n", NAMESPACE, "--ignore-not-found", check=False)


@pytest.fixture()
def gate_urls(hello: HelloApp, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(URL Flagger calls, loopback URL the CLI uses) of a real flagger-loadtester."""
    if hello.env.loadtester_url:  # kind: the in-cluster loadtester and its port-forward
        yield hello.webhook_url, hello.env.loadtester_url
        return
    with running_loadtester(tmp_path / "loadtester.log") as url:  # kwok: Flagger runs on this host
        yield url + "/", url


def _gate(action: str, url: str) -> str:
    result = CliRunner().invoke(cli, ["gate", action, APP, "-n", NAMESPACE, "--loadtester", url])
    assert result.exit_code == 0, result.output
    return result.output


def test_gate_holds_promotion_until_opened(hello: HelloApp, extra_params: Any, gate_urls: tuple[str, str]) -> None:
    flagger_url, cli_url = gate_urls
    _gate("close", cli_url)
    extra_params(canary_confirm_promotion=True, canary_gate_url=flagger_url)
    hello.wait(lambda: _has_gate(hello), 60, "the Canary to carry the confirm-promotion hook", "cartographer")
    hello.wait(lambda: hello.canary_phase() in IDLE, 180, "the canary to be idle", "flagger")
    version = hello.next_version("gated", GOOD)
    if hello.fleet is not None:
        hello.fleet.table.set(NAMESPACE, APP, version, GOOD)
    hello.set_values(version)
    hello.wait(
        lambda: hello.canary_phase() == "WaitingPromotion", 180, "the analysis to end in WaitingPromotion", "flagger"
    )
    held_until = time.monotonic() + 3 * INTERVAL
    while time.monotonic() < held_until:
        assert hello.canary_phase() == "WaitingPromotion", "promoted while the gate was closed"
        time.sleep(1.0)
    assert hello.primary_state()[0] != version
    assert _gate("status", cli_url).endswith("promotion gate is closed\n")
    _gate("open", cli_url)
    hello.wait(lambda: hello.canary_phase() == "Succeeded", 120, "promotion after the gate opened", "flagger")
    hello.wait(lambda: hello.primary_state() == (version, True), 60, "the primary to serve the new version", "flagger")
    _gate("close", cli_url)
