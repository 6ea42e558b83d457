"""resource.Quantity from k8s.io/apimachinery v0.25 (Cartographer v0.8.11's): parsing, ``Format`` and JSON.

What a stamped object shows for a quantity is what ``Quantity.MarshalJSON`` writes: the original text
when ``ParseQuantity`` judged it already canonical (``+1``, ``1E3``, ``+500m``, ``+1Ki``), otherwise the
canonical form (``1000m`` → ``1``, ``1.5Gi`` → ``1536Mi``). Values are exact: a quantity is an integer
times a power of ten, as both of apimachinery's representations (int64 with a scale, inf.Dec) are.
"""

from __future__ import annotations

from dataclasses import dataclass

FORMAT_PATTERN = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$"
ERR_FORMAT = f"quantities must match the regular expression '{FORMAT_PATTERN}'"
ERR_NUMERIC = "unable to parse numeric part of quantity"
ERR_SUFFIX = "unable to parse quantity's suffix"

DECIMAL_SI, BINARY_SI, DECIMAL_EXPONENT = "DecimalSI", "BinarySI", "DecimalExponent"
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_BINARY = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL_NAMES = {exponent: name for name, exponent in _DECIMAL.items()}
_BINARY_NAMES = {exponent // 10: name for name, exponent in _BINARY.items()}
_INT64_MAX = 2**63 - 1
_SUFFIX_CHARS = set("eEinumkKMGTP")
_DIGITS = set("0123456789")


class QuantityError(ValueError):
    """ParseQuantity's error (its message is apimachinery's)."""


@dataclass(frozen=True)
class Quantity:
    """A parsed quantity: ``text`` is its JSON string, ``format`` its exported ``Format`` field."""

    text: str = "0"
    format: str = ""


ZERO = Quantity()


@dataclass
class _Scanned:
    positive: bool
    value: str
    num: str
    denom: str
    suffix: str


def _scan(text: str) -> _Scanned:
    """parseQuantityString: sign, numerator (leading zeros dropped), denominator and suffix."""
    end = len(text)
    pos = 0
    positive = True
    if text[:1] == "-":
        positive, pos = False, 1
    elif text[:1] == "+":
        pos = 1
    while pos < end and text[pos] == "0":
        pos += 1
    if pos >= end:
        return _Scanned(positive, "0", "0", "", "")
    start = pos
    while pos < end and text[pos] in _DIGITS:
        pos += 1
    if pos >= end:
        return _Scanned(positive, text, text[start:], "", "")
    num = text[start:pos] or "0"
    denom = ""
    if text[pos] == ".":
        pos += 1
        start = pos
        while pos < end and text[pos] in _DIGITS:
            pos += 1
        if pos >= end:
            return _Scanned(positive, text, num, text[start:], "")
        denom = text[start:pos]
    value = text[:pos]
    suffix_start = pos
    while pos < end and text[pos] in _SUFFIX_CHARS:
        pos += 1
    if pos < end and text[pos] in "+-":
        pos += 1
    while pos < end and text[pos] in _DIGITS:
        pos += 1
    if pos < end:
        raise QuantityError(ERR_FORMAT)
    return _Scanned(positive, value, num, denom, text[suffix_start:])


def _interpret(suffix: str) -> tuple[int, int, str]:
    """The suffix's base, exponent and format."""
    if suffix in _DECIMAL:
        return 10, _DECIMAL[suffix], DECIMAL_SI
    if suffix in _BINARY:
        return 2, _BINARY[suffix], BINARY_SI
    if len(suffix) > 1 and suffix[0] in "eE":
        digits = suffix[1:]
        body = digits[1:] if digits[:1] in "+-" else digits
        if body and set(body) <= _DIGITS:
            return 10, int(digits), DECIMAL_EXPONENT
    raise QuantityError(ERR_SUFFIX)


def _decimal_parts(value: str) -> tuple[int, int]:
    """An exact decimal string as (unscaled integer, power of ten)."""
    sign = -1 if value.startswith("-") else 1
    body = value.lstrip("+-")
    whole, _, fraction = body.partition(".")
    digits = (whole + fraction) or "0"
    return sign * int(digits), -len(fraction)


def parse(text: str) -> Quantity:
    """ParseQuantity then MarshalJSON (TEXT already stripped of surrounding spaces)."""
    if not text:
        raise QuantityError(ERR_FORMAT)
    if text == "0":
        return Quantity("0", DECIMAL_SI)
    scanned = _scan(text)
    base, exponent, fmt = _interpret(scanned.suffix)
    fast = _fast_path(text, scanned, base, exponent, fmt)
    if fast is not None:
        return fast
    unscaled, power = _decimal_parts(scanned.value)
    if base == 10:
        power += exponent
    else:
        unscaled *= 2**exponent
    negative = unscaled < 0
    unscaled = abs(unscaled)
    if unscaled and power < -9:  # round up (away from zero) to whole nanos
        factor = 10 ** (-9 - power)
        unscaled = -(-unscaled // factor)
        power = -9
    if fmt == BINARY_SI and _compare(unscaled, power, _INT64_MAX, 0) > 0:
        unscaled, power = _INT64_MAX, 0
    if fmt == BINARY_SI and unscaled and _compare(unscaled, power, 1, 0) < 0:
        fmt = DECIMAL_SI
    if negative:
        unscaled = -unscaled
    return Quantity(_canonical(unscaled, power, fmt), fmt)


def _fast_path(text: str, scanned: _Scanned, base: int, exponent: int, fmt: str) -> Quantity | None:
    """ParseQuantity's int64 path, which keeps TEXT when it is already in canonical form."""
    num, denom = scanned.num, scanned.denom
    mantissa = 1
    if fmt in (DECIMAL_EXPONENT, DECIMAL_SI):
        scale = exponent
        precision = 18 - (len(num) + len(denom))
    elif exponent >= 0 and not denom:
        scale = 0
        mantissa = 1 << exponent
        precision = 15 - len(num) - int(exponent * 3 / 10) - 1
    else:
        return None
    if precision < 0:
        return None
    scale -= len(denom)
    if scale < -9:
        return None
    shifted = num + denom
    value = int(shifted)
    result = value * mantissa
    if result > _INT64_MAX:
        return None
    if not scanned.positive:
        result = -result
    if fmt == BINARY_SI:
        canonical = exponent % 10 == 0 and value & 0x07 != 0
    else:
        canonical = scale % 3 == 0 and not shifted.endswith("000") and shifted[0] != "0"
    if canonical:
        return Quantity(text, fmt)
    return Quantity(_canonical(result, scale, fmt), fmt)


def _compare(a: int, a_power: int, b: int, b_power: int) -> int:
    low = min(a_power, b_power)
    left: int = a * 10 ** (a_power - low)
    right: int = b * 10 ** (b_power - low)
    return (left > right) - (left < right)


def _canonical(unscaled: int, power: int, fmt: str) -> str:
    """CanonicalizeBytes: the string MarshalJSON writes for a quantity that kept no text."""
    if unscaled == 0:
        return "0"
    if fmt == BINARY_SI:
        if _compare(abs(unscaled), power, 1024, 0) < 0:
            fmt = DECIMAL_SI
        elif power < 0 and unscaled % 10 ** (-power) != 0:
            fmt = DECIMAL_SI  # not a whole number: shown in decimal, not rounded
        else:
            whole = unscaled * 10**power if power >= 0 else unscaled // 10 ** (-power)
            times = 0
            while whole % 1024 == 0:
                whole //= 1024
                times += 1
            return f"{whole}{_BINARY_NAMES.get(times, '')}"
    while unscaled % 10 == 0:
        unscaled //= 10
        power += 1
    while power % 3 != 0:
        unscaled *= 10
        power -= 1
    if fmt == DECIMAL_EXPONENT:
        return f"{unscaled}" if power == 0 else f"{unscaled}e{power}"
    return f"{unscaled}{_DECIMAL_NAMES.get(power, '')}"
