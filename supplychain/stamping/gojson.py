"""Go encoding/json and sigs.k8s.io/yaml behaviour that stamping results depend on.

Numbers keep Go's distinction: a Python ``int`` is a Go int64 and a Python ``float`` a Go float64.
Values decoded "as interface{}" (template bodies, JSONPath results, controller outputs) hold only
floats, exactly as Go's ``json.Unmarshal`` into ``interface{}`` does.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from .. import goyaml
from ..gofloat import format_float, json_number
from .errors import EvalError

_RAW_BYTE = re.compile("[\udc80-\udcff]")


def json_text(text: str) -> str:
    """A Go string after a trip through JSON: bytes that were not UTF-8 are U+FFFD."""
    if text.isascii():
        return text
    return _RAW_BYTE.sub("\ufffd", text)


def load_yaml_documents(text: str) -> list[Any]:
    """Every document of TEXT, empty ones kept as None, read by the one Go-compatible loader (goyaml) as
    sigs.k8s.io/yaml.Unmarshal reads it (a repeated key keeps its last value); raises yaml.YAMLError."""
    return list(goyaml.load_all(text, strict=False))


def yaml_to_json(value: Any, where: str = "") -> Any:
    """sigs.k8s.io/yaml's YAMLToJSON: integral floats become integers, keys become strings."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            at = f" at {where}" if where else ""
            raise EvalError(f"unsupported number {value!r}{at}: JSON has no NaN or infinity")
        if value == 0 and math.copysign(1.0, value) < 0:
            return value  # json.Marshal writes -0, which decodes into interface{} as -0.0
        return float_to_json_number(value)
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out[_key_to_string(key)] = yaml_to_json(item, where)
        return out
    if isinstance(value, list):
        return [yaml_to_json(item, where) for item in value]
    return str(value)


def json_key(key: Any) -> str | None:
    """The JSON object key sigs.k8s.io/yaml makes of a YAML map key (a float through float32), or None
    for a key it does not convert (null, a collection)."""
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, int):
        return str(key)
    if isinstance(key, float):
        return format_float(key, "g", -1, 32)
    return None


def _key_to_string(key: Any) -> str:
    text = json_key(key)
    if text is not None:
        return text
    if key is None:
        raise EvalError("Unsupported map key of type: <nil> (a null or empty YAML key)")
    return str(key)


INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def float_to_json_number(value: float) -> int | float:
    """What a float64 becomes after a round trip through JSON into an unstructured object.

    JSON text that reads as an int64 becomes an integer; anything else (a fraction, an exponent, a
    whole number beyond int64) stays a float64. ``-0`` reads as the int64 0.
    """
    text = json_number(value)
    if re.fullmatch(r"-?[0-9]+", text):
        number = int(text)
        if INT64_MIN <= number <= INT64_MAX:
            return number
    return value


def json_integer(value: int) -> int | float:
    """An integer read from JSON text into an unstructured object: int64 when it fits, else float64."""
    return value if INT64_MIN <= value <= INT64_MAX else float(value)


def to_interface(value: Any) -> Any:
    """Go's json.Unmarshal into interface{}: every number becomes a float64."""
    if isinstance(value, str):
        return json_text(value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, float):
        return value
    if isinstance(value, dict):
        return {k: to_interface(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_interface(v) for v in value]
    return value


def to_unstructured(value: Any) -> Any:
    """JSON into an unstructured object: numbers that are integers become int64, others float64."""
    if isinstance(value, str):
        return json_text(value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float):
        return float_to_json_number(value)
    if isinstance(value, int):
        return json_integer(value)
    if isinstance(value, dict):
        return {k: to_unstructured(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_unstructured(v) for v in value]
    return value


_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\b": "\\b",
    "\f": "\\f",
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


_HTML_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"})
_NOT_UTF8 = re.compile("[\udc80-\udcff]")
_PLAIN = re.compile('[^"\\\\\x00-\x1f<>&\u2028\u2029\udc80-\udcff]*')  # nothing that either encoder escapes


def _quote(text: str) -> str:
    """A JSON string as Go writes it: Python's encoder (same escapes for quotes, backslashes and control
    characters), then Go's HTML-safe escapes; text holding bytes that are not UTF-8 takes the slow path."""
    if _PLAIN.fullmatch(text) is not None:
        return '"' + text + '"'
    if _NOT_UTF8.search(text) is None:
        return json.dumps(text, ensure_ascii=False).translate(_HTML_SAFE)
    return _quote_slow(text)


def _quote_slow(text: str) -> str:
    out = ['"']
    for char in text:
        escaped = _ESCAPES.get(char)
        if escaped is not None:
            out.append(escaped)
        elif "\udc80" <= char <= "\udcff":
            out.append("\\ufffd")  # a byte that is not UTF-8
        elif ord(char) < 0x20:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def dumps(value: Any, sort_keys: bool = True) -> str:
    """Compact JSON exactly as Go's json.Marshal writes it (HTML-safe, map keys sorted)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return _quote(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise EvalError(f"json: unsupported value: {value!r}")
        return json_number(value)
    if isinstance(value, dict):
        keys = sorted(value) if sort_keys else list(value)
        return "{" + ",".join(_quote(str(k)) + ":" + dumps(value[k], sort_keys) for k in keys) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(dumps(v, sort_keys) for v in value) + "]"
    raise EvalError(f"json: unsupported type {type(value).__name__}")


def for_display(value: Any) -> Any:
    """A stamped value as the API server would store it: float64s that are integers print as integers."""
    if isinstance(value, float):
        return float_to_json_number(value)
    if isinstance(value, dict):
        return {k: for_display(v) for k, v in value.items()}
    if isinstance(value, list):
        return [for_display(v) for v in value]
    if isinstance(value, str):
        return json_text(value)
    return value
