"""Errors raised while stamping."""

from __future__ import annotations

from ..errors import InputError, Location, SupplychainError

__all__ = ["EvalError", "InputError", "Location", "StampError", "SupplychainError"]


class EvalError(Exception):
    """An evaluation failure (JSONPath, interpolation, decoding) before its location is known."""


class StampError(SupplychainError):
    """A template, blueprint or owner that Cartographer would refuse to stamp."""
