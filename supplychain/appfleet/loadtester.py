"""The webhook calls flagger-loadtester answered, read back from its log (kind provider).

The loadtester (Flagger v1.44.0, pkg/loadtester) logs JSON lines through zap; with `kubectl logs
--timestamps` each line starts with the time it was written. For the two kinds of hooks our templates
stamp it writes:

- `type: bash` (blocking, the pre-rollout conformance check): `bash command <cmd>` when the request
  arrives, then `command finished <cmd>` (answered 200) or `command failed <cmd> <error> <output>`
  (answered 500). A curl that gave up (`--max-time`, exit status 28) is recorded as a hang: the app did
  not answer in time, and Flagger's own webhook timeout ran out as well.
- `type: cmd` (the rollout load test): answered 202 at once; the runner then logs `task starting <cmd>`,
  or `command skipped <cmd> is already running` while the previous run still goes on.

Commands contain spaces, so lines are matched against the commands the Canary stamps.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from .behaviour import WebhookAction
from .webhooks import WebhookCall

CURL_TIMED_OUT = "exit status 28"


def parse_timestamp(text: str) -> float | None:
    """Unix seconds of an RFC 3339 timestamp as kubectl prints it (nanoseconds, `Z`), or None."""
    text = text.strip()
    if not text:
        return None
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    head, sep, rest = text.partition(".")
    if sep:  # Python parses at most microseconds
        digits = "".join(c for c in rest if c.isdigit())
        zone = rest[len(digits) :]
        text = f"{head}.{digits[:6]}{zone}"
    try:
        return datetime.fromisoformat(text).timestamp()
    except ValueError:
        return None


def _entry(line: str) -> tuple[float, dict[str, Any]] | None:
    stamp, _, rest = line.partition(" ")
    when = parse_timestamp(stamp)
    if when is None:
        return None
    try:
        entry = json.loads(rest)
    except ValueError:
        return None
    return (when, entry) if isinstance(entry, dict) else None


def _split_canary(value: str, namespace: str) -> tuple[str, str]:
    name, sep, ns = value.partition(".")
    return (name, ns) if sep else (value, namespace)


def parse_calls(log: str, commands: dict[str, str], namespace: str) -> list[WebhookCall]:
    """The calls in LOG (`kubectl logs --timestamps` of the loadtester) for COMMANDS (cmd -> run type,
    `bash` or `cmd`). NAMESPACE names the canary's namespace where a line does not."""
    calls: list[WebhookCall] = []
    pending: dict[str, list[tuple[float, str]]] = {}
    for line in log.splitlines():
        parsed = _entry(line)
        if parsed is None:
            continue
        when, entry = parsed
        message = str(entry.get("msg", ""))
        canary, ns = _split_canary(str(entry.get("canary", "")), namespace)
        for cmd, run_type in commands.items():
            if run_type == "bash":
                if message == f"bash command {cmd}":
                    pending.setdefault(cmd, []).append((when, canary))
                elif message.startswith((f"command finished {cmd}", f"command failed {cmd}")) and pending.get(cmd):
                    started, name = pending[cmd].pop(0)
                    ok = message.startswith("command finished")
                    action: WebhookAction = "ok" if ok else ("hang" if CURL_TIMED_OUT in message else "fail")
                    calls.append(
                        WebhookCall(
                            started,
                            name or canary,
                            ns,
                            "",
                            cmd.split()[0],
                            run_type,
                            cmd,
                            None,
                            action,
                            200 if ok else (None if action == "hang" else 500),
                        )
                    )
                else:
                    continue
                break
            if message in (f"task starting {cmd}", f"command skipped {cmd} is already running"):
                calls.append(WebhookCall(when, canary, ns, "", cmd.split()[0], run_type, cmd, None, "ok", 202))
                break
    return sorted(calls, key=lambda c: c.time)


def stamped_commands(canary: dict[str, Any]) -> dict[str, str]:
    """The loadtester commands of CANARY's webhooks: cmd -> run type."""
    hooks = ((canary.get("spec") or {}).get("analysis") or {}).get("webhooks") or []
    result: dict[str, str] = {}
    for hook in hooks:
        metadata = hook.get("metadata") or {}
        if metadata.get("cmd"):
            result[str(metadata["cmd"])] = str(metadata.get("type", "cmd"))
    return result
