"""Production controls end to end offline: the platform's MetricTemplates and custom metrics through
`queries` and `replay`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

from supplychain.cli import cli
from supplychain.rendering import RenderOptions, render_product
from supplychain.stamping import stamp_template

STAMP = Path(__file__).parent / "golden" / "stamp"
PLATFORM_METRIC = """\
metric_templates:
- name: error-budget
  namespace: platform-metrics
  query: sum(rate(http_requests_total{namespace="{{ namespace }}",status=~"5.."}[{{ interval }}])) * 100
"""
QUEUE_METRIC = {
    "apiVersion": "flagger.app/v1beta1", "kind": "MetricTemplate",
    "metadata": {"name": "queue-depth", "namespace": "prod"},
    "spec": {"provider": {"type": "prometheus", "address": "http://prometheus.monitoring:9090"},
             "query": 'max(queue_depth{namespace="{{ namespace }}",queue="{{ variables.queue }}"})'},
}


def _bundle(values: Path | None = None) -> list[dict[str, Any]]:
    return [d.body for d in render_product(RenderOptions(values_files=[str(values)] if values else []))]


def _owner(case: str) -> dict[str, Any]:
    return dict(yaml.safe_load((STAMP / case / "owner.yaml").read_text()))


def _plain(obj: dict[str, Any], namespace: str = "prod") -> dict[str, Any]:
    obj["metadata"].pop("ownerReferences", None)
    obj["metadata"]["namespace"] = namespace
    return obj


def test_platform_metric_templates_render_beside_ours(tmp_path: Path) -> None:
    values = tmp_path / "values.yaml"
    values.write_text(PLATFORM_METRIC)
    found = [d for d in _bundle(values) if d["kind"] == "MetricTemplate"]
    assert [(d["metadata"]["namespace"], d["metadata"]["name"]) for d in found] == [("platform-metrics", "error-budget")]
    assert found[0]["spec"]["provider"] == {"type": "prometheus", "address": "http://prometheus.monitoring:9090"}
    assert not [d for d in _bundle() if d["kind"] == "MetricTemplate"]


def _custom_metric_files(tmp_path: Path) -> list[str]:
    values = tmp_path / "values.yaml"
    values.write_text(PLATFORM_METRIC)
    bundle = _bundle(values)
    templates = {d["metadata"]["name"]: d for d in bundle if d["kind"].startswith("Cluster")}
    owner = _owner("canary-custom-metrics")
    docs = [_plain(stamp_template(templates["canary"], owner))]
    for metric in ("success-rate", "latency"):
        docs.append(_plain(stamp_template(templates["canary-metric"], owner, params={"canary_metric": metric})))
    docs += [d for d in bundle if d["kind"] == "MetricTemplate"] + [QUEUE_METRIC]
    path = tmp_path / "canary.yaml"
    path.write_text(yaml.safe_dump_all(docs))
    return [str(path)]


def test_queries_render_custom_metrics(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["queries", *_custom_metric_files(tmp_path), "--no-promtool", "-o", "json"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    rendered = {m["metric"]: m["query"] for m in json.loads(result.output)["canaries"][0]["metrics"]}
    assert rendered["error-budget"] == 'sum(rate(http_requests_total{namespace="prod",status=~"5.."}[2m])) * 100'
    assert rendered["queue-depth"] == 'max(queue_depth{namespace="prod",queue="orders"})'


def test_replay_checks_custom_metrics(tmp_path: Path) -> None:
    series = tmp_path / "series.json"
    ok = [[0, 100], [900, 100]]
    series.write_text(json.dumps({"metrics": {"success-rate": ok, "latency": ok, "queue-depth": [[0, 5], [900, 5]],
                                              "error-budget": [[0, 0.5], [200, 3], [900, 3]]}}))
    result = CliRunner().invoke(cli, ["replay", *_custom_metric_files(tmp_path), "--series", str(series),
                                      "-o", "json"], catch_exceptions=False)
    out = json.loads(result.output)
    assert out["verdict"]["outcome"] == "Failed", out["verdict"]
    failed = [row for row in out["timeline"] if "metric 'error-budget'" in row["event"]]
    assert failed and failed[0]["t"] >= 200 and failed[0]["failedChecks"] == 1
