"""Every lint rule, in reporting order."""

from __future__ import annotations

from . import canary_rules, control_rules, metric_rules, target_rules, webhook_rules, wiring_rules
from .rules import Rule

RULES: list[Rule] = [
    *canary_rules.RULES,
    *target_rules.RULES,
    *metric_rules.RULES,
    *webhook_rules.RULES,
    *control_rules.RULES,
    *wiring_rules.RULES,
]


def rule_ids() -> list[str]:
    return [r.id for r in RULES]
