"""Click parameter checks shared by the commands: bad values are usage errors (exit 2), never tracebacks."""

from __future__ import annotations

import math
from typing import Any

import click

from ..analysis.prometheus import address_problem


def prometheus_address(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """An http(s) URL with a host and a valid port."""
    if value is None:
        return None
    problem = address_problem(value)
    if problem is not None:
        raise click.BadParameter(f"{value!r}: {problem}", ctx, param)
    return value


class FiniteFloat(click.ParamType[float, Any]):
    """A finite number (no nan or inf), at least MINIMUM when given."""

    name = "number"

    def __init__(self, minimum: float | None = None) -> None:
        self.minimum = minimum

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number", param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        if self.minimum is not None and number < self.minimum:
            self.fail(f"{value!r} is below {self.minimum:g}", param, ctx)
        return number
