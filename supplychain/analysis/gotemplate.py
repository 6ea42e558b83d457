"""A Go text/template engine for metric queries, matching Flagger's rendering.

Flagger renders a MetricTemplate query with `template.New("tmpl").Option("missingkey=error")`, the
model exposed as *functions* (`{{ name }}`, `{{ variables.key }}`) and nil data, so `{{ .name }}` fails
with "nil data; no entry for key". This module implements the part of text/template such queries can
use: text, comments, trim markers, pipelines, function calls, field chains, literals, parentheses,
variables, `if`/`else`/`with`/`range`/`end` and the builtins `and or not len index slice print printf
println urlquery html js eq ne lt le gt ge`. Error messages have Go's wording and positions.
`define`, `template`, `block`, `break`, `continue` and `call` raise UnsupportedTemplate.
"""

from __future__ import annotations

import math
import urllib.parse
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable, Iterator

TEMPLATE_NAME = "tmpl"


class TemplateError(Exception):
    """A parse or execution error, worded as Go's text/template words it."""

    def __init__(self, message: str, stage: str) -> None:
        super().__init__(message)
        self.message = message
        self.stage = stage  # "parse" or "exec"


class UnsupportedTemplate(Exception):
    """Valid Go template syntax this engine does not evaluate."""


class _Missing:
    """Go's invalid reflect.Value: nil data, a missing map entry."""

    def __repr__(self) -> str:
        return "<no value>"


MISSING: Any = _Missing()


class GoMap(dict[str, str]):
    """A Go map[string]string (prints as map[k:v ...])."""


# ---------------------------------------------------------------- lexer

_SPACE = " \t\r\n"
_KEYWORDS = {"block", "break", "continue", "define", "else", "end", "if", "range", "nil", "template", "with"}


@dataclass
class _Tok:
    typ: str  # text left right space ident field dot var string raw char number bool nil pipe lparen
    # rparen declare assign comma keyword eof error
    val: str
    pos: int
    line: int


