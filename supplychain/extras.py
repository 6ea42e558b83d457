"""Optional dependencies: plotting (extra ``plot``) and the integration environment's API client
(extra ``cluster``). A command that needs a missing one says which extra to install."""

from __future__ import annotations

import importlib
from types import ModuleType

from .errors import ToolError

EXTRAS = {"matplotlib": "plot", "kubernetes": "cluster"}


def require(module: str, what: str) -> ModuleType:
    """Import MODULE (a top-level name from EXTRAS) for WHAT, or fail naming the extra to install."""
    try:
        return importlib.import_module(module)
    except ImportError:
        extra = EXTRAS.get(module.split(".")[0], module)
        raise ToolError(
            f"{what} needs {module.split('.')[0]}, an optional dependency: pip install 'supplychain[{extra}]'"
        ) from None
