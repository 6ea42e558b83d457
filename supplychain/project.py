"""Where the product's files live.

The templates (``templates/``) and the overlay and schema (``ytt/``) are the product. A wheel carries them
as package data in ``supplychain/bundle/`` (copied there at build time, see setup.py); a source checkout,
and an editable install of it, reads them from the checkout itself, so edits show at once.
``$SUPPLYCHAIN_ROOT`` names another folder holding both. The examples and build scripts exist only in a
source checkout (``checkout_root``).
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from .errors import ToolError

BUNDLE = "bundle"  # the package-data folder holding templates/ and ytt/ in a wheel
PRODUCT_DIRS = ("templates", "ytt")


def _holds_product(root: Path) -> bool:
    return all((root / name).is_dir() for name in PRODUCT_DIRS)


def _checkout() -> Path | None:
    root = Path(__file__).resolve().parent.parent
    return root if _holds_product(root) and (root / "pyproject.toml").is_file() else None


def product_root() -> Path:
    """The folder holding templates/ and ytt/: $SUPPLYCHAIN_ROOT, the installed bundle, or this checkout."""
    override = os.environ.get("SUPPLYCHAIN_ROOT")
    if override:
        root = Path(override)
        if not _holds_product(root):
            raise ToolError(f"SUPPLYCHAIN_ROOT={override}: no templates/ and ytt/ there")
        return root
    bundle = resources.files(__package__ or "supplychain").joinpath(BUNDLE)
    if isinstance(bundle, Path) and _holds_product(bundle):
        return bundle
    checkout = _checkout()
    if checkout is not None:
        return checkout
    raise ToolError(
        "the templates and ytt overlay are missing: they are neither installed with the package "
        f"(supplychain/{BUNDLE}/) nor in a source checkout; reinstall supplychain or set "
        "SUPPLYCHAIN_ROOT to a supplychain checkout"
    )


def templates_dir() -> Path:
    return product_root() / "templates"


def ytt_dir() -> Path:
    return product_root() / "ytt"


def checkout_root() -> Path:
    """The source checkout (examples/, hack/): $SUPPLYCHAIN_ROOT, else the checkout this package runs from."""
    override = os.environ.get("SUPPLYCHAIN_ROOT")
    root = Path(override) if override else _checkout()
    if root is None or not (root / "examples").is_dir():
        raise ToolError(
            "this needs the supplychain source checkout (examples/, hack/), which an installed "
            "package does not carry; run it from the checkout or set SUPPLYCHAIN_ROOT to one"
        )
    return root


def project_root() -> Path:
    """Deprecated name of checkout_root (kept for callers outside the package)."""
    return checkout_root()
