"""Rendering each metric's query with Flagger's model, builtins and defaults."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
from pathlib import Path

import pytest

from supplychain.analysis.durations import parse_go_duration
from supplychain.analysis.model import MetricTemplateSpec
from supplychain.analysis.render import BUILTIN_QUERIES, canary_queries, collapse_whitespace, metric_model
from supplychain.errors import InputError, Location
from supplychain.testing.references import missing

from .conftest import make_canary


def _template(name: str, query: str, namespace: str = "test") -> MetricTemplateSpec:
    return MetricTemplateSpec(
        name,
        namespace,
        "prometheus",
        "http://prometheus:9090",
        {},
        False,
        query,
        Location("templates.yaml", 0, "MetricTemplate", name),
    )


ANALYSIS = {"interval": "30s", "threshold": 5, "iterations": 10}


def test_model_defaults_follow_flagger() -> None:
    canary = make_canary(ANALYSIS)
    model = metric_model(canary, "1m", None)
    assert model == {
        "name": "podinfo",
        "namespace": "test",
        "target": "podinfo",
        "service": "podinfo",
        "ingress": "podinfo",
        "route": "podinfo",
        "interval": "1m",
        "variables": None,
    }
    named = make_canary(
        ANALYSIS, service={"name": "svc", "port": 80}, ingressRef={"name": "ing"}, routeRef={"name": "rt"}
    )
    model = metric_model(named, "2m", {"k": "v"}, {"route": "rev-2"})
    assert (model["service"], model["ingress"], model["route"], model["variables"]) == (
        "svc",
        "ing",
        "rev-2",
        {"k": "v"},
    )


def test_template_metric_renders_with_its_interval_and_variables() -> None:
    canary = make_canary(
        {
            **ANALYSIS,
            "metrics": [
                {
                    "name": "errors",
                    "interval": "2m",
                    "templateRef": {"name": "err"},
                    "templateVariables": {"code": "5.."},
                }
            ],
        }
    )
    templates = {("test", "err"): _template("err", 'rate(x{code=~"{{ variables.code }}"}[{{ interval }}])')}
    (query,) = canary_queries(canary, templates)
    assert query.rendered == 'rate(x{code=~"5.."}[2m])'
    assert query.error is None and query.source == "template"


def test_template_metric_without_interval_renders_empty_interval_like_flagger() -> None:
    canary = make_canary({**ANALYSIS, "metrics": [{"name": "errors", "templateRef": {"name": "err"}}]})
    templates = {("test", "err"): _template("err", "rate(x[{{ interval }}])")}
    (query,) = canary_queries(canary, templates)
    assert query.rendered == "rate(x[])"
    assert any("empty string" in note for note in query.notes)


def test_inline_and_builtin_metrics_default_to_one_minute_and_come_first() -> None:
    canary = make_canary(
        {
            **ANALYSIS,
            "metrics": [
                {"name": "errors", "templateRef": {"name": "err"}},
                {"name": "custom", "query": "sum(y[{{ interval }}])"},
                {"name": "request-success-rate", "thresholdRange": {"min": 99}},
            ],
        }
    )
    templates = {("test", "err"): _template("err", "x")}
    queries = canary_queries(canary, templates)
    assert [q.metric.name for q in queries] == ["custom", "request-success-rate", "errors"]
    assert queries[0].rendered == "sum(y[1m])"
    assert 'kubernetes_namespace="test"' in (queries[1].rendered or "")
    assert "[1m]" in (queries[1].rendered or "")


def test_missing_variable_is_a_render_error() -> None:
    canary = make_canary({**ANALYSIS, "metrics": [{"name": "errors", "templateRef": {"name": "err"}}]})
    (query,) = canary_queries(canary, {("test", "err"): _template("err", "{{ variables.code }}")})
    assert query.rendered is None
    assert query.error == (
        'template excution failed: template: tmpl:1:3: executing "tmpl" at <variables>: map has no entry for key "code"'
    )


def test_unknown_template_reference_names_the_field() -> None:
    canary = make_canary({**ANALYSIS, "metrics": [{"name": "errors", "templateRef": {"name": "nope"}}]})
    with pytest.raises(InputError) as raised:
        canary_queries(canary, {("test", "err"): _template("err", "x")})
    text = str(raised.value)
    assert "canary.yaml: document 0 (Canary/podinfo): spec.analysis.metrics[0].templateRef.name" in text
    assert "test/nope" in text and "test/err" in text


def test_template_namespace_defaults_to_the_canary_namespace() -> None:
    canary = make_canary({**ANALYSIS, "metrics": [{"name": "e", "templateRef": {"name": "err", "namespace": "ops"}}]})
    (query,) = canary_queries(canary, {("ops", "err"): _template("err", "{{ namespace }}", "ops")})
    assert query.rendered == "test"


def test_metric_without_query_or_template_fails_like_flagger() -> None:
    canary = make_canary({**ANALYSIS, "metrics": [{"name": "lonely"}]})
    (query,) = canary_queries(canary, {})
    assert query.error == "Metric query failed for no usable metrics template and query were configured"


def test_knative_builtins_use_route_and_ask_for_the_revision() -> None:
    canary = make_canary(
        {
            "interval": "1m",
            "threshold": 5,
            "stepWeight": 10,
            "maxWeight": 50,
            "metrics": [{"name": "request-duration", "thresholdRange": {"max": 500}}],
        },
        provider="knative",
    )
    (query,) = canary_queries(canary, {}, {"route": "podinfo-00002"})
    assert 'envoy_cluster_name=~"test/podinfo-00002"' in (query.rendered or "")
    (plain,) = canary_queries(canary, {})
    assert any("--set route" in n or "pass --route" in n or "route" in n for n in plain.notes)


def test_builtins_for_other_providers_are_not_guessed() -> None:
    canary = make_canary({**ANALYSIS, "metrics": [{"name": "request-success-rate"}]}, provider="istio")
    (query,) = canary_queries(canary, {})
    assert query.rendered is None and query.error is None and "istio" in query.notes[0]


def test_go_durations() -> None:
    assert parse_go_duration("30s") == 30
    assert parse_go_duration("1m30s") == 90
    assert parse_go_duration("1.5h") == 5400
    assert parse_go_duration("500ms") == 0.5
    assert parse_go_duration("30") is None
    assert parse_go_duration("") is None
    assert parse_go_duration("abc") is None


def _flagger_module() -> Path | None:
    roots = [os.environ.get("GOMODCACHE"), str(Path.home() / "go" / "pkg" / "mod")]
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        roots.insert(
            0, subprocess.run(["go", "env", "GOMODCACHE"], capture_output=True, text=True, timeout=30).stdout.strip()
        )
    for root in roots:
        if root and (Path(root) / "github.com/fluxcd/flagger@v1.44.0").is_dir():
            return Path(root) / "github.com/fluxcd/flagger@v1.44.0"
    return None


@pytest.mark.parametrize("observer,source", [("http", "http.go"), ("knative", "knative.go")])
def test_builtin_queries_equal_flaggers_after_whitespace_collapse(observer: str, source: str) -> None:
    module = _flagger_module()
    if module is None:
        missing("Flagger v1.44.0 is not in the Go module cache (make tools downloads it)")
    text = (module / "pkg/metrics/observers" / source).read_text()
    found = dict(re.findall(r'"(request-[a-z-]+)":\s*`([^`]*)`', text))
    assert set(found) == {"request-success-rate", "request-duration"}
    for name, query in found.items():
        assert collapse_whitespace(query) == BUILTIN_QUERIES[observer][name], name
