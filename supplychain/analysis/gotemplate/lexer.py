"""text/template's lexer: actions, trim markers, comments, literals, with Go's error wording."""

from __future__ import annotations

from dataclasses import dataclass

from .formatting import go_quote

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
                self._emit("string", text[pos : end + 1], pos)
                pos = end + 1
            elif c == "`":
                end = text.find("`", pos + 1)
                if end < 0:
                    return self._error("unterminated raw quoted string", pos)
                self._emit("raw", text[pos : end + 1], pos)
                pos = end + 1
            elif c == "'":
                end = _closing_quote(text, pos)
                if end < 0:
                    return self._error("unterminated character constant", pos)
                self._emit("char", text[pos : end + 1], pos)
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
