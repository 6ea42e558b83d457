"""`supplychain queries`: rendering, promtool, Prometheus runs, the product's templates, and bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from supplychain.cli import cli

from .conftest import FakePrometheus, canary_doc, write_yaml

SUCCESS = (
    'sum(rate(http_requests_total{namespace="{{ namespace }}",pod=~"{{ target }}-[0-9a-z]+-[0-9a-z]+",'
    'status!~"5.."}[{{ interval }}])) / sum(rate(http_requests_total{namespace="{{ namespace }}",'
    'pod=~"{{ target }}-[0-9a-z]+-[0-9a-z]+"}[{{ interval }}])) * 100'
)
LATENCY = (
    'histogram_quantile(0.99, sum(rate(http_request_duration_seconds_bucket{namespace="{{ namespace }}"}'
    "[{{ interval }}])) by (le)) * 1000"
)


def template(name: str, query: str, **provider: Any) -> dict[str, Any]:
    return {
        "apiVersion": "flagger.app/v1beta1",
        "kind": "MetricTemplate",
        "metadata": {"name": name, "namespace": "test"},
        "spec": {"provider": {"type": "prometheus", "address": "http://prometheus:9090", **provider}, "query": query},
    }


def canary() -> dict[str, Any]:
    return canary_doc(
        {
            "interval": "30s",
            "threshold": 5,
            "iterations": 10,
            "metrics": [
                {
                    "name": "success-rate",
                    "templateRef": {"name": "podinfo-success-rate"},
                    "thresholdRange": {"min": 99},
                    "interval": "1m",
                },
                {
                    "name": "latency",
                    "templateRef": {"name": "podinfo-latency"},
                    "thresholdRange": {"max": 500},
                    "interval": "1m",
                },
            ],
        }
    )


def run(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(cli, ["queries", *args], input=stdin, catch_exceptions=False)


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    return write_yaml(
        tmp_path / "bundle.yaml",
        template("podinfo-success-rate", SUCCESS),
        template("podinfo-latency", LATENCY),
        canary(),
    )


def test_prints_rendered_queries_checked_by_promtool(bundle: Path) -> None:
    result = run(str(bundle))
    assert result.exit_code == 0, result.output
    assert 'pod=~"podinfo-[0-9a-z]+-[0-9a-z]+",status!~"5.."}[1m]' in result.stdout
    assert 'http_request_duration_seconds_bucket{namespace="test"}[1m]' in result.stdout
    assert result.stdout.count("✓ PromQL parses (promtool)") == 2
    assert "MetricTemplate test/podinfo-latency" in result.stdout


def test_json_output(bundle: Path) -> None:
    result = run(str(bundle), "--output", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["ok"] is True
    (entry,) = data["canaries"]
    assert entry["canary"] == "test/podinfo"
    metrics = {m["metric"]: m for m in entry["metrics"]}
    assert metrics["latency"]["template"] == "test/podinfo-latency"
    assert metrics["latency"]["promtool"] == {"ok": True, "message": None}
    assert metrics["success-rate"]["sent"] == metrics["success-rate"]["query"]


def test_reads_standard_input(bundle: Path) -> None:
    result = run("-", stdin=bundle.read_text())
    assert result.exit_code == 0, result.output
    assert result.stdout.count("✓") == 2


def test_broken_query_exits_1_naming_the_template_and_promtools_message(tmp_path: Path) -> None:
    path = write_yaml(
        tmp_path / "b.yaml",
        template("podinfo-success-rate", SUCCESS),
        template("podinfo-latency", "histogram_quantile(0.99, sum(rate(x[{{ interval }}])) by (le)"),
        canary(),
    )
    result = run(str(path))
    assert result.exit_code == 1
    assert (
        "error: test/podinfo: metric 'latency' (MetricTemplate test/podinfo-latency): promtool: "
        "could not parse expression: 1:" in result.stderr
    )
    assert "unclosed left parenthesis" in result.stderr
    assert "Traceback" not in result.output


def test_template_error_exits_1_with_flaggers_message(tmp_path: Path) -> None:
    path = write_yaml(
        tmp_path / "b.yaml",
        template("podinfo-success-rate", SUCCESS),
        template("podinfo-latency", 'x{a="{{ variables.tier }}"}'),
        canary(),
    )
    result = run(str(path))
    assert result.exit_code == 1
    assert (
        'MetricTemplate test/podinfo-latency): template excution failed: template: tmpl:1:8: executing "tmpl" '
        'at <variables>: map has no entry for key "tier"'
    ) in result.stderr


def test_non_prometheus_providers_are_not_checked(tmp_path: Path) -> None:
    path = write_yaml(
        tmp_path / "b.yaml",
        template("podinfo-success-rate", SUCCESS),
        {
            **template("podinfo-latency", "avg:trace.http.request{service:{{ target }}}"),
            "spec": {
                "provider": {"type": "datadog", "address": "https://api.datadoghq.com"},
                "query": "avg:trace.http.request{service:{{ target }}}",
            },
        },
        canary(),
    )
    result = run(str(path))
    assert result.exit_code == 0, result.output
    assert "avg:trace.http.request{service:podinfo}" in result.stdout
    assert "provider datadog: not PromQL" in result.stdout


def _rendered(bundle: Path) -> dict[str, str]:
    data = json.loads(run(str(bundle), "-o", "json").stdout)
    return {m["metric"]: m["sent"] for m in data["canaries"][0]["metrics"]}


def test_prometheus_run_counts_empty_and_nan_as_failed_checks(bundle: Path, fake_prometheus: FakePrometheus) -> None:
    sent = _rendered(bundle)
    fake_prometheus.vector(sent["success-rate"], "95", "99.5")  # the last series wins
    result = run(str(bundle), "--prometheus", fake_prometheus.url, "-o", "json")
    data = json.loads(result.stdout)
    metrics = {m["metric"]: m for m in data["canaries"][0]["metrics"]}
    assert metrics["success-rate"]["prometheus"] == {"value": 99.5, "noValues": False, "error": None, "passed": True}
    assert metrics["latency"]["prometheus"]["noValues"] is True
    assert metrics["latency"]["prometheus"]["passed"] is False
    assert result.exit_code == 1
    assert fake_prometheus.requests[0]["path"] == "/api/v1/query"

    fake_prometheus.vector(sent["latency"], "120", "NaN")
    result = run(str(bundle), "--prometheus", fake_prometheus.url)
    assert "no values found: Flagger counts a failed check" in result.stdout
    fake_prometheus.vector(sent["latency"], "NaN", "120")
    result = run(str(bundle), "--prometheus", fake_prometheus.url)
    assert result.exit_code == 0, result.output
    assert "Prometheus: 120 passes" in result.stdout


def test_prometheus_errors_are_reported(bundle: Path, fake_prometheus: FakePrometheus) -> None:
    sent = _rendered(bundle)
    fake_prometheus.vector(sent["success-rate"], "100")
    fake_prometheus.answers[sent["latency"]] = (
        200,
        {"status": "success", "data": {"resultType": "matrix", "result": [{"metric": {}, "values": [[1, "1"]]}]}},
    )
    result = run(str(bundle), "--prometheus", fake_prometheus.url)
    assert "query returned multiple values" in result.stdout and result.exit_code == 1
    fake_prometheus.answers[sent["latency"]] = (422, {"status": "error", "error": "bad query"})
    result = run(str(bundle), "--prometheus", fake_prometheus.url)
    assert "error response: Status 422" in result.stdout and result.exit_code == 1
    fake_prometheus.vector(sent["latency"], "700")
    result = run(str(bundle), "--prometheus", fake_prometheus.url)
    assert "Prometheus: 700 fails its threshold" in result.stdout and result.exit_code == 1


# -- the product's templates ----------------------------------------------------------------------------------


def _product_bundle(tmp_path: Path, workload_type: str = "server") -> Path:
    from supplychain.rendering import RenderOptions, render_product
    from supplychain.stamping import stamp_template

    templates = {d.name: d.body for d in render_product(RenderOptions()) if d.kind and d.kind.startswith("Cluster")}
    owner = {
        "apiVersion": "carto.run/v1alpha1",
        "kind": "Deliverable",
        "metadata": {
            "name": "hello-app",
            "namespace": "prod",
            "labels": {"apps.tanzu.vmware.com/workload-type": workload_type},
        },
        "spec": {"params": [{"name": "canary_target_name", "value": "hello-app-00001-deployment"}]},
    }
    canary_template = "canary-knative" if workload_type == "web" else "canary"
    docs = [
        stamp_template(templates["canary-metric"], owner, params={"canary_metric": "success-rate"}),
        stamp_template(templates["canary-metric"], owner, params={"canary_metric": "latency"}),
        stamp_template(templates[canary_template], owner),
    ]
    return write_yaml(tmp_path / "stamped.yaml", *docs)


@pytest.mark.parametrize(
    "workload_type,pods", [("server", "hello-app-00001-deployment-"), ("web", "hello-app-00002-deployment-")]
)
def test_product_templates_stamped_for_a_sample_app_give_valid_promql(
    tmp_path: Path, workload_type: str, pods: str
) -> None:
    path = _product_bundle(tmp_path, workload_type)
    result = run(str(path), "-o", "json", "--set", "route=hello-app-00002")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    metrics = {m["metric"]: m for m in data["canaries"][0]["metrics"]}
    assert set(metrics) == {"success-rate", "latency"}
    for name, metric in metrics.items():
        assert metric["template"] == f"prod/hello-app-{name}"
        assert metric["promtool"] == {"ok": True, "message": None}
        assert metric["renderError"] is None
        assert 'kubernetes_namespace="prod"' in metric["query"]
        assert pods in metric["query"]
        assert "{{" not in metric["query"]


def test_product_template_broken_by_hand_is_caught(tmp_path: Path) -> None:
    path = _product_bundle(tmp_path)
    docs = list(yaml.safe_load_all(path.read_text()))
    docs[1]["spec"]["query"] = docs[1]["spec"]["query"].replace("by (le)", "by (le")
    write_yaml(path, *docs)
    result = run(str(path))
    assert result.exit_code == 1
    assert "MetricTemplate prod/hello-app-latency" in result.stderr and "promtool: could not parse" in result.stderr


# -- bad input ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content,expected",
    [
        ("kind: Canary\n  bad: [", "malformed YAML at line"),
        (
            yaml.safe_dump(canary_doc({"interval": "30s", "threshold": "5", "iterations": 10})),
            "document 0 (Canary/podinfo): spec.analysis.threshold: must be an integer, got the string '5'",
        ),
        (
            yaml.safe_dump(
                canary_doc(
                    {
                        "interval": "30s",
                        "threshold": 5,
                        "iterations": 10,
                        "metrics": [{"name": "x", "thresholdRange": {"min": "99"}}],
                    }
                )
            ),
            "spec.analysis.metrics[0].thresholdRange.min: must be a number, got the string '99'",
        ),
        (
            yaml.safe_dump(
                canary_doc(
                    {
                        "interval": "30s",
                        "threshold": 5,
                        "iterations": 10,
                        "metrics": [{"name": "x", "templateRef": {"name": "missing"}}],
                    }
                )
            ),
            "spec.analysis.metrics[0].templateRef.name: metric 'x' references MetricTemplate test/missing",
        ),
        (
            yaml.safe_dump(canary_doc({"interval": "30s", "threshold": 5, "iterations": 10, "metrics": "x"})),
            "spec.analysis.metrics: must be a list, got the string 'x'",
        ),
        (
            yaml.safe_dump(
                canary_doc(
                    {
                        "interval": "30s",
                        "threshold": 5,
                        "iterations": 10,
                        "webhooks": [{"name": "w", "type": "pre-rolout", "url": "http://x/"}],
                    }
                )
            ),
            "spec.analysis.webhooks[0].type: unknown webhook type 'pre-rolout'",
        ),
        (
            yaml.safe_dump({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}),
            "no flagger.app Canary in the input",
        ),
        (
            yaml.safe_dump({**template("t", "x"), "spec": {"query": 3}}) + "---\n" + yaml.safe_dump(canary()),
            "document 0 (MetricTemplate/t): spec.query: must be a string, got the number 3",
        ),
    ],
)
def test_bad_input_exits_2_naming_the_place(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "in.yaml"
    path.write_text(content)
    result = run(str(path))
    assert result.exit_code == 2, result.output
    assert expected in result.stderr, result.stderr
    assert str(path) in result.stderr
    assert "Traceback" not in result.output


def test_bad_set_option_and_missing_file(bundle: Path, tmp_path: Path) -> None:
    result = run(str(bundle), "--set", "pod=x")
    assert result.exit_code == 2 and "--set: pod=x: expected KEY=VALUE" in result.stderr
    result = run(str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2 and "nope.yaml: cannot read" in result.stderr


def test_set_overrides_the_model(bundle: Path) -> None:
    result = run(str(bundle), "--set", "namespace=staging", "-o", "json")
    data = json.loads(result.stdout)
    assert all('namespace="staging"' in m["query"] for m in data["canaries"][0]["metrics"])


def test_configmap_holding_the_config_stage_output(tmp_path: Path) -> None:
    payload = "---\n".join(
        yaml.safe_dump(d)
        for d in (template("podinfo-success-rate", SUCCESS), template("podinfo-latency", LATENCY), canary())
    )
    config_map = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "hello-app-config"},
        "data": {"canary.yml": payload, "other.yml": "kind: Service\n"},
    }
    path = write_yaml(tmp_path / "cm.yaml", config_map)
    result = run(str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout.count("✓ PromQL parses") == 2


def test_error_inside_a_configmap_payload_names_the_key(tmp_path: Path) -> None:
    config_map = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "cfg"},
        "data": {"canary.yml": yaml.safe_dump(canary_doc({"interval": "30s", "threshold": True}))},
    }
    result = run(str(write_yaml(tmp_path / "cm.yaml", config_map)))
    assert result.exit_code == 2
    assert (
        "cm.yaml: document 0 (ConfigMap/cfg): data.canary.yml: document 0 (Canary/podinfo): "
        "spec.analysis.threshold: must be an integer, got a boolean" in result.stderr
    )
