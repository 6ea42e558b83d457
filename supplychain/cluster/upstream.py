"""Install manifests shipped in the pinned upstream Go modules, read from the Go module cache at install
time (never copied into this repository): Flagger's RBAC, Cartographer's RBAC, kapp-controller's release
configuration (a ytt bundle)."""

from __future__ import annotations

import json
import os
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from .. import toolchain
from .errors import ClusterError

Manifest = dict[str, Any]

FLAGGER_MODULE = "github.com/fluxcd/flagger"
CARTOGRAPHER_MODULE = "github.com/vmware-tanzu/cartographer"
KAPP_CONTROLLER_MODULE = "carvel.dev/kapp-controller"


def _go(*args: str, timeout: float = 300) -> str:
    try:
        done = subprocess.run(
            ["go", *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, "GOSUMDB": "off", "GOFLAGS": "-mod=mod"},
        )
    except FileNotFoundError:
        raise ClusterError(
            "Go is not installed; the upstream install manifests come from the Go module cache"
        ) from None
    except subprocess.TimeoutExpired:
        raise ClusterError(f"go {' '.join(args)} timed out after {timeout:g}s") from None
    if done.returncode != 0:
        raise ClusterError(f"go {' '.join(args)} failed: {(done.stderr or done.stdout).strip()[-300:]}")
    return done.stdout


@cache
def module_dir(module: str, version: str) -> Path:
    """The source directory of MODULE@VERSION in the Go module cache (downloaded when absent)."""
    cached = Path(_go("env", "GOMODCACHE").strip()) / f"{module}@{version}"
    if (cached / "go.mod").exists():
        return cached
    info = json.loads(_go("mod", "download", "-json", f"{module}@{version}"))
    if info.get("Error") or not info.get("Dir"):
        raise ClusterError(f"cannot download {module}@{version}: {info.get('Error', 'no directory')}")
    return Path(info["Dir"])


def read_documents(path: Path) -> list[Manifest]:
    """The YAML documents of PATH; a clear error when the file is missing or unreadable."""
    try:
        return [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]
    except (OSError, yaml.YAMLError) as err:
        raise ClusterError(f"cannot read upstream manifest {path}: {err}") from None


def flagger_dir() -> Path:
    return module_dir(FLAGGER_MODULE, toolchain.versions()["FLAGGER_VERSION"]) / "kustomize" / "base" / "flagger"


def flagger_rbac() -> list[Manifest]:
    """Flagger's service account, ClusterRole and ClusterRoleBinding (kustomize/base/flagger)."""
    directory = flagger_dir()
    return read_documents(directory / "account.yaml") + read_documents(directory / "rbac.yaml")


def flagger_crds() -> list[Manifest]:
    """Flagger's CRDs (kustomize/base/flagger/crd.yaml)."""
    return read_documents(flagger_dir() / "crd.yaml")


def cartographer_rbac() -> list[Manifest]:
    """Cartographer's service account, controller ClusterRole and aggregated user roles (config/rbac)."""
    directory = module_dir(CARTOGRAPHER_MODULE, toolchain.versions()["CARTOGRAPHER_VERSION"])
    return read_documents(directory / "config" / "rbac" / "rbac.yaml")


def kapp_controller_release(values: dict[str, Any]) -> list[Manifest]:
    """kapp-controller's release objects: its config/ ytt bundle rendered with VALUES (namespaces,
    CRDs, RBAC, the Package API's Service and APIService, the Deployment with its sidecar)."""
    config = module_dir(KAPP_CONTROLLER_MODULE, toolchain.versions()["KAPP_CONTROLLER_VERSION"]) / "config"
    args = [
        "-f",
        str(config / "config"),
        "-f",
        str(config / "values-schema.yml"),
        "-f",
        str(config / "overlays"),
        "--data-values-file",
        "-",
    ]
    result = toolchain.run_tool("ytt", args, stdin=json.dumps(values), timeout=120)
    if result.returncode != 0:
        raise ClusterError(
            f"rendering kapp-controller's release configuration ({config}) failed: {result.stderr.strip()}"
        )
    return [d for d in yaml.safe_load_all(result.stdout) if d]
