"""`lint`: run every rule over the input documents and the objects their templates stamp."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from ..validation.findings import Finding, sort_findings
from ..validation.stamper import default_stamper
from ..validation.subjects import Stamper, expand
from ..validation.validator import shape_findings
from ..yamlio import Document
from .context import LintContext
from .registry import RULES
from .rules import Rule


@dataclass
class LintResult:
    findings: list[Finding]
    documents: int
    checked: int


def run_rules(ctx: LintContext, rules: Iterable[Rule] = RULES) -> list[Finding]:
    findings: list[Finding] = []
    for rule in rules:
        for subject in ctx.subjects:
            if not rule.applies(subject):
                continue
            for hit in rule.check(subject, ctx):
                findings.append(subject.finding(hit.path, hit.message, rule.id, hit.severity or rule.severity))
    return findings


def lint_documents(docs: list[Document], stamper: Stamper | None = None, stamp: bool = True,
                   rules: Iterable[Rule] = RULES) -> LintResult:
    """Lint DOCS with RULES; template output is stamped with sample data when STAMP."""
    expansion = expand(docs, (stamper or default_stamper()) if stamp else None)
    ctx = LintContext(expansion.subjects)
    findings = [*shape_findings(docs), *expansion.findings, *run_rules(ctx, rules)]
    return LintResult(sort_findings(findings), len(docs), len(expansion.subjects))
