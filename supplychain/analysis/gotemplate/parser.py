"""text/template's parser: pipelines, commands, control structures, variables."""

from __future__ import annotations

from typing import Any

from ...gostrconv import UnquoteError, unquote, unquote_char
from .errors import TEMPLATE_NAME, TemplateError, UnsupportedTemplate
from .formatting import go_quote
from .lexer import _Lexer, _Tok
from .nodes import (
    _Action,
    _Chain,
    _Command,
    _Const,
    _Control,
    _Dot,
    _Field,
    _Ident,
    _Nil,
    _Node,
    _Pipe,
    _Text,
    _Var,
)


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
                extra = extra[len(" in action") :]
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
        nodes, _end = self.item_list(top=True)
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
            if tok.typ in ("bool", "char", "dot", "field", "ident", "number", "nil", "raw", "string", "var", "lparen"):
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
                raise self.error(f'undefined variable "{tok.val}"', tok)
            return _Var(tok.pos, [tok.val])
        if t == "field":
            return _Field(tok.pos, [tok.val[1:]])
        if t == "bool":
            return _Const(tok.pos, tok.val == "true", tok.val)
        if t == "number":
            return _Const(tok.pos, self.number(tok), tok.val)
        if t == "char":
            try:
                rune, _multibyte, tail = unquote_char(tok.val[1:], "'")
            except UnquoteError as err:
                raise self.error(str(err), tok) from None
            if tail != "'":
                raise self.error(f"malformed character constant: {tok.val}", tok)
            return _Const(tok.pos, rune, tok.val)
        if t == "lparen":
            pipe = self.pipeline("parenthesized pipeline", "rparen")
            self.next()  # the right paren
            return pipe
        if t == "string":
            try:
                return _Const(tok.pos, unquote(tok.val[1:-1], '"'), tok.val)
            except UnquoteError as err:
                raise self.error(str(err), tok) from None
        if t == "raw":
            return _Const(tok.pos, tok.val[1:-1], tok.val)
        self.backup()
        return None

    def number(self, tok: _Tok) -> Any:
        text = tok.val.replace("_", "")
        if text.endswith("i") and len(text.lstrip("+-")) > 1:
            raise UnsupportedTemplate("complex number constants are not supported offline")
        if not any(ch.isdigit() for ch in text):
            raise self.error(f'illegal number syntax: "{tok.val}"', tok)
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
