"""Go encoding/json and sigs.k8s.io/yaml behaviour that stamping results depend on.

Numbers keep Go's distinction: a Python ``int`` is a Go int64 and a Python ``float`` a Go float64.
Values decoded "as interface{}" (template bodies, JSONPath results, controller outputs) hold only
floats, exactly as Go's ``json.Unmarshal`` into ``interface{}`` does.
"""

from __future__ import annotations

import math
import re
from typing import Any

import yaml

from .errors import EvalError


_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class GoYamlLoader(_BaseLoader):  # type: ignore[misc]
    """YAML 1.1 as Go's yaml.v2 reads it: no timestamps and no base-60 numbers."""


_SEXAGESIMAL = re.compile(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$")


def _go_resolvers() -> dict[Any, Any]:
    table: dict[Any, Any] = {}
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items():
        table[key] = [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    return table


GoYamlLoader.yaml_implicit_resolvers = _go_resolvers()


def _construct_int(loader: Any, node: yaml.ScalarNode) -> Any:
    text = str(node.value)
    if _SEXAGESIMAL.match(text):
        return text
    return yaml.SafeLoader.construct_yaml_int(loader, node)


def _construct_float(loader: Any, node: yaml.ScalarNode) -> Any:
    text = str(node.value)
    if _SEXAGESIMAL.match(text):
        return text
    return yaml.SafeLoader.construct_yaml_float(loader, node)


GoYamlLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
GoYamlLoader.add_constructor("tag:yaml.org,2002:float", _construct_float)


def load_yaml_documents(text: str) -> list[Any]:
    """Every document of TEXT, empty ones kept as None (raises yaml.YAMLError)."""
    return list(yaml.load_all(text, Loader=GoYamlLoader))


def yaml_to_json(value: Any, where: str = "") -> Any:
    """sigs.k8s.io/yaml's YAMLToJSON: integral floats become integers, keys become strings."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise EvalError(f"unsupported number {value!r}: JSON has no NaN or infinity{where}")
        return float_to_json_number(value)
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out[_key_to_string(key)] = yaml_to_json(item, where)
        return out
    if isinstance(value, list):
        return [yaml_to_json(item, where) for item in value]
    return str(value)


def _key_to_string(key: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    if isinstance(key, float):
        return format_float(key)
    return str(key)


def float_to_json_number(value: float) -> int | float:
    """What a float64 becomes after a round trip through JSON into an unstructured object."""
    text = format_float(value)
    if re.fullmatch(r"-?[0-9]+", text):
        return int(text)
    return value


def to_interface(value: Any) -> Any:
    """Go's json.Unmarshal into interface{}: every number becomes a float64."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
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
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, float):
        return float_to_json_number(value)
    if isinstance(value, dict):
        return {k: to_unstructured(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_unstructured(v) for v in value]
    return value


def format_float(value: float) -> str:
    """strconv-style float64 formatting as encoding/json does it."""
    if value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    absolute = abs(value)
    text = repr(value)
    if absolute < 1e-6 or absolute >= 1e21:
        if "e" not in text:
            text = f"{value:.17g}" if "e" in f"{value:.17g}" else text
        mantissa, _, exponent = text.partition("e")
        if mantissa.endswith(".0"):
            mantissa = mantissa[:-2]
        if re.fullmatch(r"-0[0-9]", exponent):
            exponent = "-" + exponent[2]
        return f"{mantissa}e{exponent}"
    if "e" in text:
        text = _expand_exponent(text)
    if text.endswith(".0"):
        text = text[:-2]
    return text


def _expand_exponent(text: str) -> str:
    from decimal import Decimal

    expanded = format(Decimal(text), "f")
    if "." in expanded:
        expanded = expanded.rstrip("0").rstrip(".")
    return expanded


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f",
            "<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def _quote(text: str) -> str:
    out = ['"']
    for char in text:
        escaped = _ESCAPES.get(char)
        if escaped is not None:
            out.append(escaped)
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
        return format_float(value)
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
    return value
