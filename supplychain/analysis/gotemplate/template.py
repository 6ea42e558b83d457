"""A parsed template and ``parse``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from .builtins import _BUILTINS, _SPECIAL
from .errors import MISSING
from .execute import _State
from .nodes import _Node
from .parser import _Parser


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