def _closing_quote(text: str, start: int) -> int:
    """Index of the quote closing the one at START (backslash escapes skipped); -1 if the line ends first."""
    quote, end = text[start], start + 1
    while end < len(text) and text[end] != "\n":
        if text[end] == "\\":
            end += 2
        elif text[end] == quote:
            return end
        else:
            end += 1
    return -1


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.items: list[_Tok] = []
        self.line = 1

    def lex(self) -> list[_Tok]:
        text = self.text
        pos = 0
        n = len(text)
        while True:
            idx = text.find("{{", pos)
            if idx < 0:
                if pos < n:
                    self._emit("text", text[pos:], pos)
                self._emit("eof", "", n)
                return self.items
            after = idx + 2
            trim_left = text.startswith("-", after) and after + 1 < n and text[after + 1] in _SPACE
            end_text = idx
            if trim_left:
                while end_text > pos and text[end_text - 1] in _SPACE:
                    end_text -= 1
            if end_text > pos:
                self._emit("text", text[pos:end_text], pos)
            self.line += text.count("\n", end_text, idx)
            inner = after + 2 if trim_left else after
            newline_in_marker = 1 if trim_left and text[after + 1] == "\n" else 0
            if text.startswith("/*", inner):
                self.line += newline_in_marker
                pos = self._comment(inner, idx)
            else:
                self._emit("left", "{{", idx)
                self.line += newline_in_marker
                pos = self._inside(inner)
            if self.items and self.items[-1].typ == "error":
                return self.items

    def _emit(self, typ: str, val: str, pos: int) -> None:
        self.items.append(_Tok(typ, val, pos, self.line))
        if typ not in ("error",):
            self.line += val.count("\n") if typ in ("text", "space", "raw") else 0

    def _error(self, message: str, pos: int) -> int:
        self.items.append(_Tok("error", message, pos, self.line))
        return len(self.text)

    def _right_delim_at(self, pos: int) -> tuple[bool, int]:
        """(is a right delimiter, its length including a trim marker)."""
        text = self.text
        if text.startswith("}}", pos):
            return True, 2
        if pos < len(text) and text[pos] in _SPACE and text.startswith("-}}", pos + 1):
            return True, 4
        return False, 0

    def _after_right(self, pos: int, length: int) -> int:
        end = pos + length
        if length == 4:
            while end < len(self.text) and self.text[end] in _SPACE:
                if self.text[end] == "\n":
                    self.line += 1
                end += 1
        return end

    def _comment(self, start: int, left: int) -> int:
        text = self.text
        close = text.find("*/", start + 2)
        if close < 0:
            return self._error("unclosed comment", left)
        pos = close + 2
        is_right, length = self._right_delim_at(pos)
        if not is_right:
            return self._error("comment ends before closing delimiter", left)
        self.line += text.count("\n", start, pos)
        return self._after_right(pos, length)

    def _inside(self, pos: int) -> int:
        text = self.text
        n = len(text)
        depth = 0
        while True:
            is_right, length = self._right_delim_at(pos)
            if is_right:
                if depth > 0:
                    return self._error("unclosed left paren", pos)
                if length == 4 and text[pos] == "\n":
                    self.line += 1
                self._emit("right", "}}", pos + (length - 2))
                return self._after_right(pos, length)
            if pos >= n:
                return self._error("unclosed action", pos)
            c = text[pos]
            if c in _SPACE:
                start = pos
                while pos < n and text[pos] in _SPACE:
                    if self._right_delim_at(pos)[1] == 4:
                        break
                    pos += 1
                if pos > start:
                    self._emit("space", text[start:pos], start)
                continue
            if c == "=":
                self._emit("assign", "=", pos)
                pos += 1
            elif c == ":":
                if not text.startswith(":=", pos):
                    return self._error("expected :=", pos)
                self._emit("declare", ":=", pos)
                pos += 2
            elif c == "|":
                self._emit("pipe", "|", pos)
                pos += 1
            elif c == '"':
                end = _closing_quote(text, pos)
                if end < 0:
                    return self._error("unterminated quoted string", pos)
                self._emit("string", text[pos:end + 1], pos)
                pos = end + 1
            elif c == "`":
                end = text.find("`", pos + 1)
                if end < 0:
                    return self._error("unterminated raw quoted string", pos)
                self._emit("raw", text[pos:end + 1], pos)
                pos = end + 1
            elif c == "'":
                end = _closing_quote(text, pos)
                if end < 0:
                    return self._error("unterminated character constant", pos)
                self._emit("char", text[pos:end + 1], pos)
                pos = end + 1
            elif c == "$":
                end = pos + 1
                while end < n and (text[end].isalnum() or text[end] == "_"):
                    end += 1
                if not self._at_terminator(end):
                    return self._error(f"bad character {_go_u(text[end])}", end)
                self._emit("var", text[pos:end], pos)
                pos = end
            elif c == "." and pos + 1 < n and not text[pos + 1].isdigit():
                if self._at_terminator(pos + 1):
                    self._emit("dot", ".", pos)
                    pos += 1
                    continue
                end = pos + 1
                while end < n and (text[end].isalnum() or text[end] == "_"):
                    end += 1
                if not self._at_terminator(end):
                    return self._error(f"bad character {_go_u(text[end])}", end)
                self._emit("field", text[pos:end], pos)
                pos = end
            elif c in "+-." or c.isdigit():
                end, ok = self._scan_number(pos)
                if ok and end < n and text[end] in "+-":
                    end, ok = self._scan_number(end)
                    ok = ok and text[end - 1] == "i"
                if not ok:
                    return self._error(f"bad number syntax: {go_quote(text[pos:end])}", pos)
                self._emit("number", text[pos:end], pos)
                pos = end
            elif c.isalpha() or c == "_":
                end = pos
                while end < n and (text[end].isalnum() or text[end] == "_"):
                    end += 1
                if not self._at_terminator(end):
                    return self._error(f"bad character {_go_u(text[end])}", end)
                word = text[pos:end]
                if word in ("true", "false"):
                    self._emit("bool", word, pos)
                elif word == "nil":
                    self._emit("nil", word, pos)
                elif word in _KEYWORDS:
                    self._emit("keyword", word, pos)
                else:
                    self._emit("ident", word, pos)
                pos = end
            elif c == "(":
                depth += 1
                self._emit("lparen", "(", pos)
                pos += 1
            elif c == ")":
                depth -= 1
                if depth < 0:
                    return self._error("unexpected right paren", pos)
                self._emit("rparen", ")", pos)
                pos += 1
            elif c.isascii() and c.isprintable():
                self._emit("punct", c, pos)
                pos += 1
            else:
                return self._error(f"unrecognized character in action: {_go_u(c)}", pos)

    def _at_terminator(self, pos: int) -> bool:
        if pos >= len(self.text):
            return True
        c = self.text[pos]
        if c in _SPACE or c in ".,|:)(":
            return True
        return self.text.startswith("}}", pos)

    def _scan_number(self, pos: int) -> tuple[int, bool]:
        """Go's scanNumber: (end, ok); on failure END includes the offending character."""
        text = self.text
        n = len(text)
        i = pos
        if i < n and text[i] in "+-":
            i += 1
        digits = "0123456789_"
        if i < n and text[i] == "0":
            i += 1
            if i < n and text[i] in "xX":
                i += 1
                digits = "0123456789abcdefABCDEF_"
            elif i < n and text[i] in "oO":
                i += 1
                digits = "01234567_"
            elif i < n and text[i] in "bB":
                i += 1
                digits = "01_"
        while i < n and text[i] in digits:
            i += 1
        if i < n and text[i] == ".":
            i += 1
            while i < n and text[i] in digits:
                i += 1
        exp = "eE" if len(digits) == 11 else ("pP" if len(digits) == 23 else "")
        if exp and i < n and text[i] in exp:
            i += 1
            if i < n and text[i] in "+-":
                i += 1
            while i < n and text[i] in "0123456789_":
                i += 1
        if i < n and text[i] == "i":
            i += 1
        if i < n and (text[i].isalnum() or text[i] == "_"):
            return i + 1, False
        return i, True


def _go_u(c: str) -> str:
    return f"U+{ord(c):04X} '{c}'"


# ---------------------------------------------------------------- nodes


@dataclass
class _Node:
    pos: int


@dataclass
class _Text(_Node):
    text: str


@dataclass
class _Ident(_Node):
    name: str

    def __str__(self) -> str:
        return self.name


@dataclass
class _Field(_Node):
    idents: list[str]

    def __str__(self) -> str:
        return "".join("." + i for i in self.idents)


@dataclass
class _Var(_Node):
    idents: list[str]

    def __str__(self) -> str:
        return ".".join(self.idents)


@dataclass
class _Dot(_Node):
    def __str__(self) -> str:
        return "."


@dataclass
class _Nil(_Node):
    def __str__(self) -> str:
        return "nil"


@dataclass
class _Const(_Node):
    value: Any
    text: str

    def __str__(self) -> str:
        return self.text


@dataclass
class _Chain(_Node):
    node: _Node
    fields: list[str]

    def __str__(self) -> str:
        inner = str(self.node)
        if isinstance(self.node, _Pipe):
            inner = f"({inner})"
        return inner + "".join("." + f for f in self.fields)


