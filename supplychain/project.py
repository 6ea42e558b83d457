"""Where the product's YAML (templates/ and ytt/) lives."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import ToolError


def project_root() -> Path:
    """The folder holding templates/ and ytt/: $SUPPLYCHAIN_ROOT, else this checkout."""
    override = os.environ.get("SUPPLYCHAIN_ROOT")
    root = Path(override) if override else Path(__file__).resolve().parent.parent
    if not (root / "templates").is_dir() or not (root / "ytt").is_dir():
        raise ToolError(f"no templates/ and ytt/ under {root}; set SUPPLYCHAIN_ROOT to the supplychain checkout")
    return root


def templates_dir() -> Path:
    return project_root() / "templates"


def ytt_dir() -> Path:
    return project_root() / "ytt"
