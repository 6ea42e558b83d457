"""A Workload's canary_* params override the platform defaults all the way to the Canary, in both placements.

supply-chain: the chain's canary-config stage stamps canary.yml from the Workload's params directly.
delivery: TAP's deliverable template forwards only gitops params; the overlay appends a step to it that copies
canary_* params into the Deliverable, whose delivery stamps the Canary. Both Canaries are golden files in
tests/stamping/params/ (SUPPLYCHAIN_UPDATE_GOLDEN=1 rewrites them).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from supplychain.testing.golden import golden_diff

from .helpers import REPO, TAP, run_cli, yaml_docs

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "params"
FIXTURES = REPO / "tests" / "fixtures"
OVERRIDES = {"canary_iterations": 7, "canary_threshold": "3", "canary_interval": "45s"}


def _workload() -> dict[str, Any]:
    workload: dict[str, Any] = yaml.safe_load((TAP / "workload.yaml").read_text())
    del workload["metadata"]["labels"]["apps.tanzu.vmware.com/carvel-package-workflow"]
    workload["spec"]["params"] = [{"name": k, "value": v} for k, v in OVERRIDES.items()]
    return workload


def _outputs(tmp: Path) -> Path:
    outputs = yaml.safe_load((TAP / "outputs.yaml").read_text())
    outputs.pop("carvel-package", None)
    path = tmp / "outputs.yaml"
    path.write_text(yaml.safe_dump(outputs))
    return path


def _stamp_chain(tmp: Path, placement: str, external: bool = False) -> dict[str, dict[str, Any]]:
    """The patched source-to-url stamped for the Workload: stamped object by resource name."""
    settings = ["--set", f"placement={placement}"]
    run_cli("render", "--only", "templates", *settings, "-o", str(tmp / "templates.yaml"))
    run_cli(
        "render",
        "--only",
        "chains",
        *settings,
        "--chains",
        str(FIXTURES / "ootb" / "source-to-url.yaml"),
        "--chains",
        str(FIXTURES / "ootb-templates" / "supply-chain-delivery.yaml"),
        "-o",
        str(tmp / "chain.yaml"),
    )
    docs = yaml_docs((tmp / "chain.yaml").read_text())
    if external:  # TAP's external_delivery setting: the chain's deliverable stage stamps the ConfigMap variant
        stage = next(r for r in docs[0]["spec"]["resources"] if r["name"] == "deliverable")
        stage["templateRef"] = {"kind": "ClusterTemplate", "name": "external-deliverable-template"}
    (tmp / "blueprint.yaml").write_text(yaml.safe_dump(docs[0], sort_keys=False))
    (tmp / "writers.yaml").write_text(yaml.safe_dump_all(docs[1:], sort_keys=False))
    text = run_cli(
        "stamp",
        "--blueprint",
        str(tmp / "blueprint.yaml"),
        "--templates",
        str(tmp / "templates.yaml"),
        "--templates",
        str(TAP / "ootb-supply-chain-templates.yaml"),
        "--templates",
        str(tmp / "writers.yaml"),
        "--outputs",
        str(_outputs(tmp)),
        "--owner",
        "-",
        stdin=yaml.safe_dump(_workload()),
    )
    return {d["metadata"]["labels"]["carto.run/resource-name"]: d for d in yaml_docs(text)}


def _check(canary: dict[str, Any], golden: Path) -> None:
    analysis = canary["spec"]["analysis"]
    assert (analysis["iterations"], analysis["threshold"], analysis["interval"]) == (7, 3, "45s")
    diff = golden_diff(yaml.safe_dump(canary, sort_keys=False), golden)
    assert diff is None, diff


def test_supply_chain_placement(tmp_path: Path) -> None:
    stamped = _stamp_chain(tmp_path, "supply-chain")
    canary = next(d for d in yaml_docs(stamped["canary-config"]["data"]["canary.yml"]) if d["kind"] == "Canary")
    _check(canary, GOLDEN / "supply-chain.expected.yaml")


@pytest.mark.parametrize("external", [False, True], ids=["deliverable-template", "external-deliverable-template"])
def test_delivery_placement(tmp_path: Path, external: bool) -> None:
    workload_stamp = _stamp_chain(tmp_path, "delivery", external)
    assert "canary-config" not in workload_stamp
    assert "kapp-config-canary.yml" in workload_stamp["canary-kapp-config"]["data"]
    stamped = workload_stamp["deliverable"]
    if external:
        assert stamped["kind"] == "ConfigMap"
        deliverable = yaml.safe_load(stamped["data"]["deliverable"])
        deliverable["metadata"]["namespace"] = stamped["metadata"]["namespace"]
    else:
        deliverable = stamped
    assert deliverable["kind"] == "Deliverable"
    forwarded = {p["name"]: p["value"] for p in deliverable["spec"]["params"] if p["name"].startswith("canary_")}
    assert forwarded == OVERRIDES
    run_cli(
        "render",
        "--only",
        "chains",
        "--chains",
        str(FIXTURES / "ootb" / "delivery-basic.yaml"),
        "-o",
        str(tmp_path / "delivery.yaml"),
    )
    (tmp_path / "source.yaml").write_text(
        "source-provider:\n  source:\n    url: http://source-controller/dev/hello-app.tar.gz\n"
        "    revision: main@sha1:8d3a1c\n"
    )
    text = run_cli(
        "stamp",
        "--blueprint",
        str(tmp_path / "delivery.yaml"),
        "--templates",
        str(tmp_path / "templates.yaml"),
        "--templates",
        str(FIXTURES / "ootb-templates" / "delivery.yaml"),
        "--outputs",
        str(tmp_path / "source.yaml"),
        "--owner",
        "-",
        stdin=yaml.safe_dump(deliverable),
    )
    canary = next(d for d in yaml_docs(text) if d["kind"] == "Canary")
    _check(canary, GOLDEN / "delivery.expected.yaml")
