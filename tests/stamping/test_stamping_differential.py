"""Differential tests: `supplychain test` and Cartographer's own `cartotest` judge the same folders.

tests/stamping/cartotest/ holds the hard cases (non-string values, lists, nested objects, text around
tags, dollars, typed owners, ytt data values, param precedence, several inputs of one kind, the real
supply-chain mode with options and previous outputs, and in go-values/ what Go's types do to values:
Go field names in JSONPath, resource.Quantity text, -0, zero times, !!binary, integers beyond int64).
Every expected.yaml there was written by our stamping, so cartotest passing a case means Cartographer
stamps exactly the same object. tests/stamping/cartotest-handwritten/ holds cases whose expected.yaml is
written by hand (integers beyond int64 in the expected file, compare options shared between sibling
folders). tests/stamping/cartotest-failing/ holds cases both must fail (bad paths, nil values,
validation rules, type strictness, and a near miss for each go-values class).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from supplychain.testing.corpus import generate, write_expected

from .helpers import run_cartotest, run_ours

HERE = Path(__file__).resolve().parent
PASSING = HERE / "cartotest"
HANDWRITTEN = HERE / "cartotest-handwritten"
FAILING = HERE / "cartotest-failing"
GO_VALUE_CLASSES = ("go-field-names", "quantity-text", "negative-zero", "zero-time", "binary", "big-integers")


def _leaves(root: Path) -> set[str]:
    return {str(p.parent) for p in root.rglob("expected.yaml")}


@pytest.mark.parametrize("root", [PASSING, HANDWRITTEN], ids=["generated", "handwritten"])
def test_our_runner_passes_every_golden_case(root: Path) -> None:
    ours = run_ours(root)
    assert ours.code == 0, ours.output
    assert set(ours.verdicts) == _leaves(root)
    assert set(ours.verdicts.values()) == {"PASS"}


def test_every_go_value_class_has_a_passing_and_a_failing_case() -> None:
    passing = {p.name for p in (PASSING / "go-values").iterdir() if p.is_dir()}
    assert set(GO_VALUE_CLASSES) <= passing
    assert len([p for p in (FAILING / "go-values").iterdir() if p.is_dir()]) >= len(GO_VALUE_CLASSES)


def test_shared_compare_options_are_noted() -> None:
    """cartotest shares compare options between sibling folders; we judge alike and say so."""
    ours = run_ours(HANDWRITTEN / "compare-options-shared")
    assert ours.code == 0, ours.output
    borrowed = HANDWRITTEN / "compare-options-shared" / "b" / "info.yaml"
    assert f"note: compareOptions ignoreLabels = true comes from {borrowed}" in ours.output
    alone = run_ours(FAILING / "compare-options-not-shared")
    assert alone.verdicts[str(FAILING / "compare-options-not-shared" / "a")] == "FAIL"
    assert "note:" not in alone.output


def test_our_runner_fails_every_failing_case() -> None:
    ours = run_ours(FAILING)
    assert ours.code == 1
    assert set(ours.verdicts) == _leaves(FAILING)
    assert set(ours.verdicts.values()) == {"FAIL"}, ours.output


@pytest.mark.parametrize("root", [PASSING, HANDWRITTEN, FAILING], ids=["passing", "handwritten", "failing"])
def test_same_verdicts_as_cartotest(root: Path, cartotest: Path, cartotest_env: dict[str, str]) -> None:
    ours = run_ours(root)
    theirs = run_cartotest(cartotest, root, cartotest_env)
    assert len(theirs.verdicts) == len(_leaves(root)), theirs.output
    assert ours.verdicts == theirs.verdicts, f"ours:\n{ours.output}\ncartotest:\n{theirs.output}"
    assert (ours.code == 0) == (theirs.code == 0)


def test_generated_cases_identical_to_cartotest(tmp_path: Path, cartotest: Path, cartotest_env: dict[str, str]) -> None:
    """60 synthetic ytt and template cases: expected objects come from us, cartotest must agree on all."""
    generate(tmp_path / "corpus", 60, ytt_share=0.6, seed=11)
    theirs = run_cartotest(cartotest, tmp_path / "corpus", cartotest_env)
    assert len(theirs.verdicts) == 60, theirs.output
    assert set(theirs.verdicts.values()) == {"PASS"}, theirs.output


def test_a_changed_expectation_fails_in_both(tmp_path: Path, cartotest: Path, cartotest_env: dict[str, str]) -> None:
    case = tmp_path / "suite" / "strings"
    shutil.copytree(PASSING / "simple" / "strings", case)
    expected = case / "expected.yaml"
    expected.write_text(expected.read_text().replace("hello-config", "hello-other"))
    assert run_ours(case.parent).verdicts == {str(case): "FAIL"}
    assert run_cartotest(cartotest, case.parent, cartotest_env).verdicts == {str(case): "FAIL"}


def test_mock_and_real_supply_chain_together_reject_the_suite(
    tmp_path: Path, cartotest: Path, cartotest_env: dict[str, str]
) -> None:
    case = tmp_path / "suite" / "both"
    shutil.copytree(PASSING / "supply-chain" / "options", case)
    (case / "info.yaml").write_text("given:\n  mockSupplyChain:\n    blueprintParams: [{name: a, default: b}]\n")
    ours = run_ours(case.parent)
    theirs = run_cartotest(cartotest, case.parent, cartotest_env)
    assert ours.code != 0 and theirs.code != 0
    assert not ours.verdicts and not theirs.verdicts
    assert "only one of mock supply chain" in ours.output and "Traceback" not in ours.output


def test_golden_expectations_are_current(tmp_path: Path) -> None:
    """Regenerating expected.yaml from our stamping changes nothing (SUPPLYCHAIN_UPDATE_GOLDEN=1 rewrites them)."""
    import os

    if os.environ.get("SUPPLYCHAIN_UPDATE_GOLDEN") == "1":
        assert not write_expected(PASSING)
        return
    copy = tmp_path / "cases"
    shutil.copytree(PASSING, copy)
    assert not write_expected(copy)
    changed = [
        str(p.relative_to(copy))
        for p in copy.rglob("expected.yaml")
        if p.read_text() != (PASSING / p.relative_to(copy)).read_text()
    ]
    assert not changed, f"stamping output changed for: {changed}"
