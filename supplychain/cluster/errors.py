"""Errors raised while managing the integration environment."""

from __future__ import annotations

from pathlib import Path

from ..errors import SupplychainError


class ClusterError(SupplychainError):
    """The environment could not be created, reached or stopped."""


class ProviderUnavailable(ClusterError):
    """The selected cluster provider cannot run on this machine (the reason says why)."""


class NotReady(ClusterError):
    """A component did not become ready in time; LOG is where to look."""

    def __init__(self, component: str, detail: str, log: Path | None) -> None:
        where = f"; log: {log}" if log else ""
        super().__init__(f"{component} did not become ready: {detail}{where}")
        self.component = component
        self.log = log
