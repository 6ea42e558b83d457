"""Stamping a template for a sample owner when the template reads data the sample does not hold.

TAP's own templates read what their supply chain hands them: `params.registry.server` (a blueprint param),
`workload.spec.image` (image workloads), `config.spec.containers` (the PodTemplateSpec that convention-template
outputs). Stamped on their own for our sample Workload, they fail for want of that data, which says nothing about
the template. So when a stamp fails because a field is missing, we find which `data.values` (or `$(...)$`) path
the template read and give it sample data of the right shape, then stamp again. Only fields a real owner can have
(its CRD schema), params (any name) and the PodTemplateSpec shape of a config input are supplied. When that still
does not stamp, the template is reported as not checked (a warning naming what it read), never as broken.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import SupplychainError, ToolError
from .samples import SAMPLE_IMAGE, SAMPLE_POD_TEMPLATE, SampleInputs
from .schemas import SchemaRegistry

MAX_REPAIRS = 8
_ATTR = re.compile(r"struct has no \.([A-Za-z_][A-Za-z0-9_]*) field or method")
_KEY = re.compile(r"""key "([^"]+)" not in struct""")
_JSONPATH = re.compile(r"jsonpath returned empty list: ([A-Za-z0-9_.\-\[\]'\"]+)")
_DATA_VALUES = re.compile(r"""data\.values((?:\.[A-Za-z_][A-Za-z0-9_]*|\[\s*"[^"]*"\s*\]|\[\s*'[^']*'\s*\])+)""")
_PART = re.compile(r"""\.([A-Za-z_][A-Za-z0-9_]*)|\[\s*["']([^"']*)["']\s*\]""")
OWNER_ROOTS = ("workload", "deliverable")
CONFIG_ROOT = "config"
POD_TEMPLATE_FIELDS = ("metadata", "spec")

StampFn = Callable[[dict[str, Any], dict[str, Any], dict[str, Any], SampleInputs], dict[str, Any]]


@dataclass(frozen=True)
class Missing:
    """A path the template read and the sample lacks: ROOT (workload, params, config, ...) then PATH."""

    root: str
    path: tuple[str, ...]

    def __str__(self) -> str:
        return ".".join((self.root, *self.path))


@dataclass
class Outcome:
    """A stamp, or why there is none; SUPPLIED lists the sample data given to the template on the way."""

    stamped: dict[str, Any] | None = None
    error: SupplychainError | None = None
    supplied: list[str] = field(default_factory=list)
    missing: Missing | None = None  # what the template last read and the sample lacked

    @property
    def sample_caused(self) -> bool:
        """The failure came after we supplied data the template reads: the sample's, not the template's."""
        return self.error is not None and bool(self.supplied)


def _parts(expression: str) -> list[str]:
    return [m.group(1) or m.group(2) for m in _PART.finditer(expression)]


def missing_data(message: str) -> Missing | None:
    """The path a failed stamp read and did not find, from ytt's or the JSONPath evaluator's message."""
    jsonpath = _JSONPATH.search(message)
    if jsonpath:
        parts = [p for p in re.split(r"[.\[\]'\"]+", jsonpath.group(1)) if p]
        return Missing(parts[0], tuple(parts[1:])) if len(parts) > 1 else None
    found = _ATTR.search(message) or _KEY.search(message)
    if not found:
        return None
    wanted = found.group(1)
    for line in message[found.end() :].splitlines():
        if "|" not in line:
            continue
        for expr in _DATA_VALUES.finditer(line.split("|", 1)[1]):
            parts = _parts(expr.group(1))
            if wanted in parts[1:]:
                cut = parts.index(wanted, 1)
                return Missing(parts[0], tuple(parts[1 : cut + 1]))
        break  # only the line the error points at
    return None


def _owner_schema(kind: str) -> dict[str, Any] | None:
    try:
        schema = SchemaRegistry().lookup("carto.run/v1alpha1", kind)
    except SupplychainError:
        return None
    return schema.body if schema is not None else None


