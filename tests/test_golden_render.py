"""Golden cases for `supplychain render`: one folder per case under tests/golden/render/.

case.yaml keys: only (parts to emit), values (data values files in the case folder), set (KEY=YAML),
chains (OOTB fixture names, or files in the case folder). expected.yaml is the exact output.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from supplychain.cli import cli
from supplychain.testing.golden import golden_diff

CASES = Path(__file__).parent / "golden" / "render"
FIXTURES = Path(__file__).parent / "fixtures" / "ootb"


def _args(case: Path) -> list[str]:
    spec = yaml.safe_load((case / "case.yaml").read_text()) or {}
    args = ["render"]
    for part in spec.get("only", []):
        args += ["--only", part]
    for values in spec.get("values", []):
        args += ["-f", str(case / values)]
    for assignment in spec.get("set", []):
        args += ["--set", assignment]
    for chain in spec.get("chains", []):
        path = case / chain if (case / chain).exists() else FIXTURES / f"{chain}.yaml"
        args += ["--chains", str(path)]
    return args


@pytest.mark.parametrize("case", sorted(p for p in CASES.iterdir() if p.is_dir()), ids=lambda p: p.name)
def test_render_case(case: Path) -> None:
    result = CliRunner().invoke(cli, _args(case), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    diff = golden_diff(result.stdout, case / "expected.yaml")
    assert diff is None, diff
