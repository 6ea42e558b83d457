"""Go duration strings, read exactly as Go's `time.ParseDuration` reads them (Flagger's `interval`, `timeout`).

A hand port of the Go standard library's parser (go/src/time/format.go), step for step: one optional sign,
then one or more `<number><unit>` parts, where a number is `[0-9]*(\\.[0-9]*)?` with at least one digit and a
unit is every following byte up to the next digit or dot (`ns us µs μs ms s m h`); the bare string `0` is
zero. Values are integer nanoseconds with Go's overflow checks (at most 2^63-1, or -2^63 when negative), and
fractions are scaled through a float64 as Go does. So `--5s`, `+-1m`, `1`, `.s`, `1sx` and `1e3s` are all
rejected, as Go rejects them.
"""

from __future__ import annotations

NANOSECOND = 1
MICROSECOND = 1000 * NANOSECOND
MILLISECOND = 1000 * MICROSECOND
SECOND = 1000 * MILLISECOND
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE

_UNITS = {
    "ns": NANOSECOND,
    "us": MICROSECOND,
    "\u00b5s": MICROSECOND,
    "\u03bcs": MICROSECOND,
    "ms": MILLISECOND,
    "s": SECOND,
    "m": MINUTE,
    "h": HOUR,
}
_LIMIT = 1 << 63


class DurationError(ValueError):
    """TEXT is not a Go duration; the message is Go's."""


def _leading_int(s: str) -> tuple[int, str]:
    x, i = 0, 0
    while i < len(s) and "0" <= s[i] <= "9":
        if x > _LIMIT // 10:
            raise OverflowError
        x = x * 10 + ord(s[i]) - ord("0")
        if x > _LIMIT:
            raise OverflowError
        i += 1
    return x, s[i:]


def _leading_fraction(s: str) -> tuple[int, float, str]:
    x, scale, i, overflow = 0, 1.0, 0, False
    while i < len(s) and "0" <= s[i] <= "9":
        if not overflow:
            if x > (_LIMIT - 1) // 10:
                overflow = True
            else:
                y = x * 10 + ord(s[i]) - ord("0")
                if y > _LIMIT:
                    overflow = True
                else:
                    x, scale = y, scale * 10
        i += 1
    return x, scale, s[i:]


def parse_nanoseconds(text: str) -> int:
    """TEXT as integer nanoseconds; raises DurationError with Go's message."""
    invalid = DurationError(f'time: invalid duration "{text}"')
    s, neg = text, False
    if s and s[0] in "+-":
        neg, s = s[0] == "-", s[1:]
    if s == "0":
        return 0
    if not s:
        raise invalid
    total = 0
    while s:
        if not (s[0] == "." or "0" <= s[0] <= "9"):
            raise invalid
        before = len(s)
        try:
            v, s = _leading_int(s)
        except OverflowError:
            raise invalid from None
        pre = before != len(s)
        f, scale, post = 0, 1.0, False
        if s and s[0] == ".":
            s = s[1:]
            before = len(s)
            f, scale, s = _leading_fraction(s)
            post = before != len(s)
        if not pre and not post:
            raise invalid
        i = 0
        while i < len(s) and not (s[i] == "." or "0" <= s[i] <= "9"):
            i += 1
        if i == 0:
            raise DurationError(f'time: missing unit in duration "{text}"')
        unit_text, s = s[:i], s[i:]
        unit = _UNITS.get(unit_text)
        if unit is None:
            raise DurationError(f'time: unknown unit "{unit_text}" in duration "{text}"')
        if v > _LIMIT // unit:
            raise invalid
        v *= unit
        if f > 0:
            v += int(float(f) * (float(unit) / scale))
            if v > _LIMIT:
                raise invalid
        total += v
        if total > _LIMIT:
            raise invalid
    if neg:
        return -total
    if total > _LIMIT - 1:
        raise invalid
    return total


def parse_go_duration(text: object) -> float | None:
    """Seconds in a Go duration string, or None when TEXT is not a string Go's ParseDuration accepts."""
    if not isinstance(text, str):
        return None
    try:
        return parse_nanoseconds(text) / SECOND
    except DurationError:
        return None


def format_seconds(seconds: float) -> str:
    """A short human duration: 45s, 2m30s, 1h5m (fractions as 2.5s)."""
    whole = round(seconds)
    if abs(seconds - whole) > 1e-6:
        return f"{seconds:.1f}s"
    sign, whole = ("-", -whole) if whole < 0 else ("", whole)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    out = ""
    if hours:
        out += f"{hours}h"
    if minutes:
        out += f"{minutes}m"
    if secs or not out:
        out += f"{secs}s"
    return sign + out
