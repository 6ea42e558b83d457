"""Go's float formatting, ported by hand: strconv.FormatFloat and encoding/json's number encoder.

Rendered Flagger queries (text/template's %v and printf) and stamped Cartographer objects
(encoding/json, sigs.k8s.io/yaml) must read byte for byte as Go writes them, and Python's own
float formatting differs from Go's in the exponent cut-offs, the exponent digits, -0, NaN and
infinities, and has no float32. This module is the one place that knows Go's rules; every
caller formats Go floats through it. tests/test_gofloat.py compares it with a Go program.

Digits are kept as Go keeps them: a string of significant digits without trailing zeros and
``dp``, the position of the decimal point (value = 0.DIGITS x 10**dp).
"""

from __future__ import annotations

import math
import struct
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from fractions import Fraction

__all__ = ["format_float", "json_number", "to_float32"]

_FLOAT32_MANT_BITS = 23
_FLOAT32_MIN_EXP = -126  # of a normal float32, with the mantissa read as 1.xxx


def to_float32(value: float) -> float:
    """Go's float32(value): the nearest float32 (ties to even), infinite beyond the largest."""
    try:
        return float(struct.unpack("<f", struct.pack("<f", value))[0])
    except OverflowError:
        return math.copysign(math.inf, value)


def format_float(value: float, fmt: str = "g", prec: int = -1, bit_size: int = 64) -> str:
    """strconv.FormatFloat(value, fmt, prec, bit_size) for fmt in e E f g G; prec -1 is the shortest
    text that reads back as the same float64 (bit_size 64) or float32 (bit_size 32)."""
    if fmt not in ("e", "E", "f", "g", "G"):
        raise ValueError(f"unsupported float format {fmt!r}")
    if bit_size not in (32, 64):
        raise ValueError(f"bit size {bit_size} is not 32 or 64")
    if bit_size == 32:
        value = to_float32(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    neg = math.copysign(1.0, value) < 0
    shortest = prec < 0
    if shortest:
        digits, dp = _shortest(abs(value), bit_size)
        if fmt in "eE":
            prec = max(len(digits) - 1, 0)
        elif fmt == "f":
            prec = max(len(digits) - dp, 0)
        else:
            prec = len(digits)
    elif fmt in "eE":
        digits, dp = _rounded(abs(value), significant=prec + 1)
    elif fmt == "f":
        digits, dp = _rounded(abs(value), decimals=prec)
    else:
        prec = max(prec, 1)
        digits, dp = _rounded(abs(value), significant=prec)
    if fmt in "eE":
        return _fmt_e(neg, digits, dp, prec, fmt)
    if fmt == "f":
        return _fmt_f(neg, digits, dp, prec)
    eprec = prec
    if eprec > len(digits) and len(digits) >= dp:
        eprec = len(digits)
    if shortest:
        eprec = 6
    exp = dp - 1
    if exp < -4 or exp >= eprec:
        return _fmt_e(neg, digits, dp, min(prec, len(digits)) - 1, "e" if fmt == "g" else "E")
    if prec > dp:
        prec = len(digits)
    return _fmt_f(neg, digits, dp, max(prec - dp, 0))


def json_number(value: float, bit_size: int = 64) -> str:
    """A float as encoding/json's Marshal writes it: exponent form below 1e-6 and from 1e21 on, the
    exponent without a leading zero. NaN and infinities are the caller's error to report."""
    if bit_size == 32:  # Go compares in float32, with the bounds rounded to float32 too
        magnitude, small, large = abs(to_float32(value)), to_float32(1e-6), to_float32(1e21)
    else:
        magnitude, small, large = abs(value), 1e-6, 1e21
    fmt = "e" if magnitude != 0 and (magnitude < small or magnitude >= large) else "f"
    text = format_float(value, fmt, -1, bit_size)
    if fmt == "e" and len(text) >= 4 and text[-4:-1] == "e-0":
        text = text[:-2] + text[-1]
    return text


def _shortest(magnitude: float, bit_size: int) -> tuple[str, int]:
    """The fewest digits that read back as MAGNITUDE, the closest to it when several do."""
    if magnitude == 0:
        return "", 0
    if bit_size == 64:
        # repr is the shortest round-tripping decimal of a float64, the closest one when several are.
        return _digits(Decimal(repr(magnitude)))
    return _shortest32(Fraction(magnitude))


def _shortest32(exact: Fraction) -> tuple[str, int]:
    _fraction, exponent = math.frexp(float(exact))  # exact = fraction * 2**exponent, 0.5 <= fraction < 1
    exponent -= 1  # the exponent of the significand read as 1.xxx
    denormal = exponent < _FLOAT32_MIN_EXP
    if denormal:
        exponent = _FLOAT32_MIN_EXP
    ulp = Fraction(2) ** (exponent - _FLOAT32_MANT_BITS)
    bits = int(exact / ulp)  # the float32's integer significand
    # a power of two has its lower neighbour at half the distance, unless that neighbour is denormal
    below = ulp / 4 if bits == 1 << _FLOAT32_MANT_BITS and exponent > _FLOAT32_MIN_EXP else ulp / 2
    low, high = exact - below, exact + ulp / 2
    inclusive = bits % 2 == 0  # reading back rounds ties to even: an even significand keeps its boundaries

    def inside(candidate: Fraction) -> bool:
        return low <= candidate <= high if inclusive else low < candidate < high

    top = _decimal_exponent(exact)  # 10**(top-1) <= exact < 10**top
    for count in range(1, 10):
        scale = Fraction(10) ** (top - count)
        quotient = exact / scale
        down, up = math.floor(quotient), math.ceil(quotient)
        found = [n for n in dict.fromkeys((down, up)) if n > 0 and inside(n * scale)]
        if found:
            best = min(found, key=lambda n: (abs(n * scale - exact), n % 2))
            return _digits(Decimal(best).scaleb(top - count))
    raise AssertionError(f"no float32 shortest digits for {float(exact)!r}")


def _decimal_exponent(exact: Fraction) -> int:
    top = math.floor(math.log10(exact)) + 1
    while Fraction(10) ** (top - 1) > exact:
        top -= 1
    while Fraction(10) ** top <= exact:
        top += 1
    return top


def _rounded(magnitude: float, significant: int | None = None, decimals: int | None = None) -> tuple[str, int]:
    """MAGNITUDE's exact value rounded half to even to SIGNIFICANT digits, or to DECIMALS places."""
    if magnitude == 0:
        return "", 0
    exact = Decimal(magnitude)  # a float converts exactly
    digits, dp = _digits(exact)
    keep = significant if significant is not None else dp + (decimals or 0)
    if keep < 0:
        return "", 0
    if keep >= len(digits):
        return digits, dp
    with localcontext() as context:
        context.prec = max(len(digits), 1) + 2
        step = Decimal(1).scaleb(dp - keep)
        rounded = exact.quantize(step, rounding=ROUND_HALF_EVEN)
    return _digits(rounded)


def _digits(number: Decimal) -> tuple[str, int]:
    if number == 0:
        return "", 0
    _sign, digit_tuple, exponent = number.as_tuple()  # exact, unlike normalize() in a 28-digit context
    assert isinstance(exponent, int)
    text = "".join(str(d) for d in digit_tuple).lstrip("0")
    return text.rstrip("0"), len(text) + exponent


def _fmt_e(neg: bool, digits: str, dp: int, prec: int, letter: str) -> str:
    out = ["-" if neg else "", digits[:1] or "0"]
    if prec > 0:
        out.append("." + digits[1 : 1 + prec].ljust(prec, "0"))
    exp = dp - 1 if digits else 0
    out.append(f"{letter}{'-' if exp < 0 else '+'}{abs(exp):02d}")
    return "".join(out)


def _fmt_f(neg: bool, digits: str, dp: int, prec: int) -> str:
    whole = digits[:dp].ljust(dp, "0") if dp > 0 else "0"
    out = ["-" if neg else "", whole]
    if prec > 0:
        out.append("." + "".join(digits[i] if 0 <= i < len(digits) else "0" for i in range(dp, dp + prec)))
    return "".join(out)
