"""goyaml's direct document builder gives exactly what PyYAML's constructor gives with the same loader."""

from __future__ import annotations

import math
import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from supplychain import goyaml

REPO = Path(__file__).resolve().parents[1]
SCALARS = [
    "0o17",
    "+.5",
    "0x1F",
    "2024-01-01",
    "1_000",
    ".inf",
    "'0o17'",
    "012",
    "yes",
    "off",
    "~",
    "null",
    '""',
    "'x: y'",
    '"a\\tb"',
    "-0.0",
    "1e3",
    "9223372036854775808",
    "!!str 12",
    "!!int '7'",
    "!!binary aGk=",
    "!!float 1",
    "hello world",
    "'it''s'",
    "|\n    block\n    text",
    "!!null ''",
    "[a, 1]",
    "{k: v}",
]


def _reference(text: str, strict: bool) -> list[Any]:
    """load_all with PyYAML's constructor building every document (after the same bounds scan)."""
    if goyaml._needs_scan(text):
        goyaml._scan(text)
    loader = goyaml.StrictGoYamlLoader if strict else goyaml.GoYamlLoader
    return list(yaml.load_all(text, Loader=loader))


def _outcome(load: Any) -> tuple[str, Any]:
    try:
        return "ok", load()
    except yaml.YAMLError as err:
        return "error", str(err)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def _random_document(rng: random.Random) -> str:
    lines = []
    keys = ["a", "b", "c", "1", "true", "a"]
    for i in range(rng.randrange(1, 6)):
        key = rng.choice(keys) if rng.random() < 0.3 else f"k{i}"
        roll = rng.random()
        if roll < 0.5:
            lines.append(f"{key}: {rng.choice(SCALARS)}")
        elif roll < 0.65:
            lines.append(f"{key}: &anchor{i}\n  x: {rng.choice(SCALARS)}\n  y: [1, 2]")
        elif roll < 0.75 and i:
            lines.append(f"{key}: *anchor{rng.randrange(i)}")
        elif roll < 0.85 and i:
            lines.append(f"{key}:\n  <<: *anchor{rng.randrange(i)}\n  z: 3")
        else:
            lines.append(f"{key}:\n  - {rng.choice(SCALARS)}\n  - {{q: {rng.choice(SCALARS)}}}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("strict", [True, False], ids=["strict", "lenient"])
def test_random_documents_load_as_the_constructor_loads_them(strict: bool) -> None:
    rng = random.Random(1128 + strict)
    outcomes = {"ok": 0, "error": 0}
    for _ in range(600):
        text = "---\n".join(_random_document(rng) for _ in range(rng.randrange(1, 3)))
        kind, ours = _outcome(lambda text=text: list(goyaml.load_all(text, strict=strict)))
        expected_kind, theirs = _outcome(lambda text=text: _reference(text, strict))
        assert kind == expected_kind, (text, ours, theirs)
        assert _same(ours, theirs) if kind == "ok" else ours == theirs, (text, ours, theirs)
        outcomes[kind] += 1
    assert outcomes["ok"] >= 100 and (outcomes["error"] >= 20 or not strict), outcomes


def test_aliases_share_one_value() -> None:
    [doc] = list(goyaml.load_all("a: &x {k: [1]}\nb: *x\n"))
    assert doc["a"] is doc["b"]


def test_the_repository_yaml_loads_as_before() -> None:
    paths = sorted((REPO / "tests" / "fixtures").rglob("*.yaml")) + sorted((REPO / "examples").rglob("*.yaml"))
    assert len(paths) >= 10
    for path in paths:
        text = path.read_text()
        assert _same(list(goyaml.load_all(text, strict=False)), _reference(text, strict=False)), path
