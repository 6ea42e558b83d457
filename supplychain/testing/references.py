"""Reference implementations the tests compare with (Go's text/template, Flagger's scheduler).

Without them the comparisons would only check this code against its own goldens, so a missing reference
skips a test on a developer's machine but fails it on CI (CI=true), where `make tools` must have built it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import NoReturn

import pytest

GO_FALLBACK = "/usr/local/go/bin/go"  # where the Go tarball installs it, when it is not on PATH


def on_ci() -> bool:
    """Whether the tests run on CI (the CI variable most CI systems set)."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def missing(reason: str) -> NoReturn:
    """A reference is not available: skip locally, fail on CI."""
    if on_ci():
        pytest.fail(f"{reason}; on CI the reference must be available (run `make tools`)", pytrace=False)
    pytest.skip(reason)


def go_toolchain(purpose: str) -> str:
    """The `go` command (on PATH or in /usr/local/go), or `missing` naming PURPOSE."""
    go = shutil.which("go") or GO_FALLBACK
    if not os.access(go, os.X_OK):
        missing(f"the Go toolchain is not installed: cannot build {purpose}")
    return go


def go_build(package: Path, out: Path, purpose: str) -> Path:
    """Build the self-contained Go program in PACKAGE (a directory with its go.mod) into OUT."""
    go = go_toolchain(purpose)
    env = dict(os.environ, GOFLAGS="-mod=mod", GOTOOLCHAIN="local", CGO_ENABLED="0")
    proc = subprocess.run(
        ["nice", go, "build", "-o", str(out), "."],
        cwd=package,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, f"go build in {package} failed:\n{proc.stderr}"
    return out
