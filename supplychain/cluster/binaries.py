"""The binaries the integration environment runs, found in the tool cache or on PATH."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from .. import toolchain
from ..errors import ToolError

INSTALL_HINT = "run `make env` (or `bash hack/install-env.sh`) to build them"

# Built by hack/install-env.sh (or hack/install-tools.sh) into the tool cache.
CACHED = (
    "kube-apiserver",
    "kube-controller-manager",
    "kube-scheduler",
    "kubectl",
    "etcd",
    "kwok",
    "kwokctl",
    "flagger",
    "cartographer",
    "kapp-controller",
    "ytt",
    "kapp",
    "vendir",
)
# From the operating system (Debian's prometheus package).
SYSTEM = ("prometheus",)


# What the components need when they run as local processes (kwok).
COMPONENTS = ("kubectl", "prometheus", "flagger", "cartographer", "ytt")
LOCAL_KAPP_CONTROLLER = ("kapp-controller", "kapp", "vendir")
KWOK = ("kwokctl", "kwok", "etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler")
# On kind the components run from images in the node; the host needs kind, kubectl, and ytt to
# render kapp-controller's release configuration.
KIND = ("kind", "kubectl", "ytt")
KIND_HINT = "run `bash hack/install-kind.sh` to build it"


def required(provider: str) -> tuple[str, ...]:
    """The binaries an environment with PROVIDER needs on this machine."""
    if provider == "kind":
        return KIND
    return KWOK + COMPONENTS + LOCAL_KAPP_CONTROLLER


@dataclass(frozen=True)
class Missing:
    """A binary that could not be found, and how to get it."""

    name: str
    hint: str

    def __str__(self) -> str:
        return f"{self.name} ({self.hint})"


def find(name: str) -> Path | None:
    """The cached build of NAME, else NAME on PATH (system binaries only), else None."""
    cached = toolchain.bin_dir() / name
    if cached.exists() and os.access(cached, os.X_OK):
        return cached
    if name in SYSTEM:
        found = shutil.which(name)
        return Path(found) if found else None
    return None


def missing(names: tuple[str, ...] = CACHED + SYSTEM) -> list[Missing]:
    """The binaries among NAMES that are not installed."""
    result = []
    for name in names:
        if find(name) is None:
            hint = (
                KIND_HINT
                if name == "kind"
                else INSTALL_HINT
                if name in CACHED
                else "install Debian's `prometheus` package (`make tools`)"
            )
            result.append(Missing(name, hint))
    return result


def prerequisites_missing(provider: str) -> list[Missing]:
    """Binaries and CRD files an environment with PROVIDER needs that are not installed."""
    result = missing(required(provider))
    for component in ("flagger", "cartographer", "kapp-controller"):
        try:
            toolchain.crd_dir(component)
        except ToolError:
            result.append(
                Missing(f"{component} CRDs", "run `make tools` (or `bash hack/install-tools.sh`) to extract them")
            )
    return result


def describe(missing_binaries: list[Missing]) -> str:
    """One line naming the missing binaries, grouped by how to get them."""
    hints: dict[str, list[str]] = {}
    for item in missing_binaries:
        hints.setdefault(item.hint, []).append(item.name)
    return "; ".join(f"{', '.join(names)} ({hint})" for hint, names in hints.items())


def path(name: str) -> Path:
    """Path of an installed binary; a ToolError naming the fix when it is missing."""
    found = find(name)
    if found is None:
        for item in missing((name,)):
            raise ToolError(f"{item.name} not found; {item.hint}")
    assert found is not None
    return found
