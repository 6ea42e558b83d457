"""Printing stamped objects: a YAML stream in resource order, each object headed by its resource."""

from __future__ import annotations

from typing import Any

import yaml

from ..goyaml import go_resolve
from .chain import ChainResult, Stamped
from .gojson import for_display

# libyaml's emitter when PyYAML has it: the same YAML, several times faster for a thousand owners' objects
_BaseDumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _Dumper(_BaseDumper):  # type: ignore[misc]
    """Multi-line strings (embedded YAML files, scripts) print as literal blocks; a string that Go's YAML
    would read as something else (``y``, ``1e+21``, ``0o17``) is quoted."""


def _str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    if "\n" in text:
        return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|")
    if go_resolve(text) != text:
        return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="'")
    return dumper.represent_scalar("tag:yaml.org,2002:str", text)


_Dumper.add_representer(str, _str)


def dump_object(obj: Any) -> str:
    """One stamped object as YAML, integral float64s printed as integers (as the API server stores them)."""
    return yaml.dump(
        for_display(obj), Dumper=_Dumper, sort_keys=False, default_flow_style=False, allow_unicode=True, width=120
    )


def render_stamped(result: ChainResult, owner_header: bool = False) -> str:
    """Every stamped object of a realized blueprint; pass-through resources stamp nothing."""
    parts: list[str] = []
    owner = result.owner
    prefix = (
        f"# owner: {owner.kind} {owner.namespace}/{owner.name} ({result.blueprint.kind} {result.blueprint.name})\n"
        if owner_header
        else ""
    )
    for item in result.stamped:
        if item.obj is None:
            continue
        header = f"# resource: {item.resource.name} ({item.template_kind} {item.template_name})"
        body = item.rendered if item.rendered is not None else dump_object(item.obj)
        parts.append(f"---\n{prefix}{header}\n{body}")
    return "".join(parts)


def prerender(stamped: list[Stamped]) -> None:
    """Print each stamped object now (``realize_many``'s ON_WAVE: while ytt renders the next wave)."""
    for item in stamped:
        if item.obj is not None and item.rendered is None:
            item.rendered = dump_object(item.obj)


def render_many(results: list[ChainResult]) -> str:
    """Several owners' stamped objects, owner after owner, each object's header naming its owner."""
    return "".join(render_stamped(result, owner_header=True) for result in results)
