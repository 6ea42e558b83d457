"""Stamped objects print exactly as PyYAML's representer would print them (render builds the nodes itself)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from supplychain.stamping import render
from supplychain.stamping.gojson import for_display

CASES: list[Any] = [
    {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "app", "labels": {"a": "b"}}},
    {"data": {"script": "set -e\nhey -z 1m http://app\n", "trailing": "x\n\n", "empty": "", "spaces": " a "}},
    {"quoted": ["y", "n", "yes", "on", "1e+21", "0o17", "0x1F", "~", "null", "true", "2001-12-14", "1_000", ".5"]},
    {"numbers": [0, -1, 2**63 - 1, 1.5, -0.0, 1e21, 1e-7, 3.0, float("inf"), float("-inf")], "flags": [True, False]},
    {"nothing": None, "empty_map": {}, "empty_list": [], "nested": [[], [{}], [[1, "a"]]]},
    {"unicode": "h\u00e9llo \u2013 \u2713", "long": "word " * 60, "colon": "a: b", "hash": "a #b", "dash": "- a"},
    {"key with spaces": 1, "": "empty key", "123": "numeric key", "true": "bool key"},
    {"tuple": ("not", "json")},  # not plain JSON data: printed by PyYAML's own representer
]


@pytest.mark.parametrize("obj", CASES)
def test_dump_object_is_what_pyyaml_prints(obj: Any) -> None:
    expected = yaml.dump(
        for_display(obj),
        Dumper=render._Dumper,
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        width=120,
    )
    assert render.dump_object(obj) == expected
