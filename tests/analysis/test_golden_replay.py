"""Golden replays: one folder per case under tests/analysis/golden/replay/ with canary.yaml, a series file
(series.csv or series.json), optional args.txt (extra command-line arguments, one per line) and
expected.json, the exact `supplychain replay --output json` output."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from supplychain.cli import cli
from supplychain.testing.golden import golden_diff

CASES = Path(__file__).parent / "golden" / "replay"


@pytest.mark.parametrize("case", sorted(p for p in CASES.iterdir() if p.is_dir()), ids=lambda p: p.name)
def test_replay_case(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(case)
    series = next(p.name for p in case.iterdir() if p.name.startswith("series."))
    args = (case / "args.txt").read_text().split("\n") if (case / "args.txt").exists() else []
    result = CliRunner().invoke(
        cli,
        ["replay", "canary.yaml", "--series", series, "--output", "json", *[a for a in args if a]],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    diff = golden_diff(result.stdout, case / "expected.json")
    assert diff is None, diff
