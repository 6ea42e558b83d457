"""flagger-loadtester's manual gates (Flagger v1.44.0 pkg/loadtester/server.go), for one Canary.

The loadtester keeps one boolean per Canary, keyed `<name>.<namespace>` (the rollback gate
`rollback.<name>.<namespace>`), closed until opened and lost when the loadtester restarts. Every call is a
POST whose JSON body names the Canary: `/gate/open` and `/gate/close` answer 202 Accepted, `/gate/check`
answers 200 while open and 403 while closed (the confirm-promotion webhook calls it); `/rollback/*` work the
same way for a `rollback` webhook, which rolls the Canary back while its gate is open. A loadtester run with
`-namespace-regexp` answers 403 to every call for a Canary in a namespace the expression does not match.
"""

from __future__ import annotations

import ipaddress
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from .errors import InputError, Location, ToolError

ACTIONS = ("open", "close", "status")
PROMOTION_GATE = "gate"
ROLLBACK_GATE = "rollback"


@dataclass(frozen=True)
class GateState:
    """What the loadtester answered."""

    canary: str
    gate: str
    action: str
    status: int
    is_open: bool | None  # for `status`; None after open/close

    def describe(self) -> str:
        what = "promotion gate" if self.gate == PROMOTION_GATE else "rollback gate"
        if self.action == "status":
            return f"{self.canary}: {what} is {'open' if self.is_open else 'closed'}"
        return f"{self.canary}: {what} {'opened' if self.action == 'open' else 'closed'}"


# What each loadtester gate path answers before anyone opens a gate (True = 2xx).
_INITIAL_ANSWERS = {"/gate/check": False, "/rollback/check": False, "/gate/halt": False, "/gate/approve": True}


def initial_gate_answer(url: str) -> bool | None:
    """Whether a webhook to URL passes before any gate is opened, if URL is a loadtester gate; else None."""
    path = urlsplit(url).path.rstrip("/")
    for suffix, answer in _INITIAL_ANSWERS.items():
        if path.endswith(suffix):
            return answer
    return None


def is_gate_check(url: str) -> bool:
    """URL reads a gate that `supplychain gate open` opens (/gate/check or /rollback/check)."""
    return urlsplit(url).path.rstrip("/").endswith(("/gate/check", "/rollback/check"))


def check_loopback(url: str) -> str:
    """URL's base, refusing anything but http(s) to 127.0.0.0/8, ::1 or localhost (e.g. a port-forward)."""
    where = Location("--loadtester")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a port out of range)
    except ValueError as err:
        raise InputError(f"not a valid URL ({err}): {url!r}", where) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"must be an http(s) URL such as http://127.0.0.1:8080/, got {url!r}", where)
    host = parts.hostname
    loopback = host == "localhost"
    if not loopback:
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
    if not loopback:
        raise InputError(
            f"{host!r} is not a loopback address; reach the loadtester through 127.0.0.1, e.g. "
            "`kubectl -n test port-forward svc/flagger-loadtester 8080:80`",
            where,
        )
    return url.rstrip("/")


def endpoint(base: str, gate: str, action: str) -> str:
    """The loadtester path for ACTION (open, close, status) on GATE (gate or rollback)."""
    verb = "check" if action == "status" else action
    return f"{base}/{gate}/{verb}"


def call_gate(
    url: str, name: str, namespace: str, action: str, gate: str = PROMOTION_GATE, timeout: float = 10.0
) -> GateState:
    """Open, close or read one Canary's gate on the loadtester at URL (a loopback URL)."""
    if action not in ACTIONS:
        raise InputError(f"action must be one of {', '.join(ACTIONS)}, got {action!r}", Location("<command line>"))
    target = endpoint(check_loopback(url), gate, action)
    body = json.dumps({"name": name, "namespace": namespace}).encode()
    request = urllib.request.Request(target, data=body, method="POST", headers={"Content-Type": "application/json"})
    canary = f"{namespace}/{name}"
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status = int(response.status)
    except urllib.error.HTTPError as err:
        status = err.code
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", err)
        raise ToolError(f"cannot reach the loadtester at {target}: {reason}") from None
    if action == "status" and status in (200, 403):
        return GateState(canary, gate, action, status, status == 200)
    if action != "status" and status == 202:
        return GateState(canary, gate, action, status, None)
    if status == 403:
        raise ToolError(
            f"the loadtester at {target} refused Canary {canary} (403): its -namespace-regexp does "
            f"not match namespace {namespace!r}"
        )
    raise ToolError(f"the loadtester at {target} answered HTTP {status}; is it flagger-loadtester?")
