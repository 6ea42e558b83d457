"""Reference implementations the tests compare with (Go's text/template, Flagger's scheduler).

Without them the comparisons would only check this code against its own goldens, so a missing reference
skips a test on a developer's machine but fails it on CI (CI=true), where `make tools` must have built it.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def on_ci() -> bool:
    """Whether the tests run on CI (the CI variable most CI systems set)."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def missing(reason: str) -> NoReturn:
    """A reference is not available: skip locally, fail on CI."""
    if on_ci():
        pytest.fail(f"{reason}; on CI the reference must be available (run `make tools`)", pytrace=False)
    pytest.skip(reason)
