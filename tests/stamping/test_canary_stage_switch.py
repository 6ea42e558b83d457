"""Which workloads get the canary stage: by default web and server; a label turns it off.

The patched delivery-basic and source-to-url-package (TAP fixtures, our overlay) are stamped for owners of
each kind; the stage's template is read from the stamped objects' carto.run labels and contents.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from .helpers import TAP, render_tap_chains, stamp_tap_delivery, stamp_tap_supply_chain, yaml_docs


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = render_tap_chains(tmp_path_factory.mktemp("rendered"))
    (out / "outputs.yaml").write_text(
        "source-provider:\n  source:\n    url: http://source-controller/prod/app.tar.gz\n"
        "    revision: main@sha1:8d3a1c\n"
    )
    return out


def _deliverable(workload_type: str | None, label: str | None = None) -> dict[str, Any]:
    labels = {"app.tanzu.vmware.com/deliverable-type": "web"}
    if workload_type:
        labels["apps.tanzu.vmware.com/workload-type"] = workload_type
    if label is not None:
        labels["supplychain.dev/canary"] = label
    return {
        "apiVersion": "carto.run/v1alpha1",
        "kind": "Deliverable",
        "metadata": {"name": "app", "namespace": "prod", "labels": labels},
        "spec": {
            "source": {"git": {"url": "https://git.example.com/app.git", "ref": {"branch": "main"}}},
            "params": [],
        },
    }


def _delivery_stage(rendered: Path, owner: dict[str, Any]) -> dict[str, Any]:
    text = stamp_tap_delivery(rendered, "-", rendered / "outputs.yaml", stdin=yaml.safe_dump(owner))
    docs = yaml_docs(text)
    return next(d for d in docs if d["metadata"]["labels"]["carto.run/resource-name"] == "canary")


@pytest.mark.parametrize(
    "workload_type,kind", [("server", "Canary"), ("web", "Canary"), ("worker", "ConfigMap"), (None, "ConfigMap")]
)
def test_only_web_and_server_get_the_stage(rendered: Path, workload_type: str | None, kind: str) -> None:
    stamped = _delivery_stage(rendered, _deliverable(workload_type))
    assert stamped["kind"] == kind
    if kind == "Canary":
        provider = "knative" if workload_type == "web" else "kubernetes"
        assert stamped["spec"]["provider"] == provider
    else:
        assert stamped["metadata"]["name"] == "app-canary-off"
        assert "gets no canary stage" in stamped["data"]["reason"]


@pytest.mark.parametrize("workload_type", ["server", "web"])
def test_the_label_turns_the_stage_off(rendered: Path, workload_type: str) -> None:
    stamped = _delivery_stage(rendered, _deliverable(workload_type, "off"))
    assert stamped["kind"] == "ConfigMap", stamped
    assert stamped["data"]["reason"].startswith("label supplychain.dev/canary turns the canary stage off")


def test_other_label_values_keep_the_stage(rendered: Path) -> None:
    assert _delivery_stage(rendered, _deliverable("server", "on"))["kind"] == "Canary"


def test_off_in_a_supply_chain_passes_the_config_through(rendered: Path) -> None:
    workload = yaml.safe_load((TAP / "workload.yaml").read_text())
    workload["metadata"]["labels"]["supplychain.dev/canary"] = "off"
    text = stamp_tap_supply_chain(rendered, "-", stdin=yaml.safe_dump(workload))
    by_resource = {d["metadata"]["labels"]["carto.run/resource-name"]: d for d in yaml_docs(text)}
    stage = by_resource["canary-config"]
    assert stage["metadata"]["name"] == "hello-app-canary-off"
    assert stage["data"] == by_resource["app-config"]["data"], "the app's config passes through unchanged"