@dataclass
class _Command(_Node):
    args: list[_Node]

    def __str__(self) -> str:
        return " ".join(f"({a})" if isinstance(a, _Pipe) else str(a) for a in self.args)


@dataclass
class _Pipe(_Node):
    decl: list[_Var]
    is_assign: bool
    cmds: list[_Command]

    def __str__(self) -> str:
        out = ""
        if self.decl:
            out = ", ".join(str(v) for v in self.decl) + (" = " if self.is_assign else " := ")
        return out + " | ".join(str(c) for c in self.cmds)


@dataclass
class _Action(_Node):
    pipe: _Pipe

    def __str__(self) -> str:
        return "{{" + str(self.pipe) + "}}"


@dataclass
class _Control(_Node):
    kind: str  # if with range
    pipe: _Pipe
    body: list[_Node]
    else_body: list[_Node] | None


# ---------------------------------------------------------------- parser


class _Parser:
    def __init__(self, text: str, funcs: set[str]) -> None:
        self.text = text
        self.toks = _Lexer(text).lex()
        self.i = 0
        self.funcs = funcs
        self.vars: list[str] = ["$"]
        self.action_line = 0
        self.furthest = 0

    def error(self, message: str, tok: _Tok | None = None) -> TemplateError:
        """Go reports the line of the furthest token its parser has looked at."""
        line = self.toks[min(self.furthest, len(self.toks) - 1)].line
        return TemplateError(f"template: {TEMPLATE_NAME}:{line}: {message}", "parse")

    def lex_error(self, tok: _Tok) -> TemplateError:
        extra = ""
        if self.action_line and self.action_line != tok.line:
            extra = f" in action started at {TEMPLATE_NAME}:{self.action_line}"
            if tok.val.endswith(" action"):
                extra = extra[len(" in action"):]
        return self.error(tok.val + extra, tok)

    def next(self) -> _Tok:
        tok = self.toks[self.i]
        self.furthest = max(self.furthest, self.i)
        if tok.typ == "error":
            raise self.lex_error(tok)
        self.i += 1
        return tok

    def backup(self) -> None:
        self.i -= 1

    def peek(self) -> _Tok:
        self.furthest = max(self.furthest, self.i)
        return self.toks[self.i]

    def next_non_space(self) -> _Tok:
        tok = self.next()
        while tok.typ == "space":
            tok = self.next()
        return tok

    def peek_non_space(self) -> _Tok:
        i = self.i
        while self.toks[i].typ == "space":
            i += 1
        self.furthest = max(self.furthest, i)
        return self.toks[i]

    def parse(self) -> list[_Node]:
        nodes, end = self.item_list(top=True)
        return nodes

    def item_list(self, top: bool = False) -> tuple[list[_Node], str]:
        nodes: list[_Node] = []
        while True:
            tok = self.next()
            if tok.typ == "eof":
                if top:
                    return nodes, "eof"
                raise self.error("unexpected EOF", tok)
            if tok.typ == "text":
                nodes.append(_Text(tok.pos, tok.val))
                continue
            # left delimiter
            self.action_line = tok.line
            kw = self.next_non_space()
            if kw.typ == "keyword" and kw.val in ("end", "else"):
                if kw.val == "end":
                    self.expect_right("end")
                else:
                    nxt = self.peek_non_space()
                    if not (nxt.typ == "keyword" and nxt.val in ("if", "with")):
                        self.expect_right("else")
                        kw = _Tok(kw.typ, "else-plain", kw.pos, kw.line)
                if top:
                    raise self.error(f"unexpected {{{{{kw.val.split('-')[0]}}}}}", kw)
                return nodes, kw.val
            self.backup()
            nodes.append(self.action())
            self.action_line = 0

    def expect_right(self, context: str) -> None:
        tok = self.next_non_space()
        if tok.typ != "right":
            raise self.error(f"unexpected {_tok_desc(tok)} in {context}", tok)

    def action(self) -> _Node:
        tok = self.next_non_space()
        if tok.typ == "keyword":
            if tok.val in ("if", "with", "range"):
                return self.control(tok)
            if tok.val in ("define", "template", "block", "break", "continue"):
                raise UnsupportedTemplate(f"{{{{{tok.val}}}}} is not supported offline")
        self.backup()
        pipe = self.pipeline("command", "right")
        return _Action(tok.pos, pipe)

    def control(self, kw: _Tok) -> _Node:
        mark = len(self.vars)
        pipe = self.pipeline(kw.val, "right")
        if kw.val == "range" and len(pipe.decl) > 2:
            raise self.error("too many declarations in range", kw)
        body, end = self.item_list()
        else_body: list[_Node] | None = None
        if end == "else":
            nxt = self.next_non_space()
            if nxt.val != kw.val:
                raise UnsupportedTemplate(f"{{{{else {nxt.val}}}}} inside {{{{{kw.val}}}}} is not supported offline")
            # `{{else if ...}}` is `{{else}}{{if ...}}...{{end}}{{end}}` sharing the outer end.
            else_body = [self.control(nxt)]
        elif end == "else-plain":
            else_body, end2 = self.item_list()
            if end2 != "end":
                raise self.error("expected end; found {{else}}")
        del self.vars[mark:]
        return _Control(kw.pos, kw.val, pipe, body, else_body)

    def pipeline(self, context: str, end: str) -> _Pipe:
        tok = self.peek_non_space()
        decl: list[_Var] = []
        is_assign = False
        # declarations: $x := / $x = / $k, $v := (Go's three-token look-ahead)
        while True:
            var = self.peek_non_space()
            if var.typ != "var":
                break
            mark = self.i
            self.next_non_space()
            nxt = self.peek_non_space()
            if nxt.typ in ("declare", "assign"):
                is_assign = nxt.typ == "assign"
                self.next_non_space()
                decl.append(_Var(var.pos, [var.val]))
                self.vars.append(var.val)
                break
            if nxt.typ == "punct" and nxt.val == ",":
                self.next_non_space()
                decl.append(_Var(var.pos, [var.val]))
                self.vars.append(var.val)
                if context == "range" and len(decl) < 2:
                    if self.peek_non_space().typ in ("var", "right", "rparen"):
                        continue
                    raise self.error("range can only initialize variables")
                raise self.error(f"too many declarations in {context}")
            self.i = mark
            break
        pipe = _Pipe(tok.pos, decl, is_assign, [])
        while True:
            tok = self.next_non_space()
            if tok.typ == end:
                if not pipe.cmds:
                    raise self.error(f"missing value for {context}", tok)
                for i, cmd in enumerate(pipe.cmds[1:], start=2):
                    first = cmd.args[0]
                    if isinstance(first, (_Const, _Dot, _Nil)):
                        raise self.error(f"non executable command in pipeline stage {i}", tok)
                if end == "rparen":
                    self.backup()
                return pipe
            if tok.typ in ("bool", "char", "dot", "field", "ident", "number", "nil", "raw", "string", "var",
                           "lparen"):
                self.backup()
                pipe.cmds.append(self.command())
            else:
                raise self.error(f"unexpected {_tok_desc(tok)} in {context}", tok)

    def command(self) -> _Command:
        cmd = _Command(self.peek_non_space().pos, [])
        while True:
            self.peek_non_space()
            operand = self.operand()
            if operand is not None:
                cmd.args.append(operand)
            tok = self.next()
            if tok.typ == "space":
                continue
            if tok.typ in ("right", "rparen"):
                self.backup()
            elif tok.typ == "pipe":
                pass
            else:
                raise self.error(f"unexpected {_tok_desc(tok)} in operand", tok)
            break
        if not cmd.args:
            raise self.error("empty command")
        return cmd

    def operand(self) -> _Node | None:
        node = self.term()
        if node is None:
            return None
        if self.peek().typ == "field":
            first = self.peek()
            fields: list[str] = []
            while self.peek().typ == "field":
                fields.append(self.next().val[1:])
            if isinstance(node, _Field):
                return _Field(first.pos, node.idents + fields)
            if isinstance(node, _Var):
                return _Var(first.pos, node.idents + fields)
            if isinstance(node, (_Const, _Nil, _Dot)):
                raise self.error(f"unexpected . after term {go_quote(str(node))}")
            return _Chain(first.pos, node, fields)
        return node

    def term(self) -> _Node | None:
        tok = self.next_non_space()
        t = tok.typ
        if t == "ident":
            if tok.val not in self.funcs:
                raise self.error(f"function {tok.val!r} not defined".replace("'", '"'), tok)
            return _Ident(tok.pos, tok.val)
        if t == "dot":
            return _Dot(tok.pos)
        if t == "nil":
            return _Nil(tok.pos)
        if t == "var":
            if tok.val not in self.vars:
                raise self.error(f"undefined variable \"{tok.val}\"", tok)
            return _Var(tok.pos, [tok.val])
        if t == "field":
            return _Field(tok.pos, [tok.val[1:]])
        if t == "bool":
            return _Const(tok.pos, tok.val == "true", tok.val)
        if t == "number":
            return _Const(tok.pos, self.number(tok), tok.val)
        if t == "char":
            value = _unquote(tok.val[1:-1], "'")
            if len(value) != 1:
                raise self.error(f"malformed character constant: {tok.val}", tok)
            return _Const(tok.pos, ord(value), tok.val)
        if t == "lparen":
            pipe = self.pipeline("parenthesized pipeline", "rparen")
            self.next()  # the right paren
            return pipe
        if t == "string":
            return _Const(tok.pos, _unquote(tok.val[1:-1], '"'), tok.val)
        if t == "raw":
            return _Const(tok.pos, tok.val[1:-1], tok.val)
        self.backup()
        return None

    def number(self, tok: _Tok) -> Any:
        text = tok.val.replace("_", "")
        if text.endswith("i") and len(text.lstrip("+-")) > 1:
            raise UnsupportedTemplate("complex number constants are not supported offline")
        if not any(ch.isdigit() for ch in text):
            raise self.error(f"illegal number syntax: \"{tok.val}\"", tok)
        try:
            if any(c in text for c in ".eEpP") and not text.lower().lstrip("+-").startswith("0x"):
                return float(text)
            return int(text, 0) if not _is_legacy_octal(text) else int(text, 8)
        except ValueError:
            try:
                return float.fromhex(text)
            except ValueError:
                raise self.error(f"illegal number syntax: {tok.val!r}".replace("'", '"'), tok) from None


