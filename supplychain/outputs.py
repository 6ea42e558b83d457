"""Writing command output: standard output, or a file replaced atomically (never half-written)."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from .errors import InputError, Location


def write_output(text: str, path: str | None) -> None:
    """Write TEXT to PATH atomically, or to standard output when PATH is None or '-'."""
    if path is None or path == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, target)
    except OSError as err:
        raise InputError(f"cannot write: {err.strerror or err}", Location(path)) from None
