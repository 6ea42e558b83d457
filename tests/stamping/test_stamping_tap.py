"""The canary stage in TAP-shaped chains: `supplychain stamp` on the product templates and overlay.

The supply chain is TAP's source-to-url-package (tests/fixtures/ootb) patched by our overlay; the stages
TAP ships are stood in for by tests/stamping/tap/ootb-supply-chain-templates.yaml, and controller outputs
come from tests/stamping/tap/outputs.yaml. The delivery is TAP's delivery-basic, patched the same way.
Golden files hold the full stamp output (SUPPLYCHAIN_UPDATE_GOLDEN=1 rewrites them after a template change).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from supplychain.testing.golden import golden_diff

from .helpers import TAP, render_tap_chains, stamp_tap_delivery, stamp_tap_supply_chain, yaml_docs


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render_tap_chains(tmp_path_factory.mktemp("rendered"))


def test_supply_chain_canary_stage(rendered: Path) -> None:
    text = stamp_tap_supply_chain(rendered, str(TAP / "workload.yaml"))
    diff = golden_diff(text, TAP / "source-to-url-package.expected.yaml")
    assert diff is None, diff
    docs = yaml_docs(text)
    by_resource = {d["metadata"]["labels"]["carto.run/resource-name"]: d for d in docs}
    assert list(by_resource) == [
        "source-provider",
        "image-provider",
        "config-provider",
        "app-config",
        "service-bindings",
        "api-descriptors",
        "canary-config",
        "carvel-package",
        "config-writer",
    ]
    canary_stage = by_resource["canary-config"]
    # earlier stages fed in: app-config's files (built from the convention output and the image digest)
    assert canary_stage["data"]["delivery.yml"] == by_resource["app-config"]["data"]["delivery.yml"]
    assert "hello-app-dev@sha256:4f9a0e" in canary_stage["data"]["delivery.yml"]
    stamped = yaml_docs(canary_stage["data"]["canary.yml"])
    assert [(d["kind"], d["metadata"]["name"]) for d in stamped] == [
        ("MetricTemplate", "hello-app-success-rate"),
        ("MetricTemplate", "hello-app-latency"),
        ("Canary", "hello-app"),
    ]
    canary = stamped[2]
    assert canary["spec"]["targetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "hello-app"}
    assert canary["spec"]["analysis"]["iterations"] == 4  # the workload's param overrides the default
    # and the canary stage's output feeds the next stage
    assert "canary.yml" in by_resource["carvel-package"]["spec"]["params"][1]["value"]
    labels = canary_stage["metadata"]["labels"]
    assert labels["carto.run/cluster-template-name"] == ""  # chosen through options, as Cartographer labels it


def test_delivery_canary_stage(rendered: Path, tmp_path: Path) -> None:
    outputs = tmp_path / "outputs.yaml"
    outputs.write_text(
        "source-provider:\n  source:\n    url: http://source-controller/prod/hello-app-delivery.tar.gz\n"
        "    revision: main@sha1:8d3a1c\n"
    )
    text = stamp_tap_delivery(rendered, "examples/demo/deliverable.yaml", outputs)
    diff = golden_diff(text, TAP / "delivery-basic.expected.yaml")
    assert diff is None, diff
    docs = yaml_docs(text)
    assert [(d["kind"], d["metadata"]["name"]) for d in docs] == [
        ("GitRepository", "hello-app-delivery"),
        ("App", "hello-app"),
        ("MetricTemplate", "hello-app-success-rate"),
        ("MetricTemplate", "hello-app-latency"),
        ("Canary", "hello-app"),
    ]
    app = docs[1]
    assert app["spec"]["fetch"][0]["http"]["url"] == "http://source-controller/prod/hello-app-delivery.tar.gz"
    canary = docs[4]
    assert canary["metadata"]["namespace"] == "prod"
    assert canary["spec"]["targetRef"]["name"] == "hello-app"  # a server workload: the Deployment named after it
    assert [m["templateRef"]["name"] for m in canary["spec"]["analysis"]["metrics"]] == [
        "hello-app-success-rate",
        "hello-app-latency",
    ]


def test_supply_chain_stages_match_cartotest(
    rendered: Path, tmp_path: Path, cartotest: Path, cartotest_env: dict[str, str]
) -> None:
    """Every stage of the patched supply chain, stamped by cartotest in its real-supply-chain mode with the
    outputs we computed for earlier stages, equals what `supplychain stamp` printed for it."""
    from supplychain.stamping.chain import realize
    from supplychain.stamping.gojson import for_display
    from supplychain.stamping.loading import load_go_documents
    from supplychain.stamping.render import dump_object

    from .helpers import run_cartotest

    chain = rendered / "source-to-url-package.yaml"
    templates = load_go_documents([str(rendered / "templates.yaml"), str(TAP / "ootb-supply-chain-templates.yaml")])
    owner = load_go_documents([str(TAP / "workload.yaml")])[0]
    outputs_doc = load_go_documents([str(TAP / "outputs.yaml")])[0]
    result = realize(load_go_documents([str(chain)]), templates, owner, outputs_doc)
    previous: dict[str, Any] = {}
    cases = 0
    for item in result.stamped:
        if item.obj is not None:
            case = tmp_path / "suite" / item.resource.name
            case.mkdir(parents=True)
            template = next(d for d in templates if d.kind == item.template_kind and d.name == item.template_name)
            (case / "template.yaml").write_text(yaml.safe_dump(template.body, sort_keys=False))
            (case / "workload.yaml").write_text((TAP / "workload.yaml").read_text())
            (case / "supply-chain.yaml").write_text(chain.read_text())
            info: dict[str, Any] = {
                "given": {"supplyChain": {"targetResourceName": item.resource.name, "previousOutputs": dict(previous)}}
            }
            if "template" in template.body["spec"]:
                info["compareOptions"] = {"namedCMPOptionFuncs": ["ConvertNumbersToFloatsDuringComparison"]}
            (case / "info.yaml").write_text(yaml.safe_dump(info, sort_keys=False))
            (case / "expected.yaml").write_text(dump_object(item.obj))
            cases += 1
        out = item.output
        if out is not None and out.source is not None:
            previous[item.resource.name] = {
                "source": for_display({"url": out.source.url, "revision": out.source.revision})
            }
        elif out is not None and out.has_image:
            previous[item.resource.name] = {"image": for_display(out.image)}
        elif out is not None and out.has_config:
            previous[item.resource.name] = {"config": for_display(out.config)}
    theirs = run_cartotest(cartotest, tmp_path / "suite", cartotest_env)
    assert len(theirs.verdicts) == cases == 9, theirs.output
    assert set(theirs.verdicts.values()) == {"PASS"}, theirs.output
