"""Hostile environment files: a corrupt state.json and an unreadable cache folder are errors naming the file,
exit 2, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from supplychain import toolchain
from supplychain.errors import ToolError

from .runner import cli

GOOD = '"provider": "kwok", "cluster_name": "c", "kubeconfig": "k"'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "cannot read"),
        ("[]", "(top): expected a JSON object, got list"),
        ("{" + GOOD + ', "ports": "abc"}', "ports: must map names to port numbers"),
        ("{" + GOOD + ', "ports": {"api": 99999}}', "ports: must map names to port numbers"),
        ("{" + GOOD + ', "pids": {"flagger": ["x"]}}', "pids: must map names to lists of process ids"),
        ("{" + GOOD + ', "created_at": "yesterday"}', "created_at: must be a number"),
        ('{"provider": 1, "cluster_name": "c", "kubeconfig": "k"}', "provider: must be a non-empty string"),
        ("{" + GOOD + ', "extra": 1}', "extra: unknown field"),
    ],
    ids=["truncated", "list", "ports-string", "port-range", "pids", "created_at", "provider", "unknown"],
)
def test_corrupt_state_file(text: str, message: str, tmp_path: Path) -> None:
    state = tmp_path / "runs" / "cluster" / "state.json"
    state.parent.mkdir(parents=True)
    state.write_text(text)
    out = cli("cluster", "status", cwd=tmp_path)
    assert out.returncode == 2, out.stdout + out.stderr
    assert "state.json" in out.stderr and message in out.stderr


def test_an_unreadable_cache_folder_is_a_tool_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SUPPLYCHAIN_CACHE", str(tmp_path / "cache"))

    def refuse(self: Path) -> bool:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "exists", refuse)
    with pytest.raises(ToolError, match=r"cannot read the cache folder .*cache/bin: Permission denied"):
        toolchain.tool("ytt")
    with pytest.raises(ToolError, match=r"cannot read the cache folder .*: Permission denied"):
        toolchain.crd_dir("flagger")


def test_a_cache_path_that_is_a_file_is_an_install_hint(tmp_path: Path) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("not a folder")
    import os
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-c", "from supplychain.cli import main; main()", "validate", "-"],
        input=b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
        capture_output=True,
        timeout=60,
        check=False,
        env={**os.environ, "SUPPLYCHAIN_CACHE": str(blocker)},
    )
    assert proc.returncode == 2 and b"Traceback" not in proc.stderr
    assert b"not found in " + str(blocker).encode() in proc.stderr


def test_unexpected_os_errors_are_one_line(tmp_path: Path) -> None:
    """The CLI's last net: an OSError no command expected still names the file and exits 2."""
    from click.testing import CliRunner

    import supplychain.commands.validate as validate_command
    from supplychain.cli import cli as group

    def boom(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(tmp_path / "secret"))

    runner = CliRunner()
    original = validate_command.command.callback
    validate_command.command.callback = boom
    try:
        result = runner.invoke(group, ["validate", "x.yaml"])
    finally:
        validate_command.command.callback = original
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
    assert f"error: {tmp_path / 'secret'}: Permission denied" in result.output


@pytest.mark.parametrize(
    ("url", "problem"), [("http://[::1", "Invalid IPv6 URL"), ("http://127.0.0.1:99999", "Port out of range")]
)
def test_gate_refuses_a_loadtester_url_that_is_not_a_url(url: str, problem: str) -> None:
    out = cli("gate", "status", "w", "-n", "ns", "--loadtester", url)
    assert out.returncode == 2 and f"--loadtester: not a valid URL ({problem}" in out.stderr
