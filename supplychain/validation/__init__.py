"""Offline validation of Kubernetes objects against the pinned upstream schemas and webhook rules."""

from ..checking.findings import Finding, Severity
from .validator import ValidationResult, validate_documents

__all__ = ["Finding", "Severity", "ValidationResult", "validate_documents"]
