"""Canaries and MetricTemplates from YAML files or a rendered bundle (ConfigMaps holding YAML too)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import InputError, Location
from ..yamlio import Document, load_documents, parse_documents
from .model import CanarySpec, MetricTemplateSpec, is_canary, is_metric_template, parse_canary, parse_metric_template


@dataclass
class Bundle:
    canaries: list[CanarySpec]
    templates: dict[tuple[str, str], MetricTemplateSpec]
    sources: list[str]


def _embedded(doc: Document) -> list[Document]:
    """Canary/MetricTemplate documents inside a ConfigMap's data values (a config stage's output)."""
    if doc.kind != "ConfigMap" or not isinstance(doc.body, dict) or not isinstance(doc.body.get("data"), dict):
        return []
    out: list[Document] = []
    for key, value in doc.body["data"].items():
        if isinstance(value, str) and ("kind: Canary" in value or "kind: MetricTemplate" in value):
            where = f"{doc.source}: document {doc.index} ({doc.kind}/{doc.name}): data.{key}"
            out.extend(parse_documents(value, where))
    return out


def load_bundle(
    paths: Iterable[str], namespace: str = "default", mesh_provider: str = "istio", canary_name: str | None = None
) -> Bundle:
    """Every Canary and MetricTemplate in PATHS; duplicate MetricTemplates are an error."""
    paths = list(paths)
    docs = load_documents(paths)
    expanded: list[Document] = []
    for doc in docs:
        expanded.append(doc)
        expanded.extend(_embedded(doc))
    canaries: list[CanarySpec] = []
    templates: dict[tuple[str, str], MetricTemplateSpec] = {}
    for doc in expanded:
        if is_canary(doc):
            canaries.append(parse_canary(doc, namespace, mesh_provider))
        elif is_metric_template(doc):
            template = parse_metric_template(doc, namespace)
            key = (template.namespace, template.name)
            if key in templates:
                raise InputError(
                    f"MetricTemplate {key[0]}/{key[1]} is defined twice (first in {templates[key].source})",
                    doc.location(),
                )
            templates[key] = template
    where = Location(", ".join(paths) or "<stdin>")
    if canary_name is not None:
        chosen = [c for c in canaries if c.name == canary_name]
        if not chosen:
            have = ", ".join(c.name for c in canaries) or "none"
            raise InputError(f"no Canary named {canary_name!r} (Canaries: {have})", where)
        canaries = chosen
    if not canaries:
        raise InputError("no flagger.app Canary in the input", where)
    return Bundle(canaries, templates, paths)
