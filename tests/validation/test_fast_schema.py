"""The compiled schema check accepts exactly what jsonschema's Draft4Validator accepts."""

from __future__ import annotations

import copy
import random
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft4Validator

from supplychain.rendering import RenderOptions, render_product
from supplychain.validation.fast_schema import compile_schema
from supplychain.validation.openapi import drop_nulls
from supplychain.validation.schemas import SchemaRegistry

REPO = Path(__file__).resolve().parents[2]
ODD_VALUES: list[Any] = [None, 0, -1, 1.5, True, False, "", "x", "10s", [], [1], {}, {"a": 1}, 2**63, float("inf")]


@pytest.fixture(scope="module")
def documents() -> list[dict[str, Any]]:
    """The rendered bundle and TAP's out-of-the-box chains: objects of every kind the product writes."""
    docs = [d.body for d in render_product(RenderOptions())]
    for path in sorted((REPO / "tests" / "fixtures" / "ootb").glob("*.yaml")):
        docs += [d for d in yaml.safe_load_all(path.read_text()) if isinstance(d, dict)]
    return docs


def _mutate(value: Any, rng: random.Random) -> None:
    """Change one thing somewhere in VALUE: drop or add a field, or put an odd value in place."""
    while True:
        if isinstance(value, dict) and value:
            key = rng.choice(list(value))
            roll = rng.random()
            if roll < 0.15:
                del value[key]
                return
            if roll < 0.25:
                value[f"unknown{rng.randrange(9)}"] = rng.choice(ODD_VALUES)
                return
            if roll < 0.4 or not isinstance(value[key], (dict, list)):
                value[key] = copy.deepcopy(rng.choice(ODD_VALUES))
                return
            value = value[key]
        elif isinstance(value, list) and value:
            index = rng.randrange(len(value))
            if rng.random() < 0.3 or not isinstance(value[index], (dict, list)):
                value[index] = copy.deepcopy(rng.choice(ODD_VALUES))
                return
            value = value[index]
        else:
            return


def test_every_pinned_schema_the_product_uses_compiles(documents: list[dict[str, Any]]) -> None:
    registry = SchemaRegistry()
    kinds = {(d["apiVersion"], d["kind"]) for d in documents}
    assert len(kinds) >= 5
    for api_version, kind in sorted(kinds):
        schema = registry.lookup(api_version, kind)
        assert schema is not None, (api_version, kind)
        assert compile_schema(schema.body) is not None, (api_version, kind)


def test_agrees_with_jsonschema_on_mutated_objects(documents: list[dict[str, Any]]) -> None:
    registry = SchemaRegistry()
    rng = random.Random(20261128)
    compiled: dict[tuple[str, str], Any] = {}
    verdicts = {True: 0, False: 0}
    for doc in documents:
        schema = registry.lookup(doc["apiVersion"], doc["kind"])
        assert schema is not None
        key = (schema.api_version, schema.kind)
        if key not in compiled:
            compiled[key] = (compile_schema(schema.body), Draft4Validator(schema.body))
        fast, slow = compiled[key]
        for _ in range(40):
            instance = copy.deepcopy(doc)
            for _ in range(rng.randrange(3)):
                _mutate(instance, rng)
            instance = drop_nulls(instance)
            expected = slow.is_valid(instance)
            assert fast(instance) == expected, (key, instance)
            verdicts[expected] += 1
    assert verdicts[True] >= 200 and verdicts[False] >= 200, verdicts


@pytest.mark.parametrize(
    ("schema", "valid", "invalid"),
    [
        ({"type": "integer"}, [1, -2, 2**70], [1.0, True, "1", None]),
        ({"type": "number", "minimum": 1, "exclusiveMinimum": True}, [1.5, 2], [1, 0.5, "x"]),
        ({"minimum": 1}, [1, "x", None], [0, 0.5]),
        ({"type": ["string", "null"], "maxLength": 2}, ["ab", None], ["abc", 1]),
        ({"enum": [1, "a", None]}, [1, 1.0, "a", None], [True, "b", 2]),
        (
            {"properties": {"a": {"type": "string"}}, "additionalProperties": False, "required": ["a"]},
            [{"a": "x"}, 3],
            [{"a": "x", "b": 1}, {}, {"a": 1}],
        ),
        ({"items": {"pattern": "^x"}, "minItems": 1}, [["xa", 3], "s"], [[], ["ya"]]),
        ({"oneOf": [{"required": ["a"]}, {"required": ["b"]}]}, [{"a": 1}, {"b": 1}], [{"a": 1, "b": 2}, {}, 1]),
        ({"not": {"type": "object"}, "anyOf": [{"type": "string"}, {"type": "integer"}]}, ["s", 3], [{}, 1.5]),
        (
            {
                "definitions": {
                    "n": {"properties": {"next": {"$ref": "#/definitions/n"}}, "additionalProperties": False}
                },
                "$ref": "#/definitions/n",
            },
            [{"next": {"next": {}}}],
            [{"next": {"other": 1}}],
        ),
    ],
)
def test_keywords(schema: dict[str, Any], valid: list[Any], invalid: list[Any]) -> None:
    check = compile_schema(schema)
    assert check is not None
    reference = Draft4Validator(schema)
    for value in valid:
        assert reference.is_valid(value) and check(value), value
    for value in invalid:
        assert not reference.is_valid(value) and not check(value), value


def test_unsupported_keywords_leave_the_schema_to_jsonschema() -> None:
    assert compile_schema({"properties": {"a": {"uniqueItems": True}}}) is None
    assert compile_schema({"$ref": "http://example.com/s.json"}) is None
    assert compile_schema({"patternProperties": {"^a": {}}}) is None
