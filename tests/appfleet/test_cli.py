"""`python -m supplychain.appfleet`: bad input is a one-line error and exit 2, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "supplychain.appfleet", *args], capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--app", "hello-app"], "app 'hello-app' must be <namespace>/<deployment>[:<canary>]"),
        (["--app", "prod/hello-app", "--host", "0.0.0.0"], "not on 127.0.0.0/8"),
        (["--app", "prod/hello-app", "--behaviour", "MISSING"], "cannot read behaviour file"),
    ],
)
def test_bad_arguments(tmp_path: Path, args: list[str], message: str) -> None:
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text("apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n")
    args = [a.replace("MISSING", str(tmp_path / "missing.json")) for a in args]
    result = _run("--kubeconfig", str(kubeconfig), *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_behaviour_file_names_it(tmp_path: Path) -> None:
    behaviour = tmp_path / "behaviour.json"
    behaviour.write_text('{"apps": {"prod/hello-app": {"2": {"success_rate": "high"}}}}')
    result = _run("--kubeconfig", str(tmp_path / "kc"), "--app", "prod/hello-app", "--behaviour", str(behaviour))
    assert result.returncode == 2
    assert f"{behaviour}: apps.prod/hello-app.2.success_rate" in result.stderr


def test_unusable_kubeconfig_names_it(tmp_path: Path) -> None:
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text("apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n")
    result = _run("--kubeconfig", str(kubeconfig), "--app", "prod/hello-app")
    assert result.returncode == 2
    assert f"{kubeconfig}: cannot use kubeconfig" in result.stderr
    assert "Traceback" not in result.stderr
