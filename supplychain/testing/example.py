"""The hello-app example (examples/hello-app): rendering it, and the platform objects it needs."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import yaml

from ..errors import ToolError
from ..project import checkout_root as project_root
from ..project import templates_dir
from ..rendering import RenderOptions, overlay_files, render_product
from ..toolchain import run_tool

PLATFORM_KINDS = ("ClusterTemplate", "ClusterConfigTemplate", "ClusterRole")
# Apply order: what others live in or refer to first.
_ORDER = (
    "Namespace",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterTemplate",
    "ClusterConfigTemplate",
    "ClusterSourceTemplate",
    "ClusterDeploymentTemplate",
    "ServiceAccount",
    "Role",
    "RoleBinding",
    "ClusterRoleBinding",
    "Secret",
    "PackageMetadata",
    "Package",
    "PackageInstall",
    "ClusterDelivery",
    "Deliverable",
)


def example_dir() -> Path:
    return project_root() / "examples" / "hello-app"


EXAMPLE_DELIVERY = "canary-delivery"
# The example's Deliverable points the webhooks and queries at the environment's own addresses (loopback on
# kwok, in-cluster Services on kind), so this platform lets deliverables set those platform-owned params.
EXAMPLE_OVERRIDES = [
    "canary_loadtester_url",
    "canary_gate_url",
    "canary_prometheus_address",
    "canary_conformance_cmd",
    "canary_load_cmd",
]


def render_example(values: dict[str, Any] | None = None, directory: Path | None = None) -> list[dict[str, Any]]:
    """The example's objects, rendered with ytt and VALUES (keys of examples/hello-app/values.yaml); its
    delivery is patched by the product's canary-stage overlay, as TAP's package_overlays would patch it."""
    args = ["-f", str(directory or example_dir())]
    secret = next(
        d.body
        for d in render_product(
            RenderOptions(
                set_values=[f"delivery={EXAMPLE_DELIVERY}", f"workload_overrides={json.dumps(EXAMPLE_OVERRIDES)}"]
            )
        )
        if d.kind == "Secret"
    )
    with tempfile.TemporaryDirectory(prefix="hello-app-values-") as tmp:
        overlays = Path(tmp) / "overlays"
        overlays.mkdir()
        for name, content in overlay_files(secret).items():
            (overlays / name).write_text(content, encoding="utf-8")
        args += ["-f", str(overlays)]
        # The product's kapp configuration, which install.yaml hands to the PackageInstall (README: "Living with kapp").
        args += ["--data-value-file", f"kapp_config={templates_dir() / 'lib' / 'kapp-config.yml.data'}"]
        if values:
            path = Path(tmp) / "values.json"
            path.write_text(json.dumps(values), encoding="utf-8")
            args += ["--data-values-file", str(path)]
        result = run_tool("ytt", args)
    if result.returncode != 0:
        raise ToolError(f"rendering {directory or example_dir()} failed:\n{result.stderr.strip()}")
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def platform_documents() -> list[dict[str, Any]]:
    """The product's ClusterTemplates and ClusterRole, rendered with the default data values."""
    return [doc.body for doc in render_product(RenderOptions()) if doc.kind in PLATFORM_KINDS]


def apply_order(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """DOCS sorted so that namespaces, roles and templates come before what uses them (stable otherwise)."""

    def rank(doc: dict[str, Any]) -> int:
        kind = doc.get("kind", "")
        return _ORDER.index(kind) if kind in _ORDER else len(_ORDER)

    return sorted(docs, key=rank)


def find(docs: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    for doc in docs:
        if doc.get("kind") == kind and (doc.get("metadata") or {}).get("name") == name:
            return doc
    raise KeyError(f"{kind}/{name} not in the rendered documents")


def inline_files(package: dict[str, Any]) -> dict[str, str]:
    """The files a Package fetches inline (path -> content)."""
    files: dict[str, str] = {}
    for fetch in package["spec"]["template"]["spec"]["fetch"]:
        files.update((fetch.get("inline") or {}).get("paths") or {})
    return files
