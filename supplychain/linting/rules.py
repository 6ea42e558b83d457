"""Lint rules as data: an id, a default severity, the kinds it looks at, and a small check function."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..checking.findings import Severity
from ..validation import Subject

if TYPE_CHECKING:
    from .context import LintContext


@dataclass(frozen=True)
class Hit:
    """What a check found: a field path in the subject and a message; severity overrides the rule's."""

    path: str
    message: str
    severity: Severity | None = None


Check = Callable[[Subject, "LintContext"], Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    api_group: str
    kinds: frozenset[str]
    summary: str
    check: Check
    input_only: bool = False  # only documents as written, not stamped template output

    def applies(self, subject: Subject) -> bool:
        group = str(subject.api_version or "").split("/")[0] if "/" in str(subject.api_version or "") else ""
        return group == self.api_group and subject.kind in self.kinds and not (self.input_only and subject.embedded)


def rule(
    rule_id: str, severity: Severity, api_group: str, kinds: Iterable[str], summary: str, input_only: bool = False
) -> Callable[[Check], Rule]:
    """Decorator turning a check function into a Rule."""

    def wrap(fn: Check) -> Rule:
        return Rule(rule_id, severity, api_group, frozenset(kinds), summary, fn, input_only)

    return wrap


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
