"""Cartographer's ``$(…)$`` simple templates: which strings are tags and what they become."""

from __future__ import annotations

from typing import Any

from . import gojson
from .errors import EvalError
from .jsonpath import PathMissing, Val, evaluate

START, END = "$(", ")$"


def is_single_tag(text: str) -> bool:
    """A string that is exactly one tag keeps the value's type."""
    return text.startswith(START) and text.endswith(END) and text.count(START) == 1


def interpolate_leaf(text: str, context: Val) -> Any:
    """One string leaf of a template, stamped (fasttemplate with ``$(``/``)$`` delimiters)."""
    if is_single_tag(text):
        expression = text[len(START) : -len(END)]
        try:
            return evaluate(expression, context)
        except EvalError as err:
            raise EvalError(f"evaluate tag {text}: {_explain(err)}") from None
    if START not in text:
        return text
    out: list[str] = []
    rest = text
    while True:
        start = rest.find(START)
        if start < 0:
            break
        out.append(rest[:start])
        rest = rest[start + len(START) :]
        end = rest.find(END)
        if end < 0:
            out.append(START)
            break
        tag = rest[:end]
        out.append(_splice(tag, context))
        rest = rest[end + len(END) :]
    out.append(rest)
    return "".join(out)


def _splice(tag: str, context: Val) -> str:
    try:
        value = evaluate(tag, context)
    except EvalError as err:
        raise EvalError(f"interpolate tag: evaluate jsonpath: {_explain(err)}") from None
    if value is None:
        raise EvalError(f"interpolate tag: tag must not point to nil value: {tag}")
    if isinstance(value, str):
        return value
    return gojson.dumps(value)


def _explain(err: EvalError) -> str:
    if isinstance(err, PathMissing):
        return f"{err} (no such field in the templating context)"
    return str(err)


def stamp_tree(node: Any, context: Val, path: list[str | int] | None = None) -> Any:
    """Interpolate every string leaf of NODE (map keys are left alone)."""
    path = path if path is not None else []
    if isinstance(node, str):
        try:
            return interpolate_leaf(node, context)
        except EvalError as err:
            raise EvalError(f"failed to interpolate template at path [{format_path(path)}]: {err}") from None
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            path.append(key)
            out[key] = stamp_tree(value, context, path)
            path.pop()
        return out
    if isinstance(node, list):
        items = []
        for index, value in enumerate(node):
            path.append(index)
            items.append(stamp_tree(value, context, path))
            path.pop()
        return items
    return node


def format_path(path: list[str | int]) -> str:
    """Cartographer's path notation: ``spec.containers[0].image``."""
    out: list[str] = []
    skip_dot = True
    for part in path:
        if isinstance(part, int):
            out.append(f"[{part}]")
            skip_dot = True
        else:
            if not skip_dot:
                out.append(".")
            out.append(part)
            skip_dot = False
    return "".join(out)
