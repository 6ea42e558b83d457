"""Where the pinned upstream tools and CRDs live, and how to run them."""

from __future__ import annotations

import os
import shutil
import subprocess
from functools import cache
from importlib import resources
from pathlib import Path

from .errors import ToolError

INSTALL_HINT = "run `make tools` (or `bash hack/install-tools.sh`) to build it"


@cache
def versions() -> dict[str, str]:
    """The pinned versions from supplychain/versions.env."""
    text = resources.files("supplychain").joinpath("versions.env").read_text(encoding="utf-8")
    pinned: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            pinned[key.strip()] = value.strip()
    return pinned


def cache_dir() -> Path:
    return Path(os.environ.get("SUPPLYCHAIN_CACHE", Path.home() / ".cache" / "supplychain"))


def bin_dir() -> Path:
    return cache_dir() / "bin"


def cached_exists(path: Path) -> bool:
    """Whether PATH in the cache exists; an unreadable cache folder is a ToolError naming it, not a traceback."""
    try:
        return path.exists()
    except OSError as err:
        raise ToolError(
            f"cannot read the cache folder {path.parent}: {err.strerror or err} (SUPPLYCHAIN_CACHE chooses another)"
        ) from None


def tool(name: str) -> str:
    """Path of a tool: the cached pinned build first, then PATH."""
    cached = bin_dir() / name
    if cached_exists(cached) and os.access(cached, os.X_OK):
        return str(cached)
    found = shutil.which(name)
    if found:
        return found
    raise ToolError(f"{name} not found; {INSTALL_HINT}")


def crd_dir(component: str) -> Path:
    """Directory of a component's CRDs (flagger, cartographer, kapp-controller)."""
    key = component.upper().replace("-", "_") + "_VERSION"
    path = cache_dir() / "crds" / f"{component}-{versions()[key]}"
    if not cached_exists(path / ".complete"):
        raise ToolError(f"{component} CRDs not found in {path}; {INSTALL_HINT}")
    return path


def run_tool(
    name: str, args: list[str], stdin: str | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run a tool and capture its output; a missing tool or a timeout is a ToolError."""
    try:
        return subprocess.run(
            [tool(name), *args], input=stdin, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        raise ToolError(f"{name} timed out after {timeout:g}s") from None
    except OSError as err:
        raise ToolError(f"cannot run {name}: {err}") from None
