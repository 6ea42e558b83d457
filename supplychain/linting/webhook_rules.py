"""Rules on a Canary's webhooks (Flagger hook types, flagger-loadtester metadata)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from ..analysis.constants import HOOK_TYPES as FLAGGER_HOOK_TYPES
from ..analysis.constants import LOADTESTER_TYPES as FLAGGER_LOADTESTER_TYPES
from ..checking.findings import Severity
from ..validation import Subject
from .canary_rules import analysis, interval_seconds, is_blue_green
from .context import LintContext
from .durations import format_seconds, parse_duration
from .rules import Check, Hit, Rule, as_dict, as_list, rule

HOOK_TYPES = frozenset({"", *FLAGGER_HOOK_TYPES})  # an empty type is a rollout hook
LOADTESTER_TYPES = frozenset(FLAGGER_LOADTESTER_TYPES)
# Hooks whose failure counts against the analysis (failedChecks) - a fire-and-forget task never fails them.
GATING_HOOKS = frozenset({"pre-rollout", "rollout", ""})


def hooks(subject: Subject) -> list[tuple[int, dict[str, Any]]]:
    return [(i, h) for i, h in enumerate(as_list(analysis(subject).get("webhooks"))) if isinstance(h, dict)]


def _canary(rule_id: str, severity: Severity, summary: str) -> Callable[[Check], Rule]:
    return rule(rule_id, severity, "flagger.app", ["Canary"], summary)


@_canary("webhook-type", Severity.ERROR, "webhook type is one Flagger knows")
def hook_type(s: Subject, ctx: LintContext) -> Iterator[Hit]:
    for i, h in hooks(s):
        kind = h.get("type", "")
        if kind not in HOOK_TYPES:
            yield Hit(
                f"spec.analysis.webhooks[{i}].type",
                f"unknown webhook type {kind!r}; one of {', '.join(sorted(t for t in HOOK_TYPES if t))}",
            )


@_canary("webhook-bluegreen-traffic", Severity.WARNING, "no confirm-traffic-increase hook in blue/green (never called)")
def bluegreen_traffic(s: Subject, ctx: LintContext) -> Iterator[Hit]:
    if not is_blue_green(s):
        return
    for i, h in hooks(s):
        if h.get("type") == "confirm-traffic-increase":
            yield Hit(
                f"spec.analysis.webhooks[{i}].type",
                "confirm-traffic-increase is never called in blue/green (no traffic steps); use confirm-promotion",
            )


@_canary("webhook-loadtester-type", Severity.ERROR, "flagger-loadtester metadata.type is a task type it runs")
def loadtester_type(s: Subject, ctx: LintContext) -> Iterator[Hit]:
    for i, h in hooks(s):
        meta = as_dict(h.get("metadata"))
        if "cmd" in meta and meta.get("type", "cmd") not in LOADTESTER_TYPES:
            yield Hit(
                f"spec.analysis.webhooks[{i}].metadata.type",
                f"flagger-loadtester has no task type {meta.get('type')!r}; one of {', '.join(sorted(LOADTESTER_TYPES))}",
            )


@_canary(
    "webhook-gating-blocking",
    Severity.WARNING,
    "a pre-rollout test uses a blocking loadtester task (bash), not cmd which always succeeds",
)
def gating_blocking(s: Subject, ctx: LintContext) -> Iterator[Hit]:
    for i, h in hooks(s):
        meta = as_dict(h.get("metadata"))
        if h.get("type") == "pre-rollout" and "cmd" in meta and meta.get("type", "cmd") == "cmd":
            yield Hit(
                f"spec.analysis.webhooks[{i}].metadata.type",
                "metadata type cmd runs in the background and answers 202 at once, so this pre-rollout check "
                "can never fail; use type bash to gate on the command's exit status",
            )


@_canary("webhook-names-unique", Severity.WARNING, "webhook names are unique within a Canary")
def names_unique(s: Subject, ctx: LintContext) -> Iterator[Hit]:
    seen: set[Any] = set()
    for i, h in hooks(s):
        name = h.get("name")
        if name in seen:
            yield Hit(
                f"spec.analysis.webhooks[{i}].name",
                f"webhook name {name!r} is used twice; events and alerts cannot tell them apart",
            )
        seen.add(name)


@_canary("webhook-timeout-interval", Severity.WARNING, "a webhook's timeout is shorter than the analysis interval")
def timeout_interval(s: Subject, ctx: LintContext) -> Iterator[Hit]:
    interval = interval_seconds(s)
    for i, h in hooks(s):
        timeout = parse_duration(h.get("timeout")) if h.get("timeout") is not None else None
        if timeout is not None and timeout > interval:
            yield Hit(
                f"spec.analysis.webhooks[{i}].timeout",
                f"timeout {h.get('timeout')} is longer than the analysis interval ({format_seconds(interval)}): "
                "a slow hook delays every tick of the analysis",
            )


RULES: list[Rule] = [hook_type, bluegreen_traffic, loadtester_type, gating_blocking, names_unique, timeout_interval]
