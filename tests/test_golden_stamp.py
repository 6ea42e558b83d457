"""Golden cases for what each product template stamps: one folder per case under tests/golden/stamp/.

case.yaml keys: template (name in the rendered bundle), params (blueprint params), configs/sources
(inputs), error (expected message fragment instead of expected.yaml). owner.yaml is the Workload or
Deliverable; expected.yaml the exact stamped object.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from supplychain.errors import SupplychainError
from supplychain.rendering import RenderOptions, render_product
from supplychain.stamping import stamp_template
from supplychain.testing.golden import golden_diff
from supplychain.yamlio import dump_documents

CASES = Path(__file__).parent / "golden" / "stamp"


@cache
def _templates() -> dict[str, dict[str, Any]]:
    return {
        d.name: d.body for d in render_product(RenderOptions()) if d.name and d.kind and d.kind.startswith("Cluster")
    }


def _stamp(case: Path) -> dict[str, Any]:
    spec = yaml.safe_load((case / "case.yaml").read_text())
    owner = yaml.safe_load((case / "owner.yaml").read_text())
    return stamp_template(
        _templates()[spec["template"]],
        owner,
        params=spec.get("params"),
        configs=spec.get("configs"),
        sources=spec.get("sources"),
    )


@pytest.mark.parametrize("case", sorted(p for p in CASES.iterdir() if p.is_dir()), ids=lambda p: p.name)
def test_stamp_case(case: Path) -> None:
    spec = yaml.safe_load((case / "case.yaml").read_text())
    if "error" in spec:
        with pytest.raises(SupplychainError) as raised:
            _stamp(case)
        assert spec["error"] in str(raised.value)
        return
    diff = golden_diff(dump_documents([_stamp(case)]), case / "expected.yaml")
    assert diff is None, diff


def test_hostile_params_stay_plain_strings() -> None:
    """Template syntax in params reaches the Canary verbatim and adds no fields or documents."""
    case = CASES / "canary-hostile-params"
    owner = yaml.safe_load((case / "owner.yaml").read_text())
    hostile = {p["name"]: p["value"] for p in owner["spec"]["params"]}
    stamped = _stamp(case)
    plain = _stamp(CASES / "canary-server-defaults")
    hooks = {h["name"]: h for h in stamped["spec"]["analysis"]["webhooks"]}
    assert hooks["conformance"]["metadata"]["cmd"] == hostile["canary_conformance_cmd"]
    assert hooks["load-test"]["metadata"]["cmd"] == hostile["canary_load_cmd"]

    def shape(obj: Any) -> Any:
        if isinstance(obj, dict):
            return {k: shape(v) for k, v in obj.items()}
        if isinstance(obj, list):
            return [shape(v) for v in obj]
        return type(obj).__name__

    assert shape(stamped) == shape(plain)
    assert stamped["kind"] == "Canary" and stamped["metadata"]["namespace"] == "prod"


def test_config_stage_keeps_previous_files_and_adds_canary() -> None:
    stamped = _stamp(CASES / "config-server")
    assert sorted(stamped["data"]) == ["canary.yml", "delivery.yml", "kapp-config-canary.yml"]
    kapp = yaml.safe_load(stamped["data"]["kapp-config-canary.yml"])
    assert (kapp["apiVersion"], kapp["kind"]) == ("kapp.k14s.io/v1alpha1", "Config")
    kept = {tuple(r["path"]) for r in kapp["rebaseRules"] if "path" in r}
    assert ("spec", "replicas") in kept, "Flagger's replica count survives a kapp sync"
    knative = next(r for r in kapp["rebaseRules"] if "paths" in r)
    assert ["spec", "traffic"] in knative["paths"] and knative["sources"][0] == "existing"
    assert kapp["waitRules"][0]["resourceMatchers"] == [
        {"apiVersionKindMatcher": {"apiVersion": "apps/v1", "kind": "Deployment"}}
    ]
    docs = [d for d in yaml.safe_load_all(stamped["data"]["canary.yml"]) if d]
    assert [(d["kind"], d["metadata"]["name"]) for d in docs] == [
        ("MetricTemplate", "hello-app-success-rate"),
        ("MetricTemplate", "hello-app-latency"),
        ("Canary", "hello-app"),
    ]
    refs = [m["templateRef"]["name"] for m in docs[2]["spec"]["analysis"]["metrics"]]
    assert refs == ["hello-app-success-rate", "hello-app-latency"]


@pytest.mark.parametrize("metric", ["success-rate", "latency"])
@pytest.mark.parametrize("workload_type", ["web", "server"])
def test_the_plain_metric_templates_stamp_what_canary_metric_does(metric: str, workload_type: str) -> None:
    """The delivery's metric stages (plain templates, picked by workload type) stamp the same MetricTemplate as
    canary-metric's ytt with flavour auto."""
    owner = {
        "apiVersion": "carto.run/v1alpha1",
        "kind": "Deliverable",
        "metadata": {
            "name": "hello-app",
            "namespace": "prod",
            "labels": {"apps.tanzu.vmware.com/workload-type": workload_type},
        },
        "spec": {},
    }
    with_ytt = stamp_template(_templates()["canary-metric"], owner, params={"canary_metric": metric})
    plain = _templates()[f"canary-metric-{metric}" + ("-knative" if workload_type == "web" else "")]
    assert "ytt" not in plain["spec"]
    stamped = stamp_template(plain, owner)
    assert stamped["metadata"]["labels"].pop("carto.run/cluster-template-name") == plain["metadata"]["name"]
    assert with_ytt["metadata"]["labels"].pop("carto.run/cluster-template-name") == "canary-metric"
    assert stamped == with_ytt
