"""One failing and one passing case per lint rule: cases/<rule>/{fail,pass}/input.yaml with expected.txt
(the exact `supplychain lint` output) and optional `args` (extra flags, e.g. --strict)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from supplychain.cli import cli
from supplychain.linting.registry import RULES
from supplychain.testing.golden import golden_diff

CASES = Path(__file__).parent / "cases"
CASE_DIRS = sorted(p.parent for p in CASES.glob("*/*/input.yaml"))


def run_case(case: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    monkeypatch.chdir(case)
    args = (case / "args").read_text().split() if (case / "args").exists() else []
    result = CliRunner().invoke(cli, ["lint", *args, "input.yaml"], catch_exceptions=False)
    return result.exit_code, result.stdout


@pytest.mark.parametrize("case", CASE_DIRS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_rule_case(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rule_id, which = case.parent.name, case.name
    code, output = run_case(case, monkeypatch)
    diff = golden_diff(output, case / "expected.txt")
    assert diff is None, diff
    tagged = [line for line in output.splitlines() if f"[{rule_id}]" in line]
    if which == "fail":
        assert code == 1, output
        assert tagged, f"{rule_id} did not fire:\n{output}"
    else:
        assert code == 0, output
        assert not tagged, output


def test_every_rule_has_a_failing_and_a_passing_case() -> None:
    for r in RULES:
        for which in ("fail", "pass"):
            assert (CASES / r.id / which / "input.yaml").exists(), f"no {which} case for rule {r.id}"


def test_no_case_for_an_unknown_rule() -> None:
    known = {r.id for r in RULES}
    assert {p.name for p in CASES.iterdir() if p.is_dir()} <= known


def test_done_when_step_weight_with_iterations(monkeypatch: pytest.MonkeyPatch) -> None:
    code, output = run_case(CASES / "canary-bluegreen-step-weight" / "fail", monkeypatch)
    assert code == 1 and "spec.analysis.stepWeight: error" in output


def test_done_when_missing_metric_template_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    code, output = run_case(CASES / "metric-template-exists" / "fail", monkeypatch)
    assert code == 1 and "MetricTemplate 'test/latency' is not in the input" in output
