"""Rules kapp-controller's aggregated Package API enforces beyond the schema
(pkg/apiserver/apis/datapackaging/validation): names and versions."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ..k8snames import is_dns1123_subdomain
from .schema_check import Problem

_SEMVER = re.compile(
    r"^v?(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)"
    r"(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$"
)


def _qualified_name(name: Any, path: str) -> Iterator[Problem]:
    if not isinstance(name, str) or not name:
        yield Problem(path, "a fully qualified name is required (e.g. canary.supplychain.example.com)")
    elif not is_dns1123_subdomain(name):
        yield Problem(path, f"{name!r} is not a DNS subdomain (lower-case letters, digits, '-' and '.')")
    elif len(name.split(".")) < 3:
        yield Problem(path, f"{name!r} should be a domain with at least three segments separated by dots")


def check(body: dict[str, Any]) -> list[Problem]:
    """Package / PackageMetadata problems (none for other kinds)."""
    if body.get("apiVersion") != "data.packaging.carvel.dev/v1alpha1":
        return []
    meta = body.get("metadata") if isinstance(body.get("metadata"), dict) else {}
    spec = body.get("spec") if isinstance(body.get("spec"), dict) else {}
    assert isinstance(meta, dict) and isinstance(spec, dict)
    if body.get("kind") == "PackageMetadata":
        return list(_qualified_name(meta.get("name"), "metadata.name"))
    if body.get("kind") != "Package":
        return []
    problems = list(_qualified_name(spec.get("refName"), "spec.refName"))
    version = spec.get("version")
    if not isinstance(version, str) or not _SEMVER.match(version):
        problems.append(Problem("spec.version", f"must be a semantic version such as 1.2.3; got {version!r}"))
    expected = f"{spec.get('refName')}.{version}"
    if meta.get("name") != expected:
        problems.append(
            Problem("metadata.name", f"must be <spec.refName>.<spec.version> = {expected!r}; got {meta.get('name')!r}")
        )
    return problems
