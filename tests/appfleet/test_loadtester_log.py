"""Webhook calls read back from flagger-loadtester's log (kind provider)."""

from __future__ import annotations

import json

import pytest

from supplychain.appfleet import Behaviour
from supplychain.appfleet.loadtester import parse_calls, parse_timestamp, stamped_commands
from supplychain.testing.harness import BAD, GOOD, version_prefix

CURL = "curl -sSf --max-time 5 http://hello-app-canary.prod:8080/"
HEY = "hey -z 1m -q 10 -c 2 http://hello-app-canary.prod:8080/"
COMMANDS = {CURL: "bash", HEY: "cmd"}


def _line(stamp: str, msg: str, canary: str) -> str:
    return f"{stamp} " + json.dumps(
        {"level": "info", "ts": "x", "caller": "loadtester/server.go:1", "msg": msg, "canary": canary}
    )


def test_timestamps_with_nanoseconds() -> None:
    assert parse_timestamp("1970-01-01T00:00:10.123456789Z") == pytest.approx(10.123456)
    assert parse_timestamp("1970-01-01T00:01:00Z") == 60.0
    assert parse_timestamp("garbage") is None


def test_blocking_calls_pair_request_and_result_and_tasks_are_accepted() -> None:
    log = "\n".join(
        [
            _line("1970-01-01T00:00:10.5Z", f"bash command {CURL}", "hello-app"),
            _line("1970-01-01T00:00:10.7Z", "hello output", "hello-app.prod"),
            _line("1970-01-01T00:00:10.8Z", f"command finished {CURL}", "hello-app.prod"),
            _line("1970-01-01T00:00:20.0Z", f"bash command {CURL}", "hello-app"),
            _line("1970-01-01T00:00:20.1Z", f"command failed {CURL} exit status 22 curl: (22) 500", "hello-app.prod"),
            _line("1970-01-01T00:00:30.0Z", f"bash command {CURL}", "hello-app"),
            _line(
                "1970-01-01T00:00:35.0Z", f"command failed {CURL} exit status 28 curl: (28) timed out", "hello-app.prod"
            ),
            _line("1970-01-01T00:00:40.0Z", f"task starting {HEY}", "hello-app.prod"),
            _line("1970-01-01T00:00:50.0Z", f"command skipped {HEY} is already running", "hello-app.prod"),
            "not json at all",
            _line("1970-01-01T00:00:55.0Z", "task starting hey -z 1m http://other-canary.prod:8080/", "other.prod"),
        ]
    )
    calls = parse_calls(log, COMMANDS, "prod")
    assert [(c.time, c.keyword, c.run_type, c.action, c.status, c.ok) for c in calls] == [
        (10.5, "curl", "bash", "ok", 200, True),
        (20.0, "curl", "bash", "fail", 500, False),
        (30.0, "curl", "bash", "hang", None, False),
        (40.0, "hey", "cmd", "ok", 202, True),
        (50.0, "hey", "cmd", "ok", 202, True),
    ]
    assert {(c.canary, c.namespace) for c in calls} == {("hello-app", "prod")}


def test_stamped_commands_come_from_the_canary() -> None:
    canary = {
        "spec": {
            "analysis": {
                "webhooks": [
                    {"name": "conformance", "metadata": {"type": "bash", "cmd": CURL}},
                    {"name": "load-test", "metadata": {"type": "cmd", "cmd": HEY}},
                    {"name": "gate", "type": "confirm-rollout"},
                ]
            }
        }
    }
    assert stamped_commands(canary) == COMMANDS


@pytest.mark.parametrize(
    ("behaviour", "unschedulable", "prefix"),
    [
        (GOOD, False, "good"),
        (BAD, False, "bad"),
        (Behaviour(100.0, 900.0), False, "slow"),
        (GOOD, True, "never-ready"),
        (Behaviour(100.0, 40.0, {"conformance": "fail"}), False, "conformance-fails"),
        (Behaviour(100.0, 40.0, {"conformance": "hang"}), False, "webhook-timeout"),
    ],
)
def test_version_names_pick_the_real_apps_behaviour(behaviour: Behaviour, unschedulable: bool, prefix: str) -> None:
    assert version_prefix(behaviour, unschedulable) == prefix
