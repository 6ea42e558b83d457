"""Go durations: the cases of Go's own time.ParseDuration tests, and the sign mistakes Go rejects."""

from __future__ import annotations

import pytest

from supplychain.analysis.durations import (
    DurationError,
    format_seconds,
    parse_go_duration,
    parse_nanoseconds,
)

ACCEPTED = {
    "0": 0,
    "5s": 5 * 10**9,
    "30s": 30 * 10**9,
    "1478s": 1478 * 10**9,
    "-5s": -5 * 10**9,
    "+5s": 5 * 10**9,
    "-0": 0,
    "+0": 0,
    "5.0s": 5 * 10**9,
    "5.6s": 5_600_000_000,
    "5.s": 5 * 10**9,
    ".5s": 500_000_000,
    "1.004s": 1_004_000_000,
    "100.00100s": 100_001_000_000,
    "10ns": 10,
    "11us": 11_000,
    "12\u00b5s": 12_000,
    "12\u03bcs": 12_000,
    "13ms": 13_000_000,
    "15m": 900 * 10**9,
    "16h": 16 * 3600 * 10**9,
    "3h30m": 12600 * 10**9,
    "10.5s4m": 250_500_000_000,
    "-2m3.4s": -123_400_000_000,
    "1h2m3s4ms5us6ns": 3723_004_005_006,
    "39h9m14.425s": 140954_425_000_000,
    "52763797000ns": 52763797000,
    "0.3333333333333333333h": 20 * 60 * 10**9,
    "9007199254740993ns": 9007199254740993,
    "9223372036854775807ns": (1 << 63) - 1,
    "9223372036854775.807us": (1 << 63) - 1,
    "9223372036s854ms775us807ns": (1 << 63) - 1,
    "-9223372036854775808ns": -(1 << 63),
    "-2562047h47m16.854775808s": -(1 << 63),
    "0.100000000000000000000h": 6 * 60 * 10**9,
    "0.830103483285477580700h": 49 * 60 * 10**9 + 48 * 10**9 + 372539827,
}
REJECTED = [
    "",
    "3",
    "-",
    "s",
    ".",
    "-.",
    ".s",
    "+.s",
    "1d",
    "\x85\x85",
    "\xffff",
    "hello \xffff world",
    "9223372036854775808ns",
    "9223372036854775.808us",
    "9223372036854ms775us808ns",
    "-9223372036854775809ns",
    "--5s",
    "+-1m",
    "-+1m",
    "++1s",
    "1sx",
    "1e3s",
    "1s ",
    " 1s",
    "1.2.3s",
    "0s0",
]


@pytest.mark.parametrize(("text", "nanos"), sorted(ACCEPTED.items()))
def test_accepted_like_go(text: str, nanos: int) -> None:
    assert parse_nanoseconds(text) == nanos
    assert parse_go_duration(text) == nanos / 10**9


@pytest.mark.parametrize("text", REJECTED)
def test_rejected_like_go(text: str) -> None:
    with pytest.raises(DurationError, match=r"^time: "):
        parse_nanoseconds(text)
    assert parse_go_duration(text) is None


def test_go_error_messages() -> None:
    with pytest.raises(DurationError, match=r'^time: missing unit in duration "3"$'):
        parse_nanoseconds("3")
    with pytest.raises(DurationError, match=r'^time: unknown unit "d" in duration "1d"$'):
        parse_nanoseconds("1d")
    with pytest.raises(DurationError, match=r'^time: invalid duration "--5s"$'):
        parse_nanoseconds("--5s")


def test_non_strings_are_not_durations() -> None:
    assert parse_go_duration(30) is None
    assert parse_go_duration(None) is None


def test_format_seconds() -> None:
    assert [format_seconds(s) for s in (0, 45, 150, 3900, 2.5, -90)] == ["0s", "45s", "2m30s", "1h5m", "2.5s", "-1m30s"]
