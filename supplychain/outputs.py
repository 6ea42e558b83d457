"""Writing files whole or not at all: a temporary file beside the target, renamed onto it."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import InputError, Location


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_path(path: str | Path, suffix: str = "") -> Iterator[Path]:
    """A temporary path beside PATH to write to; renamed onto PATH, with the usual permissions, if the block
    succeeds, removed otherwise. SUFFIX keeps writers that pick a format by extension happy."""
    target = Path(path)
    if target.is_dir():
        raise InputError("cannot write: is a directory", Location(str(path)))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix, dir=target.parent)
    except OSError as err:
        raise InputError(f"cannot write: {err.strerror or err}", Location(str(path))) from None
    os.close(fd)
    try:
        yield Path(tmp)
        try:
            os.chmod(tmp, 0o666 & ~_umask())
            os.replace(tmp, target)
        except OSError as err:
            raise InputError(f"cannot write: {err.strerror or err}", Location(str(path))) from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_text_atomic(path: str | Path, text: str) -> None:
    """Replace PATH with TEXT atomically."""
    with atomic_path(path) as tmp:
        try:
            tmp.write_text(text, encoding="utf-8")
        except OSError as err:
            raise InputError(f"cannot write: {err.strerror or err}", Location(str(path))) from None


def write_output(text: str, path: str | None) -> None:
    """Write TEXT to PATH atomically, or to standard output when PATH is None or '-'."""
    if path is None or path == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    write_text_atomic(path, text)
