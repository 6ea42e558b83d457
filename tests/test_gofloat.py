"""Go's float formatting (supplychain.gofloat): rules derived from Go's documentation, and Go itself.

The reference is tests/gofloatref, a Go program that formats each value it reads with strconv.FormatFloat,
encoding/json and fmt.Sprint; without Go the comparison skips locally and fails on CI.
"""

from __future__ import annotations

import math
import random
import struct
import subprocess
from pathlib import Path

import pytest

from supplychain.analysis.gotemplate.formatting import go_sprint_value
from supplychain.gofloat import format_float, json_number, to_float32
from supplychain.stamping.gojson import dumps
from supplychain.testing.references import go_build

HERE = Path(__file__).parent
FLOAT32_MAX = 3.4028234663852886e38
FLOAT32_TRUE_MIN = 1.401298464324817e-45

# Values where Go's rules change: exponent cut-offs (1e-4/1e-5 and 1e6 for %v, 1e-6/1e-7 and 1e21 for
# JSON), signed zeros, float32 rounding and its limits, float64 limits, halfway cases for rounding.
EDGES = [
    0.0, -0.0, 1.0, -1.0, 0.1, 0.5, 1.5, 2.5, 0.125, 1 / 3, 2 / 3, 100.0, 123456.0, 999999.0, 1e6, 1234567.0,
    123456789.0, 1e-4, 1.5e-4, 1e-5, 9.99999e-5, 1e-6, 9.999999e-7, 1e-7, 1.5e-7, 1e16, 1e20, 9.999999999999999e20,
    1e21, 1.0000000000000001e21, 1e22, 1e100, 1e-100, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308,
    FLOAT32_MAX, FLOAT32_TRUE_MIN, 1.1754943508222875e-38, 3.4028235677973366e38, 1e39, 1e-46, 16777216.0,
    16777217.0, 3.14159265358979, 0.3, 2.0**-20, 2.0**60, 2.0**90, 2.0**-130, 0.045, 0.0005, 1234.5678, 2.675,
    -2.5e-7, -7.25e22,
]  # fmt: skip
FORMATS = [("e", p) for p in (-1, 0, 1, 3, 6, 17)] + [("E", 2)] + [("f", p) for p in (-1, 0, 1, 2, 6, 20)]
FORMATS += [("g", p) for p in (-1, 0, 1, 2, 3, 6, 17)] + [("G", -1), ("G", 4)]


@pytest.mark.parametrize(
    "value,text",
    [
        (123456.0, "123456"),  # %v: exponent form from exponent 6 on, and below -4
        (1e6, "1e+06"),
        (1e20, "1e+20"),
        (1e-4, "0.0001"),
        (1e-5, "1e-05"),
        (-0.0, "-0"),
        (123456789.0, "1.23456789e+08"),
        (1e100, "1e+100"),
        (5e-324, "5e-324"),
    ],
)
def test_shortest_g_float64(value: float, text: str) -> None:
    assert format_float(value) == text
    assert go_sprint_value(value) == text


@pytest.mark.parametrize(
    "value,text",
    [
        (1e21, "1e+21"),  # encoding/json: exponent form from 1e21 on and below 1e-6, the exponent unpadded
        (9.999999999999999e20, "999999999999999900000"),
        (1e-6, "0.000001"),
        (1e-7, "1e-7"),
        (-2.5e-7, "-2.5e-7"),
        (1e-100, "1e-100"),
        (1e16, "10000000000000000"),
        (-0.0, "-0"),
        (0.0, "0"),
    ],
)
def test_json_number(value: float, text: str) -> None:
    assert json_number(value) == text
    assert dumps(value) == text


@pytest.mark.parametrize(
    "value,text",
    [
        (3.14159265358979, "3.1415927"),  # float32 keeps about seven digits
        (0.1, "0.1"),  # the shortest text that reads back as the float32, not the float64's digits
        (16777217.0, "1.6777216e+07"),  # 2**24 + 1 rounds to even in float32
        (1e39, "+Inf"),  # beyond float32's range
        (-1e39, "-Inf"),
        (1e-46, "0"),  # below half the smallest denormal
        (FLOAT32_TRUE_MIN, "1e-45"),
        (FLOAT32_MAX, "3.4028235e+38"),
    ],
)
def test_shortest_g_float32(value: float, text: str) -> None:
    assert format_float(value, "g", -1, 32) == text


