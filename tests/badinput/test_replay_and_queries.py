"""Hostile input for `replay` and `queries`: usage errors exit 2, bad series name file and line, a slow or
looping Prometheus ends within the promised timeout."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from supplychain.analysis.prometheus import QueryFailed, instant_query, range_query

from .runner import CANARY, cli


@pytest.fixture
def canary(tmp_path: Path) -> str:
    path = tmp_path / "canary.yaml"
    path.write_text(CANARY)
    return str(path)


def series(tmp_path: Path, text: str, name: str = "series.csv") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://[::1", "not a valid URL"),
        ("notaurl", "not an http:// or https:// URL"),
        ("http://127.0.0.1:99999", "Port out of range"),
        ("http://prometheus.monitoring:9090/\nx", "no whitespace or control characters"),
    ],
)
@pytest.mark.parametrize("command", ["queries", "replay"])
def test_bad_prometheus_urls_are_usage_errors(command: str, url: str, problem: str, canary: str) -> None:
    args = [command, canary, "--prometheus", url] + (["--from", "now-5m"] if command == "replay" else [])
    out = cli(*args)
    assert out.returncode == 2, out.stdout + out.stderr
    assert "Invalid value for '--prometheus'" in out.stderr and problem in out.stderr


@pytest.mark.parametrize("until", ["nan", "inf", "-5", "soon"])
def test_until_must_be_a_finite_time(until: str, canary: str, tmp_path: Path) -> None:
    out = cli("replay", canary, "--series", series(tmp_path, "t,request-success-rate\n0,100\n"), "--until", until)
    assert out.returncode == 2 and "Invalid value for '--until'" in out.stderr


@pytest.mark.parametrize(
    ("text", "name", "message"),
    [
        ("t,request-success-rate\n", "s.csv", "s.csv: no samples"),
        ("t,request-success-rate\n0,\n15,\n", "s.csv", "s.csv: column 'request-success-rate' has no samples"),
        ("t,request-success-rate\n0,100\n0,50\n", "s.csv", "s.csv: line 3: column t: '0' is not after"),
        ("t,request-success-rate,webhook:x\n0,100\n", "s.csv", "s.csv: line 2: 2 cells but the header has 3 columns"),
        ('{"metrics": {"request-success-rate": []}}', "s.json", "s.json: metrics.request-success-rate: has no samples"),
        (
            '{"metrics": {"request-success-rate": [[0, 1], [0, 2]]}}',
            "s.json",
            "s.json: metrics.request-success-rate[1]: samples must be in time order, one per time",
        ),
        (
            '{"metrics": {"request-success-rate": [[0, 1]]}, "metrics": {}}',
            "s.json",
            "s.json: malformed JSON: key 'metrics' is given twice",
        ),
        ('{"metrics": {"request-success-rate": [[0, NaN]]}}', "s.json", "s.json: malformed JSON: NaN is not JSON"),
        ('{"metrics": {"request-success-rate": [[Infinity, 1]]}}', "s.json", "malformed JSON: Infinity is not JSON"),
        (
            't,request-success-rate\n0,"' + "9" * (16 << 20) + '"\n',
            "s.csv",
            "s.csv: line 2: unreadable CSV: field larger",
        ),
    ],
    ids=[
        "header-only",
        "empty-cells",
        "repeated-time",
        "short-row",
        "json-empty",
        "json-repeated-time",
        "json-repeated-key",
        "json-nan-token",
        "json-infinity-token",
        "16MiB-field",
    ],
)
def test_bad_series_name_file_and_line(text: str, name: str, message: str, canary: str, tmp_path: Path) -> None:
    out = cli("replay", canary, "--series", series(tmp_path, text, name))
    assert out.returncode == 2, out.stdout
    assert message in out.stderr


def test_recordings_refuse_repeated_keys(tmp_path: Path) -> None:
    path = series(tmp_path, '{"scenario": "a", "scenario": "b"}', "rec.json")
    out = cli("replay", "--recording", path)
    assert out.returncode == 2 and "rec.json: malformed JSON: key 'scenario' is given twice" in out.stderr


def test_output_onto_a_directory_is_refused(canary: str, tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    out = cli("render", "-o", str(tmp_path / "out"))
    assert out.returncode == 2 and "out: cannot write: is a directory" in out.stderr


class _Server:
    """A TCP server on 127.0.0.1 that answers each connection with HANDLER(socket)."""

    def __init__(self, handler: Callable[[socket.socket, threading.Event], None]) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.stop = threading.Event()
        self.handler = handler
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn: socket.socket) -> None:
        try:
            conn.recv(65536)
            self.handler(conn, self.stop)
        except OSError:
            pass
        finally:
            conn.close()


def _trickle(conn: socket.socket, stop: threading.Event) -> None:
    """Headers, then one byte of body every 0.3 s, for a minute."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
    for _ in range(200):
        if stop.wait(0.3):
            return
        conn.sendall(b" ")


def _redirect(conn: socket.socket, stop: threading.Event) -> None:
    conn.sendall(b"HTTP/1.1 302 Found\r\nLocation: /api/v1/query\r\nContent-Length: 0\r\n\r\n")


@pytest.fixture
def trickle() -> Iterator[str]:
    server = _Server(_trickle)
    yield server.url
    server.stop.set()
    server.sock.close()


@pytest.fixture
def redirect_loop() -> Iterator[str]:
    server = _Server(_redirect)
    yield server.url
    server.stop.set()
    server.sock.close()


def test_a_trickling_server_cannot_stretch_the_timeout(trickle: str) -> None:
    import time

    for call in (
        lambda: instant_query(trickle, "up", timeout=1.0),
        lambda: range_query(trickle, "up", 0, 60, 15, timeout=1.0),
    ):
        started = time.monotonic()
        with pytest.raises(QueryFailed, match=r"no complete answer within 1s"):
            call()
        assert time.monotonic() - started < 1.5


def test_queries_ends_within_its_timeout_against_a_trickling_server(canary: str, trickle: str) -> None:
    out = cli("queries", canary, "--no-promtool", "--prometheus", trickle, timeout=30)
    assert out.returncode == 1 and "no complete answer within 5s" in out.stdout
    assert out.elapsed < 12  # type: ignore[attr-defined]


def test_a_redirect_loop_is_a_request_failure(redirect_loop: str) -> None:
    with pytest.raises(QueryFailed, match=r"request failed: redirected too often"):
        instant_query(redirect_loop, "up", timeout=5)
