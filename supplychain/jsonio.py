"""JSON read as Go's encoding/json reads it: no NaN or Infinity tokens; strict reads also refuse a key given
twice in one object (Go keeps the last one silently, which hides mistakes in hand-written input)."""

from __future__ import annotations

import json
from typing import Any

from .errors import InputError, Location


class _Refused(ValueError):
    pass


def _no_constant(token: str) -> Any:
    raise _Refused(f"{token} is not JSON (encoding/json refuses it)")


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Refused(f"key {key!r} is given twice in one object")
        out[key] = value
    return out


def go_loads(text: str | bytes) -> Any:
    """Decode like encoding/json into interface{}; raises ValueError (json.JSONDecodeError for syntax)."""
    return json.loads(text, parse_constant=_no_constant)


def load_strict(text: str, source: str) -> Any:
    """Decode hand-written JSON: Go's syntax, no repeated keys; errors name SOURCE (and line and column)."""
    try:
        return json.loads(text, parse_constant=_no_constant, object_pairs_hook=_unique)
    except json.JSONDecodeError as err:
        raise InputError(
            f"malformed JSON at line {err.lineno}, column {err.colno}: {err.msg}", Location(source)
        ) from None
    except _Refused as err:
        raise InputError(f"malformed JSON: {err}", Location(source)) from None
    except RecursionError:
        raise InputError("malformed JSON: nested too deeply", Location(source)) from None
