"""The real hello-app (examples/hello-app/app), built with Go and run on 127.0.0.1: each version prefix
behaves as the e2e scenarios need, and its histogram reads as the stamped MetricTemplates expect."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from supplychain.appfleet.counters import BUCKETS
from supplychain.project import checkout_root
from supplychain.testing.references import missing

Starter = Callable[[str], "App"]


def parse_exposition(text: str) -> dict[str, float]:
    """{series: value} of a Prometheus text exposition (comments skipped)."""
    samples: dict[str, float] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            series, _, value = line.rpartition(" ")
            samples[series] = float(value)
    return samples


APP_DIR = checkout_root() / "examples" / "hello-app" / "app"
GO_ENV = {"GOFLAGS": "-mod=mod", "GOSUMDB": "off", "GOTOOLCHAIN": "local", "CGO_ENABLED": "0"}


@pytest.fixture(scope="module", autouse=True)
def go_installed() -> None:
    if shutil.which("go") is None:
        missing("Go is not installed (hello-app is a Go program)")


def _go(args: list[str], cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["go", *args], cwd=cwd, env={**os.environ, **GO_ENV}, capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture(scope="module")
def binary(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("hello-app") / "hello-app"
    result = _go(["build", "-o", str(out), "."], APP_DIR)
    assert result.returncode == 0, result.stderr
    return out


class App:
    """A running hello-app process serving VERSION on a free loopback port."""

    def __init__(self, binary: Path, version: str) -> None:
        self.proc = subprocess.Popen(
            [str(binary), "--listen", "127.0.0.1:0"],
            env={"APP_VERSION": version},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stderr is not None
        line = self.proc.stderr.readline()
        match = re.search(r"on 127\.0\.0\.1:(\d+)$", line.strip())
        assert match, f"unexpected start-up line: {line!r}"
        self.url = f"http://127.0.0.1:{match.group(1)}"
        self.start_line = line

    def get(self, path: str, timeout: float = 5.0) -> int:
        try:
            with urllib.request.urlopen(self.url + path, timeout=timeout) as response:
                return int(response.status)
        except urllib.error.HTTPError as err:
            return int(err.code)

    def metrics(self) -> dict[str, float]:
        with urllib.request.urlopen(self.url + "/metrics", timeout=5) as response:
            text = response.read().decode()
        return {k: v for k, v in parse_exposition(text).items() if k.startswith("http_request_duration_seconds")}

    def stop(self) -> int:
        self.proc.terminate()
        try:
            return self.proc.wait(timeout=10)
        finally:
            if self.proc.stderr:
                self.proc.stderr.close()


@pytest.fixture
def run(binary: Path) -> Iterator[Starter]:
    apps: list[App] = []

    def start(version: str) -> App:
        app = App(binary, version)
        apps.append(app)
        return app

    yield start
    for app in apps:
        if app.proc.poll() is None:
            app.stop()


def _count(samples: dict[str, float], status: str) -> float:
    key = f'http_request_duration_seconds_count{{method="GET",path="/",status="{status}"}}'
    return samples.get(key, 0.0)


def test_good_version_serves_and_is_ready(run: Starter) -> None:
    app = run("1.0.0")
    assert "behaviour good" in app.start_line
    assert [app.get("/") for _ in range(20)] == [200] * 20
    assert app.get("/readyz") == 200 and app.get("/healthz") == 200
    samples = app.metrics()
    assert _count(samples, "200") == 20 and _count(samples, "500") == 0


def test_bad_version_answers_a_fifth_with_500_as_the_success_rate_query_reads(run: Starter) -> None:
    app = run("bad-version-12")
    codes = [app.get("/") for _ in range(50)]
    assert codes.count(500) == 10 and codes.count(200) == 40
    samples = app.metrics()
    ok, total = _count(samples, "200"), _count(samples, "200") + _count(samples, "500")
    # The success-rate MetricTemplate: count{status!~"5.*"} / count * 100.
    assert ok / total * 100 == pytest.approx(80.0)
    assert app.get("/readyz") == 200, "a bad version is ready: only its responses fail"


def test_histogram_buckets_match_the_app_fleet(run: Starter) -> None:
    app = run("1.0.0")
    app.get("/")
    for status in ("200", "500"):  # each series the app exports, the 500 one from the start at zero
        pattern = rf'http_request_duration_seconds_bucket{{method="GET",path="/",status="{status}",le="([0-9.e+-]+)"}}'
        bounds = sorted(float(m.group(1)) for k in app.metrics() if (m := re.fullmatch(pattern, k)))
        assert tuple(bounds) == BUCKETS, status


def test_slow_version_p99_is_above_the_latency_limit(run: Starter) -> None:
    app = run("slow-3")
    start = time.monotonic()
    assert app.get("/") == 200
    assert time.monotonic() - start >= 0.8
    samples = app.metrics()
    below_limit = samples['http_request_duration_seconds_bucket{method="GET",path="/",status="200",le="0.5"}']
    assert below_limit == 0, "no request finished within the 500 ms limit"


def test_never_ready_version_fails_its_readiness_probe_only(run: Starter) -> None:
    app = run("never-ready-4")
    assert app.get("/readyz") == 503
    assert app.get("/healthz") == 200 and app.get("/") == 200


def test_conformance_failing_version_fails_the_stamped_curl(run: Starter) -> None:
    app = run("conformance-fails-5")
    assert app.get("/readyz") == 200
    if shutil.which("curl") is None:
        assert app.get("/") == 500
        return
    # The stamped conformance webhook runs `curl -sSf --max-time 5 <canary service>/`.
    result = subprocess.run(
        ["curl", "-sSf", "--max-time", "5", app.url + "/"], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 22, result.stderr  # curl -f: HTTP error


def test_webhook_timeout_version_outlives_the_client(run: Starter) -> None:
    app = run("webhook-timeout-6")
    start = time.monotonic()
    with pytest.raises((TimeoutError, urllib.error.URLError)):
        app.get("/", timeout=1.0)
    assert 0.9 <= time.monotonic() - start < 5
    assert app.get("/readyz") == 200


def test_terminates_cleanly_on_sigterm(run: Starter) -> None:
    app = run("1.0.0")
    assert app.get("/") == 200
    assert app.stop() == 0


def test_version_flag_prints_the_behaviour_table(binary: Path) -> None:
    result = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0
    for line in (
        "bad-* -> bad",
        "slow-* -> slow",
        "never-ready-* -> never-ready",
        "conformance-fails-* -> conformance-fails",
        "webhook-timeout-* -> webhook-timeout",
    ):
        assert line in result.stdout


def test_unexpected_argument_is_a_usage_error(binary: Path) -> None:
    result = subprocess.run([str(binary), "serve"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 2 and 'unexpected argument "serve"' in result.stderr


def test_port_in_use_is_an_error(binary: Path, run: Starter) -> None:
    app = run("1.0.0")
    port = app.url.rsplit(":", 1)[1]
    result = subprocess.run([str(binary), "--listen", f"127.0.0.1:{port}"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 1 and "address already in use" in result.stderr


def test_go_unit_tests_pass() -> None:
    result = _go(["test", "-count=1", "./..."], APP_DIR)
    assert result.returncode == 0, result.stdout + result.stderr
