"""Fixtures for the stamping tests: Cartographer's own `cartotest`, built from the pinned module."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from supplychain.testing.references import missing
from supplychain.toolchain import bin_dir, tool, versions

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="session")
def cartotest() -> Path:
    """Path of cartotest v<CARTOGRAPHER_VERSION>, built on first use by hack/install-cartotest.sh."""
    cached = bin_dir() / "cartotest"
    if not (cached.exists() and os.access(cached, os.X_OK)):
        if shutil.which("go") is None:
            missing("cartotest is not built and Go is not installed to build it (hack/install-cartotest.sh)")
        print(
            f"\nbuilding cartotest {versions()['CARTOGRAPHER_VERSION']} from the Go module proxy "
            "(first time only, about a minute)...",
            file=sys.stderr,
            flush=True,
        )
        proc = subprocess.run(
            ["nice", "bash", str(REPO / "hack" / "install-cartotest.sh")],
            text=True,
            stdout=sys.stderr,
            stderr=sys.stderr,
            check=False,
        )
        assert proc.returncode == 0, "hack/install-cartotest.sh failed (see its output above)"
    return cached


@pytest.fixture(scope="session")
def cartotest_env() -> dict[str, str]:
    """Environment for running cartotest: it needs `ytt` on PATH (the pinned one)."""
    ytt_dir = str(Path(tool("ytt")).parent)
    return {**os.environ, "PATH": f"{ytt_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
