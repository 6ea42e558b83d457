"""`validate` on TAP's own templates (real dumps in tests/fixtures/ootb-templates/real/): a template that reads what
its supply chain hands it (a blueprint param, `workload.spec.image`, the PodTemplateSpec config) is given sample data
of that shape and checked; when that is not enough it is reported as not checked, never as a false error. A template
that reads what Cartographer would not hand it either (an undeclared param, a field no owner has) is still an error."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from supplychain.cli import cli
from supplychain.validation.sample_repair import Missing, missing_data
from supplychain.validation.stamper import default_stamper
from supplychain.validation.subjects import expand
from supplychain.yamlio import load_documents

REAL = Path(__file__).parents[1] / "fixtures" / "ootb-templates" / "real"


def _validate(*paths: str, stdin: str | None = None) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(cli, ["validate", "-o", "json", *paths], input=stdin)
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def test_every_real_tap_template_is_stamped_and_clean() -> None:
    templates = sorted(REAL.glob("*.yaml"))
    assert len(templates) >= 10
    code, report = _validate(str(REAL))
    assert code == 0, report["findings"]
    assert not [f for f in report["findings"] if f["rule"] == "template-stamp"], report["findings"]
    # every template produced at least one checked object besides itself
    assert report["summary"]["objects_checked"] >= 2 * len(templates)


def _stamped(path: Path) -> list[Any]:
    stamper = default_stamper()
    assert stamper is not None, "supplychain.stamping must be importable"
    expansion = expand(load_documents([str(path)]), stamper)
    assert not expansion.findings, expansion.findings
    return [s for s in expansion.subjects if s.via]


def test_server_template_is_given_the_pod_template_it_reads() -> None:
    stamped = _stamped(REAL / "tap-1.8-server-template-myminseok.yaml")
    kinds = [s.kind for s in stamped]
    assert kinds == ["ConfigMap", "Deployment", "Service"], kinds
    deployment = stamped[1].body
    assert deployment["spec"]["selector"]["matchLabels"]["carto.run/workload-name"] == "sample-app"
    assert "given sample config.metadata" in stamped[0].via[0]


def test_supplied_params_are_named_where_the_output_is_reported() -> None:
    stamped = _stamped(REAL / "tap-1.7-kpack-template-myminseok.yaml")
    assert stamped[0].kind == "Image"
    assert "given sample params.registry.server, params.registry.repository" in stamped[0].via[0]
    assert stamped[0].body["spec"]["tag"].startswith("registry.example.com/sample/sample-app-")


def _template(ytt: str, params: str = "") -> str:
    body = "\n".join("    " + line for line in ytt.strip().splitlines())
    return (
        f"apiVersion: carto.run/v1alpha1\nkind: ClusterTemplate\nmetadata:\n  name: t\nspec:\n{params}"
        f"  ytt: |\n{body}\n"
    )


def test_a_template_that_fails_on_supplied_data_is_not_checked_not_an_error() -> None:
    ytt = """
#@ load("@ytt:data", "data")
apiVersion: v1
kind: ConfigMap
metadata:
  name: #@ data.values.workload.metadata.name
data:
  #@ for p in data.values.params.app.ports:
  #@yaml/text-templated-strings
  (@= str(p.port) @): http
  #@ end
"""
    code, report = _validate("-", stdin=_template(ytt, "  params:\n  - name: app\n    default: {}\n"))
    assert code == 0
    [finding] = [f for f in report["findings"] if f["rule"] == "template-stamp"]
    assert finding["severity"] == "warning"
    assert finding["message"].startswith("not checked: it reads params.app.ports")


@pytest.mark.parametrize(
    "ytt",
    [
        # an undeclared param: Cartographer hands a template only the params it declares
        '#@ load("@ytt:data", "data")\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: #@ data.values.params.registry.server\n',
        # a field no Workload has (a typo)
        '#@ load("@ytt:data", "data")\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: #@ data.values.workload.metdata.name\n',
    ],
)
def test_a_real_template_error_stays_an_error(ytt: str) -> None:
    code, report = _validate("-", stdin=_template(ytt))
    [finding] = [f for f in report["findings"] if f["rule"] == "template-stamp"]
    assert code == 1 and finding["severity"] == "error", finding
    assert finding["message"].startswith("cannot be stamped")


def test_what_a_failed_stamp_read() -> None:
    attr = (
        "unable to apply ytt template: ytt: Error: \n- struct has no .server field or method\n    in image\n"
        "      stdin.yml:44 | #@    data.values.params.registry.server,\n    in <toplevel>\n"
        "      stdin.yml:80 |   tag: #@ image()"
    )
    assert missing_data(attr) == Missing("params", ("registry", "server"))
    key = '- key "gitops_branch" not in struct\n    in <toplevel>\n      stdin.yml:7 |   a: #@ data.values.params["gitops_branch"]'
    assert missing_data(key) == Missing("params", ("gitops_branch",))
    deep = (
        "- struct has no .metadata field or method\n    in delivery\n"
        "      stdin.yml:57 |     matchLabels: #@ data.values.config.metadata.labels"
    )
    assert missing_data(deep) == Missing("config", ("metadata",))
    jsonpath = "evaluate tag $(workload.spec.image)$: jsonpath returned empty list: workload.spec.image (no such field)"
    assert missing_data(jsonpath) == Missing("workload", ("spec", "image"))
    assert missing_data("- fail: canary_iterations must be a positive integer") is None
