"""Reading the admin kubeconfig and writing token-only kubeconfigs."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from .errors import ClusterError


def _current_cluster(kubeconfig: Path) -> dict[str, Any]:
    try:
        config = yaml.safe_load(kubeconfig.read_text(encoding="utf-8"))
        contexts = {c["name"]: c["context"] for c in config.get("contexts") or []}
        clusters = {c["name"]: c["cluster"] for c in config.get("clusters") or []}
        current = config.get("current-context") or next(iter(contexts))
        cluster: dict[str, Any] = clusters[contexts[current]["cluster"]]
        return cluster
    except (OSError, yaml.YAMLError, KeyError, StopIteration, TypeError, AttributeError) as err:
        raise ClusterError(f"cannot read the cluster from kubeconfig {kubeconfig}: {err!r}") from None


def server(kubeconfig: Path) -> str:
    """The API server URL of the current context."""
    return str(_current_cluster(kubeconfig)["server"])


def server_port(kubeconfig: Path) -> int:
    """The API server's port (the host must be 127.0.0.1 for local providers)."""
    parts = urlsplit(server(kubeconfig))
    return parts.port or 443


def ca_pem(kubeconfig: Path) -> bytes:
    """The cluster CA certificate (PEM) of the current context."""
    cluster = _current_cluster(kubeconfig)
    if "certificate-authority-data" in cluster:
        return base64.b64decode(cluster["certificate-authority-data"])
    if "certificate-authority" in cluster:
        path = Path(cluster["certificate-authority"])
        if not path.is_absolute():
            path = kubeconfig.parent / path
        return path.read_bytes()
    raise ClusterError(f"kubeconfig {kubeconfig} has no certificate authority for its cluster")


def token_kubeconfig(api_server: str, ca: bytes, token: str, user: str) -> dict[str, Any]:
    """A kubeconfig that authenticates with a bearer token only (no client certificate)."""
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": "env",
                "cluster": {"server": api_server, "certificate-authority-data": base64.b64encode(ca).decode()},
            }
        ],
        "users": [{"name": user, "user": {"token": token}}],
        "contexts": [{"name": user, "context": {"cluster": "env", "user": user}}],
        "current-context": user,
    }
