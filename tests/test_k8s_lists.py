"""List documents, as `kubectl get clustersupplychains -o yaml` prints them: `render --chains` patches every
chain in the list and writes the list back; `lint` and `validate` check each item, naming it `items[j]`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from supplychain.cli import cli

FIXTURES = Path(__file__).parent / "fixtures" / "ootb"
CHAINS = ["source-to-url", "source-to-url-package", "delivery-basic"]


def _fixture(name: str) -> dict[str, Any]:
    body = yaml.safe_load((FIXTURES / f"{name}.yaml").read_text())
    assert isinstance(body, dict)
    return body


def _list(items: list[dict[str, Any]], kind: str = "List", api_version: str = "v1") -> dict[str, Any]:
    return {"apiVersion": api_version, "kind": kind, "metadata": {"resourceVersion": ""}, "items": items}


def _run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=stdin)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def _render_chains(path: Path) -> list[Any]:
    code, out, err = _run("render", "--only", "chains", "--chains", str(path))
    assert code == 0, err
    return [d for d in yaml.safe_load_all(out) if d is not None]


def _stage_names(chain: dict[str, Any]) -> list[str]:
    return [r["name"] for r in chain["spec"]["resources"]]


@pytest.mark.parametrize(("kind", "api_version"), [("List", "v1"), ("ClusterSupplyChainList", "carto.run/v1alpha1")])
def test_render_patches_every_chain_of_a_list(tmp_path: Path, kind: str, api_version: str) -> None:
    dump = tmp_path / "chains.yaml"
    dump.write_text(yaml.safe_dump(_list([_fixture(c) for c in CHAINS], kind, api_version)))
    docs = _render_chains(dump)
    assert len(docs) == 1 and docs[0]["kind"] == kind and docs[0]["apiVersion"] == api_version
    items = docs[0]["items"]
    assert [i["metadata"]["name"] for i in items] == CHAINS
    # each chain was patched exactly as it is on its own
    for name, item in zip(CHAINS, items, strict=True):
        alone = _render_chains(FIXTURES / f"{name}.yaml")
        assert item == alone[0], name
    assert "canary-config" in _stage_names(items[1])
    assert "canary" in _stage_names(items[2])


def test_a_list_next_to_plain_documents_keeps_the_order(tmp_path: Path) -> None:
    dump = tmp_path / "chains.yaml"
    dump.write_text(
        yaml.safe_dump_all(
            [_fixture("source-to-url"), _list([_fixture("delivery-basic")]), _fixture("source-to-url-package")]
        )
    )
    docs = _render_chains(dump)
    assert [d["kind"] for d in docs] == ["ClusterSupplyChain", "List", "ClusterSupplyChain"]
    assert "canary" in _stage_names(docs[1]["items"][0])
    assert "canary-config" in _stage_names(docs[2])


def test_render_drops_what_the_api_server_wrote_and_is_idempotent(tmp_path: Path) -> None:
    chain = _fixture("source-to-url-package")
    chain["metadata"].update(
        {
            "uid": "1",
            "resourceVersion": "42",
            "generation": 3,
            "creationTimestamp": "2024-01-01T00:00:00Z",
            "managedFields": [{"manager": "kapp", "operation": "Update"}],
            "annotations": {"kapp.k14s.io/identity": "v1;/carto.run/ClusterSupplyChain/x;carto.run/v1alpha1"},
        }
    )
    chain["status"] = {"conditions": [{"type": "Ready", "status": "True"}], "observedGeneration": 3}
    dump = tmp_path / "chains.yaml"
    dump.write_text(yaml.safe_dump(_list([chain])))
    patched = _render_chains(dump)
    item = patched[0]["items"][0]
    assert "status" not in item
    assert set(item["metadata"]) == {"name", "annotations"}
    again = tmp_path / "again.yaml"
    again.write_text(yaml.safe_dump_all(patched))
    assert _render_chains(again) == patched


def test_an_empty_list_renders_as_an_empty_list(tmp_path: Path) -> None:
    dump = tmp_path / "chains.yaml"
    dump.write_text(yaml.safe_dump(_list([])))
    assert _render_chains(dump) == [_list([])]


@pytest.mark.parametrize("items", ["not-a-list", [["nested"]]])
def test_a_malformed_list_names_its_items(tmp_path: Path, items: Any) -> None:
    dump = tmp_path / "chains.yaml"
    dump.write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": items}))
    for command in (
        ["render", "--only", "chains", "--chains", str(dump)],
        ["lint", str(dump)],
        ["validate", str(dump)],
    ):
        code, _, err = _run(*command)
        assert code == 2, command
        assert str(dump) in err and "document 0" in err and "items" in err, err


def _bad_canary() -> dict[str, Any]:
    return {
        "apiVersion": "flagger.app/v1beta1",
        "kind": "Canary",
        "metadata": {"name": "app", "namespace": "prod"},
        "spec": {
            "targetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "app"},
            "service": {"port": 8080},
            "analysis": {"interval": "5s", "threshold": 2, "iterations": 3},
        },
    }


def _findings(command: str, text: str) -> tuple[int, list[dict[str, Any]]]:
    code, out, err = _run(command, "-o", "json", "-", stdin=text)
    assert code in (0, 1), err
    return code, json.loads(out)["findings"]


def test_lint_looks_inside_a_list() -> None:
    text = yaml.safe_dump(_list([_fixture("delivery-basic"), _bad_canary()]))
    code, findings = _findings("lint", text)
    interval = [f for f in findings if f["rule"] == "canary-interval-min"]
    assert code == 1 and interval, findings
    assert interval[0]["document"] == {"index": 0, "kind": "Canary", "name": "app"}
    assert interval[0]["path"] == "items[1].spec.analysis.interval"


def test_validate_looks_inside_a_list() -> None:
    canary = _bad_canary()
    canary["spec"]["analysis"]["interval"] = "30s"
    canary["spec"]["analysis"]["iteratons"] = 3
    text = yaml.safe_dump(_list([_fixture("delivery-basic"), canary]))
    code, findings = _findings("validate", text)
    unknown = [f for f in findings if f["rule"] == "schema"]
    assert code == 1 and unknown, findings
    assert unknown[0]["path"] == "items[1].spec.analysis.iteratons"
    assert unknown[0]["document"]["kind"] == "Canary"


def test_checks_of_a_patched_list_are_clean(tmp_path: Path) -> None:
    dump = tmp_path / "chains.yaml"
    dump.write_text(yaml.safe_dump(_list([_fixture(c) for c in CHAINS])))
    code, bundle, err = _run("render", "--chains", str(dump))
    assert code == 0, err
    for command in ("validate", "lint"):
        code, findings = _findings(command, bundle)
        assert code == 0 and not [f for f in findings if f["severity"] == "error"], (command, findings)


def test_stamp_reads_blueprints_and_templates_from_lists(tmp_path: Path) -> None:
    code, templates, err = _run("render", "--only", "templates")
    assert code == 0, err
    code, delivery, err = _run("render", "--only", "chains", "--chains", str(FIXTURES / "delivery-basic.yaml"))
    assert code == 0, err
    plain_templates, plain_delivery = tmp_path / "templates.yaml", tmp_path / "delivery.yaml"
    plain_templates.write_text(templates)
    plain_delivery.write_text(delivery)
    listed_templates, listed_delivery = tmp_path / "templates-list.yaml", tmp_path / "delivery-list.yaml"
    # keys in their order: a plain template's object is stamped in the order it is written
    listed_templates.write_text(yaml.safe_dump(_list([d for d in yaml.safe_load_all(templates) if d]), sort_keys=False))
    listed_delivery.write_text(yaml.safe_dump(_list([d for d in yaml.safe_load_all(delivery) if d]), sort_keys=False))
    examples = Path(__file__).parents[1] / "examples" / "demo"
    tap = str(FIXTURES.parent / "ootb-templates" / "delivery.yaml")
    outputs = []
    for blueprint, ours in ((plain_delivery, plain_templates), (listed_delivery, listed_templates)):
        code, out, err = _run(
            "stamp",
            "--blueprint",
            str(blueprint),
            "--templates",
            str(ours),
            "--templates",
            tap,
            "--owner",
            str(examples / "deliverable.yaml"),
            "--outputs",
            str(examples / "outputs.yaml"),
        )
        assert code == 0, err
        outputs.append(out)
    assert outputs[0] == outputs[1]
    assert "kind: Canary" in outputs[1]
