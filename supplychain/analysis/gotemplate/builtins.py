"""text/template's builtin functions (len index slice print printf println urlquery html js eq ne lt le gt ge not)."""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import MISSING
from .formatting import _Byte, _truth, go_print, go_sprint_value, go_sprintf, go_type


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
        raise _CallError("cannot 3-index slice a string")
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
    return (
        s.replace("&", "&amp;")
        .replace("'", "&#39;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&#34;")
        .replace("\x00", "\ufffd")
    )


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
