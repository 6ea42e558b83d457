"""A Prometheus HTTP API client that reads results the way Flagger's prometheus provider does.

Instant queries (`/api/v1/query`, 5 s timeout) keep the *last* series' value; a matrix result is an error
("query returned multiple values"); no series or NaN is "no values found" (Flagger's ErrNoValuesFound,
a failed check). Range queries (`/api/v1/query_range`) replay that rule at every step.
"""

from __future__ import annotations

import json
import math
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from .render import collapse_whitespace

FLAGGER_QUERY_TIMEOUT = 5.0


class QueryFailed(Exception):
    """The query did not produce a value (Flagger fails the check)."""

    def __init__(self, message: str, no_values: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.no_values = no_values


def _url(base: str, path: str, params: Mapping[str, str]) -> str:
    parts = urllib.parse.urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise QueryFailed(f"prometheus address {base} is not a valid URL")
    joined = parts.path.rstrip("/") + "/" + path
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, joined, urllib.parse.urlencode(params), ""))


def _get(url: str, headers: Mapping[str, Sequence[str]] | None, timeout: float) -> Any:
    request = urllib.request.Request(url, method="GET")
    for key, values in (headers or {}).items():
        for value in values:
            request.add_header(key, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (user-given URL)
            body = response.read()
    except urllib.error.HTTPError as err:
        body = err.read()
        if err.code >= 400:
            raise QueryFailed(f"error response: Status {err.code} {err.reason}: {body.decode(errors='replace')}") \
                from None
    except (urllib.error.URLError, OSError, TimeoutError) as err:
        reason = getattr(err, "reason", err)
        raise QueryFailed(f"request failed: {reason}") from None
    try:
        return json.loads(body)
    except ValueError as err:
        raise QueryFailed(f"error unmarshaling result: {err}, '{body.decode(errors='replace')[:200]}'") from None


def _parse_value(raw: Any) -> float | None:
    """Flagger parses only string sample values (Go ParseFloat); anything else is skipped."""
    if not isinstance(raw, str):
        return None
    try:
        return float(raw)
    except ValueError:
        raise QueryFailed(f'strconv.ParseFloat: parsing "{raw}": invalid syntax') from None


def _result_list(payload: Any) -> list[dict[str, Any]]:
    data = payload.get("data") if isinstance(payload, dict) else None
    result = data.get("result") if isinstance(data, dict) else None
    if result is None:
        return []
    if not isinstance(result, list) or not all(isinstance(r, dict) for r in result):
        raise QueryFailed("error unmarshaling result: the result is not a list of series")
    return result


def instant_query(base: str, query: str, headers: Mapping[str, Sequence[str]] | None = None,
                  timeout: float = FLAGGER_QUERY_TIMEOUT, at: float | None = None) -> float:
    """The value Flagger would read for QUERY now (or at unix time AT); raises QueryFailed."""
    params = {"query": collapse_whitespace(query)}
    if at is not None:
        params["time"] = f"{at:.3f}"
    payload = _get(_url(base, "api/v1/query", params), headers, timeout)
    value: float | None = None
    for series in _result_list(payload):
        if series.get("values") is not None:
            raise QueryFailed("query returned multiple values")
        sample = series.get("value")
        if isinstance(sample, list) and len(sample) == 2:
            parsed = _parse_value(sample[1])
            if parsed is not None:
                value = parsed
    if value is None or math.isnan(value):
        raise QueryFailed("no values found", no_values=True)
    return value


def _valid(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else value


@dataclass(frozen=True)
class RangeResult:
    """Per step time: the value Flagger would have read (None = no values found)."""

    times: tuple[float, ...]
    values: tuple[float | None, ...]
    series_count: int


def range_query(base: str, query: str, start: float, end: float, step: float,
                headers: Mapping[str, Sequence[str]] | None = None, timeout: float = 30.0) -> RangeResult:
    """Evaluate QUERY at start, start+step, ... end; at each step the last series present wins."""
    params = {"query": collapse_whitespace(query), "start": f"{start:.3f}", "end": f"{end:.3f}",
              "step": f"{step:g}"}
    payload = _get(_url(base, "api/v1/query_range", params), headers, timeout)
    steps = int(math.floor((end - start) / step + 1e-9)) + 1
    times = tuple(start + i * step for i in range(steps))
    chosen: list[float | None] = [None] * steps
    present = [False] * steps
    result = _result_list(payload)
    for series in result:
        values = series.get("values")
        if not isinstance(values, list):
            raise QueryFailed("error unmarshaling result: a range query returned no matrix")
        for sample in values:
            if not (isinstance(sample, list) and len(sample) == 2 and isinstance(sample[0], (int, float))):
                continue
            index = int(round((float(sample[0]) - start) / step))
            if 0 <= index < steps:
                parsed = _parse_value(sample[1])
                if parsed is not None:
                    chosen[index] = parsed
                    present[index] = True
    out = tuple(_valid(chosen[i]) if present[i] else None for i in range(steps))
    return RangeResult(times, out, len(result))
