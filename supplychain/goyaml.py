"""YAML decoded as Kubernetes tools decode it (sigs.k8s.io/yaml over gopkg.in/yaml.v2), with bounds.

One loader for every input: plain scalars resolve as yaml.v2 resolves them (`0o17` and `0x1f` are
integers, `+.5` is 0.5, timestamps stay strings, `yes`/`on` are booleans), `!!binary` decodes into a
string. Strict loading (every input the checks read) also refuses a key given twice in one mapping,
naming both lines; lenient loading (stamping, which must match cartotest) keeps the last value as Go does. Hostile input fails fast
instead of exhausting memory: aliases may not expand a document beyond MAX_NODES values, nesting
stops at MAX_DEPTH, a self-referencing anchor is refused, and text above MAX_BYTES is not parsed.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections.abc import Iterator
from typing import Any

import yaml
from yaml.error import Mark, MarkedYAMLError

_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_PLAIN_TAG = "tag:supplychain.local,2024:go-plain"
_MERGE_TAG = "tag:yaml.org,2002:merge"

MAX_BYTES = 64 * 1024 * 1024
MAX_NODES = 1_000_000  # values in one document once every alias is expanded
MAX_DEPTH = 200  # nested mappings and sequences


class YamlLimitError(MarkedYAMLError):
    """The input is over one of the bounds (alias expansion, nesting, size)."""


class GoYamlLoader(_BaseLoader):  # type: ignore[misc]
    """Plain scalars resolved as yaml.v2 resolves them; a repeated key keeps its last value, as in Go."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is yaml.ScalarNode and implicit[0]:
            return _MERGE_TAG if value == "<<" else _PLAIN_TAG
        return super().resolve(kind, value, implicit)


class StrictGoYamlLoader(GoYamlLoader):
    """GoYamlLoader that refuses a key given twice in one mapping (as strict decoding does)."""

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, Any] = {}
            for key_node, _ in node.value:
                if key_node.tag == _MERGE_TAG:
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.setdefault(key, key_node)
                except TypeError:
                    continue  # an unhashable key: the base constructor reports it
                if first is not key_node:
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping",
                        node.start_mark,
                        f"found duplicate key {key!r} (first at line {first.start_mark.line + 1})",
                        key_node.start_mark,
                    )
        return super().construct_mapping(node, deep)


_GO_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_RESOLVE_MAP: dict[str, Any] = {}
for _value, _words in (
    (True, "y Y yes Yes YES true True TRUE on On ON"),
    (False, "n N no No NO false False FALSE off Off OFF"),
):
    for _word in _words.split():
        _RESOLVE_MAP[_word] = _value
for _word in ("", "~", "null", "Null", "NULL"):
    _RESOLVE_MAP[_word] = None
for _word in (".nan", ".NaN", ".NAN"):
    _RESOLVE_MAP[_word] = math.nan
for _word in (".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"):
    _RESOLVE_MAP[_word] = math.inf
for _word in ("-.inf", "-.Inf", "-.INF"):
    _RESOLVE_MAP[_word] = -math.inf


def go_parse_int(text: str) -> int | None:
    """strconv.ParseInt/ParseUint with base 0 (0x, 0o, 0b and leading-0 octal), within int64/uint64."""
    match = re.fullmatch(r"([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)", text)
    if not match:
        return None
    sign, digits = match.groups()
    lowered = digits.lower()
    if lowered.startswith(("0x", "0o", "0b")):
        number = int(lowered, 0)
    elif len(digits) > 1 and digits.startswith("0"):
        number = int(digits, 8)
    else:
        number = int(digits)
    number = -number if sign == "-" else number
    if -(2**63) <= number < 2**64:
        return number
    return None


