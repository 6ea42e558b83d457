"""What the API server checks on every object before any schema: names (apimachinery's DNS-1123 and
DNS-1035 rules, by kind) and numbers that JSON cannot carry (NaN, infinities)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from ..k8snames import DNS1035_LABEL, DNS1123_LABEL, DNS1123_SUBDOMAIN, LABEL_MAX, SUBDOMAIN_MAX
from .schema_check import Problem, join

# Core kinds whose names are labels rather than subdomains (ValidateServiceName, ValidateNamespaceName).
_LABEL_NAMED = {("v1", "Namespace"): "dns-1123-label", ("v1", "Service"): "dns-1035-label"}


def _shown(value: str) -> str:
    return repr(value) if len(value) <= 80 else f"{value[:40]!r}... ({len(value):,} characters)"


def name_problem(value: str, rule: str = "dns-1123-subdomain") -> str | None:
    """Why VALUE breaks RULE (dns-1123-subdomain, dns-1123-label or dns-1035-label), or None."""
    if rule == "dns-1123-subdomain":
        limit, pattern, what = (
            SUBDOMAIN_MAX,
            DNS1123_SUBDOMAIN,
            ("lowercase letters, digits, '-' and '.', starting and ending with a letter or digit"),
        )
    elif rule == "dns-1123-label":
        limit, pattern, what = (
            LABEL_MAX,
            DNS1123_LABEL,
            ("lowercase letters, digits and '-', starting and ending with a letter or digit"),
        )
    else:
        limit, pattern, what = (
            LABEL_MAX,
            DNS1035_LABEL,
            ("lowercase letters, digits and '-', starting with a letter and ending with a letter or digit"),
        )
    if len(value) > limit:
        return f"{_shown(value)} is longer than {limit} characters ({rule})"
    if not pattern.fullmatch(value):
        return f"{_shown(value)} is not a valid name: {what} ({rule})"
    return None


def check_metadata(body: dict[str, Any]) -> Iterator[Problem]:
    """metadata.name, generateName and namespace as the API server checks them."""
    meta = body.get("metadata")
    if not isinstance(meta, dict):
        return
    rule = _LABEL_NAMED.get((str(body.get("apiVersion")), str(body.get("kind"))), "dns-1123-subdomain")
    name = meta.get("name")
    if isinstance(name, str) and name:
        problem = name_problem(name, rule)
        if problem:
            yield Problem("metadata.name", problem)
    generate = meta.get("generateName")
    if isinstance(generate, str) and generate and not name:
        problem = name_problem(generate.rstrip("-") or "x", rule)  # the server appends a random suffix
        if problem:
            yield Problem("metadata.generateName", problem)
    namespace = meta.get("namespace")
    if isinstance(namespace, str) and namespace:
        problem = name_problem(namespace, "dns-1123-label")
        if problem:
            yield Problem("metadata.namespace", problem)


def _has_non_finite(value: Any) -> bool:
    todo = [value]
    while todo:
        item = todo.pop()
        if isinstance(item, float):
            if not math.isfinite(item):
                return True
        elif isinstance(item, dict):
            todo.extend(item.values())
        elif isinstance(item, list):
            todo.extend(item)
    return False


def non_finite_numbers(value: Any, path: str = "") -> Iterator[Problem]:
    """Every NaN or infinity in VALUE: JSON has no such numbers, so no client can send the object."""
    if not _has_non_finite(value):  # the common case, without building a field path per value
        return
    todo: list[tuple[Any, str]] = [(value, path)]
    while todo:
        item, where = todo.pop()
        if isinstance(item, float) and not math.isfinite(item):
            shown = "NaN" if math.isnan(item) else ("+Inf" if item > 0 else "-Inf")
            yield Problem(where, f"{shown} is not a JSON number; the object cannot be sent to the API server")
        elif isinstance(item, dict):
            todo.extend((v, join(where, k)) for k, v in reversed(list(item.items())))
        elif isinstance(item, list):
            todo.extend((v, join(where, i)) for i, v in reversed(list(enumerate(item))))
