"""The JSONPath expressions a template reads its output with (urlPath, revisionPath, imagePath, configPath),
checked where they are written: a broken one is the template's fault, not that of the resource that consumes
the output."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..stamping.jsonpath import syntax_error
from .schema_check import Problem

OUTPUT_PATHS = {
    "ClusterSourceTemplate": ("urlPath", "revisionPath"),
    "ClusterImageTemplate": ("imagePath",),
    "ClusterConfigTemplate": ("configPath",),
}


def check(body: dict[str, Any]) -> Iterator[Problem]:
    """Each output path of a carto.run template that client-go's JSONPath parser refuses."""
    if str(body.get("apiVersion", "")).split("/")[0] != "carto.run":
        return
    spec = body.get("spec")
    if not isinstance(spec, dict):
        return
    for key in OUTPUT_PATHS.get(str(body.get("kind")), ()):
        path = spec.get(key)
        if isinstance(path, str):
            problem = syntax_error(path)
            if problem is not None:
                yield Problem(
                    f"spec.{key}",
                    f"{path[:200]!r} is not a JSONPath Cartographer can evaluate: {problem}; "
                    "every resource stamped from this template would fail to report its "
                    "output",
                )
