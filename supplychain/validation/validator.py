"""`validate`: every object (input documents and stamped template output) against its pinned schema,
plus the rules Cartographer's webhooks and kapp-controller's Package API add."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..checking.core import CheckResult, run_checks
from ..checking.findings import Finding, Severity
from ..yamlio import Document
from . import cartographer_rules, kapp_config, object_meta, packaging_rules, template_paths
from .schema_check import SchemaChecker
from .schemas import SchemaRegistry
from .stamper import default_stamper
from .subjects import Expansion, Stamper, Subject, expand

ValidationResult = CheckResult  # the result of `validate`: the checking core's


def check_subject(subject: Subject, registry: SchemaRegistry, checker: SchemaChecker) -> list[Finding]:
    """Schema and extra rules for one object."""
    body = subject.body
    out: list[Finding] = []
    api_version, kind = body.get("apiVersion"), body.get("kind")
    if kapp_config.is_kapp_config(body):
        return [subject.finding(p.path, p.message, "kapp-config") for p in kapp_config.check(body)]
    for fld, value in (("apiVersion", api_version), ("kind", kind)):
        if not isinstance(value, str) or not value:
            out.append(subject.finding(fld, f"{fld} is required and must be a string", "schema"))
    meta: Any = body.get("metadata")
    if not isinstance(meta, dict) or not (meta.get("name") or meta.get("generateName")):
        out.append(subject.finding("metadata.name", "metadata.name (or generateName) is required", "schema"))
    if out:
        return out
    for problem in (*object_meta.check_metadata(body), *object_meta.non_finite_numbers(body)):
        out.append(subject.finding(problem.path, problem.message, "schema"))
    assert isinstance(api_version, str) and isinstance(kind, str)
    schema = registry.lookup(api_version, kind)
    if schema is None:
        out.append(
            subject.finding(
                "kind", f"no pinned schema for {api_version} {kind}; not validated", "unknown-kind", Severity.WARNING
            )
        )
    else:
        for problem in checker.check(body, schema):
            out.append(subject.finding(problem.path, problem.message, "schema"))
        if schema.cluster_scoped and isinstance(meta, dict) and meta.get("namespace"):
            out.append(
                subject.finding(
                    "metadata.namespace",
                    f"{kind} is cluster-scoped; the namespace is ignored",
                    "scope",
                    Severity.WARNING,
                )
            )
    for rule, problems in (
        ("webhook", cartographer_rules.check(body)),
        ("package-api", packaging_rules.check(body)),
        ("template-path", list(template_paths.check(body))),
    ):
        out.extend(subject.finding(p.path, p.message, rule) for p in problems)
    return out


def schema_rules(subjects: Sequence[Subject]) -> list[Finding]:
    """validate's rule set: each object's schema, Cartographer's webhook rules, the Package API rules."""
    registry, checker = SchemaRegistry(), SchemaChecker()
    return [finding for subject in subjects for finding in check_subject(subject, registry, checker)]


def validate_documents(docs: list[Document], stamper: Stamper | None = None, stamp: bool = True) -> CheckResult:
    """Validate DOCS; template output is stamped with sample data (see samples.py) when STAMP."""
    expansion: Expansion = expand(docs, (stamper or default_stamper()) if stamp else None)
    result = run_checks(docs, expansion, expansion.subjects, [schema_rules])
    # A template its schema or webhook rules reject cannot be stamped either; those findings say why.
    rejected = {f.object_key for f in result.findings if f.rule in ("webhook", "schema") and not f.via}
    result.findings = [f for f in result.findings if not (f.rule == "template-stamp" and f.object_key in rejected)]
    return result