def _schema_path(schema: dict[str, Any] | None, path: tuple[str, ...]) -> list[dict[str, Any]] | None:
    """The schema node of each step of PATH in an owner's schema, or None when an owner cannot have it."""
    if schema is None:
        return None
    nodes: list[dict[str, Any]] = []
    node: dict[str, Any] = schema
    for i, step in enumerate(path):
        if i == 0 and step == "metadata":
            node = {"type": "object", "properties": {"labels": {"type": "object"}, "annotations": {"type": "object"}}}
        else:
            props = node.get("properties")
            if not isinstance(props, dict) or step not in props:
                return None
            node = props[step]
        nodes.append(node)
    return nodes


def _sample_value(leaf: str, node: dict[str, Any] | None) -> Any:
    kind = (node or {}).get("type")
    if kind == "object" or leaf in ("labels", "annotations"):
        return {}
    if kind == "array":
        return []
    if kind == "integer":
        return 1
    if kind == "boolean":
        return False
    if leaf == "image":
        return SAMPLE_IMAGE
    if leaf == "server":
        return "registry.example.com"
    return "sample"


def _put(target: dict[str, Any], path: tuple[str, ...], value: Any) -> bool:
    node = target
    for step in path[:-1]:
        child = node.get(step)
        if child is None:
            child = node[step] = {}
        if not isinstance(child, dict):
            return False
        node = child
    if path[-1] in node and node[path[-1]] is not None:
        return False
    node[path[-1]] = value
    return True


def declared_params(template: dict[str, Any]) -> set[str]:
    """The params a template declares: Cartographer hands a template only those."""
    spec = template.get("spec")
    declared = spec.get("params") if isinstance(spec, dict) else None
    if not isinstance(declared, list):
        return set()
    return {str(p["name"]) for p in declared if isinstance(p, dict) and "name" in p}


def supply(
    missing: Missing,
    owner: dict[str, Any],
    params: dict[str, Any],
    inputs: SampleInputs,
    declared: set[str] | None = None,
) -> bool:
    """Give the template sample data at MISSING; False when that is not something a real chain would hand it
    (a field no owner can have, a param the template does not declare)."""
    if missing.root in OWNER_ROOTS and missing.path:
        nodes = _schema_path(_owner_schema(str(owner.get("kind"))), missing.path)
        if nodes is None:
            return False
        return _put(owner, missing.path, _sample_value(missing.path[-1], nodes[-1]))
    if missing.root == "params" and missing.path and missing.path[0] in (declared or set()):
        return _put(params, missing.path, _sample_value(missing.path[-1], None))
    if missing.root == CONFIG_ROOT and missing.path and missing.path[0] in POD_TEMPLATE_FIELDS and inputs.configs:
        if all(v == SAMPLE_POD_TEMPLATE for v in inputs.configs.values()):
            return False
        for name in inputs.configs:
            inputs.configs[name] = copy.deepcopy(SAMPLE_POD_TEMPLATE)
        return True
    return False


def stamp_with_samples(
    stamp: StampFn, template: dict[str, Any], owner: dict[str, Any], params: dict[str, Any], inputs: SampleInputs
) -> Outcome:
    """Stamp TEMPLATE; when it fails for data the sample lacks, supply that data and try again."""
    owner, params, inputs = copy.deepcopy(owner), copy.deepcopy(params), copy.deepcopy(inputs)
    outcome = Outcome()
    for _ in range(MAX_REPAIRS + 1):
        try:
            outcome.stamped = stamp(template, owner, params, inputs)
            outcome.error = outcome.missing = None
            return outcome
        except ToolError:
            raise
        except SupplychainError as err:
            outcome.error = err
        missing = missing_data(outcome.error.message)
        if missing is None:
            return outcome  # a real failure, unless it came from data we supplied (sample_caused)
        outcome.missing = missing
        if not supply(missing, owner, params, inputs, declared_params(template)):
            return outcome
        outcome.supplied.append(str(missing))
    return outcome
