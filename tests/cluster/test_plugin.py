"""The integration_env fixture when the environment's binaries are missing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

USES_FIXTURE = """
def test_needs_env(integration_env):
    raise AssertionError("must not run without binaries")
"""


def _run_pytest(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_uses_env.py").write_text(USES_FIXTURE)
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "PYTEST_ADDOPTS")}
    env["SUPPLYCHAIN_CACHE"] = str(tmp_path / "empty-cache")
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rsE", "-q", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,
    )


def test_missing_binaries_skip_with_the_reason_off_ci(tmp_path: Path) -> None:
    done = _run_pytest(tmp_path, None)
    assert done.returncode == 0, done.stdout
    assert "1 skipped" in done.stdout
    assert "integration environment binaries missing: kwokctl, kwok, etcd, kube-apiserver," in done.stdout
    assert "kapp-controller, kapp, vendir (run `make env` (or `bash hack/install-env.sh`) to build them)" in done.stdout
    assert "flagger CRDs, cartographer CRDs, kapp-controller CRDs (run `make tools`" in done.stdout


@pytest.mark.parametrize("ci", ["true", "TRUE"])
def test_missing_binaries_fail_on_ci(tmp_path: Path, ci: str) -> None:
    done = _run_pytest(tmp_path, ci)
    assert done.returncode == 1, done.stdout
    assert "1 error" in done.stdout
    assert "CI=true: missing binaries are a failure" in done.stdout


def _run_kind(tmp_path: Path, ci: str | None, body: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_kind.py").write_text(body)
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "PYTEST_ADDOPTS", "SUPPLYCHAIN_CLUSTER_PROVIDER")}
    env["SUPPLYCHAIN_CACHE"] = str(tmp_path / "empty-cache")
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-rsE",
            "-q",
            "--cluster-provider",
            "kind",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,
    )


def test_a_kind_suite_that_cannot_start_fails_on_ci(tmp_path: Path) -> None:
    done = _run_kind(tmp_path, "true", USES_FIXTURE)
    assert done.returncode == 1, done.stdout
    assert "kind (run `bash hack/install-kind.sh` to build it)" in done.stdout
    assert "CI=true" in done.stdout
    off_ci = _run_kind(tmp_path, None, USES_FIXTURE)
    assert off_ci.returncode == 0 and "1 skipped" in off_ci.stdout, off_ci.stdout


def test_provider_marker_skips_tests_of_the_other_provider(tmp_path: Path) -> None:
    body = """
import pytest

@pytest.mark.provider("kwok")
def test_kwok_only():
    raise AssertionError("must not run on kind")

@pytest.mark.provider("kind")
def test_kind_only():
    pass
"""
    done = _run_kind(tmp_path, None, body)
    assert done.returncode == 0, done.stdout
    assert "1 passed, 1 skipped" in done.stdout
    assert "applies to the kwok provider only; this session runs kind" in done.stdout
