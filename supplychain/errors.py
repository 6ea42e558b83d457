"""User-facing errors that name where the bad input is."""

from __future__ import annotations

from dataclasses import dataclass


def short(text: object, limit: int = 80) -> str | None:
    """TEXT for a message: as it is when short, else its start and its length (a name can be megabytes)."""
    if text is None:
        return None
    shown = str(text)
    return shown if len(shown) <= limit else f"{shown[: limit // 2]}...({len(shown):,} characters)"


@dataclass(frozen=True)
class Location:
    """Where something is: a file, a document in it, and a field path."""

    file: str
    index: int | None = None
    kind: str | None = None
    name: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        parts = [self.file]
        if self.index is not None:
            doc = f"document {self.index}"
            if self.kind or self.name:
                doc += f" ({short(self.kind) or '?'}/{short(self.name) or '?'})"
            parts.append(doc)
        if self.field:
            parts.append(self.field)
        return ": ".join(parts)


class SupplychainError(Exception):
    """An error caused by the user's input or environment; printed without a traceback."""

    exit_code = 2

    def __init__(self, message: str, location: Location | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location

    def __str__(self) -> str:
        if self.location is None:
            return self.message
        return f"{self.location}: {self.message}"


class InputError(SupplychainError):
    """Input that cannot be read or has the wrong shape."""


class ToolError(SupplychainError):
    """A required external tool is missing or failed."""
