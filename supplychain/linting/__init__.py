"""Lint rules for Flagger canaries and Cartographer supply-chain wiring."""

from .linter import LintResult, lint_documents
from .registry import RULES

__all__ = ["RULES", "LintResult", "lint_documents"]
