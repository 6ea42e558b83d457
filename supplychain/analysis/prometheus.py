"""A Prometheus HTTP API client that reads results the way Flagger's prometheus provider does.

Instant queries (`/api/v1/query`, 5 s timeout) keep the *last* series' value; a matrix result is an error
("query returned multiple values"); no series or NaN is "no values found" (Flagger's ErrNoValuesFound,
a failed check). Range queries (`/api/v1/query_range`) replay that rule at every step.
"""

from __future__ import annotations

import http.client
import math
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..jsonio import go_loads
from .render import collapse_whitespace

FLAGGER_QUERY_TIMEOUT = 5.0
MAX_RESPONSE_BYTES = 64 * 1024 * 1024


class QueryFailed(Exception):
    """The query did not produce a value (Flagger fails the check)."""

    def __init__(self, message: str, no_values: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.no_values = no_values


def address_problem(base: str) -> str | None:
    """Why BASE is not a Prometheus address (an http(s) URL with a host and a valid port), or None."""
    if any(c in base for c in "\r\n\t ") or not base.isprintable():
        return "a URL has no whitespace or control characters"
    try:
        parts = urllib.parse.urlsplit(base)
        port = parts.port
    except ValueError as err:
        return f"not a valid URL ({err})"
    if parts.scheme not in ("http", "https"):
        return "not an http:// or https:// URL"
    if not parts.hostname:
        return "the URL has no host"
    if port == 0:
        return "port 0 is not a port"
    if parts.query or parts.fragment:
        return "a Prometheus address has no query or fragment"
    return None


def _url(base: str, path: str, params: Mapping[str, str]) -> str:
    problem = address_problem(base)
    if problem is not None:
        raise QueryFailed(f"prometheus address {base!r}: {problem}")
    parts = urllib.parse.urlsplit(base)
    joined = parts.path.rstrip("/") + "/" + path
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, joined, urllib.parse.urlencode(params), ""))


class _Outcome:
    """What the request thread produced: a body, or the QueryFailed to raise."""

    body: bytes | None = None
    error: QueryFailed | None = None


def _fetch(request: urllib.request.Request, timeout: float, outcome: _Outcome) -> None:
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            outcome.body = response.read(MAX_RESPONSE_BYTES + 1)
            if len(outcome.body) > MAX_RESPONSE_BYTES:
                outcome.error = QueryFailed(f"request failed: the answer is larger than {MAX_RESPONSE_BYTES:,} bytes")
    except urllib.error.HTTPError as err:
        if 300 <= err.code < 400:
            outcome.error = QueryFailed(
                f"request failed: redirected too often or without a Location (Status {err.code} {err.reason})"
            )
            return
        body = err.read()
        outcome.error = QueryFailed(
            f"error response: Status {err.code} {err.reason}: {body.decode(errors='replace')[:500]}"
        )
    except (urllib.error.URLError, OSError, TimeoutError, ValueError, http.client.HTTPException) as err:
        reason = getattr(err, "reason", None) or err
        outcome.error = QueryFailed(f"request failed: {reason}")


def _get(url: str, headers: Mapping[str, Sequence[str]] | None, timeout: float) -> Any:
    """GET URL and decode its JSON, all within TIMEOUT seconds (an overall deadline, like Go's
    http.Client.Timeout: a server that trickles bytes cannot stretch it)."""
    request = urllib.request.Request(url, method="GET")
    for key, values in (headers or {}).items():
        for value in values:
            request.add_header(key, value)
    outcome = _Outcome()
    worker = threading.Thread(target=_fetch, args=(request, timeout, outcome), daemon=True, name="prometheus-get")
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise QueryFailed(f"request failed: no complete answer within {timeout:g}s (Client.Timeout exceeded)")
    if outcome.error is not None:
        raise outcome.error
    body = outcome.body or b""
    try:
        return go_loads(body)
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


def instant_query(
    base: str,
    query: str,
    headers: Mapping[str, Sequence[str]] | None = None,
    timeout: float = FLAGGER_QUERY_TIMEOUT,
    at: float | None = None,
) -> float:
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


def range_query(
    base: str,
    query: str,
    start: float,
    end: float,
    step: float,
    headers: Mapping[str, Sequence[str]] | None = None,
    timeout: float = 30.0,
) -> RangeResult:
    """Evaluate QUERY at start, start+step, ... end; at each step the last series present wins."""
    params = {"query": collapse_whitespace(query), "start": f"{start:.3f}", "end": f"{end:.3f}", "step": f"{step:g}"}
    payload = _get(_url(base, "api/v1/query_range", params), headers, timeout)
    steps = math.floor((end - start) / step + 1e-9) + 1
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
            index = round((float(sample[0]) - start) / step)
            if 0 <= index < steps:
                parsed = _parse_value(sample[1])
                if parsed is not None:
                    chosen[index] = parsed
                    present[index] = True
    out = tuple(_valid(chosen[i]) if present[i] else None for i in range(steps))
    return RangeResult(times, out, len(result))
