"""Executing a parsed template with nil data: walking nodes, pipelines, field chains, variables."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .builtins import _BUILTINS, _CallError
from .errors import MISSING, TEMPLATE_NAME, GoMap, TemplateError, UnsupportedTemplate
from .formatting import _truth, go_sprint_value, go_type
from .nodes import (
    _Action,
    _Chain,
    _Command,
    _Const,
    _context,
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
                    self.out.append(
                        "<no value>" if value is MISSING else go_sprint_value(value) if value is not None else "<nil>"
                    )
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
            return (
                GoMap(value)
                if isinstance(value, dict)
                else (GoMap() if value is None and name == "variables" else value)
            )
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