def go_resolve(text: str) -> Any:
    """The value yaml.v2 gives a plain (unquoted) scalar."""
    if text in _RESOLVE_MAP:
        return _RESOLVE_MAP[text]
    first = text[:1]
    if first == ".":
        return float(text) if re.fullmatch(r"\.[0-9]+([eE][-+]?[0-9]+)?", text) else text
    if first.isdigit() or first in "+-":
        # (yaml.v2 keeps timestamp-looking text as a string when decoding into interface{})
        plain = text.replace("_", "")
        number = go_parse_int(plain)
        if number is not None:
            return number
        if _GO_FLOAT.match(plain):
            parsed = float(plain)
            # strconv.ParseFloat reports a range error for 1e400; yaml.v2 then keeps the text as a string
            return text if math.isinf(parsed) else parsed
    return text


def _construct_plain(loader: Any, node: yaml.ScalarNode) -> Any:
    return go_resolve(str(node.value))


def go_string(data: bytes) -> str:
    """A Go string holding DATA: bytes that are not UTF-8 are kept as lone surrogates (U+DC80-U+DCFF).

    json.Marshal writes each of them as the escape ``\\ufffd`` (stamping.gojson.dumps); decoding JSON text
    turns them into U+FFFD (stamping.gojson.json_text).
    """
    return data.decode("utf-8", errors="surrogateescape")


def _construct_binary(loader: Any, node: yaml.ScalarNode) -> str:
    """yaml.v2's ``!!binary``: strict standard base64 (line breaks ignored), decoded into a string."""
    text = str(node.value).replace("\n", "").replace("\r", "")
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise yaml.constructor.ConstructorError(
            None, None, "!!binary value contains invalid base64 data", node.start_mark
        ) from None
    return go_string(data)


for _loader in (GoYamlLoader, StrictGoYamlLoader):
    _loader.add_constructor(_PLAIN_TAG, _construct_plain)
    _loader.add_constructor("tag:yaml.org,2002:binary", _construct_binary)


def _mark(line: int, column: int = 0) -> Mark:
    return Mark("<input>", 0, line, column, "", 0)


def _limit(problem: str, line: int = 0, column: int = 0) -> YamlLimitError:
    return YamlLimitError(None, None, problem, _mark(line, column))


def _scan(text: str) -> None:
    """Walk TEXT's parse events (no objects built) and raise YamlLimitError at the first bound it breaks.

    Counts each node's values with its aliases expanded, so a billion-laughs document is refused at the
    alias that crosses MAX_NODES, with its line."""
    stack: list[list[Any]] = []  # per open collection: [values so far, its anchor]
    sizes: dict[str, int] = {}
    open_anchors: set[str] = set()
    total = 0
    for event in yaml.parse(text, Loader=_BaseLoader):
        line, column = (event.start_mark.line, event.start_mark.column) if event.start_mark else (0, 0)
        size = 0
        if isinstance(event, yaml.DocumentStartEvent):
            sizes, open_anchors, total = {}, set(), 0
        elif isinstance(event, yaml.CollectionStartEvent):
            if len(stack) >= MAX_DEPTH:
                raise _limit(f"nesting deeper than {MAX_DEPTH} levels", line, column)
            if event.anchor:
                open_anchors.add(event.anchor)
            stack.append([1, event.anchor])
            total += 1
            continue
        elif isinstance(event, yaml.CollectionEndEvent):
            size, anchor = stack.pop()
            if anchor:
                sizes[anchor] = size
                open_anchors.discard(anchor)
        elif isinstance(event, yaml.AliasEvent):
            if event.anchor in open_anchors:
                raise _limit(f"alias *{event.anchor} refers to the node that contains it", line, column)
            size = sizes.get(str(event.anchor), 1)
            total += size
        elif isinstance(event, yaml.ScalarEvent):
            size = 1
            total += 1
            if event.anchor:
                sizes[event.anchor] = 1
        if total > MAX_NODES:
            raise _limit(f"aliases expand the document beyond {MAX_NODES:,} values (an alias bomb?)", line, column)
        if stack and size:
            stack[-1][0] += size


