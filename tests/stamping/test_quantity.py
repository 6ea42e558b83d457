"""resource.Quantity as Cartographer's apimachinery parses and prints it, checked against cartotest."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from supplychain.stamping import quantity

from .helpers import run_cartotest, run_ours

# (text given, what MarshalJSON writes, Format)
TABLE = [
    ("1E3", "1E3", "DecimalExponent"),
    ("+1", "+1", "DecimalSI"),
    ("+500m", "+500m", "DecimalSI"),
    ("+1Ki", "+1Ki", "BinarySI"),
    ("1000m", "1", "DecimalSI"),
    ("0.5", "500m", "DecimalSI"),
    ("1.5Gi", "1536Mi", "BinarySI"),
    ("0.0001Ki", "102400u", "DecimalSI"),
    ("0", "0", "DecimalSI"),
    ("100k", "100k", "DecimalSI"),
    ("1.0", "1", "DecimalSI"),
    ("12e-1", "1200e-3", "DecimalExponent"),
    ("010", "010", "DecimalSI"),
    ("-1", "-1", "DecimalSI"),
    ("-1.5Gi", "-1536Mi", "BinarySI"),
    ("+8Ki", "8Ki", "BinarySI"),
    ("8Ki", "8Ki", "BinarySI"),
    ("1023Ki", "1023Ki", "BinarySI"),
    ("1025", "1025", "DecimalSI"),
    ("1024", "1024", "DecimalSI"),
    ("0.1", "100m", "DecimalSI"),
    ("1.1e5", "110e3", "DecimalExponent"),
    ("1000E", "1", "DecimalSI"),
    ("5E", "5E", "DecimalSI"),
    ("1.2345678901234567891", "1234567891n", "DecimalSI"),
    ("123456789012345678901", "123456789012345678901", "DecimalSI"),
    ("0.1n", "1n", "DecimalSI"),
    ("-0.1n", "-1n", "DecimalSI"),
    ("1.5m", "1500u", "DecimalSI"),
    ("3E-2", "30e-3", "DecimalExponent"),
    ("1.G", "1.G", "DecimalSI"),
    ("k", "0", "DecimalSI"),
    ("00", "0", "DecimalSI"),
    ("-0", "0", "DecimalSI"),
    (".5", "500m", "DecimalSI"),
    ("1.", "1.", "DecimalSI"),
    ("9223372036854775808", "9223372036854775808", "DecimalSI"),
    ("16Ei", "9223372036854775807", "BinarySI"),
    ("0.5Ki", "512", "BinarySI"),
    ("-1024", "-1024", "DecimalSI"),
    ("1e-10", "1e-9", "DecimalExponent"),
    ("7Ki", "7Ki", "BinarySI"),
    ("3.14159", "3141590u", "DecimalSI"),
    ("-3.14159Ki", "-3216988160u", "BinarySI"),
]


@pytest.mark.parametrize(("given", "text", "fmt"), TABLE, ids=[row[0] for row in TABLE])
def test_parse(given: str, text: str, fmt: str) -> None:
    assert quantity.parse(given) == quantity.Quantity(text, fmt)


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("", quantity.ERR_FORMAT),
        ("1.2.3", quantity.ERR_FORMAT),
        ("abc", quantity.ERR_FORMAT),
        ("1e", quantity.ERR_SUFFIX),
        ("1Ki2", quantity.ERR_SUFFIX),
        ("1x", quantity.ERR_FORMAT),
    ],
)
def test_rejects(given: str, message: str) -> None:
    with pytest.raises(quantity.QuantityError, match="^" + re.escape(message) + "$"):
        quantity.parse(given)


def test_table_agrees_with_cartotest(tmp_path: Path, cartotest: Path, cartotest_env: dict[str, str]) -> None:
    """One case holding every row: cartotest must print the same text and Format for each."""
    case = tmp_path / "suite" / "quantities"
    case.mkdir(parents=True)
    limits = {f"q{i}": given for i, (given, _, _) in enumerate(TABLE)}
    data: dict[str, str] = {}
    for i, (_, _text, _fmt) in enumerate(TABLE):
        data[f"text{i}"] = f"$(workload.spec.resources.limits.q{i})$"
        data[f"format{i}"] = f"$(workload.spec.resources.limits.q{i}.Format)$"
    workload = {
        "apiVersion": "carto.run/v1alpha1",
        "kind": "Workload",
        "metadata": {"name": "w", "namespace": "n"},
        "spec": {"resources": {"limits": limits}},
    }
    template = {
        "apiVersion": "carto.run/v1alpha1",
        "kind": "ClusterTemplate",
        "metadata": {"name": "t"},
        "spec": {"template": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "q"}, "data": data}},
    }
    expected = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "q"},
        "data": {
            **{f"text{i}": text for i, (_, text, _) in enumerate(TABLE)},
            **{f"format{i}": fmt for i, (_, _, fmt) in enumerate(TABLE)},
        },
    }
    for name, doc in (("workload", workload), ("template", template), ("expected", expected)):
        (case / f"{name}.yaml").write_text(json.dumps(doc))  # JSON: every value stays a string
    (case / "info.yaml").write_text("compareOptions: {ignoreMetadata: true}\n")
    theirs = run_cartotest(cartotest, case.parent, cartotest_env)
    assert theirs.verdicts == {str(case): "PASS"}, theirs.output
    assert run_ours(case.parent).verdicts == {str(case): "PASS"}