def _is_legacy_octal(text: str) -> bool:
    t = text.lstrip("+-")
    return len(t) > 1 and t[0] == "0" and t[1].isdigit()


def _tok_desc(tok: _Tok) -> str:
    """Go's item.String()."""
    if tok.typ == "eof":
        return "EOF"
    if tok.typ in ("keyword", "dot", "nil"):
        return f"<{tok.val}>"
    if len(tok.val) > 10:
        return go_quote(tok.val[:10]) + "..."
    return go_quote(tok.val)


_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\",
            "'": "'", '"': '"'}


def _unquote(body: str, quote: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        e = body[i + 1]
        if e in _ESCAPES:
            out.append(_ESCAPES[e])
            i += 2
        elif e == "x":
            out.append(chr(int(body[i + 2:i + 4], 16)))
            i += 4
        elif e == "u":
            out.append(chr(int(body[i + 2:i + 6], 16)))
            i += 6
        elif e == "U":
            out.append(chr(int(body[i + 2:i + 10], 16)))
            i += 10
        elif e in "01234567":
            out.append(chr(int(body[i + 1:i + 4], 8)))
            i += 4
        else:
            raise TemplateError(f"template: {TEMPLATE_NAME}:1: invalid syntax", "parse")
    return "".join(out)


# ---------------------------------------------------------------- values and formatting


class _Byte(int):
    """A byte read by indexing a string (Go uint8)."""


def go_type(value: Any) -> str:
    if isinstance(value, _Byte):
        return "uint8"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "map[string]string"
    return "<nil>"


def go_float(x: float) -> str:
    """fmt's %v for a float64: shortest digits; exponent form when the exponent is < -4 or >= 6."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "+Inf" if x > 0 else "-Inf"
    if x == 0:
        return "-0" if math.copysign(1, x) < 0 else "0"
    sign, digits_t, exponent = Decimal(repr(abs(x))).normalize().as_tuple()
    digits = "".join(str(d) for d in digits_t)
    nd = len(digits)
    dp = nd + int(exponent)
    exp = dp - 1
    neg = "-" if x < 0 else ""
    if exp < -4 or exp >= 6:
        mant = digits[0] + ("." + digits[1:] if nd > 1 else "")
        return f"{neg}{mant}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if dp <= 0:
        return f"{neg}0.{'0' * -dp}{digits}"
    if dp >= nd:
        return f"{neg}{digits}{'0' * (dp - nd)}"
    return f"{neg}{digits[:dp]}.{digits[dp:]}"


def go_sprint_value(value: Any) -> str:
    """fmt's %v of one value."""
    if value is None or value is MISSING:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return go_float(value)
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{value[k]}" for k in sorted(value)) + "]"
    return str(value)


