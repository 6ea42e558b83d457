"""The app fleet: a threaded HTTP server on 127.0.0.1 serving pod metrics, Flagger webhooks and a control API.

Endpoints:
- `GET /metrics`: Prometheus text of every running primary and canary pod of the configured apps.
- `GET /healthz`: `ok`.
- `POST /` (any other path too): a Flagger webhook call, answered per `webhooks.decide` and recorded.
- `GET /control/state`: behaviour table, webhook overrides and the pods currently served.
- `GET /control/calls[?since=<unix seconds>]`: recorded webhook calls.
- `PUT /control/behaviour/<namespace>/<app>/<version>` with a behaviour JSON body.
- `PUT /control/webhooks/<keyword>` with `{"action": "ok|fail|hang"}`; `DELETE` clears the override.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ..errors import InputError, SupplychainError
from ..outputs import write_text_atomic
from .behaviour import BehaviourTable, parse_action, parse_behaviour
from .counters import PodCounters, render
from .pods import AppSpec, PodInfo, PodSource
from .webhooks import WebhookCall, WebhookPayload, decide, status_for

log = logging.getLogger(__name__)

MAX_BODY = 1 << 20


def require_loopback(host: str) -> None:
    """Refuse any listen/connect address outside 127.0.0.0/8."""
    try:
        loopback = ipaddress.ip_address(host) in ipaddress.ip_network("127.0.0.0/8")
    except ValueError:
        loopback = False
    if not loopback:
        raise InputError(f"address {host!r} is not on 127.0.0.0/8; the fleet only serves on loopback")


class AppFleet:
    """Simulated pods of the configured apps, with their metrics and webhooks served on loopback."""

    def __init__(
        self,
        apps: list[AppSpec],
        pods: PodSource,
        table: BehaviourTable | None = None,
        *,
        rate: float = 10.0,
        host: str = "127.0.0.1",
        port: int = 0,
        poll_interval: float = 1.0,
        hang_seconds: float = 30.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        require_loopback(host)
        if rate <= 0:
            raise InputError(f"request rate must be positive, got {rate}")
        self.apps = list(apps)
        self._by_canary: dict[tuple[str, str], AppSpec] = {}
        self.table = table or BehaviourTable()
        self.rate = rate
        self.poll_interval = poll_interval
        self.hang_seconds = hang_seconds
        self._pod_source = pods
        self._clock = clock
        self._host, self._port = host, port
        self._lock = threading.Lock()
        self._counters: dict[tuple[str, str], PodCounters] = {}
        self._calls: list[WebhookCall] = []
        self._stop = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._threads: list[threading.Thread] = []
        self._registered: list[Path] = []
        self.refresh_errors = 0

    # -- pods and metrics -------------------------------------------------------------------------

    def app_for(self, namespace: str, canary: str) -> AppSpec | None:
        if len(self._by_canary) != len(self.apps):
            self._by_canary = {(a.namespace, a.canary_name): a for a in self.apps}
        return self._by_canary.get((namespace, canary))

    def refresh(self) -> None:
        """Re-read the running pods; new pods start counting now, gone pods are dropped."""
        seen: list[PodInfo] = []
        many = getattr(self._pod_source, "running_pods_many", None)
        if many is not None and len(self.apps) > 1:
            seen.extend(many(self.apps))
        else:
            for app in self.apps:
                seen.extend(self._pod_source.running_pods(app))
        now = self._clock()
        with self._lock:
            current = {(p.namespace, p.name): p for p in seen}
            for key in list(self._counters):
                if key not in current:
                    del self._counters[key]
            for key, pod in current.items():
                if key not in self._counters:
                    self._counters[key] = PodCounters(pod.namespace, pod.name, pod.app, pod.version, now)

    def served_pods(self) -> list[dict[str, str]]:
        with self._lock:
            return [
                {"namespace": c.namespace, "pod": c.pod, "app": c.app, "version": c.version}
                for c in sorted(self._counters.values(), key=lambda c: (c.namespace, c.pod))
            ]

    def metrics_text(self) -> str:
        """Advance every pod's counters to now and render them."""
        now = self._clock()
        with self._lock:
            for counters in self._counters.values():
                target = counters.app.removesuffix("-primary")
                behaviour = self.table.get(counters.namespace, target, counters.version)
                counters.advance(now, self.rate, behaviour)
            return render(list(self._counters.values()))

    # -- webhooks ---------------------------------------------------------------------------------

    def handle_webhook(self, payload: WebhookPayload) -> WebhookCall:
        """Decide and record the answer to one webhook call (the caller does the waiting for a hang)."""
        app = self.app_for(payload.namespace, payload.canary)
        version = None
        if app is not None:
            try:
                version = self._pod_source.target_version(app)
            except Exception as err:  # an API hiccup must not turn into a webhook failure
                log.warning("cannot read the version of %s/%s: %s", app.namespace, app.target, err)
        target = app.target if app else payload.canary
        behaviour = self.table.get(payload.namespace, target, version)
        action = decide(payload, self.table.webhook_override(payload.keyword), behaviour)
        call = WebhookCall(
            self._clock(),
            payload.canary,
            payload.namespace,
            payload.phase,
            payload.keyword,
            payload.run_type,
            payload.cmd,
            version,
            action,
            status_for(action),
        )
        with self._lock:
            self._calls.append(call)
        return call

    def calls(self, since: float | None = None) -> list[WebhookCall]:
        with self._lock:
            return [c for c in self._calls if since is None or c.time >= since]

    def wait_hang(self) -> None:
        """Hold a hung webhook call for hang_seconds, or until the fleet stops."""
        self._stop.wait(self.hang_seconds)

    # -- lifecycle --------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the fleet is not started")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self._host}:{self.port}/"

    @property
    def address(self) -> str:
        return f"{self._host}:{self.port}"

    def start(self) -> AppFleet:
        self.refresh()
        server = ThreadingHTTPServer((self._host, self._port), _handler_for(self))
        server.daemon_threads = True
        self._server = server
        self._threads = [
            threading.Thread(
                target=server.serve_forever, kwargs={"poll_interval": 0.2}, name="appfleet-http", daemon=True
            ),
            threading.Thread(target=self._poll_pods, name="appfleet-pods", daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        return self

    def _poll_pods(self) -> None:
        while not self._stop.wait(self.poll_interval):
            try:
                self.refresh()
            except Exception as err:  # keep serving the last known pods while the API is unreachable
                self.refresh_errors += 1
                log.warning("cannot list the app pods: %s", err)

    def register(self, targets_dir: Path, job: str = "appfleet") -> Path:
        """Add the fleet as a Prometheus scrape target via a file_sd `<job>.json` in TARGETS_DIR."""
        targets = [{"targets": [self.address], "labels": {"job": job}}]
        path = targets_dir / f"{job}.json"
        write_text_atomic(path, json.dumps(targets, indent=2) + "\n")
        self._registered.append(path)
        return path

    def stop(self) -> None:
        self._stop.set()
        for path in self._registered:
            path.unlink(missing_ok=True)
        self._registered.clear()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads.clear()

    def __enter__(self) -> AppFleet:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _handler_for(fleet: AppFleet) -> type[BaseHTTPRequestHandler]:
    class Handler(_FleetHandler):
        pass

    Handler.fleet = fleet
    return Handler


class _FleetHandler(BaseHTTPRequestHandler):
    fleet: AppFleet
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    # -- plumbing ---------------------------------------------------------------------------------

    def _send(self, status: int, body: str, content_type: str = "text/plain; charset=utf-8") -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _send_json(self, status: int, value: Any) -> None:
        self._send(status, json.dumps(value, indent=2) + "\n", "application/json")

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise InputError(f"request body larger than {MAX_BODY} bytes")
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw or b"null")
        except json.JSONDecodeError as err:
            raise InputError(f"invalid JSON body: {err.msg}") from None

    def _guard(self, action: Callable[[], None]) -> None:
        try:
            action()
        except SupplychainError as err:
            self._send_json(400, {"error": str(err)})
        except (BrokenPipeError, ConnectionResetError):
            pass

    # -- routes -----------------------------------------------------------------------------------

    def do_GET(self) -> None:
        self._guard(self._get)

    def do_POST(self) -> None:
        self._guard(self._post)

    def do_PUT(self) -> None:
        self._guard(self._put)

    def do_DELETE(self) -> None:
        self._guard(self._delete)

    def _get(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/metrics":
            self._send(200, self.fleet.metrics_text(), "text/plain; version=0.0.4; charset=utf-8")
        elif url.path == "/healthz":
            self._send(200, "ok\n")
        elif url.path == "/control/state":
            self._send_json(200, {**self.fleet.table.to_json(), "pods": self.fleet.served_pods()})
        elif url.path == "/control/calls":
            since = parse_qs(url.query).get("since", [None])[0]
            try:
                since_value = float(since) if since is not None else None
            except ValueError:
                raise InputError(f"since must be unix seconds, got {since!r}") from None
            self._send_json(200, [c.to_json() for c in self.fleet.calls(since_value)])
        else:
            self._send_json(404, {"error": f"no such endpoint: GET {url.path}"})

    def _post(self) -> None:
        if urlsplit(self.path).path.startswith("/control/"):
            self._send_json(405, {"error": "use PUT or DELETE on /control/ endpoints"})
            return
        call = self.fleet.handle_webhook(WebhookPayload.parse(self._body()))
        if call.action == "hang":
            self.fleet.wait_hang()
            self._send(200, f"{call.keyword}: answered after hanging\n")
        elif call.status is not None and call.status <= 202:
            self._send(call.status, f"{call.keyword}: ok\n")
        else:
            self._send(call.status or 500, f"{call.keyword}: failed (version {call.version})\n")

    def _put(self) -> None:
        parts = urlsplit(self.path).path.strip("/").split("/")
        if len(parts) == 5 and parts[:2] == ["control", "behaviour"]:
            _, _, namespace, app, version = parts
            behaviour = parse_behaviour(self._body(), f"behaviour {namespace}/{app}/{version}")
            self.fleet.table.set(namespace, app, version, behaviour)
            self._send_json(200, behaviour.to_json())
        elif len(parts) == 3 and parts[:2] == ["control", "webhooks"]:
            body = self._body()
            if not isinstance(body, dict) or "action" not in body:
                raise InputError('webhook override body must be {"action": "ok|fail|hang"}')
            action = parse_action(body["action"], f"webhook override {parts[2]}")
            self.fleet.table.override_webhook(parts[2], action)
            self._send_json(200, {"keyword": parts[2], "action": action})
        else:
            self._send_json(404, {"error": f"no such endpoint: PUT {self.path}"})

    def _delete(self) -> None:
        parts = urlsplit(self.path).path.strip("/").split("/")
        if len(parts) == 3 and parts[:2] == ["control", "webhooks"]:
            self.fleet.table.override_webhook(parts[2], None)
            self._send_json(200, {"keyword": parts[2], "action": None})
        else:
            self._send_json(404, {"error": f"no such endpoint: DELETE {self.path}"})
