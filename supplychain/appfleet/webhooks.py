"""Flagger webhook calls as the fleet answers them, in place of flagger-loadtester.

Flagger POSTs `{name, namespace, phase, checksum, metadata}`; our templates put loadtester-style metadata
`{type: bash|cmd, cmd: ...}` in it. The fleet runs no shell: the first word of `cmd` is a keyword naming the
webhook (e.g. `conformance`, `load-test`). The answer is, in order of precedence: a webhook override set
through the control API, the canary version's behaviour for that keyword, the keyword itself when it is an
action (`ok`, `fail`, `hang`), else `ok`. Unlike the real loadtester, `cmd`-type calls are not fire and
forget: a `fail` fails them too.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from ..errors import InputError
from .behaviour import WEBHOOK_ACTIONS, Behaviour, WebhookAction


@dataclass(frozen=True)
class WebhookPayload:
    """The parts of Flagger's payload the fleet uses."""

    canary: str
    namespace: str
    phase: str
    run_type: str
    cmd: str

    @property
    def keyword(self) -> str:
        words = self.cmd.split()
        return words[0] if words else ""

    @staticmethod
    def parse(body: Any) -> WebhookPayload:
        if not isinstance(body, dict):
            raise InputError("webhook payload must be a JSON object")
        name, namespace = body.get("name"), body.get("namespace")
        if not isinstance(name, str) or not isinstance(namespace, str) or not name or not namespace:
            raise InputError("webhook payload needs string fields name and namespace")
        metadata = body.get("metadata") or {}
        if not isinstance(metadata, dict):
            raise InputError("webhook payload metadata must be an object")
        return WebhookPayload(
            name, namespace, str(body.get("phase", "")), str(metadata.get("type", "")), str(metadata.get("cmd", ""))
        )


@dataclass(frozen=True)
class WebhookCall:
    """One recorded call: when (unix seconds), for which canary and version, and what was answered."""

    time: float
    canary: str
    namespace: str
    phase: str
    keyword: str
    run_type: str
    cmd: str
    version: str | None
    action: WebhookAction
    status: int | None

    @property
    def ok(self) -> bool:
        """Whether Flagger counts the call as passed (a hang outlasts Flagger's webhook timeout)."""
        return self.status is not None and self.status <= 202

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok}


def decide(payload: WebhookPayload, override: WebhookAction | None, behaviour: Behaviour) -> WebhookAction:
    """The action for PAYLOAD, by the precedence in the module docstring."""
    if override is not None:
        return override
    keyword = payload.keyword
    if keyword in behaviour.webhooks:
        return behaviour.webhooks[keyword]
    if keyword in WEBHOOK_ACTIONS:
        return keyword
    return "ok"


def status_for(action: WebhookAction) -> int | None:
    """HTTP status answered for ACTION; None for a hang (no timely answer)."""
    return {"ok": 200, "fail": 500, "hang": None}[action]
