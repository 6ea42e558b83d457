"""The stamping used for template output: `supplychain.stamping.stamp_template` (Cartographer-exact)."""

from __future__ import annotations

from typing import Any

from ..stamping import stamp_template
from .samples import SampleInputs
from .subjects import Stamper


def default_stamper() -> Stamper:
    """A Stamper backed by supplychain.stamping."""

    def stamp(
        template: dict[str, Any], owner: dict[str, Any], params: dict[str, Any], inputs: SampleInputs
    ) -> dict[str, Any]:
        result: dict[str, Any] = stamp_template(
            template,
            owner,
            params=params,
            sources=inputs.sources,
            images=inputs.images,
            configs=inputs.configs,
            deployment=inputs.deployment,
        )
        return result

    return stamp