# An anchor or alias token starts a node: it follows a line start, a space or a flow indicator. This finds
# every real one (and some lookalikes in quoted or block text, which only cost a scan).
_ANCHOR = re.compile(r"&[^\s\[\]{},]")
_ALIAS = re.compile(r"\*[^\s\[\]{},]")
_TOKEN_BEFORE = frozenset(" \t\r\n[{,")


def _has_token(pattern: re.Pattern[str], text: str) -> bool:
    return any(m.start() == 0 or text[m.start() - 1] in _TOKEN_BEFORE for m in pattern.finditer(text))


def _needs_scan(text: str) -> bool:
    """Only text with anchors and aliases can expand; depth is bounded by libyaml, and checked after loading."""
    return "*" in text and "&" in text and _has_token(_ALIAS, text) and _has_token(_ANCHOR, text)


def _depth_over(value: Any) -> bool:
    """Whether VALUE nests deeper than MAX_DEPTH (iterative; shared values visited once)."""
    todo: list[tuple[Any, int]] = [(value, 0)]
    seen: set[int] = set()
    while todo:
        item, depth = todo.pop()
        if isinstance(item, dict | list):
            if depth >= MAX_DEPTH:
                return True
            if id(item) in seen:
                continue
            seen.add(id(item))
            todo.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return False


_STR_TAG = "tag:yaml.org,2002:str"
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"


class _Unusual(Exception):
    """A node the quick builder leaves to PyYAML's constructor (merge keys, explicit tags, repeated keys)."""


def _build(node: Any, built: dict[int, Any], depth: int = 0) -> Any:
    """The value of NODE as the loader's constructor gives it, for the common node kinds only."""
    found = built.get(id(node))
    if found is not None:
        raise _Unusual("alias")  # shared values: the constructor (and the depth check) handle them
    tag = node.tag
    if isinstance(node, yaml.ScalarNode):
        if tag == _PLAIN_TAG:
            return go_resolve(node.value)
        if tag == _STR_TAG:
            return node.value
        raise _Unusual(tag)
    if depth >= MAX_DEPTH:
        raise _Unusual("depth")
    if isinstance(node, yaml.SequenceNode) and tag == _SEQ_TAG:
        items: list[Any] = []
        built[id(node)] = items
        items.extend(_build(child, built, depth + 1) for child in node.value)
        return items
    if isinstance(node, yaml.MappingNode) and tag == _MAP_TAG:
        mapping: dict[Any, Any] = {}
        built[id(node)] = mapping
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                raise _Unusual(_MERGE_TAG)
            key = _build(key_node, built, depth + 1)
            if (key is not None and not isinstance(key, (str, int, float, bool))) or key in mapping:
                raise _Unusual("key")  # unhashable, or repeated: the constructor words the error
            mapping[key] = _build(value_node, built, depth + 1)
        return mapping
    raise _Unusual(tag)


def _build_document(node: Any, loader: type[GoYamlLoader]) -> tuple[Any, bool]:
    """One composed document's value, and whether its nesting still needs checking.

    Built directly (several times faster than PyYAML's constructor) when it is plain data: no aliases,
    merge keys, explicit tags or repeated keys, at most MAX_DEPTH deep; otherwise by the constructor."""
    if node is None:
        return None, False
    try:
        return _build(node, {}), False
    except (_Unusual, RecursionError):
        return loader("").construct_document(node), True


def load_all(text: str, strict: bool = True) -> Iterator[Any]:
    """Every document of TEXT, empty ones as None; raises yaml.YAMLError (YamlLimitError for the bounds)."""
    if len(text) > MAX_BYTES:
        raise _limit(f"the input is {len(text):,} characters, more than the {MAX_BYTES:,} read")
    if _needs_scan(text):
        _scan(text)
    loader = StrictGoYamlLoader if strict else GoYamlLoader
    for node in yaml.compose_all(text, Loader=loader):
        document, unchecked = _build_document(node, loader)
        if unchecked and _depth_over(document):
            _scan(text)  # names the line
            raise _limit(f"nesting deeper than {MAX_DEPTH} levels")
        yield document
