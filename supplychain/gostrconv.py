"""Go's strconv.UnquoteChar and Unquote, ported by hand, for quoted text in templates and JSONPath.

text/template (Flagger's queries) reads its string and character constants with them, and client-go's
JSONPath (Cartographer's paths) its quoted text with the same rules; both must accept and reject exactly
what Go does. Go strings are bytes: a \\x or octal escape adds one byte, so the result is decoded as
UTF-8 with bytes that are not UTF-8 kept as surrogate escapes (as elsewhere in this package), and input
that is not UTF-8 reads as U+FFFD.
"""

from __future__ import annotations

__all__ = ["UnquoteError", "unquote", "unquote_char"]

_SIMPLE = {"a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11, "\\": 92}
_HEX_WIDTH = {"x": 2, "u": 4, "U": 8}
_HEX = frozenset("0123456789abcdefABCDEF")


class UnquoteError(ValueError):
    """strconv.ErrSyntax: the text is not a valid quoted Go string or character."""

    def __init__(self) -> None:
        super().__init__("invalid syntax")


def _rune(char: str) -> int:
    code = ord(char)
    return 0xFFFD if 0xD800 <= code <= 0xDFFF else code  # a byte that is not UTF-8 decodes as RuneError


def unquote_char(text: str, quote: str) -> tuple[int, bool, str]:
    """strconv.UnquoteChar: the first character or escape of TEXT inside QUOTE as (value, multibyte, tail)."""
    if not text:
        raise UnquoteError()
    first = text[0]
    if first == quote and quote in ("'", '"'):
        raise UnquoteError()
    if ord(first) >= 0x80:
        return _rune(first), True, text[1:]
    if first != "\\":
        return ord(first), False, text[1:]
    if len(text) < 2:
        raise UnquoteError()
    esc, rest = text[1], text[2:]
    if esc in _SIMPLE:
        return _SIMPLE[esc], False, rest
    if esc in _HEX_WIDTH:
        width = _HEX_WIDTH[esc]
        digits = rest[:width]
        if len(digits) < width or not set(digits) <= _HEX:
            raise UnquoteError()
        value = int(digits, 16)
        if esc == "x":
            return value, False, rest[width:]  # one byte, UTF-8 or not
        if value > 0x10FFFF or 0xD800 <= value <= 0xDFFF:
            raise UnquoteError()
        return value, True, rest[width:]
    if "0" <= esc <= "7":
        digits = esc + rest[:2]
        if len(digits) < 3 or not all("0" <= d <= "7" for d in digits):
            raise UnquoteError()
        value = int(digits, 8)
        if value > 255:
            raise UnquoteError()
        return value, False, rest[2:]
    if esc in ("'", '"'):
        if esc != quote:
            raise UnquoteError()
        return ord(esc), False, rest
    raise UnquoteError()


def unquote(body: str, quote: str) -> str:
    """The text between two QUOTE characters unescaped as strconv.Unquote does; for QUOTE ' any number of
    characters, as client-go's JSONPath (UnquoteExtend) allows."""
    out = bytearray()
    while body:
        if body[0] == "\n":
            raise UnquoteError()
        value, multibyte, body = unquote_char(body, quote)
        if value < 0x80 or not multibyte:
            out.append(value)
        else:
            out += chr(value).encode("utf-8")
    return out.decode("utf-8", "surrogateescape")
