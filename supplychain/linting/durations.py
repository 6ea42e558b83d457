"""Go durations for lint rules: the one parser in `analysis.durations` (kept here as a short import path)."""

from __future__ import annotations

from ..analysis.durations import format_seconds
from ..analysis.durations import parse_go_duration as parse_duration

__all__ = ["format_seconds", "parse_duration"]
