"""Errors, Go's missing value and Go's map type, shared by the lexer, parser and executor."""

from __future__ import annotations

from typing import Any

TEMPLATE_NAME = "tmpl"


class TemplateError(Exception):
    """A parse or execution error, worded as Go's text/template words it."""

    def __init__(self, message: str, stage: str) -> None:
        super().__init__(message)
        self.message = message
        self.stage = stage  # "parse" or "exec"


class UnsupportedTemplate(Exception):
    """Valid Go template syntax this engine does not evaluate."""


class _Missing:
    """Go's invalid reflect.Value: nil data, a missing map entry."""

    def __repr__(self) -> str:
        return "<no value>"


MISSING: Any = _Missing()


class GoMap(dict[str, str]):
    """A Go map[string]string (prints as map[k:v ...])."""
