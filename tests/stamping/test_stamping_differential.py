"""Differential tests: `supplychain test` and Cartographer's own `cartotest` judge the same folders.

tests/stamping/cartotest/ holds the hard cases (non-string values, lists, nested objects, text around
tags, dollars, typed owners, ytt data values, param precedence, several inputs of one kind, the real
supply-chain mode with options and previous outputs). Every expected.yaml was written by our stamping,
so cartotest passing a case means Cartographer stamps exactly the same object. tests/stamping/
cartotest-failing/ holds cases both must fail (bad paths, nil values, validation rules, type strictness).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from supplychain.stamping.corpus import generate, write_expected

from .helpers import run_cartotest, run_ours

HERE = Path(__file__).resolve().parent
PASSING = HERE / "cartotest"
FAILING = HERE / "cartotest-failing"


def _leaves(root: Path) -> set[str]:
    return {str(p.parent) for p in root.rglob("expected.yaml")}


def test_our_runner_passes_every_golden_case() -> None:
    ours = run_ours(PASSING)
    assert ours.code == 0, ours.output
    assert set(ours.verdicts) == _leaves(PASSING)
    assert set(ours.verdicts.values()) == {"PASS"}


def test_our_runner_fails_every_failing_case() -> None:
    ours = run_ours(FAILING)
    assert ours.code == 1
    assert set(ours.verdicts) == _leaves(FAILING)
    assert set(ours.verdicts.values()) == {"FAIL"}, ours.output


@pytest.mark.parametrize("root", [PASSING, FAILING], ids=["passing", "failing"])
def test_same_verdicts_as_cartotest(root: Path, cartotest: Path, cartotest_env: dict[str, str]) -> None:
    ours = run_ours(root)
    theirs = run_cartotest(cartotest, root, cartotest_env)
    assert theirs.verdicts, theirs.output
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


def test_mock_and_real_supply_chain_together_reject_the_suite(tmp_path: Path, cartotest: Path,
                                                              cartotest_env: dict[str, str]) -> None:
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
    changed = [str(p.relative_to(copy)) for p in copy.rglob("expected.yaml")
               if p.read_text() != (PASSING / p.relative_to(copy)).read_text()]
    assert not changed, f"stamping output changed for: {changed}"
