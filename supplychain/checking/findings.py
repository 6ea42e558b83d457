"""Findings: one problem in one field of one document, as every check (validate, lint) reports it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from ..errors import short
from ..yamlio import Document

__all__ = ["Finding", "Severity", "exit_code", "finding_at", "sort_findings"]


class Severity(str, Enum):
    """How bad a finding is: errors fail the command, warnings only under --strict."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    """A problem at FIELD of an object; VIA names the hops from the document to that object."""

    file: str
    index: int | None
    kind: str | None
    name: str | None
    field: str
    message: str
    rule: str
    severity: Severity = Severity.ERROR
    via: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        """The full field path from the document, hops included."""
        return " > ".join([*self.via, self.field] if self.field else list(self.via))

    @property
    def object_key(self) -> tuple[str, int | None, str]:
        """Which input object this is about: file, document, and `items[j]` inside a list document."""
        head = (self.via[0] if self.via else self.field).split(".", 1)[0].split(" ", 1)[0]
        return self.file, self.index, head if head.startswith("items[") else ""

    def document(self) -> str:
        if self.index is None:
            return ""
        return f"document {self.index} ({short(self.kind) or '?'}/{short(self.name) or '?'})"

    def __str__(self) -> str:
        parts = [self.file]
        if self.index is not None:
            parts.append(self.document())
        if self.path:
            parts.append(self.path)
        return f"{': '.join(parts)}: {self.severity.value} [{self.rule}] {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "document": {"index": self.index, "kind": self.kind, "name": self.name},
            "path": self.path,
            "field": self.field,
            "via": list(self.via),
            "rule": self.rule,
            "severity": self.severity.value,
            "message": self.message,
        }


def finding_at(
    doc: Document,
    field_path: str,
    message: str,
    rule: str,
    severity: Severity = Severity.ERROR,
    via: tuple[str, ...] = (),
) -> Finding:
    """A finding in DOC (the document as it appears in the input; an item of a list is `items[j]` in it)."""
    kind = doc.kind if isinstance(doc.kind, str) else None
    name = doc.name if isinstance(doc.name, str) else None
    if via:
        via = (doc.field_path(via[0]) or "", *via[1:])
    else:
        field_path = doc.field_path(field_path) or ""
    return Finding(doc.source, doc.index, kind, name, field_path, message, rule, severity, via)


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Input order: file, document, then path; duplicates dropped."""
    unique = {(f.file, f.index, f.path, f.rule, f.message, f.severity): f for f in findings}
    return sorted(unique.values(), key=lambda f: (f.file, -1 if f.index is None else f.index, f.via, f.field, f.rule))


def exit_code(findings: Iterable[Finding], strict: bool) -> int:
    """1 when an error (or, with STRICT, a warning) was found, else 0."""
    for f in findings:
        if f.severity is Severity.ERROR or strict:
            return 1
    return 0
