"""Hostile data values for `render`: the templates' own param rules run at render time (each template stamped for
a sample owner), so a value they would refuse fails the render naming the data value, before anything is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from .runner import cli


@pytest.mark.parametrize(
    ("assignment", "param"),
    [
        ("defaults.prometheus_address=notaurl", "canary_prometheus_address"),
        ('defaults.loadtester_url="http://x/\\n---\\nkind: Secret"', "canary_loadtester_url"),
        ('defaults.loadtester_url="http://x/#@ load(\\"y\\")"', "canary_loadtester_url"),
        ('defaults.target_name=")$ $(workload.metadata.name)$"', "canary_target_name"),
        ("defaults.target_name=Bad_Name", "canary_target_name"),
    ],
    ids=["prometheus-not-a-url", "loadtester-newline", "loadtester-ytt", "target-dollar-syntax", "target-bad-name"],
)
def test_values_the_templates_refuse_fail_the_render(assignment: str, param: str, tmp_path: Path) -> None:
    target = tmp_path / "bundle.yaml"
    out = cli("render", "--set", assignment, "-o", str(target))
    assert out.returncode == 2, out.stdout + out.stderr
    key = param.removeprefix("canary_")
    assert f"param {param} (data value defaults.{key})" in out.stderr
    assert not target.exists(), "nothing half-written"


def test_plain_values_still_render(tmp_path: Path) -> None:
    out = cli("render", "--set", "defaults.target_name=hello-app-00001-deployment", "-o", str(tmp_path / "b.yaml"))
    assert out.returncode == 0, out.stderr


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        ("defaults.interval=--5s", "defaults.interval"),
        ("defaults.iterations=[1", "--set defaults.iterations: malformed YAML"),
        ("=5", "--set takes KEY=VALUE"),
    ],
)
def test_malformed_values_are_usage_errors(assignment: str, message: str) -> None:
    out = cli("render", "--set", assignment)
    assert out.returncode == 2 and message in out.stderr
