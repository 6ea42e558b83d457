"""Golden cases for `supplychain validate`: cases/<name>/input.yaml, expected.txt (exact output),
exit-code, and optional args (extra flags)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from supplychain.cli import cli
from supplychain.testing.golden import golden_diff

CASES = Path(__file__).parent / "cases"


@pytest.mark.parametrize("case", sorted(p for p in CASES.iterdir() if p.is_dir()), ids=lambda p: p.name)
def test_validate_case(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(case)
    args = (case / "args").read_text().split() if (case / "args").exists() else []
    result = CliRunner().invoke(cli, ["validate", *args, "input.yaml"], catch_exceptions=False)
    diff = golden_diff(result.stdout, case / "expected.txt")
    assert diff is None, diff
    assert result.exit_code == int((case / "exit-code").read_text()), result.output
