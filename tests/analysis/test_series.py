"""Replay inputs from JSON and CSV, and the errors that name the file, line and field."""

from __future__ import annotations

import pytest

from supplychain.analysis.series import ReplayInput, Signal, load_input, webhook_overrides
from supplychain.errors import InputError


def test_json_metrics_webhooks_and_readiness() -> None:
    data = (
        '{"metrics": {"sr": [[0, 99.5], [30, null], [60, "NaN"], [90, [95, 100]], [120, [100, null]],'
        ' [150, [100, "NaN"]]]}, "webhooks": {"gate": false, "conformance": [[0, true], [30, false]]},'
        ' "ready": {"canary": [[0, false], [20, true]]}}'
    )
    inputs = load_input(data, "in.json")
    sr = inputs.metrics["sr"]
    assert sr.times == (0.0, 30.0, 60.0, 90.0, 120.0, 150.0)
    # null / NaN = no values; a list of series: the last present wins (null = absent, "NaN" = a NaN value)
    assert sr.values == (99.5, None, None, 100.0, 100.0, None)
    assert inputs.webhooks["gate"] == Signal.constant(False)
    assert inputs.webhooks["conformance"].values == (True, False)
    assert inputs.canary_ready is not None and inputs.canary_ready.values == (False, True)


def test_csv_wide_format_with_series_and_comments() -> None:
    text = """# a comment
t,sr,sr#2,latency,webhook:conformance,ready:canary
0,99,,120,true,false
30,,98,130,,true
60,NaN,,140,fail,
90,97,100,,,
"""
    inputs = load_input(text, "in.csv")
    assert inputs.metrics["sr"].times == (0.0, 30.0, 60.0, 90.0)
    assert inputs.metrics["sr"].values == (99.0, 98.0, None, 100.0)
    assert inputs.metrics["latency"].times == (0.0, 30.0, 60.0)
    assert inputs.webhooks["conformance"].values == (True, False)
    assert inputs.canary_ready is not None and inputs.canary_ready.times == (0.0, 30.0)


@pytest.mark.parametrize(
    "text,source,message",
    [
        ('{"metrics": {"sr": [[0, "high"]]}}', "in.json", "in.json: metrics.sr[0][1]: must be a number"),
        ('{"metrics": {"sr": [[30, 1], [0, 1]]}}', "in.json", "in.json: metrics.sr[1]: samples must be in time order"),
        ('{"metrics": {"sr": [0, 1]}}', "in.json", "in.json: metrics.sr[0]: must be a [t, value] pair"),
        ('{"metrics": {"sr": [["0", 1]]}}', "in.json", "in.json: metrics.sr[0]: time must be a number of seconds"),
        ('{"metrics": [1]}', "in.json", "in.json: metrics: must be an object"),
        ('{"webhooks": {"w": [[0, "yes"]]}}', "in.json", "in.json: webhooks.w[0]: outcome must be true or false"),
        ('{"ready": {"db": true}}', "in.json", "in.json: ready: unknown readiness 'db'"),
        ('{"metric": {}}', "in.json", "in.json: unknown keys ['metric']"),
        ('{"metrics": {', "in.json", "in.json: malformed JSON at line 1, column 14"),
        ("[1, 2]", "in.json", "in.json: must be a JSON object"),
        ("t,sr\n0,abc\n", "in.csv", "in.csv: line 2, column 'sr': must be a number"),
        ("t,sr\nzero,1\n", "in.csv", "in.csv: line 2: column t: 'zero' is not a number of seconds"),
        ("t,sr\n10,1\n5,1\n", "in.csv", "in.csv: line 3: column t: '5' is not after the previous row"),
        ("t,sr\n0,1,2\n", "in.csv", "in.csv: line 2: 3 cells but the header has 2 columns"),
        ("t,webhook:w\n0,maybe\n", "in.csv", "in.csv: line 2: column 'webhook:w': 'maybe' is not true or false"),
        ("t,ready:db\n0,true\n", "in.csv", "in.csv: line 1: unknown readiness column 'ready:db'"),
        ("t,sr,sr\n0,1,1\n", "in.csv", "in.csv: line 1: duplicate column names"),
        ("x,sr\n0,1\n", "in.csv", "in.csv: line 1: the first column must be t (seconds), got 'x'"),
        ("# only a comment\n", "in.csv", "in.csv: no header row"),
    ],
)
def test_bad_input_names_the_place(text: str, source: str, message: str) -> None:
    with pytest.raises(InputError) as raised:
        load_input(text, source)
    assert str(raised.value).startswith(message), str(raised.value)


def test_webhook_overrides() -> None:
    known = {"conformance": "pre-rollout"}
    assert webhook_overrides(["conformance=fail"], known) == {"conformance": Signal.constant(False)}
    with pytest.raises(InputError, match="no webhook 'gate'"):
        webhook_overrides(["gate=pass"], known)
    with pytest.raises(InputError, match="is not pass or fail"):
        webhook_overrides(["conformance=perhaps"], known)
    with pytest.raises(InputError, match="expected NAME=pass"):
        webhook_overrides(["conformance"], known)


def test_merge_prefers_the_later_input() -> None:
    first = load_input('{"metrics": {"a": [[0, 1]], "b": [[0, 1]]}}', "1.json")
    second = load_input('{"metrics": {"b": [[0, 2]]}}', "2.json")
    merged = first.merge(second)
    assert merged.metrics["a"].values == (1.0,) and merged.metrics["b"].values == (2.0,)
    assert isinstance(merged, ReplayInput)
