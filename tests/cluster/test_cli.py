"""`supplychain cluster` errors that need no cluster."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from supplychain.cli import cli
from supplychain.cluster import providers


def test_status_without_an_environment_names_the_run_dir_and_the_fix(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["cluster", "status", "--run-dir", str(tmp_path / "nothing")])
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"error: no environment in {tmp_path / 'nothing'} ({tmp_path / 'nothing' / 'state.json'} not found); "
        "run `supplychain cluster up`"
    )


def test_down_without_an_environment_is_an_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["cluster", "down", "--run-dir", str(tmp_path)])
    assert result.exit_code == 2 and "no environment in" in result.output


def test_unknown_component_is_rejected(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["cluster", "restart", "istio", "--run-dir", str(tmp_path)])
    assert result.exit_code == 2 and "'istio' is not one of" in result.output


def test_kind_is_refused_with_the_reason_when_no_container_engine_runs(tmp_path: Path) -> None:
    reason = providers.KindProvider().unavailable()
    if reason is None:
        pytest.skip("a container engine is available; kind would really start")
    result = CliRunner().invoke(cli, ["cluster", "up", "--provider", "kind", "--run-dir", str(tmp_path / "kind")])
    assert result.exit_code == 2
    assert result.output.strip() == f"error: kind provider unavailable: {reason}"
    assert not (tmp_path / "kind" / "state.json").exists()
