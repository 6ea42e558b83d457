"""Check one object against its schema and phrase each jsonschema error as (field path, message)."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft4Validator
from jsonschema.exceptions import ValidationError

from .fast_schema import Check, compile_schema
from .openapi import drop_nulls
from .schemas import Schema

_SIMPLE_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class Problem:
    """A schema violation at a field path."""

    path: str
    message: str


def format_path(parts: Iterable[Any]) -> str:
    """['spec', 'metrics', 0, 'name'] -> 'spec.metrics[0].name'; odd keys are quoted: data["a.yml"]."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _SIMPLE_KEY.match(str(part)):
            out += f".{part}" if out else str(part)
        else:
            out += f"[{json.dumps(part)}]"
    return out


def join(base: str, *parts: Any) -> str:
    tail = format_path(parts)
    if not base:
        return tail
    if not tail:
        return base
    return base + tail if tail.startswith("[") else f"{base}.{tail}"


def _short(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


class SchemaChecker:
    """Validates objects; one compiled validator per schema. A valid object is accepted by the schema's
    compiled check (fast_schema); jsonschema explains the others."""

    def __init__(self) -> None:
        self._validators: dict[tuple[str, str], Draft4Validator] = {}
        self._fast: dict[tuple[str, str], Check | None] = {}

    def check(self, obj: dict[str, Any], schema: Schema) -> list[Problem]:
        key = (schema.api_version, schema.kind)
        instance = drop_nulls(obj)
        if key not in self._fast:
            self._fast[key] = compile_schema(schema.body)
        fast = self._fast[key]
        if fast is not None and fast(instance):
            return []
        validator = self._validators.get(key)
        if validator is None:
            validator = self._validators[key] = Draft4Validator(schema.body)
        problems: list[Problem] = []
        for error in validator.iter_errors(instance):
            problems.extend(_explain(error))
        unique = {(p.path, p.message): p for p in problems}
        return sorted(unique.values(), key=lambda p: p.path)


def _explain(error: ValidationError) -> Iterator[Problem]:
    path = format_path(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    instance = error.instance
    kind = error.validator
    if kind == "additionalProperties" and isinstance(instance, dict):
        known = sorted(schema.get("properties", {}))
        for extra in sorted(set(instance) - set(known)):
            hint = difflib.get_close_matches(extra, known, n=1)
            suffix = (
                f"; did you mean {hint[0]!r}?"
                if hint
                else (f"; known fields: {', '.join(known)}" if known and len(known) <= 12 else "")
            )
            yield Problem(join(path, extra), f"unknown field {extra!r}{suffix}")
    elif kind == "required":
        wanted_names: Any = error.validator_value
        missing = [name for name in wanted_names if isinstance(instance, dict) and name not in instance]
        for name in missing:
            yield Problem(join(path, name), "required field is missing")
    elif kind == "type":
        wanted = error.validator_value
        wanted_text = " or ".join(wanted) if isinstance(wanted, list) else str(wanted)
        yield Problem(path, f"must be {_article(wanted_text)}, got {_describe(instance)}")
    elif kind == "enum":
        allowed: Any = error.validator_value
        options = ", ".join(_short(v) for v in allowed)
        yield Problem(path, f"must be one of {options}; got {_short(instance)}")
    elif kind == "pattern":
        yield Problem(path, f"must match the pattern {error.validator_value}; got {_short(instance)}")
    elif kind in ("oneOf", "anyOf"):
        message = _explain_union(error, kind)
        if message:
            yield Problem(path, message)
    elif kind in ("minimum", "maximum"):
        yield Problem(
            path,
            f"must be {'at least' if kind == 'minimum' else 'at most'} {error.validator_value}; got {_short(instance)}",
        )
    elif kind in _SIZES:
        bound, unit = _SIZES[kind]
        yield Problem(path, f"must have {bound} {error.validator_value} {unit}; got {_size(instance)}")
    else:
        yield Problem(path, error.message)


_SIZES = {
    "minItems": ("at least", "item(s)"),
    "maxItems": ("at most", "item(s)"),
    "minLength": ("at least", "character(s)"),
    "maxLength": ("at most", "character(s)"),
    "minProperties": ("at least", "field(s)"),
    "maxProperties": ("at most", "field(s)"),
}


def _size(instance: Any) -> str:
    return str(len(instance)) if isinstance(instance, (list, dict, str)) else _short(instance)


def _describe(value: Any) -> str:
    return "null" if value is None else f"{_type_name(value)} {_short(value)}"


def _article(type_text: str) -> str:
    return ("an " if type_text[:1] in "aeiou" else "a ") + type_text


def _explain_union(error: ValidationError, kind: str) -> str | None:
    branches: Any = error.validator_value
    instance = error.instance
    if all(isinstance(b, dict) and set(b) == {"required"} for b in branches) and not isinstance(instance, dict):
        return None  # the type error on the same field says it
    if all(isinstance(b, dict) and set(b) == {"type"} for b in branches):
        names = " or ".join(str(b["type"]) for b in branches)
        return f"must be {_article(names)}, got {_describe(instance)}"
    if all(isinstance(b, dict) and set(b) == {"required"} for b in branches) and isinstance(instance, dict):
        forms = [list(b["required"]) for b in branches]
        satisfied = [f for f in forms if all(k in instance for k in f)]
        common = [k for k in forms[0] if all(k in f for f in forms)]
        choices = [next(k for k in f if k not in common) for f in forms if any(k not in common for k in f)]
        if len(satisfied) > 1 and choices:
            present = [c for c in choices if c in instance]
            return f"set only one of {', '.join(choices)}; found {' and '.join(present)}"
        missing_common = [k for k in common if k not in instance]
        if missing_common:
            return f"required field(s) missing: {', '.join(missing_common)}"
        if choices:
            return f"one of {', '.join(choices)} is required"
        return f"must have exactly one of: {' | '.join('+'.join(f) for f in forms)}"
    if error.context:
        best = min(error.context, key=lambda e: len(list(e.absolute_path)))
        return f"matches none of the allowed forms ({best.message})"
    return error.message
