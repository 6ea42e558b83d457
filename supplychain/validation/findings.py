"""Moved to supplychain.checking.findings (the core lint and validate share); kept so older imports work."""

from ..checking.findings import *  # noqa: F403
from ..checking.findings import __all__  # noqa: F401
