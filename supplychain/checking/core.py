"""The one way `validate` and `lint` check documents: every object (input documents and what their
templates stamp, expanded by validation.subjects) goes through rule sets, and the findings come back in
input order as one CheckResult."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from ..yamlio import Document
from .findings import Finding, finding_at, sort_findings


class Expanded(Protocol):
    """What the expansion of the input gives the rule sets: the objects, and findings made on the way."""

    @property
    def findings(self) -> list[Finding]: ...


S = TypeVar("S")
RuleSet = Callable[[Sequence[S]], Iterable[Finding]]

_PYTHON_TYPES = {"list": "list", "str": "string", "int": "number", "float": "number", "bool": "boolean"}


@dataclass
class CheckResult:
    """Findings in input order, with how many documents were read and how many objects checked."""

    findings: list[Finding]
    documents: int
    checked: int


def shape_findings(docs: list[Document]) -> list[Finding]:
    """Documents that are not Kubernetes objects at all."""
    out: list[Finding] = []
    for doc in docs:
        if not isinstance(doc.body, dict):
            kind = _PYTHON_TYPES.get(type(doc.body).__name__, type(doc.body).__name__)
            out.append(
                finding_at(doc, "", f"a document must be a mapping (a Kubernetes object); got a {kind}", "document")
            )
    return out


def run_checks(
    docs: list[Document], expanded: Expanded, subjects: Sequence[S], rule_sets: Iterable[RuleSet[S]]
) -> CheckResult:
    """Shape findings, the expansion's findings, then every rule set over SUBJECTS."""
    findings = [*shape_findings(docs), *expanded.findings]
    for rule_set in rule_sets:
        findings.extend(rule_set(subjects))
    return CheckResult(sort_findings(findings), len(docs), len(subjects))
