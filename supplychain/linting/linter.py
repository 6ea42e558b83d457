"""`lint`: run every rule over the input documents and the objects their templates stamp."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..checking.core import CheckResult, run_checks
from ..checking.findings import Finding
from ..validation import Stamper, Subject, default_stamper, expand
from ..yamlio import Document
from .context import LintContext
from .registry import RULES
from .rules import Rule

LintResult = CheckResult  # the result of `lint`: the checking core's


def run_rules(ctx: LintContext, rules: Iterable[Rule] = RULES) -> list[Finding]:
    findings: list[Finding] = []
    for rule in rules:
        for subject in ctx.subjects:
            if not rule.applies(subject):
                continue
            try:
                for hit in rule.check(subject, ctx):
                    findings.append(subject.finding(hit.path, hit.message, rule.id, hit.severity or rule.severity))
            except Exception as err:  # one broken rule must not take the whole report down
                findings.append(
                    subject.finding(
                        "",
                        f"rule {rule.id} could not check this object ({type(err).__name__}: "
                        f"{err}); this is a bug in the rule, please report it",
                        rule.id,
                    )
                )
    return findings


def lint_documents(
    docs: list[Document], stamper: Stamper | None = None, stamp: bool = True, rules: Iterable[Rule] = RULES
) -> CheckResult:
    """Lint DOCS with RULES; template output is stamped with sample data when STAMP."""
    expansion = expand(docs, (stamper or default_stamper()) if stamp else None)
    chosen = list(rules)

    def lint_rules(subjects: Sequence[Subject]) -> list[Finding]:
        return run_rules(LintContext(list(subjects)), chosen)

    return run_checks(docs, expansion, expansion.subjects, [lint_rules])
