"""Bad input to `supplychain render`: a clear error naming the place, exit 2, no traceback, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from supplychain.cli import cli

FIXTURES = Path(__file__).parent / "fixtures" / "ootb"


def _render(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["render", *args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stderr


def test_wrong_type_names_the_data_value(tmp_path: Path) -> None:
    code, err = _render("--set", "defaults.iterations=many")
    assert code == 2
    assert "defaults.iterations=many" in err and "expected: integer" in err


def test_unknown_data_value_is_refused(tmp_path: Path) -> None:
    values = tmp_path / "values.yaml"
    values.write_text("defaults:\n  iteratons: 3\n")
    code, err = _render("-f", str(values))
    assert code == 2
    assert "iteratons" in err and "not declared in schema" in err


def test_malformed_values_file(tmp_path: Path) -> None:
    values = tmp_path / "values.yaml"
    values.write_text("defaults: [unclosed\n")
    code, err = _render("-f", str(values))
    assert code == 2
    assert "values.yaml" in err


def test_placement_outside_the_allowed_set() -> None:
    code, err = _render("--set", "placement=sideways")
    assert code == 2
    assert "placement" in err and "one of" in err


def test_missing_values_file() -> None:
    code, err = _render("-f", "/no/such/values.yaml")
    assert code == 2
    assert "/no/such/values.yaml" in err


@pytest.mark.parametrize("text", ["", "# only a comment\n"])
def test_empty_chains_file(tmp_path: Path, text: str) -> None:
    chains = tmp_path / "chains.yaml"
    chains.write_text(text)
    code, err = _render("--chains", str(chains))
    assert code == 2
    assert str(chains) in err and "no documents" in err


def test_malformed_chains_file_names_line(tmp_path: Path) -> None:
    chains = tmp_path / "chains.yaml"
    chains.write_text("kind: ClusterSupplyChain\nmetadata: {name: x\n")
    code, err = _render("--chains", str(chains))
    assert code == 2
    assert str(chains) in err and "malformed YAML at line" in err


def test_chain_without_config_consumer_is_explained(tmp_path: Path) -> None:
    chains = tmp_path / "chains.yaml"
    chains.write_text(
        "apiVersion: carto.run/v1alpha1\nkind: ClusterSupplyChain\nmetadata: {name: source-to-url}\n"
        "spec:\n  selector: {a: b}\n  resources:\n  - name: only\n    templateRef: {kind: ClusterTemplate, name: t}\n"
    )
    code, err = _render("--set", "placement=supply-chain", "--chains", str(chains))
    assert code == 2
    assert "ClusterSupplyChain source-to-url" in err and "config-writer" in err


def test_failed_render_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "bundle.yaml"
    code, _ = _render("--set", "defaults.port=0", "-o", str(out))
    assert code == 2
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_output_file_is_written_whole(tmp_path: Path) -> None:
    out = tmp_path / "nested" / "bundle.yaml"
    code, _ = _render("--only", "templates", "-o", str(out))
    assert code == 0
    printed = CliRunner().invoke(cli, ["render", "--only", "templates"])
    assert printed.exit_code == 0
    assert out.read_text() == printed.stdout
    names = {d["metadata"]["name"] for d in yaml.safe_load_all(printed.stdout) if d and d["kind"] == "ClusterTemplate"}
    assert {"canary", "canary-knative", "canary-metric"} <= names
