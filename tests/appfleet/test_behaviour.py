"""The behaviour table: parsing, precedence of webhook answers, and errors that name the bad field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from supplychain.appfleet.behaviour import DEFAULT_BEHAVIOUR, Behaviour, BehaviourTable, parse_behaviour
from supplychain.appfleet.webhooks import WebhookPayload, decide, status_for
from supplychain.errors import InputError


def test_unknown_version_is_healthy() -> None:
    table = BehaviourTable()
    assert table.get("prod", "hello-app", "9.9.9") == DEFAULT_BEHAVIOUR
    assert DEFAULT_BEHAVIOUR.success_rate == 100.0


def test_versions_are_kept_per_app() -> None:
    table = BehaviourTable()
    table.set("prod", "hello-app", "2.0.0", Behaviour(80.0, 900.0))
    assert table.get("prod", "hello-app", "2.0.0").success_rate == 80.0
    assert table.get("prod", "other", "2.0.0") == DEFAULT_BEHAVIOUR
    assert table.get("staging", "hello-app", "2.0.0") == DEFAULT_BEHAVIOUR


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"success_rate": 101}, "success_rate: must be a number from 0 to 100"),
        ({"success_rate": True}, "success_rate: must be a number"),
        ({"latency_ms": 0}, "latency_ms: must be a positive number"),
        ({"latency_ms": "fast"}, "latency_ms: must be a positive number"),
        (
            {"webhooks": {"conformance": "explode"}},
            "webhooks.conformance: webhook action must be one of ok, fail, hang",
        ),
        ({"webhooks": ["conformance"]}, "webhooks: must be an object"),
        ({"success": 99}, "unknown field 'success'"),
        ([], "a behaviour must be an object"),
    ],
)
def test_bad_behaviour_names_the_field(body: object, message: str) -> None:
    with pytest.raises(InputError) as err:
        parse_behaviour(body, "v2")
    assert message in str(err.value)
    assert str(err.value).startswith("v2")


def test_load_file_merges_apps_and_overrides(tmp_path: Path) -> None:
    path = tmp_path / "behaviour.json"
    path.write_text(
        json.dumps(
            {
                "apps": {"prod/hello-app": {"2.0.0": {"success_rate": 50, "webhooks": {"conformance": "fail"}}}},
                "webhook_overrides": {"load-test": "hang"},
            }
        )
    )
    table = BehaviourTable()
    table.load_file(path)
    assert table.get("prod", "hello-app", "2.0.0") == Behaviour(50.0, 50.0, {"conformance": "fail"})
    assert table.webhook_override("load-test") == "hang"
    assert table.to_json()["apps"]["prod/hello-app"]["2.0.0"]["success_rate"] == 50.0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "line 1: invalid JSON"),
        ('{"apps": {"hello-app": {}}}', "apps key 'hello-app' must be <namespace>/<app>"),
        ('{"apps": {"prod/a": {"1": {"latency_ms": -1}}}}', "apps.prod/a.1.latency_ms"),
        ('{"webhook_overrides": {"conformance": "maybe"}}', "webhook_overrides.conformance"),
        ('{"behaviours": {}}', "unknown field 'behaviours'"),
    ],
)
def test_bad_file_names_file_and_field(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "behaviour.json"
    path.write_text(content)
    table = BehaviourTable()
    with pytest.raises(InputError) as err:
        table.load_file(path)
    assert str(path) in str(err.value)
    assert message in str(err.value)
    assert table.to_json() == {"apps": {}, "webhook_overrides": {}}, "nothing half-loaded"


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read behaviour file"):
        BehaviourTable().load_file(tmp_path / "absent.json")


def _payload(cmd: str, run_type: str = "bash") -> WebhookPayload:
    return WebhookPayload.parse(
        {"name": "hello-app", "namespace": "prod", "phase": "Progressing", "metadata": {"type": run_type, "cmd": cmd}}
    )


def test_webhook_precedence() -> None:
    failing = Behaviour(webhooks={"conformance": "fail"})
    assert decide(_payload("conformance"), None, DEFAULT_BEHAVIOUR) == "ok"
    assert decide(_payload("conformance"), None, failing) == "fail"
    assert decide(_payload("conformance"), "hang", failing) == "hang", "an override beats the version"
    assert decide(_payload("fail"), None, DEFAULT_BEHAVIOUR) == "fail", "an action keyword answers itself"
    assert decide(_payload("load-test --rate 10"), None, Behaviour(webhooks={"load-test": "hang"})) == "hang"
    assert decide(_payload("curl -sSf http://x"), None, DEFAULT_BEHAVIOUR) == "ok", "shell is never run"


def test_status_codes() -> None:
    assert status_for("ok") == 200
    assert status_for("fail") == 500
    assert status_for("hang") is None


@pytest.mark.parametrize("body", [[], {"name": "x"}, {"name": "x", "namespace": "y", "metadata": "z"}])
def test_bad_payload(body: object) -> None:
    with pytest.raises(InputError):
        WebhookPayload.parse(body)
