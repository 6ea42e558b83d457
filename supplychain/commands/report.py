"""How `validate` and `lint` print their findings: one line each and a summary, or JSON."""

from __future__ import annotations

import json

import click

from ..checking.findings import Finding, Severity

OUTPUT_FORMATS = ("text", "json")


def summary(findings: list[Finding], documents: int, checked: int) -> dict[str, int]:
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    return {
        "documents": documents,
        "objects_checked": checked,
        "errors": errors,
        "warnings": len(findings) - errors,
    }


def render_text(findings: list[Finding], counts: dict[str, int], what: str) -> str:
    """One line per finding, then a summary line."""
    lines = [str(f) for f in findings]
    lines.append(
        f"{what}: {counts['documents']} document(s), {counts['objects_checked']} object(s) checked, "
        f"{counts['errors']} error(s), {counts['warnings']} warning(s)"
    )
    return "\n".join(lines)


def render_json(findings: list[Finding], counts: dict[str, int]) -> str:
    return json.dumps({"summary": counts, "findings": [f.to_dict() for f in findings]}, indent=2)


def emit(findings: list[Finding], documents: int, checked: int, output: str, what: str) -> None:
    counts = summary(findings, documents, checked)
    click.echo(render_json(findings, counts) if output == "json" else render_text(findings, counts, what))
