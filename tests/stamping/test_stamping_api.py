"""`stamp_template` (the contract other parts of the product call), batching, `supplychain test` output
and `supplychain graph`."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from supplychain.errors import SupplychainError
from supplychain.stamping import stamp_template
from supplychain.stamping.stamper import Inputs, StampJob, build_context, decode_owner, stamp_all
from supplychain.stamping.templates import decode_template

from .helpers import SUPPLYCHAIN

HERE = Path(__file__).resolve().parent

OWNER = {
    "apiVersion": "carto.run/v1alpha1",
    "kind": "Workload",
    "metadata": {"name": "app", "namespace": "dev", "labels": {"tier": "web"}},
    "spec": {"params": [{"name": "replicas", "value": 4}]},
}


def _template(spec: dict[str, Any], kind: str = "ClusterTemplate") -> dict[str, Any]:
    return {"apiVersion": "carto.run/v1alpha1", "kind": kind, "metadata": {"name": "t"}, "spec": spec}


def test_stamp_template_with_inputs_and_params() -> None:
    template = _template(
        {
            "params": [{"name": "replicas", "default": 1}, {"name": "port", "default": 80}],
            "template": {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "$(workload.metadata.name)$"},
                "data": {
                    "replicas": "$(params.replicas)$",
                    "port": "$(params.port)$",
                    "url": "$(sources.src.url)$",
                    "image": "$(image)$",
                    "config": "$(config)$",
                    "deployment": "$(deployment.revision)$",
                },
            },
        }
    )
    obj = stamp_template(
        template,
        OWNER,
        params={"port": 8080},
        sources={"src": {"url": "u", "revision": "r"}},
        images={"img": "reg/x@sha256:1"},
        configs={"c": {"k": "v"}},
        deployment={"url": "d", "revision": "dr"},
        blueprint_name="chain",
        resource_name="res",
    )
    assert obj["data"] == {
        "replicas": 4,
        "port": 8080,
        "url": "u",
        "image": "reg/x@sha256:1",
        "config": {"k": "v"},
        "deployment": "dr",
    }
    assert type(obj["data"]["port"]) is int  # printed as the API server stores it
    assert obj["metadata"]["namespace"] == "dev"
    assert obj["metadata"]["labels"] == {
        "carto.run/workload-name": "app",
        "carto.run/workload-namespace": "dev",
        "carto.run/supply-chain-name": "chain",
        "carto.run/resource-name": "res",
        "carto.run/template-kind": "ClusterTemplate",
        "carto.run/cluster-template-name": "t",
        "carto.run/template-lifecycle": "mutable",
    }
    assert obj["metadata"]["ownerReferences"] == [
        {
            "apiVersion": "carto.run/v1alpha1",
            "kind": "Workload",
            "name": "app",
            "uid": "",
            "controller": True,
            "blockOwnerDeletion": True,
        }
    ]


def test_stamp_template_for_a_deliverable_with_ytt() -> None:
    owner = {
        "apiVersion": "carto.run/v1alpha1",
        "kind": "Deliverable",
        "metadata": {"name": "d", "namespace": "prod"},
        "spec": {},
    }
    template = _template(
        {
            "ytt": '#@ load("@ytt:data", "data")\napiVersion: v1\nkind: ConfigMap\nmetadata:\n'
            "  name: #@ data.values.deliverable.metadata.name\ndata:\n"
            '  keys: #@ ",".join(sorted(dir(data.values)))\n'
        }
    )
    obj = stamp_template(template, owner)
    assert obj["metadata"]["name"] == "d"
    assert obj["data"]["keys"] == "configs,deliverable,deployment,images,labels,params,sources,workload"
    assert obj["metadata"]["labels"]["carto.run/delivery-name"] == "sample"


@pytest.mark.parametrize(
    "template,fragment",
    [
        (
            _template({"template": {"kind": "ConfigMap", "data": {"x": "$(workload.nope)$"}}}),
            "ClusterTemplate/t: spec.template: failed to interpolate template at path [data.x]",
        ),
        (_template({"ytt": "#@ fail('no')\n"}), "ClusterTemplate/t: spec.ytt: unable to apply ytt template"),
        (_template({}), "ClusterTemplate/t: invalid template: must specify one of template or ytt, found neither"),
        ({"kind": "ClusterRunTemplate", "metadata": {"name": "r"}}, "ClusterRunTemplate/r: unknown template kind"),
    ],
)
def test_stamp_template_errors_have_a_location(template: dict[str, Any], fragment: str) -> None:
    with pytest.raises(SupplychainError) as raised:
        stamp_template(template, OWNER)
    assert fragment in str(raised.value)
    assert raised.value.location is not None


def test_a_failing_ytt_template_does_not_spoil_its_batch() -> None:
    owner = decode_owner(OWNER)
    good = decode_template(
        _template(
            {"ytt": '#@ load("@ytt:data", "data")\nkind: ConfigMap\nmetadata:\n  name: #@ data.values.params.n\n'}
        )
    )
    bad = decode_template(
        _template(
            {"ytt": '#@ load("@ytt:data", "data")\nkind: ConfigMap\nmetadata:\n  name: #@ data.values.params.missing\n'}
        )
    )
    jobs = []
    for i in range(40):
        template = bad if i == 17 else good
        params = {"n": __import__("supplychain.stamping.gotypes", fromlist=["RawJSON"]).RawJSON(f"n{i}", True)}
        jobs.append(StampJob(template, owner, build_context(owner, params, Inputs(), {}), {}))
    stamp_all(jobs)
    assert [j.result["metadata"]["name"] for i, j in enumerate(jobs) if i != 17 and j.result] == [
        f"n{i}" for i in range(40) if i != 17
    ]
    assert jobs[17].result is None and "struct has no .missing field" in (jobs[17].error or "")
    assert "stdin.yml" in (jobs[17].error or "")  # reported as Cartographer's own ytt call reports it


def test_chain_cases_pass() -> None:
    proc = subprocess.run([SUPPLYCHAIN, "test", str(HERE / "chains")], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout
    assert proc.stdout.count("PASS: ") == 8


def test_a_failing_case_prints_a_diff(tmp_path: Path) -> None:
    shutil.copytree(HERE / "chains" / "delivery", tmp_path / "delivery")
    shutil.copytree(HERE / "cartotest" / "simple" / "strings", tmp_path / "strings")
    expected = tmp_path / "delivery" / "expected.yaml"
    expected.write_text(expected.read_text().replace("curlimages/curl", "busybox"))
    expected = tmp_path / "strings" / "expected.yaml"
    expected.write_text(expected.read_text().replace("plain: hello", "plain: goodbye"))
    proc = subprocess.run([SUPPLYCHAIN, "test", str(tmp_path)], capture_output=True, text=True, check=False)
    assert proc.returncode == 1
    assert f"FAIL: {tmp_path / 'delivery'}" in proc.stdout and f"FAIL: {tmp_path / 'strings'}" in proc.stdout
    lines = [line.strip() for line in proc.stdout.splitlines()]
    assert any(line.startswith("-") and line.endswith("image: busybox") for line in lines), proc.stdout
    assert any(line.startswith("+") and line.endswith("image: curlimages/curl") for line in lines)
    assert "-  plain: goodbye" in lines and "+  plain: hello" in lines


@pytest.mark.parametrize("suffix", ["svg", "png"])
def test_graph_draws_the_chain_with_the_canary_stage_highlighted(tmp_path: Path, suffix: str) -> None:
    blueprint = tmp_path / "delivery.yaml"
    data = yaml.safe_load((HERE / "chains" / "delivery" / "blueprint.yaml").read_text())
    data["spec"]["resources"].append(
        {
            "name": "canary",
            "templateRef": {"kind": "ClusterTemplate", "name": "canary"},
            "sources": [{"name": "deployment", "resource": "deployer"}],
        }
    )
    blueprint.write_text(yaml.safe_dump(data))
    out = tmp_path / f"chain.{suffix}"
    proc = subprocess.run(
        [
            SUPPLYCHAIN,
            "graph",
            "--blueprint",
            str(blueprint),
            "--templates",
            str(HERE / "chains" / "delivery" / "templates"),
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    data_bytes = out.read_bytes()
    if suffix == "png":
        assert data_bytes.startswith(b"\x89PNG")
        return
    svg = data_bytes.decode()
    assert "#fed7aa" in svg.lower()  # the canary stage's fill
    assert "#dc2626" in svg.lower()  # canary's template is not among --templates: drawn dashed red
    for name in ("source-provider", "deployer", "smoke", "canary", "source: deployed", "deployment: deployment"):
        assert name in svg
