"""Session fixture: hello-app installed once in the shared integration environment."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from supplychain.testing.harness import HelloApp


@pytest.fixture(scope="session")
def hello(integration_env: Any) -> Iterator[HelloApp]:
    app = HelloApp(integration_env, integration_env.run_dir / "recordings")
    try:
        app.install()
        yield app
    finally:
        app.close()
