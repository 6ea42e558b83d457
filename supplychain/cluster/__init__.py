"""The Docker-free integration environment: a kwok (or kind) cluster with Flagger,
Cartographer, kapp-controller and Prometheus on 127.0.0.1.

    env = Environment.up(Path("runs/cluster"))
    ...
    env.down()
"""

from . import binaries, providers
from .components import COMPONENTS
from .environment import ComponentStatus, Environment
from .errors import ClusterError, NotReady, ProviderUnavailable

__all__ = [
    "COMPONENTS",
    "ClusterError",
    "ComponentStatus",
    "Environment",
    "NotReady",
    "ProviderUnavailable",
    "binaries",
    "providers",
]