def test_float32_conversion_rounds_and_overflows_like_go() -> None:
    assert to_float32(16777217.0) == 16777216.0
    assert to_float32(1e39) == math.inf and to_float32(-1e39) == -math.inf
    assert math.copysign(1.0, to_float32(-1e-50)) < 0


@pytest.mark.parametrize(
    "value,fmt,prec,text",
    [
        (2.5, "f", 0, "2"),  # exact halves round to even
        (3.5, "f", 0, "4"),
        (0.125, "f", 2, "0.12"),
        (2.675, "f", 2, "2.67"),  # 2.675 is below the half in binary
        (1234.5678, "e", 6, "1.234568e+03"),
        (1.0, "e", 0, "1e+00"),
        (100.0, "g", 2, "1e+02"),
        (0.0001, "g", 3, "0.0001"),
        (1e21, "f", -1, "1000000000000000000000"),
        (math.nan, "g", -1, "NaN"),
        (-math.inf, "e", 3, "-Inf"),
        (1e-7, "G", -1, "1E-07"),
    ],
)
def test_fixed_precision(value: float, fmt: str, prec: int, text: str) -> None:
    assert format_float(value, fmt, prec) == text


def _samples(seed: int, count: int) -> list[float]:
    """Finite float64s of every magnitude, float32 values among them, and short decimals."""
    rng = random.Random(seed)
    out: list[float] = []
    while len(out) < count:
        kind = rng.random()
        if kind < 0.4:
            value = struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))[0]
        elif kind < 0.7:
            value = struct.unpack("<f", rng.getrandbits(32).to_bytes(4, "little"))[0]
        else:
            value = round(rng.uniform(-1e6, 1e6), rng.randint(0, 8)) * 10.0 ** rng.randint(-30, 30)
        if math.isfinite(value):
            out.append(value)
    return out


@pytest.fixture(scope="module")
def gofloatref(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return go_build(HERE / "gofloatref", tmp_path_factory.mktemp("gofloatref") / "gofloatref", "the float reference")


def _bits(value: float) -> str:
    return struct.pack(">d", value).hex()


def test_matches_go(gofloatref: Path) -> None:
    """Every format on the edges and on random values, and what %v and encoding/json write, against Go."""
    cases: list[tuple[str, str, int, int, float]] = []
    for value in EDGES + [-v for v in EDGES] + [math.inf, -math.inf, math.nan]:
        for size in (32, 64):
            cases += [("strconv", fmt, prec, size, value) for fmt, prec in FORMATS]
            cases += [("sprint", "v", -1, size, value)]
            if math.isfinite(value) and math.isfinite(to_float32(value) if size == 32 else value):
                cases.append(("json", "-", 0, size, value))
    for value in _samples(seed=20261128, count=4000):
        for size in (32, 64):
            cases += [("strconv", "g", -1, size, value), ("strconv", "e", 4, size, value)]
            if size == 64 or math.isfinite(to_float32(value)):
                cases += [("json", "-", 0, size, value), ("strconv", "f", 3, size, value)]
    lines = "".join(f"{mode} {_bits(value)} {fmt} {prec} {size}\n" for mode, fmt, prec, size, value in cases)
    proc = subprocess.run([str(gofloatref)], input=lines, capture_output=True, text=True, timeout=120, check=True)
    expected = proc.stdout.splitlines()
    assert len(expected) == len(cases), proc.stderr
    mismatches = []
    for (mode, fmt, prec, size, value), want in zip(cases, expected, strict=True):
        if mode == "json":
            got = json_number(value, size)
        elif mode == "sprint":
            got = go_sprint_value(value) if size == 64 else format_float(value, "g", -1, 32)
        else:
            got = format_float(value, fmt, prec, size)
        if got != want:
            mismatches.append(f"{mode} {fmt} {prec} {size} {value!r}: go {want!r}, ours {got!r}")
    assert len(cases) > 30000
    assert not mismatches, f"{len(mismatches)} of {len(cases)} differ:\n" + "\n".join(mismatches[:20])
