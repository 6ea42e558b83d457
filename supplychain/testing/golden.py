"""Golden-file comparison: expected output lives next to the case's inputs, diffed on failure."""

from __future__ import annotations

import difflib
import os
from pathlib import Path

from .references import on_ci

UPDATE_ENV = "SUPPLYCHAIN_UPDATE_GOLDEN"


def golden_diff(actual: str, expected_path: Path) -> str | None:
    """None when ACTUAL equals the file; otherwise a unified diff (-expected +actual).

    With SUPPLYCHAIN_UPDATE_GOLDEN=1 the file is rewritten instead, for reviewing with git diff; on CI
    (CI=true) that is refused, so a CI run can never bless its own output.
    """
    if os.environ.get(UPDATE_ENV) == "1":
        if on_ci():
            raise AssertionError(
                f"{UPDATE_ENV}=1 is refused on CI (CI=true): golden files are updated and "
                "reviewed on a developer's machine"
            )
        expected_path.write_text(actual, encoding="utf-8")
        return None
    if not expected_path.exists():
        return f"{expected_path} does not exist; run with {UPDATE_ENV}=1 to create it, then review it"
    expected = expected_path.read_text(encoding="utf-8")
    if expected == actual:
        return None
    diff = difflib.unified_diff(
        expected.splitlines(keepends=True), actual.splitlines(keepends=True), str(expected_path), "actual"
    )
    return "".join(diff)
