"""A compiled yes/no check for the JSON Schemas `validate` uses, to accept valid objects quickly.

jsonschema's Draft4Validator walks a schema keyword by keyword for every object and builds a validator per
level; for thousands of documents that dominates `validate`. ``compile_schema`` turns a schema into nested
closures that answer only "valid or not", with Draft 4's semantics as jsonschema implements them (integers
exclude floats and booleans, ``required`` and ``properties`` apply to objects only, ``format`` is not
checked, unknown keywords are ignored). An object the closure accepts has no findings; for any other
object the caller asks jsonschema for the findings, so messages never depend on this module. A schema
using a keyword not implemented here compiles to None (always ask jsonschema).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from jsonschema._utils import equal

Check = Callable[[Any], bool]

_IGNORED = {
    "$schema",
    "title",
    "description",
    "default",
    "format",
    "definitions",
    "example",
    "examples",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "readOnly",
    "nullable",
}
_TYPES: dict[str, Callable[[Any], bool]] = {
    "object": lambda x: isinstance(x, dict),
    "array": lambda x: isinstance(x, list),
    "string": lambda x: isinstance(x, str),
    "boolean": lambda x: isinstance(x, bool),
    "null": lambda x: x is None,
    "integer": lambda x: isinstance(x, int) and not isinstance(x, bool),
    "number": lambda x: isinstance(x, (int, float)) and not isinstance(x, bool),
}


def _true(_: Any) -> bool:
    return True


class Unsupported(Exception):
    """A keyword (or reference) the compiler does not implement."""


def compile_schema(root: dict[str, Any]) -> Check | None:
    """A predicate equal to ``Draft4Validator(root).is_valid``, or None when ROOT uses unsupported keywords."""
    try:
        return _Compiler(root).compile(root)
    except Unsupported:
        return None


class _Compiler:
    def __init__(self, root: dict[str, Any]) -> None:
        self.root = root
        self.memo: dict[int, Check] = {}

    def compile(self, schema: Any) -> Check:
        key = id(schema)
        found = self.memo.get(key)
        if found is not None:
            return found
        late: list[Check] = []
        self.memo[key] = lambda x: late[0](x)  # a recursive reference while this one compiles
        check = self._build(schema)
        late.append(check)
        self.memo[key] = check
        return check

    def resolve(self, ref: str) -> Any:
        if not ref.startswith("#"):
            raise Unsupported(f"remote $ref {ref}")
        node: Any = self.root
        for part in [p for p in ref[1:].split("/") if p]:
            part = unquote(part).replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                raise Unsupported(f"unresolvable $ref {ref}")
        return node

    def _build(self, schema: Any) -> Check:
        if not isinstance(schema, dict):
            raise Unsupported("a schema that is not an object")
        if "$ref" in schema:  # Draft 4: a reference replaces its siblings
            return self.compile(self.resolve(schema["$ref"]))
        checks: list[Check] = []
        for keyword in schema:
            if keyword not in _IGNORED and keyword not in _KEYWORDS and not keyword.startswith("x-"):
                raise Unsupported(keyword)
        for keywords, build in _BUILDERS:
            if any(k in schema for k in keywords):
                check = build(self, schema)
                if check is not None:
                    checks.append(check)
        if not checks:
            return _true
        if len(checks) == 1:
            return checks[0]
        return _all(tuple(checks))

    # --- keywords ------------------------------------------------------------------------------------

    def type_(self, schema: dict[str, Any]) -> Check | None:
        wanted = schema["type"]
        names = wanted if isinstance(wanted, list) else [wanted]
        try:
            tests = tuple(_TYPES[name] for name in names)
        except (KeyError, TypeError):
            raise Unsupported(f"type {wanted!r}") from None
        if len(tests) == 1:
            return tests[0]
        return lambda x: any(test(x) for test in tests)

    def object_(self, schema: dict[str, Any]) -> Check | None:
        props = {name: self.compile(sub) for name, sub in (schema.get("properties") or {}).items()}
        extra = schema.get("additionalProperties", True)
        if isinstance(extra, bool):
            extra_check: Check | None = None
            closed = not extra
        else:
            extra_check = self.compile(extra)
            closed = False
        required = tuple(schema.get("required") or ())

        def check(x: Any) -> bool:
            if not isinstance(x, dict):
                return True
            for key, value in x.items():
                sub = props.get(key)
                if sub is not None:
                    if not sub(value):
                        return False
                elif closed or (extra_check is not None and not extra_check(value)):
                    return False
            return all(name in x for name in required)

        return check

    def items_(self, schema: dict[str, Any]) -> Check | None:
        items = schema["items"]
        if not isinstance(items, dict):
            raise Unsupported("items as a list")
        each = self.compile(items)
        return lambda x: not isinstance(x, list) or all(each(item) for item in x)

    def enum_(self, schema: dict[str, Any]) -> Check | None:
        allowed = tuple(schema["enum"])
        return lambda x: any(equal(option, x) for option in allowed)

    def pattern_(self, schema: dict[str, Any]) -> Check | None:
        pattern = re.compile(schema["pattern"])
        return lambda x: not isinstance(x, str) or pattern.search(x) is not None

    def min_length_(self, schema: dict[str, Any]) -> Check | None:
        bound = schema["minLength"]
        return lambda x: not isinstance(x, str) or len(x) >= bound

    def max_length_(self, schema: dict[str, Any]) -> Check | None:
        bound = schema["maxLength"]
        return lambda x: not isinstance(x, str) or len(x) <= bound

    def min_items_(self, schema: dict[str, Any]) -> Check | None:
        bound = schema["minItems"]
        return lambda x: not isinstance(x, list) or len(x) >= bound

    def max_items_(self, schema: dict[str, Any]) -> Check | None:
        bound = schema["maxItems"]
        return lambda x: not isinstance(x, list) or len(x) <= bound

    def minimum_(self, schema: dict[str, Any]) -> Check | None:
        bound = schema["minimum"]
        number = _TYPES["number"]
        if schema.get("exclusiveMinimum", False):
            return lambda x: not number(x) or x > bound
        return lambda x: not number(x) or x >= bound

    def maximum_(self, schema: dict[str, Any]) -> Check | None:
        bound = schema["maximum"]
        number = _TYPES["number"]
        if schema.get("exclusiveMaximum", False):
            return lambda x: not number(x) or x < bound
        return lambda x: not number(x) or x <= bound

    def all_of_(self, schema: dict[str, Any]) -> Check | None:
        return _all(tuple(self.compile(sub) for sub in schema["allOf"]))

    def any_of_(self, schema: dict[str, Any]) -> Check | None:
        branches = tuple(self.compile(sub) for sub in schema["anyOf"])
        return lambda x: any(branch(x) for branch in branches)

    def one_of_(self, schema: dict[str, Any]) -> Check | None:
        branches = tuple(self.compile(sub) for sub in schema["oneOf"])
        return lambda x: sum(1 for branch in branches if branch(x)) == 1

    def not_(self, schema: dict[str, Any]) -> Check | None:
        inner = self.compile(schema["not"])
        return lambda x: not inner(x)


def _all(checks: tuple[Check, ...]) -> Check:
    return lambda x: all(check(x) for check in checks)


# (keywords, builder), cheap keywords first: a type mismatch is found before the object's fields are walked.
_BUILDERS: tuple[tuple[tuple[str, ...], Callable[[_Compiler, dict[str, Any]], Check | None]], ...] = (
    (("type",), _Compiler.type_),
    (("enum",), _Compiler.enum_),
    (("pattern",), _Compiler.pattern_),
    (("minLength",), _Compiler.min_length_),
    (("maxLength",), _Compiler.max_length_),
    (("minimum",), _Compiler.minimum_),
    (("maximum",), _Compiler.maximum_),
    (("minItems",), _Compiler.min_items_),
    (("maxItems",), _Compiler.max_items_),
    (("properties", "additionalProperties", "required"), _Compiler.object_),
    (("items",), _Compiler.items_),
    (("allOf",), _Compiler.all_of_),
    (("anyOf",), _Compiler.any_of_),
    (("oneOf",), _Compiler.one_of_),
    (("not",), _Compiler.not_),
)
_KEYWORDS = frozenset(k for keywords, _ in _BUILDERS for k in keywords)
