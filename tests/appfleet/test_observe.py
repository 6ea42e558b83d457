"""The rollout observer: tick detection, when metrics are sampled, query rendering and the recording."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

import pytest

from supplychain.analysis.recording import from_json
from supplychain.appfleet.observe import RolloutObserver, analysis_ran, metric_queries
from supplychain.appfleet.webhooks import WebhookCall

from .fleetsim import FakeClock

CANARY: dict[str, Any] = {
    "apiVersion": "flagger.app/v1beta1",
    "kind": "Canary",
    "metadata": {"name": "hello-app", "namespace": "prod"},
    "spec": {
        "targetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "hello-app"},
        "analysis": {
            "interval": "10s",
            "iterations": 2,
            "threshold": 2,
            "metrics": [
                {
                    "name": "success-rate",
                    "interval": "30s",
                    "templateRef": {"name": "hello-app-success-rate"},
                    "thresholdRange": {"min": 99},
                }
            ],
            "webhooks": [
                {
                    "name": "conformance",
                    "type": "pre-rollout",
                    "url": "http://127.0.0.1:1/",
                    "metadata": {"type": "bash", "cmd": "conformance"},
                }
            ],
        },
    },
}
TEMPLATE: dict[str, Any] = {
    "apiVersion": "flagger.app/v1beta1",
    "kind": "MetricTemplate",
    "metadata": {"name": "hello-app-success-rate", "namespace": "prod"},
    "spec": {
        "provider": {"type": "prometheus", "address": "http://127.0.0.1:9090"},
        "query": 'sum(up{namespace="{{ namespace }}",pod=~"{{ target }}-.*"}[{{ interval }}])',
    },
}


def test_queries_render_with_flaggers_renderer() -> None:
    queries = metric_queries(CANARY, [TEMPLATE])
    assert queries["success-rate"].rendered == 'sum(up{namespace="prod",pod=~"hello-app-.*"}[30s])'
    variables = {**TEMPLATE, "spec": {**TEMPLATE["spec"], "query": 'x{a="{{ variables.env }}"}'}}
    metric = {**CANARY["spec"]["analysis"]["metrics"][0], "templateVariables": {"env": "prod"}}
    canary = {**CANARY, "spec": {**CANARY["spec"], "analysis": {**CANARY["spec"]["analysis"], "metrics": [metric]}}}
    assert metric_queries(canary, [variables])["success-rate"].rendered == 'x{a="prod"}'
    unknown = {**TEMPLATE, "spec": {**TEMPLATE["spec"], "query": "{{ podname }}"}}
    failed = metric_queries(CANARY, [unknown])["success-rate"]
    assert failed.rendered is None and failed.error is not None and "podname" in failed.error
    missing = {**TEMPLATE, "spec": {**TEMPLATE["spec"], "query": "{{ variables.missing }}"}}
    failed = metric_queries(CANARY, [missing])["success-rate"]
    assert failed.rendered is None and failed.error is not None and "missing" in failed.error


def test_ingress_and_route_default_to_the_target_as_in_flagger() -> None:
    template = {**TEMPLATE, "spec": {**TEMPLATE["spec"], "query": "{{ ingress }}/{{ route }}/{{ service }}"}}
    assert metric_queries(CANARY, [template])["success-rate"].rendered == "hello-app/hello-app/hello-app"


@pytest.mark.parametrize(
    ("before", "after", "ran"),
    [
        (("Progressing", 0, 0, 0), ("Progressing", 0, 1, 0), False),  # pre-rollout hooks passed
        (("Progressing", 0, 0, 0), ("Progressing", 1, 0, 0), False),  # pre-rollout hooks failed
        (("Progressing", 0, 1, 0), ("Progressing", 0, 2, 0), True),
        (("Progressing", 0, 2, 0), ("Progressing", 1, 2, 0), True),
        (("Progressing", 0, 3, 0), ("Promoting", 0, 3, 0), True),
        (("Progressing", 2, 2, 0), ("Failed", 0, 0, 0), False),  # rollback tick runs no checks
        (("Initialized", 0, 0, 0), ("Progressing", 0, 0, 0), False),
        (("Promoting", 0, 3, 0), ("Finalising", 0, 3, 0), False),
    ],
)
def test_analysis_ran(before: tuple[str, int, int, int], after: tuple[str, int, int, int], ran: bool) -> None:
    assert analysis_ran(before, after) is ran


class _Prometheus(BaseHTTPRequestHandler):
    answers: ClassVar[dict[str, Any]] = {}

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        query = parse_qs(urlsplit(self.path).query)["query"][0]
        body = json.dumps(
            self.answers.get(query, {"status": "success", "data": {"resultType": "vector", "result": []}})
        )
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body.encode())


@pytest.fixture
def prometheus() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Prometheus)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _vector(*values: str) -> dict[str, Any]:
    return {
        "status": "success",
        "data": {
            "resultType": "vector",
            "result": [{"metric": {"i": str(i)}, "value": [0, v]} for i, v in enumerate(values)],
        },
    }


class FakeReader:
    """Canary status scripted step by step; the primary stays on version 1."""

    def __init__(self) -> None:
        self.status: dict[str, Any] = {"phase": "Initialized"}

    def canary(self, namespace: str, name: str) -> dict[str, Any]:
        return {**CANARY, "status": dict(self.status)}

    def metric_template(self, namespace: str, name: str) -> dict[str, Any]:
        assert name == "hello-app-success-rate"
        return TEMPLATE

    def deployment(self, namespace: str, name: str) -> dict[str, Any]:
        assert name == "hello-app-primary"
        return {
            "spec": {"template": {"metadata": {"labels": {"version": "1"}}}},
            "status": {"availableReplicas": 1, "conditions": [{"type": "Available", "status": "True"}]},
        }

    def pods(self, namespace: str, selector: str) -> list[dict[str, Any]]:
        assert selector == "app=hello-app-primary"
        return [
            {
                "metadata": {"labels": {"version": "1"}},
                "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]},
            }
        ]

    def deliverable(self, namespace: str, name: str) -> dict[str, Any]:
        ready = {"Succeeded": "True", "Failed": "False"}.get(self.status.get("phase", ""), "Unknown")
        return {"status": {"conditions": [{"type": "Ready", "status": ready}]}}


def test_observer_records_ticks_metrics_and_webhooks(prometheus: str) -> None:
    rendered = 'sum(up{namespace="prod",pod=~"hello-app-.*"}[30s])'
    _Prometheus.answers = {rendered: _vector("99.5")}
    reader, clock = FakeReader(), FakeClock(1000.0)
    observer = RolloutObserver(
        reader,  # type: ignore[arg-type]
        "prod",
        "hello-app",
        prometheus,
        deliverable="hello-app",
        clock=clock,
        started_at=1000.0,
    )
    observer._load_spec()
    script: list[dict[str, Any]] = [
        {"phase": "Progressing"},
        {"phase": "Progressing", "iterations": 1},
        {"phase": "Progressing", "iterations": 2},
        {"phase": "Promoting", "iterations": 2},
        {"phase": "Finalising", "iterations": 2},
        {"phase": "Succeeded"},
    ]
    observer.poll()
    for status in script:
        clock.now += 10
        reader.status = status
        observer.poll()
        observer.poll()  # no change: no new tick
    calls = [
        WebhookCall(1015.0, "hello-app", "prod", "Progressing", "conformance", "bash", "conformance", "2", "ok", 200),
        WebhookCall(999.0, "hello-app", "prod", "Progressing", "conformance", "bash", "conformance", "2", "ok", 200),
        WebhookCall(1016.0, "other", "prod", "Progressing", "conformance", "bash", "conformance", "2", "fail", 500),
    ]
    recording = observer.recording("good-version", calls)
    assert [t["phase"] for t in recording["ticks"]] == [
        "Initialized",
        "Progressing",
        "Progressing",
        "Progressing",
        "Promoting",
        "Finalising",
        "Succeeded",
    ]
    assert recording["ticks"][2] == {
        "t": 20.0,
        "phase": "Progressing",
        "failedChecks": 0,
        "iterations": 1,
        "canaryWeight": 0,
    }
    assert recording["metrics"] == {"success-rate": [[30.0, 99.5], [40.0, 99.5]]}
    assert recording["webhooks"] == {"conformance": [[15.0, True]]}, "other canaries and earlier calls are left out"
    assert recording["outcome"] == "Succeeded" and recording["promoted_at"] == 60.0
    assert recording["started_at"] == 1000.0
    assert recording["canary"]["spec"] == CANARY["spec"] and "status" not in recording["canary"]
    assert recording["metric_templates"] == [TEMPLATE]
    json.dumps(recording)
    assert from_json(recording, "good-version.json").outcome == "Succeeded", "the replay reader accepts it"
    assert {s.version for s in observer.observation.primary} == {"1"}
    assert all(s.ready and s.pod_versions == ("1",) for s in observer.observation.primary)
    assert observer.observation.deliverable == [(0.0, "Unknown"), (60.0, "True")]


def test_state_before_the_rollout_is_not_its_outcome(prometheus: str) -> None:
    """A rollout that starts from Succeeded (the previous promotion) and fails is Failed, never promoted."""
    reader, clock = FakeReader(), FakeClock(1000.0)
    reader.status = {"phase": "Succeeded"}
    observer = RolloutObserver(reader, "prod", "hello-app", prometheus, clock=clock, started_at=1000.0)  # type: ignore[arg-type]
    observer._load_spec()
    observer.poll()
    for status in (
        {"phase": "Progressing"},
        {"phase": "Progressing", "iterations": 1},
        {"phase": "Progressing", "iterations": 1, "failedChecks": 1},
        {"phase": "Failed"},
    ):
        clock.now += 10
        reader.status = status
        observer.poll()
    recording = observer.recording("bad-version", [])
    assert recording["ticks"][0]["phase"] == "Succeeded"
    assert recording["outcome"] == "Failed" and recording["promoted_at"] is None
    assert observer.observation.phases == ["Progressing", "Progressing", "Progressing", "Failed"]
    assert from_json(recording, "bad-version.json").outcome == "Failed"


def test_no_outcome_until_the_rollout_ends(prometheus: str) -> None:
    reader, clock = FakeReader(), FakeClock(1000.0)
    reader.status = {"phase": "Failed"}
    observer = RolloutObserver(reader, "prod", "hello-app", prometheus, clock=clock, started_at=1000.0)  # type: ignore[arg-type]
    observer._load_spec()
    observer.poll()
    assert observer.observation.outcome is None, "the previous rollout's Failed is not this one's"
    clock.now += 10
    reader.status = {"phase": "Progressing"}
    observer.poll()
    assert observer.observation.outcome is None


def test_observer_reads_values_as_flagger_does(prometheus: str) -> None:
    """+Inf is a value (recorded as Prometheus spells it), no values is a failed check, other errors are kept."""
    rendered = 'sum(up{namespace="prod",pod=~"hello-app-.*"}[30s])'
    reader, clock = FakeReader(), FakeClock(1000.0)
    observer = RolloutObserver(reader, "prod", "hello-app", prometheus, clock=clock, started_at=1000.0)  # type: ignore[arg-type]
    observer._load_spec()
    answers = [
        _vector("+Inf"),
        _vector("NaN"),
        {"status": "success", "data": {"resultType": "matrix", "result": [{"values": [[0, "1"]]}]}},
    ]
    for t, answer in enumerate(answers):
        _Prometheus.answers = {rendered: answer}
        observer._sample_metrics(float(t))
    assert observer.observation.metrics["success-rate"] == [(0.0, float("inf")), (1.0, None), (2.0, None)]
    assert observer.observation.query_errors == [(2.0, "success-rate", "query returned multiple values")]
    recording = observer.recording("inf", [])
    assert recording["metrics"]["success-rate"] == [[0.0, "+Inf"], [1.0, None], [2.0, None]]
    assert from_json(recording, "inf.json").metrics["success-rate"][0] == (0.0, float("inf"))
