"""The canary-stage overlay on real `kubectl get -o yaml` dumps of TAP's chains (tests/fixtures/ootb/real/, provenance
in tests/fixtures/ootb/README.md), in both placements and as a `kind: List`: the stage lands where the README says,
a second pass changes nothing, and validate and lint find no error in the result."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from supplychain.cli import cli

REAL = Path(__file__).parent / "fixtures" / "ootb" / "real"
DUMPS = sorted(REAL.glob("*.yaml"))
PLACEMENTS = ["delivery", "supply-chain"]
# The stages that ship the app's config: the canary stage goes just before the first of them.
CONSUMERS = ("carvel-package", "config-writer")
# The chains the overlay patches by default (data value supply_chains); any other chain is left alone.
TAP_CHAINS = {
    f"{base}{suffix}"
    for base in (
        "source-to-url",
        "basic-image-to-url",
        "source-test-to-url",
        "testing-image-to-url",
        "source-test-scan-to-url",
        "scanning-image-scan-to-url",
    )
    for suffix in ("", "-package")
}


def _run(*args: str, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), input=stdin)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout if result.exit_code in (0, 1) else result.stderr


def _objects(text: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for doc in yaml.safe_load_all(text):
        if isinstance(doc, dict):
            out.extend(doc["items"] if doc.get("kind") == "List" else [doc])
    return out


def _names(obj: dict[str, Any]) -> list[str]:
    return [r["name"] for r in obj["spec"]["resources"]]


def _by_name(obj: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in obj["spec"]["resources"]}


def _patch(path: Path, placement: str, *extra: str) -> str:
    code, out = _run("render", "--set", f"placement={placement}", *extra, "--chains", str(path))
    assert code == 0, out
    return out


def test_there_are_real_dumps_of_every_era() -> None:
    names = {p.name for p in DUMPS}
    assert len(DUMPS) >= 8
    assert any(n.startswith("tap-1.1-") for n in names) and any(n.startswith("tap-1.8-") for n in names)
    assert any(n.startswith("tap-1.6") for n in names)  # source-test-scan-to-url without source-scanner
    assert any("delivery-basic" in n for n in names) and any(n.endswith("-package-myminseok.yaml") for n in names)
    assert any("-custom-" in n for n in names)  # a chain of the user's own, which the overlay leaves alone


def test_real_dumps_are_as_tap_made_them() -> None:
    """A dump that carries kapp's record of what it applied has that spec: nobody edited the chain by hand."""
    checked = 0
    for dump in DUMPS:
        for obj in _objects(dump.read_text()):
            original = (obj["metadata"].get("annotations") or {}).get("kapp.k14s.io/original")
            if original is not None:
                assert json.loads(original)["spec"] == obj["spec"], dump.name
                checked += 1
    assert checked >= len(DUMPS) // 2  # most dumps carry the annotation; a test that checks none proves nothing


def _check_supply_chain(before: dict[str, Any], after: dict[str, Any], placement: str) -> None:
    name = before["metadata"]["name"]
    if name not in TAP_CHAINS:
        assert after["spec"] == before["spec"], name
        return
    # Chains that carry the Canary get canary-config; with placement delivery the others get canary-kapp-config
    # (the kapp rules alone, so what delivery-basic deploys keeps what Flagger writes).
    full = name.endswith("-package") or placement == "supply-chain"
    added = "canary-config" if full else "canary-kapp-config"
    names = _names(after)
    assert names.count(added) == 1, names
    assert "canary-kapp-config" not in names if full else "canary-config" not in names, names
    at = names.index(added)
    consumer = next(n for n in _names(before) if n in CONSUMERS)
    assert names[at + 1] == consumer
    # the stage before it is the last one that builds the config: api-descriptors, or app-config before TAP 1.3
    expected_producer = "api-descriptors" if "api-descriptors" in names else "app-config"
    assert names[at - 1] == expected_producer
    stages = _by_name(after)
    assert stages[added]["configs"] == [{"name": "config", "resource": expected_producer}]
    assert [c["resource"] for c in stages[consumer]["configs"]] == [added]
    # everything else is as it was
    assert [n for n in names if n != added] == _names(before)
    for stage in _names(before):
        if stage != consumer:
            assert stages[stage] == _by_name(before)[stage], stage


def _check_delivery(before: dict[str, Any], after: dict[str, Any], placement: str) -> None:
    if placement != "delivery":
        assert after["spec"] == before["spec"]
        return
    names = _names(after)
    deployer = [
        r["name"] for r in before["spec"]["resources"] if r["templateRef"]["kind"] == "ClusterDeploymentTemplate"
    ][-1]
    at = names.index(deployer)
    assert names[at + 1 : at + 4] == ["canary-success-rate-metric", "canary-latency-metric", "canary"]
    assert _by_name(after)["canary"]["sources"] == [{"name": "deployment", "resource": deployer}]


@pytest.mark.parametrize("placement", PLACEMENTS)
@pytest.mark.parametrize("dump", DUMPS, ids=lambda p: p.stem)
def test_overlay_on_a_real_dump(dump: Path, placement: str, tmp_path: Path) -> None:
    before = _objects(dump.read_text())
    patched_text = _patch(dump, placement, "--only", "chains")
    after = _objects(patched_text)
    assert [o["metadata"]["name"] for o in after] == [o["metadata"]["name"] for o in before]
    for b, a in zip(before, after, strict=True):
        # what kapp and the user put into metadata stays; what the API server wrote does not
        assert a["metadata"].get("annotations") == b["metadata"].get("annotations")
        assert a["metadata"].get("labels") == b["metadata"].get("labels")
        assert "status" not in a and "resourceVersion" not in a["metadata"]
        if b["kind"] == "ClusterSupplyChain":
            _check_supply_chain(b, a, placement)
        else:
            _check_delivery(b, a, placement)
    again = tmp_path / "patched.yaml"
    again.write_text(patched_text)
    assert _patch(again, placement, "--only", "chains") == patched_text


@pytest.mark.parametrize("placement", PLACEMENTS)
def test_all_real_dumps_as_one_list_are_patched_and_check_clean(placement: str, tmp_path: Path) -> None:
    """What `kubectl get clustersupplychains,clusterdelivery -o yaml` prints: the dumps of one TAP version and one
    repository owner (the file name's version and last word) in one List, as a cluster of that version would list
    them; most such groups are one cluster's chains, and no group holds two chains of the same name."""
    clusters: dict[str, list[Path]] = {}
    for path in DUMPS:
        clusters.setdefault(path.stem.split("-", 2)[1] + "-" + path.stem.rsplit("-", 1)[1], []).append(path)
    assert len(clusters) >= 5
    for cluster, paths in sorted(clusters.items()):
        objects = [o for p in paths for o in _objects(p.read_text())]
        names = [o["metadata"]["name"] for o in objects]
        assert len(names) == len(set(names)), (cluster, names)
        dump = tmp_path / f"{cluster}.yaml"
        dump.write_text(
            yaml.safe_dump({"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": objects})
        )
        bundle = _patch(dump, placement)
        patched = [o for o in _objects(bundle) if o.get("kind") in ("ClusterSupplyChain", "ClusterDelivery")]
        assert [o["metadata"]["name"] for o in patched] == [o["metadata"]["name"] for o in objects]
        for command in ("validate", "lint"):
            code, out = _run(command, "-o", "json", "-", stdin=bundle)
            report = json.loads(out)
            errors = [f for f in report["findings"] if f["severity"] == "error"]
            assert code == 0 and not errors, (cluster, command, errors)
