"""Shared fixtures for the canary-analysis tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from supplychain.analysis.model import CanarySpec, parse_canary
from supplychain.testing.references import go_build
from supplychain.yamlio import Document

HERE = Path(__file__).parent


@pytest.fixture(scope="session")
def goref(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Go's text/template with Flagger's options, built from tests/analysis/goref (skips without Go)."""
    out = tmp_path_factory.mktemp("goref") / "goref"
    return go_build(HERE / "goref", out, "the text/template reference")


def canary_doc(analysis: dict[str, Any], provider: str = "kubernetes", **spec: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "apiVersion": "flagger.app/v1beta1",
        "kind": "Canary",
        "metadata": {"name": "podinfo", "namespace": "test"},
        "spec": {
            "provider": provider,
            "targetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo"},
            "analysis": analysis,
            **spec,
        },
    }
    return body


def make_canary(analysis: dict[str, Any], provider: str = "kubernetes", **spec: Any) -> CanarySpec:
    return parse_canary(Document("canary.yaml", 0, canary_doc(analysis, provider, **spec)))


@pytest.fixture
def canary_factory() -> Callable[..., CanarySpec]:
    return make_canary


def write_yaml(path: Path, *docs: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump_all(list(docs), sort_keys=False), encoding="utf-8")
    return path


class FakePrometheus:
    """A Prometheus HTTP API on 127.0.0.1 answering from a table: query text -> (status, JSON body)."""

    def __init__(self) -> None:
        import http.server
        import json
        import threading
        import urllib.parse

        self.answers: dict[str, tuple[int, Any]] = {}
        self.requests: list[dict[str, str]] = []
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parsed = urllib.parse.urlsplit(self.path)
                params = {k: v[0] for k, v in urllib.parse.parse_qs(parsed.query).items()}
                params["path"] = parsed.path
                owner.requests.append(params)
                status, body = owner.answers.get(
                    params.get("query", ""),
                    (200, {"status": "success", "data": {"resultType": "vector", "result": []}}),
                )
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def vector(self, query: str, *values: str) -> None:
        self.answers[query] = (
            200,
            {
                "status": "success",
                "data": {
                    "resultType": "vector",
                    "result": [{"metric": {"pod": f"p{i}"}, "value": [1700000000.0, v]} for i, v in enumerate(values)],
                },
            },
        )

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_prometheus() -> Any:
    server = FakePrometheus()
    yield server
    server.close()
