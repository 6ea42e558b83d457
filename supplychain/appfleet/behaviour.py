"""How each app version behaves: success rate, p99 latency and the outcome of its webhooks."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

from ..errors import InputError, Location

WebhookAction = Literal["ok", "fail", "hang"]
WEBHOOK_ACTIONS: tuple[WebhookAction, ...] = ("ok", "fail", "hang")


@dataclass(frozen=True)
class Behaviour:
    """What an app version serves: the share of non-5xx responses (percent), the p99 latency (ms),
    and per webhook keyword (e.g. "conformance") whether the webhook passes, fails or hangs."""

    success_rate: float = 100.0
    latency_ms: float = 50.0
    webhooks: dict[str, WebhookAction] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"success_rate": self.success_rate, "latency_ms": self.latency_ms, "webhooks": dict(self.webhooks)}


DEFAULT_BEHAVIOUR = Behaviour()


def parse_action(value: Any, where: str) -> WebhookAction:
    """A webhook action from JSON, or an InputError naming WHERE."""
    if value not in WEBHOOK_ACTIONS:
        raise InputError(f"{where}: webhook action must be one of {', '.join(WEBHOOK_ACTIONS)}, got {value!r}")
    return cast(WebhookAction, value)


def parse_behaviour(value: Any, where: str) -> Behaviour:
    """A Behaviour from its JSON form {success_rate, latency_ms, webhooks}; unknown keys are errors."""
    if not isinstance(value, dict):
        raise InputError(f"{where}: a behaviour must be an object, got {type(value).__name__}")
    unknown = sorted(set(value) - {"success_rate", "latency_ms", "webhooks"})
    if unknown:
        raise InputError(f"{where}: unknown field {unknown[0]!r} (known: success_rate, latency_ms, webhooks)")
    success = value.get("success_rate", DEFAULT_BEHAVIOUR.success_rate)
    latency = value.get("latency_ms", DEFAULT_BEHAVIOUR.latency_ms)
    if isinstance(success, bool) or not isinstance(success, (int, float)) or not 0 <= success <= 100:
        raise InputError(f"{where}.success_rate: must be a number from 0 to 100, got {success!r}")
    if isinstance(latency, bool) or not isinstance(latency, (int, float)) or not 0 < latency <= 3_600_000:
        raise InputError(f"{where}.latency_ms: must be a positive number of milliseconds, got {latency!r}")
    hooks = value.get("webhooks", {})
    if not isinstance(hooks, dict):
        raise InputError(f"{where}.webhooks: must be an object mapping webhook keyword to action")
    actions = {str(k): parse_action(v, f"{where}.webhooks.{k}") for k, v in hooks.items()}
    return Behaviour(float(success), float(latency), actions)


class BehaviourTable:
    """Thread-safe table: (namespace, app) -> version -> Behaviour, plus webhook overrides.

    A version without an entry behaves like DEFAULT_BEHAVIOUR (healthy). A webhook override applies to
    every call of that keyword, whatever the version, until cleared.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._versions: dict[tuple[str, str], dict[str, Behaviour]] = {}
        self._overrides: dict[str, WebhookAction] = {}

    def set(self, namespace: str, app: str, version: str, behaviour: Behaviour) -> None:
        with self._lock:
            self._versions.setdefault((namespace, app), {})[version] = behaviour

    def get(self, namespace: str, app: str, version: str | None) -> Behaviour:
        with self._lock:
            return self._versions.get((namespace, app), {}).get(version or "", DEFAULT_BEHAVIOUR)

    def override_webhook(self, keyword: str, action: WebhookAction | None) -> None:
        """Force every call of webhook KEYWORD to ACTION; None clears the override."""
        with self._lock:
            if action is None:
                self._overrides.pop(keyword, None)
            else:
                self._overrides[keyword] = action

    def webhook_override(self, keyword: str) -> WebhookAction | None:
        with self._lock:
            return self._overrides.get(keyword)

    def to_json(self) -> dict[str, Any]:
        with self._lock:
            apps = {
                f"{ns}/{app}": {v: b.to_json() for v, b in sorted(versions.items())}
                for (ns, app), versions in sorted(self._versions.items())
            }
            return {"apps": apps, "webhook_overrides": dict(self._overrides)}

    def load_json(self, data: Any, source: str) -> None:
        """Merge {"apps": {"<ns>/<app>": {"<version>": behaviour}}, "webhook_overrides": {kw: action}}."""
        if not isinstance(data, dict):
            raise InputError(f"{source}: the behaviour table must be an object")
        unknown = sorted(set(data) - {"apps", "webhook_overrides"})
        if unknown:
            raise InputError(f"{source}: unknown field {unknown[0]!r} (known: apps, webhook_overrides)")
        apps = data.get("apps", {})
        if not isinstance(apps, dict):
            raise InputError(f"{source}: apps must be an object keyed by <namespace>/<app>")
        parsed: list[tuple[str, str, str, Behaviour]] = []
        for key, versions in apps.items():
            namespace, sep, app = str(key).partition("/")
            if not sep or not namespace or not app:
                raise InputError(f"{source}: apps key {key!r} must be <namespace>/<app>")
            if not isinstance(versions, dict):
                raise InputError(f"{source}: apps.{key} must be an object keyed by version")
            for version, body in versions.items():
                parsed.append((namespace, app, str(version), parse_behaviour(body, f"{source}: apps.{key}.{version}")))
        overrides = data.get("webhook_overrides", {})
        if not isinstance(overrides, dict):
            raise InputError(f"{source}: webhook_overrides must be an object mapping keyword to action")
        actions = {str(k): parse_action(v, f"{source}: webhook_overrides.{k}") for k, v in overrides.items()}
        for namespace, app, version, behaviour in parsed:
            self.set(namespace, app, version, behaviour)
        for keyword, action in actions.items():
            self.override_webhook(keyword, action)

    def load_file(self, path: Path) -> None:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as err:
            raise InputError(f"cannot read behaviour file: {err.strerror}", Location(str(path))) from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise InputError(f"line {err.lineno}: invalid JSON: {err.msg}", Location(str(path))) from None
        self.load_json(data, str(path))
