"""Comparing stamped objects the way cartotest does (go-cmp over unstructured data), with a readable diff."""

from __future__ import annotations

import difflib
from typing import Any

import yaml


def _numeric(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def go_equal(expected: Any, actual: Any, numbers_as_floats: bool = False) -> bool:
    """Deep equality where int64 and float64 differ (unless NUMBERS_AS_FLOATS, cartotest's
    ``ConvertNumbersToFloatsDuringComparison``)."""
    if numbers_as_floats and _numeric(expected) and _numeric(actual):
        return float(expected) == float(actual)
    if type(expected) is not type(actual):
        return False
    if isinstance(expected, dict):
        return expected.keys() == actual.keys() and all(
            go_equal(expected[k], actual[k], numbers_as_floats) for k in expected
        )
    if isinstance(expected, list):
        return len(expected) == len(actual) and all(
            go_equal(e, a, numbers_as_floats) for e, a in zip(expected, actual, strict=True)
        )
    return bool(expected == actual)


def _typed_dump(value: Any) -> str:
    """YAML where a float64 keeps its decimal point, so int/float mismatches show in a diff."""
    return yaml.safe_dump(_sorted(value), sort_keys=False, default_flow_style=False, allow_unicode=True, width=100)


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _sorted(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted(v) for v in value]
    return value


def diff(expected: Any, actual: Any, expected_name: str = "expected", actual_name: str = "actual") -> str:
    """A unified diff (-expected +actual) of two objects (keys sorted; 1 is an int, 1.0 a float)."""
    lines = difflib.unified_diff(
        _typed_dump(expected).splitlines(keepends=True),
        _typed_dump(actual).splitlines(keepends=True),
        expected_name,
        actual_name,
    )
    text = "".join(lines)
    if not text:
        text = "(the objects print the same but differ in type somewhere, e.g. int64 vs float64)\n"
    return text
