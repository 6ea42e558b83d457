"""apimachinery's name rules (supplychain.k8snames) and the checks that use them."""

from __future__ import annotations

import pytest

from supplychain.k8snames import is_dns1123_subdomain, is_label_value, is_qualified_name_part
from supplychain.stamping.errors import EvalError
from supplychain.stamping.selector import Selector, validate_label_selector
from supplychain.validation.object_meta import name_problem
from supplychain.validation.packaging_rules import check as check_package


@pytest.mark.parametrize(
    "value,ok",
    [
        ("a", True),
        ("canary.supplychain.example.com", True),
        ("a" * 253, True),
        ("a" * 254, False),
        ("", False),
        ("-a", False),
        ("a-", False),
        ("A", False),
        ("a..b", False),
        ("a_b", False),
        ("app\n", False),  # Go's $ is the end of the text
    ],
)
def test_dns1123_subdomain(value: str, ok: bool) -> None:
    assert is_dns1123_subdomain(value) is ok


@pytest.mark.parametrize(
    "value,ok",
    [("a", True), ("A_b.c-D", True), ("a" * 63, True), ("a" * 64, False), ("", False), ("_a", False), ("a\n", False)],
)
def test_qualified_name_part(value: str, ok: bool) -> None:
    assert is_qualified_name_part(value) is ok


@pytest.mark.parametrize(
    "value,ok", [("", True), ("v1.2_x-Y", True), ("a" * 63, True), ("a" * 64, False), ("-a", False), ("on\n", False)]
)
def test_label_value(value: str, ok: bool) -> None:
    assert is_label_value(value) is ok


def test_every_caller_rejects_a_trailing_newline() -> None:
    assert name_problem("app\n") is not None
    assert name_problem("app\n", "dns-1123-label") is not None
    assert name_problem("app\n", "dns-1035-label") is not None
    with pytest.raises(EvalError, match="invalid label value"):
        validate_label_selector(Selector(match_labels={"app": "web\n"}))
    with pytest.raises(EvalError, match="prefix must be a DNS subdomain"):
        validate_label_selector(Selector(match_labels={"example.com\n/app": "web"}))
    problems = check_package(
        {"apiVersion": "data.packaging.carvel.dev/v1alpha1", "kind": "PackageMetadata", "metadata": {"name": "a.b.c\n"}}
    )
    assert [p.message for p in problems] == [
        "'a.b.c\\n' is not a DNS subdomain (lower-case letters, digits, '-' and '.')"
    ]
