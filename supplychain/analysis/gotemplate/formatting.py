"""Go values as fmt prints them: %v, print, printf verbs, quoting, floats; and template truth."""

from __future__ import annotations

from typing import Any

from ...gofloat import format_float
from .errors import MISSING


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


def go_sprint_value(value: Any) -> str:
    """fmt's %v of one value."""
    if value is None or value is MISSING:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_float(value)
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


_QUOTE_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
}


def go_quote(s: str) -> str:
    """strconv.Quote: Go's short escapes, \\x for other control bytes and bytes that are not UTF-8."""
    out = ['"']
    for c in s:
        code = ord(c)
        if c in _QUOTE_ESCAPES:
            out.append(_QUOTE_ESCAPES[c])
        elif 0xDC80 <= code <= 0xDCFF:  # a byte that is not UTF-8
            out.append(f"\\x{code - 0xDC00:02x}")
        elif not c.isprintable():
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
        extra = ", ".join(
            "<nil>" if a is None or a is MISSING else f"{go_type(a)}={go_sprint_value(a)}" for a in args[argi:]
        )
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
        if verb not in "eEfFgG":
            return _bad_verb(verb, arg)
        if "#" in flags:
            return (spec + verb) % arg
        default = -1 if verb in "gG" else 6
        text = format_float(arg, "f" if verb == "F" else verb, default if prec is None else int(prec or 0))
        return _signed(text, flags, width)
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


def _signed(number: str, flags: str, width: str) -> str:
    """fmt's sign flags (+, space) and padding (-, 0) around a formatted number."""
    sign, digits = (number[0], number[1:]) if number[0] in "+-" else ("+", number)
    if sign == "+" and "+" not in flags:
        sign = " " if " " in flags else ""
    w = int(width) if width else 0
    if "0" in flags and "-" not in flags and digits[:1].isdigit() and w > len(sign) + len(digits):
        return sign + digits.rjust(w - len(sign), "0")
    return _pad(sign + digits, flags, width)


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
