"""The fleet's HTTP server on loopback: metrics, webhooks with their recorded calls, the control API."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from supplychain.appfleet import AppFleet, AppSpec, Behaviour, BehaviourTable, PodInfo, StaticPods
from supplychain.appfleet.counters import BUCKETS, bucket_shares
from supplychain.errors import InputError
from supplychain.testing.references import on_ci

from .fleetsim import FakeClock, parse_exposition

PRIMARY = PodInfo("prod", "hello-app-primary-7d9f8c6b5d-x2kq9", "hello-app-primary", "primary", "1.0.0")
CANARY = PodInfo("prod", "hello-app-5f7b9c8d6-abcde", "hello-app", "canary", "2.0.0")


@pytest.fixture
def pods() -> StaticPods:
    source = StaticPods()
    source.pods = [PRIMARY, CANARY]
    source.versions[("prod", "hello-app")] = "2.0.0"
    return source


@pytest.fixture
def fleet(pods: StaticPods) -> Iterator[AppFleet]:
    table = BehaviourTable()
    table.set("prod", "hello-app", "2.0.0", Behaviour(90.0, 300.0, {"conformance": "fail"}))
    with AppFleet(
        [AppSpec("prod", "hello-app")], pods, table, rate=50.0, poll_interval=0.05, hang_seconds=3.0
    ) as running:
        yield running


def _eventually(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Whether CONDITION holds within TIMEOUT (polled; for what background threads do)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def _request(fleet: AppFleet, method: str, path: str, body: Any = None, timeout: float = 5.0) -> tuple[int, str]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        fleet.url.rstrip("/") + path, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def _hook(cmd: str, run_type: str = "bash", canary: str = "hello-app") -> dict[str, Any]:
    return {
        "name": canary,
        "namespace": "prod",
        "phase": "Progressing",
        "checksum": "x",
        "metadata": {"type": run_type, "cmd": cmd},
    }


def test_serves_only_on_loopback(pods: StaticPods) -> None:
    for host in ("0.0.0.0", "10.0.0.1", "localhost", "::1"):
        with pytest.raises(InputError, match=r"127\.0\.0\.0/8"):
            AppFleet([AppSpec("prod", "hello-app")], pods, host=host)


def test_metrics_cover_primary_and_canary_pods(pods: StaticPods) -> None:
    table = BehaviourTable()
    table.set("prod", "hello-app", "2.0.0", Behaviour(90.0, 300.0))
    clock = FakeClock()
    with AppFleet([AppSpec("prod", "hello-app")], pods, table, rate=50.0, clock=clock) as fleet:
        fleet.refresh()
        clock.now += 15.0  # fifteen seconds of traffic, without waiting for them
        status, text = _request(fleet, "GET", "/metrics")
    assert status == 200
    samples = parse_exposition(text)
    canary = f'kubernetes_namespace="prod",kubernetes_pod_name="{CANARY.name}",app="hello-app",version="2.0.0"'
    primary = (
        f'kubernetes_namespace="prod",kubernetes_pod_name="{PRIMARY.name}",app="hello-app-primary",version="1.0.0"'
    )
    ok = samples[f'http_request_duration_seconds_count{{{canary},status="200"}}']
    errors = samples[f'http_request_duration_seconds_count{{{canary},status="500"}}']
    assert ok > 0 and errors > 0
    assert errors / (ok + errors) == pytest.approx(0.10)
    assert ok + errors == 750.0, "50 requests a second for the fifteen seconds the clock moved"
    assert samples[f'http_request_duration_seconds_count{{{primary},status="500"}}'] == 0.0
    assert samples[f'http_request_duration_seconds_bucket{{{canary},status="200",le="+Inf"}}'] == ok


@pytest.mark.skipif(
    shutil.which("promtool") is None and not on_ci(),
    reason="promtool (Debian prometheus) not installed (required on CI)",
)
def test_exposition_passes_promtool_lint(fleet: AppFleet) -> None:
    _, text = _request(fleet, "GET", "/metrics")
    result = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stdout + result.stderr


def test_counters_only_grow() -> None:
    pods, clock = StaticPods(), FakeClock()
    pods.pods = [CANARY]
    table = BehaviourTable()
    fleet = AppFleet([AppSpec("prod", "hello-app")], pods, table, rate=10.0, clock=clock)
    fleet.refresh()
    previous: dict[str, float] = {}
    for step in range(6):
        if step == 3:
            table.set("prod", "hello-app", "2.0.0", Behaviour(50.0, 2000.0))
        samples = parse_exposition(fleet.metrics_text())
        for name, value in samples.items():
            assert value >= previous.get(name, 0.0), name
        previous = samples
        clock.now += 5
    assert previous[next(k for k in previous if k.endswith('status="200"}') and "_count" in k)] == pytest.approx(
        10 * 5 * 2 + 10 * 5 * 3 * 0.5
    ), "behaviour applies to the time since the previous scrape"


def test_gone_pods_are_dropped_and_new_pods_start_at_zero(fleet: AppFleet, pods: StaticPods) -> None:
    newcomer = PodInfo("prod", "hello-app-5f7b9c8d6-zzzzz", "hello-app", "canary", "2.0.0")
    pods.pods = [PRIMARY, newcomer]
    fleet.refresh()
    served = {p["pod"] for p in fleet.served_pods()}
    assert served == {PRIMARY.name, newcomer.name}
    samples = parse_exposition(fleet.metrics_text())
    fresh = [v for k, v in samples.items() if newcomer.name in k and "_count" in k]
    assert fresh and max(fresh) < 50.0 * 1.0, "a new pod counts from when it was first seen"


def test_bucket_shares_are_cumulative() -> None:
    for latency in (0.0005, 0.001, 0.003, 0.05, 0.0499, 0.12, 0.9, 10.0, 60.0):
        shares = bucket_shares(latency)
        assert len(shares) == len(BUCKETS) + 1
        assert shares == sorted(shares) and shares[-1] == 1.0 and shares[0] >= 0.0


def test_webhook_answers_follow_the_version_and_are_recorded(fleet: AppFleet) -> None:
    started = time.time()
    assert _request(fleet, "POST", "/", _hook("conformance"))[0] == 500, "version 2.0.0 fails conformance"
    assert _request(fleet, "POST", "/", _hook("load-test", "cmd"))[0] == 200
    assert _request(fleet, "PUT", "/control/webhooks/load-test", {"action": "fail"})[0] == 200
    assert _request(fleet, "POST", "/", _hook("load-test", "cmd"))[0] == 500
    assert _request(fleet, "DELETE", "/control/webhooks/load-test")[0] == 200
    assert _request(fleet, "POST", "/", _hook("load-test", "cmd"))[0] == 200
    status, body = _request(fleet, "GET", f"/control/calls?since={started}")
    calls = json.loads(body)
    assert status == 200
    assert [(c["keyword"], c["ok"], c["version"]) for c in calls] == [
        ("conformance", False, "2.0.0"),
        ("load-test", True, "2.0.0"),
        ("load-test", False, "2.0.0"),
        ("load-test", True, "2.0.0"),
    ]
    assert all(c["canary"] == "hello-app" and c["phase"] == "Progressing" and c["time"] >= started for c in calls)


def test_hung_webhook_outlasts_a_client_timeout(fleet: AppFleet) -> None:
    fleet.table.override_webhook("conformance", "hang")
    started = time.monotonic()
    with pytest.raises((TimeoutError, urllib.error.URLError)):
        _request(fleet, "POST", "/", _hook("conformance"), timeout=0.5)
    assert time.monotonic() - started < 2.5
    assert fleet.calls()[-1].action == "hang" and not fleet.calls()[-1].ok
    # the server still answers other calls while one hangs
    assert _request(fleet, "GET", "/healthz")[0] == 200


def test_stop_releases_hung_calls(pods: StaticPods) -> None:
    fleet = AppFleet([AppSpec("prod", "hello-app")], pods, hang_seconds=60.0).start()
    fleet.table.override_webhook("conformance", "hang")
    result: list[int] = []
    caller = threading.Thread(
        target=lambda: result.append(_request(fleet, "POST", "/", _hook("conformance"), timeout=30)[0])
    )
    caller.start()
    assert _eventually(lambda: bool(fleet.calls()) and fleet.calls()[-1].action == "hang"), "the call is hanging"
    started = time.monotonic()
    fleet.stop()
    caller.join(timeout=10)
    assert time.monotonic() - started < 8
    assert not caller.is_alive()


def test_control_api_sets_behaviour(fleet: AppFleet) -> None:
    status, _ = _request(
        fleet, "PUT", "/control/behaviour/prod/hello-app/3.0.0", {"success_rate": 42, "latency_ms": 10}
    )
    assert status == 200
    assert fleet.table.get("prod", "hello-app", "3.0.0") == Behaviour(42.0, 10.0)
    state = json.loads(_request(fleet, "GET", "/control/state")[1])
    assert state["apps"]["prod/hello-app"]["3.0.0"]["success_rate"] == 42.0
    assert {p["pod"] for p in state["pods"]} == {PRIMARY.name, CANARY.name}


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "message"),
    [
        ("PUT", "/control/behaviour/prod/hello-app/3", {"success_rate": 120}, 400, "success_rate"),
        ("PUT", "/control/webhooks/conformance", {"action": "sometimes"}, 400, "webhook action must be one of"),
        ("PUT", "/control/webhooks/conformance", {}, 400, '{"action"'),
        ("POST", "/", {"namespace": "prod"}, 400, "name and namespace"),
        ("GET", "/nope", None, 404, "no such endpoint"),
        ("GET", "/control/calls?since=yesterday", None, 400, "since must be unix seconds"),
    ],
)
def test_bad_requests_get_clear_errors(
    fleet: AppFleet, method: str, path: str, body: Any, status: int, message: str
) -> None:
    got, text = _request(fleet, method, path, body)
    assert got == status
    assert message in json.loads(text)["error"]


def test_register_writes_a_file_sd_target_on_loopback(fleet: AppFleet, tmp_path: Path) -> None:
    path = fleet.register(tmp_path, job="appfleet")
    assert json.loads(path.read_text()) == [{"targets": [f"127.0.0.1:{fleet.port}"], "labels": {"job": "appfleet"}}]
    assert [p.name for p in tmp_path.iterdir()] == ["appfleet.json"], "written atomically, no temp file left"
    fleet.stop()
    assert not path.exists(), "stopping unregisters the target"


def test_api_errors_keep_the_last_known_pods(pods: StaticPods) -> None:
    class Flaky(StaticPods):
        fail = False

        def running_pods(self, app: AppSpec) -> list[PodInfo]:
            if self.fail:
                raise ConnectionError("apiserver restarting")
            return super().running_pods(app)

    source = Flaky()
    source.pods = [CANARY]
    with AppFleet([AppSpec("prod", "hello-app")], source, poll_interval=0.05) as fleet:
        source.fail = True
        assert _eventually(lambda: fleet.refresh_errors > 0), "the poller counts the failed refreshes"
        assert [p["pod"] for p in fleet.served_pods()] == [CANARY.name]
