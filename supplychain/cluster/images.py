"""The container images of the kind provider: every one built on this machine from local files
(hack/install-kind.sh, hack/install-images.sh), never pulled. Names and tags follow the pins in
versions.env."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass

from .. import toolchain

REGISTRY = "supplychain.local"
HELLO_APP_TAG = "v1"
"""The sample app's image tag; its version (and so its behaviour) is the APP_VERSION env var."""


@dataclass(frozen=True)
class Image:
    """One locally built image: its reference and the script that builds it."""

    name: str
    tag: str
    built_by: str

    @property
    def ref(self) -> str:
        return f"{REGISTRY}/{self.name}:{self.tag}"


def node() -> Image:
    """The kind node image for the pinned Kubernetes version."""
    return Image("kind-node", toolchain.versions()["KUBERNETES_VERSION"], "hack/install-kind.sh")


def components() -> dict[str, Image]:
    """The images loaded into the node, by component."""
    pins = toolchain.versions()
    built = "hack/install-images.sh"
    return {
        # Built from the Prometheus module with only Kubernetes discovery (Debian's build has none of it).
        "prometheus": Image("prometheus", pins.get("PROMETHEUS_VERSION") or pins["DEBIAN_SUITE"], built),
        "flagger": Image("flagger", pins["FLAGGER_VERSION"], built),
        "flagger-loadtester": Image("flagger-loadtester", pins["FLAGGER_LOADTESTER_VERSION"], built),
        "cartographer": Image("cartographer", pins["CARTOGRAPHER_VERSION"], built),
        "kapp-controller": Image("kapp-controller", pins["KAPP_CONTROLLER_VERSION"], built),
        "hello-app": Image("hello-app", HELLO_APP_TAG, built),
    }


def ref(component: str) -> str:
    """The image reference of COMPONENT (a key of components())."""
    return components()[component].ref


def missing(engine: str, images: list[Image]) -> list[Image]:
    """The IMAGES the container ENGINE does not hold."""
    absent = []
    for image in images:
        try:
            done = subprocess.run([engine, "image", "inspect", image.ref], capture_output=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            absent.append(image)
            continue
        if done.returncode != 0:
            absent.append(image)
    return absent


def describe(absent: list[Image]) -> str:
    """One line naming the missing images, grouped by the script that builds them."""
    by_script: dict[str, list[str]] = {}
    for image in absent:
        by_script.setdefault(image.built_by, []).append(image.ref)
    return "; ".join(f"{', '.join(refs)} (run `bash {script}`)" for script, refs in by_script.items())
