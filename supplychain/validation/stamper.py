"""The stamping used for template output: `supplychain.stamping.stamp_template` (Cartographer-exact)."""

from __future__ import annotations

import importlib
from typing import Any

from .samples import SampleInputs
from .subjects import Stamper


def default_stamper() -> Stamper | None:
    """A Stamper backed by supplychain.stamping, or None when that module is not available."""
    try:
        module = importlib.import_module("supplychain.stamping")
    except ImportError:
        return None
    stamp_template = getattr(module, "stamp_template", None)
    if stamp_template is None:
        return None

    def stamp(template: dict[str, Any], owner: dict[str, Any], params: dict[str, Any], inputs: SampleInputs) -> dict[str, Any]:
        result: dict[str, Any] = stamp_template(
            template, owner, params=params, sources=inputs.sources, images=inputs.images,
            configs=inputs.configs, deployment=inputs.deployment,
        )
        return result

    return stamp
