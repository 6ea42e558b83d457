"""Kubernetes client-go JSONPath (with missing keys allowed), as Cartographer evaluates it.

``evaluate(path, data)`` reproduces Cartographer's ``EvaluateJsonPath``: the expression is wrapped in
``{.…}``, it must hold one template, and it must yield exactly one value. Values are walked as client-go
walks Go values (typed structs from ``gotypes`` or plain JSON data), and every result goes through
JSON, so numbers come back as floats.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..gostrconv import UnquoteError, unquote
from . import gotypes as gt
from .errors import EvalError
from .gojson import to_interface


class PathMissing(EvalError):
    """The path matched nothing (Cartographer's JsonPathDoesNotExistError)."""

    def __init__(self, path: str) -> None:
        super().__init__(f"jsonpath returned empty list: {path}")
        self.path = path


# --- parser -----------------------------------------------------------------------------------------


@dataclass
class ListNode:
    nodes: list[Node] = field(default_factory=list)


@dataclass
class TextNode:
    text: str


@dataclass
class FieldNode:
    name: str


@dataclass
class ParamsEntry:
    value: int = 0
    known: bool = False
    derived: bool = False


@dataclass
class ArrayNode:
    params: tuple[ParamsEntry, ParamsEntry, ParamsEntry]


@dataclass
class FilterNode:
    left: ListNode
    right: ListNode
    operator: str


@dataclass
class IntNode:
    value: int


@dataclass
class FloatNode:
    value: float


@dataclass
class BoolNode:
    value: bool


@dataclass
class WildcardNode:
    pass


@dataclass
class RecursiveNode:
    pass


@dataclass
class UnionNode:
    nodes: list[ListNode]


@dataclass
class IdentifierNode:
    name: str


Node = (
    ListNode
    | TextNode
    | FieldNode
    | ArrayNode
    | FilterNode
    | IntNode
    | FloatNode
    | BoolNode
    | WildcardNode
    | RecursiveNode
    | UnionNode
    | IdentifierNode
)

_DICT_KEY = re.compile(r"^'([^']*)'$")
_SLICE = re.compile(r"^(-?[\d]*)(:-?[\d]*)?(:-?[\d]*)?$")
_FILTER = re.compile(r"^([^!<>=]+)([!<>=]+)(.+?)$", re.DOTALL)
_EOF = ""


def _is_terminator(ch: str) -> bool:
    return ch in (_EOF, " ", "\t", "\r", "\n", ".", ",", "[", "]", "$", "@", "{", "}")


def _is_alnum(ch: str) -> bool:
    return ch != _EOF and (ch == "_" or ch.isalpha() or ch.isdigit())


class _Parser:
    def __init__(self, text: str) -> None:
        self.input = text
        self.root = ListNode()
        self.pos = 0
        self.start = 0
        self.width = 0

    def parse(self) -> ListNode:
        self._parse_text(self.root)
        return self.root

    def _next(self) -> str:
        if self.pos >= len(self.input):
            self.width = 0
            return _EOF
        ch = self.input[self.pos]
        self.width = 1
        self.pos += 1
        return ch

    def _peek(self) -> str:
        ch = self._next()
        self.pos -= self.width
        return ch

    def _backup(self) -> None:
        self.pos -= self.width

    def _consume(self) -> str:
        value = self.input[self.start : self.pos]
        self.start = self.pos
        return value

    def _parse_text(self, cur: ListNode) -> None:
        while True:
            if self.input.startswith("{", self.pos):
                if self.pos > self.start:
                    cur.nodes.append(TextNode(self._consume()))
                self.pos += 1
                self._consume()
                node = ListNode()
                cur.nodes.append(node)
                self._parse_inside(node)
                return
            if self._next() == _EOF:
                break
        if self.pos > self.start:
            cur.nodes.append(TextNode(self._consume()))

    def _parse_inside(self, cur: ListNode) -> None:
        while True:
            rest = self.input[self.pos :]
            if rest.startswith("}"):
                self.pos += 1
                self._consume()
                self._parse_text(self.root)
                return
            if rest.startswith("[?("):
                self._parse_filter(cur)
                continue
            if rest.startswith(".."):
                if cur.nodes and isinstance(cur.nodes[-1], RecursiveNode):
                    raise EvalError("invalid multiple recursive descent")
                self.pos += 2
                self._consume()
                cur.nodes.append(RecursiveNode())
                if _is_alnum(self._peek()):
                    self._parse_field(cur)
                continue
            ch = self._next()
            if ch == _EOF or ch in "\r\n":
                raise EvalError("unclosed action")
            if ch == " " or ch in "@$":
                self._consume()
            elif ch == "[":
                self._parse_array(cur)
            elif ch in "\"'":
                self._parse_quote(cur, ch)
            elif ch == ".":
                self._parse_field(cur)
            elif ch in "+-" or ch.isdigit():
                self._backup()
                self._parse_number(cur)
            elif _is_alnum(ch):
                self._backup()
                self._parse_identifier(cur)
            else:
                raise EvalError(f"unrecognized character in action: U+{ord(ch):04X} {ch!r}")

    def _parse_identifier(self, cur: ListNode) -> None:
        while True:
            ch = self._next()
            if _is_terminator(ch):
                self._backup()
                break
        value = self._consume()
        if value in ("true", "false"):
            cur.nodes.append(BoolNode(value == "true"))
        else:
            cur.nodes.append(IdentifierNode(value))

    def _parse_number(self, cur: ListNode) -> None:
        if self._peek() in "+-":
            self._next()
        while True:
            ch = self._next()
            if ch != "." and not ch.isdigit():
                self._backup()
                break
        value = self._consume()
        if re.fullmatch(r"[+-]?[0-9]+", value):
            cur.nodes.append(IntNode(int(value)))
            return
        try:
            cur.nodes.append(FloatNode(float(value)))
        except ValueError:
            raise EvalError(f"cannot parse number {value}") from None

    def _parse_array(self, cur: ListNode) -> None:
        while True:
            ch = self._next()
            if ch in (_EOF, "\n"):
                raise EvalError("unterminated array")
            if ch == "]":
                break
        text = self._consume()[1:-1]
        if text == "*":
            text = ":"
        parts = text.split(",")
        if len(parts) > 1:
            union = [_parse_action(f"[{part.strip(' ')}]") for part in parts]
            cur.nodes.append(UnionNode(union))
            return
        key = _DICT_KEY.match(text)
        if key:
            for node in _parse_action(f".{key.group(1)}").nodes:
                cur.nodes.append(node)
            return
        sliced = _SLICE.match(text)
        if not sliced:
            raise EvalError(f"invalid array index {text}")
        raw = list(sliced.groups())
        params = [ParamsEntry(), ParamsEntry(), ParamsEntry()]
        for i in range(3):
            part = raw[i] or ""
            if part:
                if i > 0:
                    part = part[1:]
                if i > 0 and part == "":
                    params[i].known = False
                else:
                    try:
                        params[i].value = int(part)
                    except ValueError:
                        raise EvalError(f"array index {part} is not a number") from None
                    params[i].known = True
            elif i == 1:
                params[i] = ParamsEntry(params[0].value + 1, True, True)
        cur.nodes.append(ArrayNode((params[0], params[1], params[2])))

    def _parse_filter(self, cur: ListNode) -> None:
        self.pos += 3
        self._consume()
        begin = end = False
        pair = ""
        while True:
            ch = self._next()
            if ch in (_EOF, "\n"):
                raise EvalError("unterminated filter")
            if ch in "\"'":
                if not begin:
                    begin = True
                    pair = ch
                    continue
                if self.input[self.pos - 2] != "\\" and ch == pair:
                    end = True
            elif ch == ")" and begin == end:
                break
        if self._next() != "]":
            raise EvalError("unclosed array expect ]")
        text = self._consume()[:-2]
        match = _FILTER.match(text)
        if match is None:
            cur.nodes.append(FilterNode(_parse_action(text), ListNode(), "exists"))
        else:
            cur.nodes.append(FilterNode(_parse_action(match.group(1)), _parse_action(match.group(3)), match.group(2)))

    def _parse_quote(self, cur: ListNode, end: str) -> None:
        while True:
            ch = self._next()
            if ch in (_EOF, "\n"):
                raise EvalError("unterminated quoted string")
            if ch == end and self.input[self.pos - 2] != "\\":
                break
        value = self._consume()
        cur.nodes.append(TextNode(_unquote(value)))

    def _parse_field(self, cur: ListNode) -> None:
        self._consume()
        while True:
            ch = self._next()
            if ch == "\\":
                self._next()
            elif _is_terminator(ch):
                self._backup()
                break
        value = self._consume()
        if value == "*":
            cur.nodes.append(WildcardNode())
        else:
            cur.nodes.append(FieldNode(value.replace("\\", "")))


def _unquote(text: str) -> str:
    """client-go's UnquoteExtend: text without backslashes or inner quotes as it is, else strconv's rules."""
    quote = text[0]
    body = text[1:-1]
    if "\\" not in body and quote not in body:
        return body
    try:
        return unquote(body, quote)
    except UnquoteError as err:
        raise EvalError(f"unquote string {text} error {err}") from None


def _parse_action(text: str) -> ListNode:
    root = _Parser("{" + text + "}").parse()
    first = root.nodes[0]
    assert isinstance(first, ListNode)
    return first


def parse(text: str) -> ListNode:
    """Parse a JSONPath template (``{…}`` actions with text between)."""
    return _Parser(text).parse()


# --- evaluator --------------------------------------------------------------------------------------

# A walked value: (python value, Go type) where type None means plain JSON data held in interface{}.
Val = tuple[Any, "gt.GoType | None"]


def _indirect(val: Val) -> tuple[Val, bool]:
    value, typ = val
    while True:
        if isinstance(typ, gt.Ptr):
            if value is None:
                return (value, typ), True
            typ = typ.elem
            continue
        if typ is None or isinstance(typ, gt.Interface):
            if isinstance(value, gt.Boxed):
                value, typ = value.value, value.type
                continue
            if value is None:
                return (None, None), True
            return (value, None), False
        return (value, typ), False


def _kind(val: Val) -> str:
    value, typ = val
    if typ is None:
        if isinstance(value, bool):
            return "bool"
        if isinstance(value, int):
            return "int"
        if isinstance(value, float):
            return "float"
        if isinstance(value, str):
            return "string"
        if isinstance(value, dict):
            return "map"
        if isinstance(value, list):
            return "slice"
        return "invalid"
    if isinstance(typ, (gt.Struct, gt.RawJSONType, gt.TimeType, gt.QuantityType)):
        return "struct"
    if isinstance(typ, gt.Map):
        return "map"
    if isinstance(typ, gt.Slice):
        return "slice"
    if isinstance(typ, gt.Prim):
        return {"string": "string", "bool": "bool", "int64": "int", "int32": "int", "float64": "float"}[typ.kind]
    if isinstance(typ, (gt.Ptr, gt.Interface)):
        return "ptr"
    return "invalid"


def _type_name(val: Val) -> str:
    _value, typ = val
    if typ is not None:
        return typ.name
    return {
        "bool": "bool",
        "int": "int64",
        "float": "float64",
        "string": "string",
        "map": "map[string]interface {}",
        "slice": "[]interface {}",
    }.get(_kind(val), "<nil>")


def _elements(val: Val) -> list[Val]:
    value, typ = val
    if typ is None:
        if isinstance(value, list):
            return [(v, None) for v in value]
        if isinstance(value, str):
            return [(b, gt.Prim("int32", "uint8")) for b in value.encode()]
        return []
    if isinstance(typ, gt.Slice):
        return [(v, typ.elem) for v in (value or [])]
    if isinstance(typ, gt.Prim) and typ.kind == "string":
        return [(b, gt.Prim("int32", "uint8")) for b in value.encode()]
    return []


def _map_items(val: Val) -> list[Val]:
    value, typ = val
    if typ is None:
        return [(v, None) for v in value.values()]
    assert isinstance(typ, gt.Map)
    return [(v, typ.elem) for v in (value or {}).values()]


def _struct_fields(val: Val) -> list[Val]:
    value, typ = val
    if isinstance(typ, gt.Struct):
        return [(value.values.get(f.go), f.type) for f in typ.fields]
    if isinstance(typ, gt.RawJSONType):
        return [_raw_bytes(value)]
    return []


def _raw_bytes(value: gt.RawJSON) -> Val:
    """apiextensionsv1.JSON's only field, ``Raw []byte `json:"-"```: the compact JSON it was decoded from."""
    return gt.raw_json_bytes(value), gt.BYTES


def _opaque_field(val: Val, name: str) -> Val | None:
    """Fields of the structs that gotypes keeps opaque: JSON's ``Raw`` and Quantity's ``Format``."""
    value, typ = val
    if isinstance(typ, gt.RawJSONType) and name in ("Raw", "-"):  # "-" is Raw's json tag
        return _raw_bytes(value)
    if isinstance(typ, gt.QuantityType) and name == "Format":
        return value.format, gt.Prim("string", "resource.Format")
    return None


def _find_field(val: Val, name: str) -> Val | None:
    """client-go's findFieldInValue: the json tag, then the last untagged (inline) struct field, then
    reflect's FieldByName (Go field names, promoted through embedded structs)."""
    value, typ = val
    if not isinstance(typ, gt.Struct):
        return _opaque_field(val, name)
    inline: tuple[Any, gt.GoType] | None = None
    for fld in typ.fields:
        tag = fld.json
        if tag == name and not fld.inline:
            return value.values.get(fld.go), fld.type
        if fld.inline:
            inline = (value.values.get(fld.go), fld.type)
    if inline is not None and isinstance(inline[1], gt.Struct):
        match = _find_field(inline, name)
        if match is not None:
            return match
    return _field_by_name(val, name)


def _field_by_name(val: Val, name: str) -> Val | None:
    """reflect.Value.FieldByName: breadth first through embedded structs; a tie at one depth finds nothing."""
    level: list[Val] = [val]
    while level:
        found: list[Val] = []
        deeper: list[Val] = []
        for value, typ in level:
            assert isinstance(typ, gt.Struct)
            for fld in typ.fields:
                item = value.values.get(fld.go)
                if fld.go == name:
                    found.append((item, fld.type))
                    continue
                if not fld.promotes:
                    continue
                inner_type = fld.type
                if isinstance(inner_type, gt.Ptr):
                    if item is None:
                        continue  # (Go would panic reading through a nil embedded pointer)
                    inner_type = inner_type.elem
                if isinstance(inner_type, gt.Struct):
                    deeper.append((item, inner_type))
        if len(found) == 1:
            return found[0]
        if found:
            return None
        level = deeper
    return None


class _Evaluator:
    def walk(self, values: list[Val], node: Node) -> list[Val]:
        if isinstance(node, ListNode):
            return self.eval_list(values, node)
        if isinstance(node, TextNode):
            return [(node.text, None)]
        if isinstance(node, FieldNode):
            return self.eval_field(values, node)
        if isinstance(node, ArrayNode):
            return self.eval_array(values, node)
        if isinstance(node, FilterNode):
            return self.eval_filter(values, node)
        if isinstance(node, IntNode):
            return [(node.value, gt.Prim("int64", "int")) for _ in values]
        if isinstance(node, FloatNode):
            return [(node.value, None) for _ in values]
        if isinstance(node, BoolNode):
            return [(node.value, None) for _ in values]
        if isinstance(node, WildcardNode):
            return self.eval_wildcard(values)
        if isinstance(node, RecursiveNode):
            return self.eval_recursive(values)
        if isinstance(node, UnionNode):
            out: list[Val] = []
            for sub in node.nodes:
                out.extend(self.eval_list(values, sub))
            return out
        if isinstance(node, IdentifierNode):
            if node.name in ("range", "end"):
                raise EvalError(f"{{{node.name}}} is not supported in a single-value path")
            raise EvalError(f"unrecognized identifier {node.name}")
        raise EvalError(f"unexpected Node {node}")

    def eval_list(self, values: list[Val], node: ListNode) -> list[Val]:
        cur = values
        for sub in node.nodes:
            cur = self.walk(cur, sub)
        return cur

    def eval_field(self, values: list[Val], node: FieldNode) -> list[Val]:
        results: list[Val] = []
        for raw in values:
            val, is_nil = _indirect(raw)
            if is_nil:
                continue
            kind = _kind(val)
            if kind == "struct":
                found = _find_field(val, node.name)
                if found is not None:
                    results.append(found)
            elif kind == "map":
                mapping = val[0] or {}
                elem = val[1].elem if isinstance(val[1], gt.Map) else None
                if node.name in mapping:
                    results.append((mapping[node.name], elem))
        return results

    def eval_array(self, values: list[Val], node: ArrayNode) -> list[Val]:
        results: list[Val] = []
        for raw in values:
            val, is_nil = _indirect(raw)
            if is_nil:
                continue
            if _kind(val) != "slice":
                raise EvalError(f"{_type_name(val)} is not array or slice")
            items = _elements(val)
            length = len(items)
            start = node.params[0].value if node.params[0].known else 0
            if start < 0:
                start += length
            end = node.params[1].value if node.params[1].known else length
            if node.params[1].known and (end < 0 or (end == 0 and node.params[1].derived)):
                end += length
            if end != start:
                if start >= length or start < 0:
                    raise EvalError(f"array index out of bounds: index {start}, length {length}")
                if end > length or end < 0:
                    raise EvalError(f"array index out of bounds: index {end - 1}, length {length}")
                if start > end:
                    raise EvalError(f"starting index {start} is greater than ending index {end}")
            else:
                return results
            step = 1
            if node.params[2].known:
                if node.params[2].value <= 0:
                    raise EvalError("step must be > 0")
                step = node.params[2].value
            results.extend(items[start:end:step])
        return results

    def eval_wildcard(self, values: list[Val]) -> list[Val]:
        results: list[Val] = []
        for raw in values:
            val, is_nil = _indirect(raw)
            if is_nil:
                continue
            results.extend(self._children(val))
        return results

    def _children(self, val: Val) -> list[Val]:
        kind = _kind(val)
        if kind == "struct":
            return _struct_fields(val)
        if kind == "map":
            return _map_items(val)
        if kind in ("slice", "string"):
            return _elements(val)
        return []

    def eval_recursive(self, values: list[Val]) -> list[Val]:
        results: list[Val] = []
        for raw in values:
            val, is_nil = _indirect(raw)
            if is_nil:
                continue
            children = self._children(val)
            if children:
                results.append(val)
                results.extend(self.eval_recursive(children))
        return results

    def eval_filter(self, values: list[Val], node: FilterNode) -> list[Val]:
        results: list[Val] = []
        for raw in values:
            val, _ = _indirect(raw)
            if _kind(val) != "slice":
                raise EvalError(f"{_describe(val)} is not array or slice and cannot be filtered")
            for item in _elements(val):
                try:
                    lefts = self.eval_list([item], node.left)
                    error: EvalError | None = None
                except EvalError as err:
                    lefts, error = [], err
                if node.operator == "exists":
                    if lefts:
                        results.append(item)
                    continue
                if error is not None:
                    raise error
                if not lefts:
                    continue
                if len(lefts) > 1:
                    raise EvalError("can only compare one element at a time")
                rights = self.eval_list([item], node.right)
                if not rights:
                    continue
                if len(rights) > 1:
                    raise EvalError("can only compare one element at a time")
                if _compare(node.operator, lefts[0], rights[0]):
                    results.append(item)
        return results


def _describe(val: Val) -> str:
    return repr(val[0])


def _basic(val: Val) -> tuple[str, Any]:
    value, typ = val
    if isinstance(typ, (gt.Ptr, gt.Interface)) or typ is None:
        (value, typ), is_nil = _indirect(val)
        if is_nil:
            raise EvalError("invalid type for comparison")
    kind = _kind((value, typ))
    if kind not in ("bool", "int", "float", "string"):
        raise EvalError("invalid type for comparison")
    return kind, value


def _compare(operator: str, left: Val, right: Val) -> bool:
    lk, lv = _basic(left)
    rk, rv = _basic(right)
    if lk != rk:
        raise EvalError("incompatible types for comparison")
    if operator == "==":
        return bool(lv == rv)
    if operator == "!=":
        return bool(lv != rv)
    if lk == "bool":
        raise EvalError("invalid type for comparison")
    if operator == "<":
        return bool(lv < rv)
    if operator == "<=":
        return bool(lv <= rv)
    if operator == ">":
        return bool(lv > rv)
    if operator == ">=":
        return bool(lv >= rv)
    raise EvalError(f"unrecognized filter operator {operator}")


def wrap(path: str) -> str:
    """Cartographer's ensureValidWrapping."""
    if not path.startswith("{."):
        path = "{" + path if path.startswith(".") else "{." + path
    if not path.endswith("}"):
        path += "}"
    return path


def syntax_error(path: str) -> str | None:
    """Why Cartographer could never evaluate PATH (empty, or not client-go JSONPath syntax), or None."""
    if path == "":
        return "empty jsonpath not allowed"
    try:
        parse(wrap(path))
    except EvalError as err:
        return str(err)
    except RecursionError:
        return "the expression nests too deeply"
    return None


def to_json(val: Val) -> Any:
    """A walked value as JSON data (its json.Marshal), then decoded into interface{}."""
    value, typ = val
    return to_interface(gt.encode(value, gt.INTERFACE if typ is None else typ))


_PARSE_CACHE: dict[str, ListNode] = {}


def find(expression: str, data: Val) -> list[Any]:
    """All values an already-wrapped expression yields, as interface{} JSON data."""
    root = _PARSE_CACHE.get(expression)
    if root is None:
        try:
            root = parse(expression)
        except EvalError as err:
            raise EvalError(f"failed to parse jsonpath '{expression}': {err}") from None
        if len(_PARSE_CACHE) < 4096:
            _PARSE_CACHE[expression] = root
    if len(root.nodes) > 1:
        raise EvalError(f"more queries than expected: {len(root.nodes)} templates in '{expression}'")
    if not root.nodes:
        raise EvalError(f"failed to parse jsonpath '{expression}': empty")
    evaluator = _Evaluator()
    node = root.nodes[0]
    try:
        results = evaluator.walk([data], node)
    except EvalError as err:
        raise EvalError(f"failed to find results: {err}") from None
    return [to_json(r) for r in results]


def evaluate(path: str, data: Val) -> Any:
    """Cartographer's EvaluateJsonPath: exactly one result (which may be None for a JSON null)."""
    if path == "":
        raise EvalError("empty jsonpath not allowed")
    results = find(wrap(path), data)
    if len(results) > 1:
        raise EvalError(f"too many results for the query: {path}")
    if not results:
        raise PathMissing(path)
    return results[0]
