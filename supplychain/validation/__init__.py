"""Offline validation of Kubernetes objects against the pinned upstream schemas and webhook rules.

Its public API, which `lint` uses too: the expansion of the input into the objects to check (each document,
list items, and what every template stamps for a sample owner) and validate's own rule set.
"""

from ..checking.findings import Finding, Severity
from .cartographer_rules import BLUEPRINT_KINDS, TEMPLATE_KINDS
from .stamper import default_stamper
from .subjects import INPUT_GROUP, Expansion, Stamper, Subject, expand, is_carto
from .validator import ValidationResult, validate_documents

__all__ = [
    "BLUEPRINT_KINDS",
    "INPUT_GROUP",
    "TEMPLATE_KINDS",
    "Expansion",
    "Finding",
    "Severity",
    "Stamper",
    "Subject",
    "ValidationResult",
    "default_stamper",
    "expand",
    "is_carto",
    "validate_documents",
]