def go_print(args: list[Any]) -> str:
    """fmt.Sprint: a space between operands when neither is a string."""
    out: list[str] = []
    for i, arg in enumerate(args):
        if i > 0 and not isinstance(arg, str) and not isinstance(args[i - 1], str):
            out.append(" ")
        out.append(go_sprint_value(arg))
    return "".join(out)


def go_quote(s: str) -> str:
    out = ['"']
    for c in s:
        if c == '"':
            out.append('\\"')
        elif c == "\\":
            out.append("\\\\")
        elif c == "\n":
            out.append("\\n")
        elif c == "\t":
            out.append("\\t")
        elif c == "\r":
            out.append("\\r")
        elif not c.isprintable():
            code = ord(c)
            out.append(f"\\x{code:02x}" if code < 0x80 else (f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"))
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


def go_sprintf(fmt: str, args: list[Any]) -> str:
    """fmt.Sprintf for the common verbs (v s q d x X o b e E f F g G t c %)."""
    out: list[str] = []
    argi = 0
    i = 0
    n = len(fmt)
    while i < n:
        c = fmt[i]
        if c != "%":
            out.append(c)
            i += 1
            continue
        i += 1
        flags = ""
        while i < n and fmt[i] in "-+# 0":
            flags += fmt[i]
            i += 1
        width = ""
        while i < n and fmt[i].isdigit():
            width += fmt[i]
            i += 1
        prec: str | None = None
        if i < n and fmt[i] == ".":
            i += 1
            prec = ""
            while i < n and fmt[i].isdigit():
                prec += fmt[i]
                i += 1
        if i >= n:
            out.append("%!(NOVERB)")
            break
        verb = fmt[i]
        i += 1
        if verb == "%":
            out.append("%")
            continue
        if argi >= len(args):
            out.append(f"%!{verb}(MISSING)")
            continue
        arg = args[argi]
        argi += 1
        out.append(_format_one(verb, flags, width, prec, arg))
    if argi < len(args):
        extra = ", ".join("<nil>" if a is None or a is MISSING else f"{go_type(a)}={go_sprint_value(a)}"
                          for a in args[argi:])
        out.append(f"%!(EXTRA {extra})")
    return "".join(out)


def _bad_verb(verb: str, arg: Any) -> str:
    if arg is None or arg is MISSING:
        return f"%!{verb}(<nil>)"
    return f"%!{verb}({go_type(arg)}={go_sprint_value(arg)})"


def _format_one(verb: str, flags: str, width: str, prec: str | None, arg: Any) -> str:
    pyflags = "".join(f for f in flags if f in "-+ 0#")
    spec = "%" + pyflags + width + ("." + (prec or "0") if prec is not None else "")
    if arg is None or arg is MISSING:
        return _bad_verb(verb, arg) if verb != "v" else _pad("<nil>", flags, width)
    if verb == "v":
        return _pad(go_sprint_value(arg), flags, width)
    if isinstance(arg, bool):
        if verb == "t":
            return _pad("true" if arg else "false", flags, width)
        return _bad_verb(verb, arg)
    if isinstance(arg, int):
        if verb == "b":
            return _pad(format(arg, "b"), flags, width)
        if verb in "dxXo":
            return (spec + verb) % arg
        if verb == "c":
            return _pad(chr(arg), flags, width)
        if verb == "q":
            return _pad("'" + chr(arg) + "'", flags, width)
        return _bad_verb(verb, arg)
    if isinstance(arg, float):
        if verb in "eEfF":
            return (spec + verb) % arg
        if verb in "gG":
            if prec is None:
                text = go_float(arg)
                return _pad(text.upper() if verb == "G" else text, flags, width)
            return (spec + verb) % arg
        return _bad_verb(verb, arg)
    if isinstance(arg, str):
        if verb == "s":
            text = arg if prec is None else arg[: int(prec or 0)]
            return _pad(text, flags, width)
        if verb == "q":
            return _pad(go_quote(arg), flags, width)
        if verb in "xX":
            hexed = arg.encode().hex()
            return _pad(hexed.upper() if verb == "X" else hexed, flags, width)
        return _bad_verb(verb, arg)
    if isinstance(arg, dict) and verb == "s":
        return _pad(go_sprint_value(arg), flags, width)
    return _bad_verb(verb, arg)


def _pad(text: str, flags: str, width: str) -> str:
    if not width:
        return text
    w = int(width)
    return text.ljust(w) if "-" in flags else text.rjust(w)


def _truth(value: Any) -> bool:
    if value is None or value is MISSING:
        return False
    if isinstance(value, (bool, int, float)):
        return bool(value)
    if isinstance(value, (str, dict)):
        return len(value) > 0
    return True


# ---------------------------------------------------------------- builtins


class _CallError(Exception):
    """An error returned by a called function (Go: "error calling NAME: ...")."""


def _b_len(x: Any) -> int:
    if x is None:
        raise _CallError("reflect: call of reflect.Value.Type on zero Value")
    if isinstance(x, (str, dict)):
        return len(x.encode()) if isinstance(x, str) else len(x)
    raise _CallError(f"len of type {go_type(x)}")


def _b_index(item: Any, *indexes: Any) -> Any:
    if item is None or item is MISSING:
        raise _CallError("index of untyped nil")
    for idx in indexes:
        if isinstance(item, dict):
            if not isinstance(idx, str):
                raise _CallError(f"value has type {go_type(idx)}; should be string")
            item = item.get(idx, "")
        elif isinstance(item, str):
            if idx is None:
                raise _CallError("cannot index slice/array with nil")
            if isinstance(idx, bool) or not isinstance(idx, int):
                raise _CallError(f"cannot index slice/array with type {go_type(idx)}")
            data = item.encode()
            if idx < 0 or idx >= len(data):
                raise _CallError(f"index out of range: {idx}")
            item = _Byte(data[idx])
        else:
            raise _CallError(f"can't index item of type {go_type(item)}")
    return item


def _b_slice(item: Any, *indexes: Any) -> Any:
    if not isinstance(item, str):
        raise _CallError(f"can't slice item of type {go_type(item)}")
    data = item.encode()
    if len(indexes) > 2:
        raise _CallError(f"cannot 3-index slice a string")
    idx = [int(i) for i in indexes]
    lo = idx[0] if idx else 0
    hi = idx[1] if len(idx) > 1 else len(data)
    if lo < 0 or hi < lo or hi > len(data):
        raise _CallError(f"index out of range: {hi if hi > len(data) else lo}")
    return data[lo:hi].decode(errors="replace")


def _basic(x: Any) -> str:
    if isinstance(x, bool):
        return "bool"
    if isinstance(x, int):
        return "int"
    if isinstance(x, float):
        return "float"
    if isinstance(x, str):
        return "string"
    if x is None or x is MISSING:
        return "nil"
    return "invalid"


def _b_eq(arg1: Any, *args: Any) -> bool:
    if not args:
        raise _CallError("missing argument for comparison")
    k1 = _basic(arg1)
    for arg in args:
        k2 = _basic(arg)
        if k1 == "invalid" or k2 == "invalid":
            raise _CallError("non-comparable type")
        if k1 != k2:
            if k1 == "nil" or k2 == "nil":
                if arg1 is arg:
                    return True
                continue
            raise _CallError(f"incompatible types for comparison: {go_type(arg1)} and {go_type(arg)}")
        if arg1 == arg:
            return True
    return False


def _b_ne(a: Any, b: Any) -> bool:
    return not _b_eq(a, b)


def _b_lt(a: Any, b: Any) -> bool:
    ka, kb = _basic(a), _basic(b)
    if ka in ("bool", "nil", "invalid") or kb in ("bool", "nil", "invalid"):
        raise _CallError("invalid type for comparison")
    if ka != kb:
        raise _CallError(f"incompatible types for comparison: {go_type(a)} and {go_type(b)}")
    return bool(a < b)


def _b_le(a: Any, b: Any) -> bool:
    return _b_lt(a, b) or _b_eq(a, b)


def _b_gt(a: Any, b: Any) -> bool:
    return not _b_le(a, b)


def _b_ge(a: Any, b: Any) -> bool:
    return not _b_lt(a, b)


def _b_html(*args: Any) -> str:
    s = _eval_args_string(args)
    return (s.replace("&", "&amp;").replace("'", "&#39;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&#34;").replace("\x00", "\uFFFD"))


def _b_js(*args: Any) -> str:
    s = _eval_args_string(args)
    out = []
    for c in s:
        if c in "\\'\"":
            out.append("\\" + c)
        elif c == "<":
            out.append("\\u003C")
        elif c == ">":
            out.append("\\u003E")
        elif c == "&":
            out.append("\\u0026")
        elif c == "=":
            out.append("\\u003D")
        elif c == "\n":
            out.append("\\n")
        elif c == "\r":
            out.append("\\r")
        elif c == "\t":
            out.append("\\t")
        elif ord(c) < 0x20:
            out.append(f"\\u{ord(c):04X}")
        else:
            out.append(c)
    return "".join(out)


def _b_urlquery(*args: Any) -> str:
    return urllib.parse.quote_plus(_eval_args_string(args), safe="")


def _eval_args_string(args: tuple[Any, ...]) -> str:
    if len(args) == 1 and isinstance(args[0], str):
        return args[0]
    return go_print(["<no value>" if a is None else a for a in args])


@dataclass(frozen=True)
class _Func:
    fn: Callable[..., Any]
    nin: int  # fixed parameters (for variadic: parameters before the variadic one + 1)
    variadic: bool = False
    first_string: bool = False


_BUILTINS: dict[str, _Func] = {
    "len": _Func(_b_len, 1),
    "index": _Func(_b_index, 2, variadic=True),
    "slice": _Func(_b_slice, 2, variadic=True),
    "print": _Func(lambda *a: go_print(list(a)), 1, variadic=True),
    "printf": _Func(lambda f, *a: go_sprintf(f, list(a)), 2, variadic=True, first_string=True),
    "println": _Func(lambda *a: " ".join(go_sprint_value(x) for x in a) + "\n", 1, variadic=True),
    "urlquery": _Func(_b_urlquery, 1, variadic=True),
    "html": _Func(_b_html, 1, variadic=True),
    "js": _Func(_b_js, 1, variadic=True),
    "eq": _Func(_b_eq, 2, variadic=True),
    "ne": _Func(_b_ne, 2),
    "lt": _Func(_b_lt, 2),
    "le": _Func(_b_le, 2),
    "gt": _Func(_b_gt, 2),
    "ge": _Func(_b_ge, 2),
    "not": _Func(lambda x: not _truth(x), 1),
}
_SPECIAL = {"and", "or", "call"}


# ---------------------------------------------------------------- execution


@dataclass
class _State:
    text: str
    funcs: dict[str, Callable[[], Any]]
    out: list[str] = field(default_factory=list)
    vars: list[tuple[str, Any]] = field(default_factory=lambda: [("$", MISSING)])
    node: _Node | None = None

    def error(self, message: str) -> TemplateError:
        node = self.node
        assert node is not None
        pos = node.pos
        before = self.text[:pos]
        nl = before.rfind("\n")
        col = pos if nl < 0 else pos - (nl + 1)
        line = 1 + before.count("\n")
        return TemplateError(
            f'template: {TEMPLATE_NAME}:{line}:{col}: executing "{TEMPLATE_NAME}" at <{_context(node)}>: {message}',
            "exec",
        )

    def at(self, node: _Node) -> None:
        self.node = node

    def walk(self, dot: Any, nodes: list[_Node]) -> None:
        for node in nodes:
            self.at(node)
            if isinstance(node, _Text):
                self.out.append(node.text)
            elif isinstance(node, _Action):
                value = self.pipeline(dot, node.pipe)
                if not node.pipe.decl:
                    self.at(node)
                    self.out.append("<no value>" if value is MISSING else go_sprint_value(value)
                                    if value is not None else "<nil>")
            elif isinstance(node, _Control):
                self.control(dot, node)

    def control(self, dot: Any, node: _Control) -> None:
        mark = len(self.vars)
        if node.kind == "range":
            self.range(dot, node)
        else:
            value = self.pipeline(dot, node.pipe)
            if _truth(value):
                self.walk(value if node.kind == "with" else dot, node.body)
            elif node.else_body is not None:
                self.walk(dot, node.else_body)
        del self.vars[mark:]

    def range(self, dot: Any, node: _Control) -> None:
        pipe = node.pipe
        decl = pipe.decl
        pipe_nodecl = _Pipe(pipe.pos, [], False, pipe.cmds)
        value = self.pipeline(dot, pipe_nodecl)
        items: list[tuple[Any, Any]]
        if isinstance(value, dict):
            items = [(k, value[k]) for k in sorted(value)]
        elif isinstance(value, int) and not isinstance(value, bool):
            if len(decl) > 1:
                self.at(pipe.cmds[-1].args[-1])
                raise self.error(f"can't use {value} to iterate over more than one variable")
            items = [(i, i) for i in range(value)]
        elif value is MISSING or value is None:
            items = []
        else:
            raise self.error(f"range can't iterate over {go_sprint_value(value)}")
        if not items:
            if node.else_body is not None:
                self.walk(dot, node.else_body)
            return
        mark = len(self.vars)
        for key, elem in items:
            if len(decl) == 1:
                self.vars.append((decl[0].idents[0], elem))
            elif len(decl) == 2:
                self.vars.append((decl[0].idents[0], key))
                self.vars.append((decl[1].idents[0], elem))
            self.walk(elem, node.body)
            del self.vars[mark:]

    def pipeline(self, dot: Any, pipe: _Pipe) -> Any:
        self.at(pipe)
        value: Any = _NOFINAL
        for cmd in pipe.cmds:
            value = self.command(dot, cmd, value)
        for var in pipe.decl:
            if pipe.is_assign:
                self.set_var(var.idents[0], value)
            else:
                self.vars.append((var.idents[0], value))
        return value

    def set_var(self, name: str, value: Any) -> None:
        for i in range(len(self.vars) - 1, -1, -1):
            if self.vars[i][0] == name:
                self.vars[i] = (name, value)
                return
        raise self.error(f"undefined variable: {name}")

    def var_value(self, name: str) -> Any:
        for vname, value in reversed(self.vars):
            if vname == name:
                return value
        raise self.error(f"undefined variable: {name}")

    def command(self, dot: Any, cmd: _Command, final: Any) -> Any:
        first = cmd.args[0]
        if isinstance(first, _Field):
            return self.field_node(dot, first, cmd.args, final)
        if isinstance(first, _Chain):
            return self.chain(dot, first, cmd.args, final)
        if isinstance(first, _Ident):
            return self.function(dot, first, cmd.args, final)
        if isinstance(first, _Pipe):
            self.not_a_function(cmd.args, final)
            return self.pipeline(dot, first)
        if isinstance(first, _Var):
            return self.variable(dot, first, cmd.args, final)
        self.at(first)
        self.not_a_function(cmd.args, final)
        if isinstance(first, _Const):
            return first.value
        if isinstance(first, _Dot):
            return dot
        raise self.error("nil is not a command")

    def not_a_function(self, args: list[_Node], final: Any) -> None:
        if len(args) > 1 or final is not _NOFINAL:
            raise self.error(f"can't give argument to non-function {_context(args[0])}")

    def field_node(self, dot: Any, node: _Field, args: list[_Node], final: Any) -> Any:
        self.at(node)
        return self.field_chain(dot, node.idents, args, final)

    def chain(self, dot: Any, node: _Chain, args: list[_Node], final: Any) -> Any:
        self.at(node)
        if isinstance(node.node, _Nil):
            raise self.error(f"indirection through explicit nil in {node}")
        receiver = self.arg(dot, node.node)
        return self.field_chain(receiver, node.fields, args, final)

    def variable(self, dot: Any, node: _Var, args: list[_Node], final: Any) -> Any:
        self.at(node)
        value = self.var_value(node.idents[0])
        if len(node.idents) == 1:
            self.not_a_function(args, final)
            return value
        return self.field_chain(value, node.idents[1:], args, final)

    def field_chain(self, receiver: Any, idents: list[str], args: list[_Node], final: Any) -> Any:
        for i, name in enumerate(idents):
            last = i == len(idents) - 1
            has_args = last and (len(args) > 1 or final is not _NOFINAL)
            receiver = self.field(name, receiver, has_args)
        return receiver

    def field(self, name: str, receiver: Any, has_args: bool) -> Any:
        if receiver is MISSING:
            raise self.error(f'nil data; no entry for key "{name}"')
        if isinstance(receiver, dict):
            if has_args:
                raise self.error(f"{name} is not a method but has arguments")
            if name not in receiver:
                raise self.error(f'map has no entry for key "{name}"')
            return receiver[name]
        if receiver is None:
            raise self.error(f"nil pointer evaluating interface {{}}.{name}")
        raise self.error(f"can't evaluate field {name} in type {go_type(receiver)}")

    def function(self, dot: Any, node: _Ident, args: list[_Node], final: Any) -> Any:
        self.at(node)
        name = node.name
        rest = args[1:]
        nargs = len(rest) + (0 if final is _NOFINAL else 1)
        if name in self.funcs:
            if nargs != 0:
                raise self.error(f"wrong number of args for {name}: want 0 got {nargs}")
            value = self.funcs[name]()
            return GoMap(value) if isinstance(value, dict) else (GoMap() if value is None and name == "variables"
                                                                 else value)
        if name in ("and", "or"):
            if nargs < 1:
                raise self.error(f"wrong number of args for {name}: want at least 1 got {nargs}")
            value = MISSING
            for a in rest:
                value = self.arg(dot, a)
                if _truth(value) == (name == "or"):
                    return MISSING if value is None else value
            if final is not _NOFINAL:
                value = final
            return MISSING if value is None else value
        if name == "call":
            raise UnsupportedTemplate("call is not supported offline")
        spec = _BUILTINS[name]
        if spec.variadic:
            if nargs < spec.nin - 1:
                raise self.error(f"wrong number of args for {name}: want at least {spec.nin - 1} got {nargs}")
        elif nargs != spec.nin:
            raise self.error(f"wrong number of args for {name}: want {spec.nin} got {nargs}")
        values = []
        for i, a in enumerate(rest):
            value = self.arg(dot, a)
            if i == 0 and spec.first_string and not isinstance(value, str):
                if isinstance(a, _Nil):
                    raise self.error("cannot assign nil to string")
                if isinstance(a, _Const):
                    raise self.error(f"expected string; found {a}")
                if value is MISSING or value is None:
                    raise self.error("invalid value; expected string")
                raise self.error(f"wrong type for value; expected string; got {go_type(value)}")
            values.append(value)
        if final is not _NOFINAL:
            values.append(final)
        values = [None if v is MISSING else v for v in values]
        try:
            return spec.fn(*values)
        except _CallError as err:
            cmd_node = _Command(node.pos, args)
            self.at(cmd_node)
            raise self.error(f"error calling {name}: {err}") from None

    def arg(self, dot: Any, node: _Node) -> Any:
        self.at(node)
        if isinstance(node, _Dot):
            return dot
        if isinstance(node, _Nil):
            return None
        if isinstance(node, _Field):
            return self.field_node(dot, node, [node], _NOFINAL)
        if isinstance(node, _Var):
            return self.variable(dot, node, [node], _NOFINAL)
        if isinstance(node, _Pipe):
            return self.pipeline(dot, node)
        if isinstance(node, _Ident):
            return self.function(dot, node, [node], _NOFINAL)
        if isinstance(node, _Chain):
            return self.chain(dot, node, [node], _NOFINAL)
        if isinstance(node, _Const):
            return node.value
        raise self.error(f"can't handle {node} for arg")


_NOFINAL: Any = object()


def _context(node: _Node) -> str:
    if isinstance(node, _Text):
        return node.text
    return str(node)


@dataclass(frozen=True)
class Template:
    """A parsed template; render() executes it with nil data and the given functions."""

    text: str
    nodes: tuple[_Node, ...]

    def render(self, funcs: dict[str, Callable[[], Any]]) -> str:
        state = _State(self.text, funcs)
        state.walk(MISSING, list(self.nodes))
        return "".join(state.out)


def parse(text: str, func_names: Iterator[str] | list[str] | set[str]) -> Template:
    """Parse TEXT; FUNC_NAMES are the model functions (builtins are always defined)."""
    names = set(func_names) | set(_BUILTINS) | _SPECIAL
    nodes = _Parser(text, names).parse()
    return Template(text, tuple(nodes))
