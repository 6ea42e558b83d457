"""Reading Prometheus the way Flagger's prometheus provider does."""

from __future__ import annotations

import pytest

from supplychain.analysis.prometheus import QueryFailed, instant_query, range_query

from .conftest import FakePrometheus


def test_instant_query_takes_the_last_series_and_collapses_whitespace(fake_prometheus: FakePrometheus) -> None:
    fake_prometheus.vector("sum(x) / 2", "1", "2", "3")
    assert instant_query(fake_prometheus.url + "/", "sum(x)\n\t/  2") == 3.0
    assert fake_prometheus.requests[-1]["query"] == "sum(x) / 2"


@pytest.mark.parametrize(
    "values,expected", [((), "no values found"), (("NaN",), "no values found"), (("1", "NaN"), "no values found")]
)
def test_empty_and_nan_are_no_values(fake_prometheus: FakePrometheus, values: tuple[str, ...], expected: str) -> None:
    fake_prometheus.vector("q", *values)
    with pytest.raises(QueryFailed) as raised:
        instant_query(fake_prometheus.url, "q")
    assert raised.value.message == expected and raised.value.no_values


def test_scalar_results_and_bad_urls_fail(fake_prometheus: FakePrometheus) -> None:
    fake_prometheus.answers["1"] = (200, {"status": "success", "data": {"resultType": "scalar", "result": [1, "1"]}})
    with pytest.raises(QueryFailed, match="error unmarshaling result"):
        instant_query(fake_prometheus.url, "1")
    with pytest.raises(QueryFailed, match="prometheus address 'prometheus:9090': not an http"):
        instant_query("prometheus:9090", "q")
    with pytest.raises(QueryFailed, match="request failed"):
        instant_query("http://127.0.0.1:9", "q", timeout=2)


def test_range_query_applies_last_series_wins_per_step(fake_prometheus: FakePrometheus) -> None:
    fake_prometheus.answers["q"] = (
        200,
        {
            "status": "success",
            "data": {
                "resultType": "matrix",
                "result": [
                    {"metric": {"a": "1"}, "values": [[100, "1"], [130, "1"], [160, "1"]]},
                    {"metric": {"a": "2"}, "values": [[130, "2"], [160, "NaN"]]},
                ],
            },
        },
    )
    result = range_query(fake_prometheus.url, "q", 100.0, 190.0, 30.0)
    assert result.times == (100.0, 130.0, 160.0, 190.0)
    assert result.values == (1.0, 2.0, None, None)
    assert result.series_count == 2
