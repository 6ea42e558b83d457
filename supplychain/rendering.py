"""Rendering the product with the real ytt: templates, the overlay Secret, patched chains, the Package."""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import __version__
from .errors import InputError, Location, ToolError
from .project import project_root, templates_dir, ytt_dir
from .toolchain import run_tool
from .yamlio import Document, dump_documents, load_documents, parse_documents

OVERLAY_MARK = "overlay/**/*:type=data"
PACKAGE_REF = "canary-stage.supplychain.dev"


@dataclass
class RenderOptions:
    """What to render and with which data values."""

    values_files: list[str] = field(default_factory=list)
    set_values: list[str] = field(default_factory=list)
    chains: list[str] = field(default_factory=list)


def _data_value_args(options: RenderOptions) -> list[str]:
    args: list[str] = []
    for path in options.values_files:
        if not Path(path).is_file():
            raise InputError("data values file not found", Location(path))
        args += ["--data-values-file", path]
    for assignment in options.set_values:
        if "=" not in assignment:
            raise InputError(f"--set takes KEY=VALUE, got {assignment!r}", Location("<command line>"))
        args += ["--data-value-yaml", assignment]
    return args


def _ytt(args: list[str], stdin: str | None = None, what: str = "ytt") -> str:
    result = run_tool("ytt", args, stdin=stdin)
    if result.returncode != 0:
        message = re.sub(r"\s+\n", "\n", result.stderr.strip())
        raise InputError(f"{what} failed:\n{message}", None)
    return result.stdout


def render_product(options: RenderOptions) -> list[Document]:
    """The templates, the RBAC and the package_overlays Secret, with the given data values."""
    args = ["-f", str(templates_dir()), "-f", str(ytt_dir()), "--file-mark", OVERLAY_MARK]
    text = _ytt(args + _data_value_args(options), what="rendering templates/ and ytt/")
    return parse_documents(text, "<rendered bundle>")


def overlay_files(secret: dict[str, Any]) -> dict[str, str]:
    """The overlay files carried by the package_overlays Secret."""
    data = secret.get("stringData")
    if not isinstance(data, dict):
        raise ToolError("the rendered overlay Secret has no stringData")
    return {str(k): str(v) for k, v in data.items()}


def apply_overlays(chain_paths: list[str], secret: dict[str, Any]) -> list[Document]:
    """Apply the canary-stage overlay to supply chains and deliveries, as TAP's package_overlays does."""
    chains = load_documents(chain_paths)
    if not chains:
        raise InputError("no documents to patch", Location(", ".join(chain_paths)))
    for doc in chains:
        if not isinstance(doc.body, dict):
            raise InputError("expected a Kubernetes object (a mapping)", doc.location())
    with tempfile.TemporaryDirectory(prefix="supplychain-overlay-") as tmp:
        base = Path(tmp)
        (base / "overlays").mkdir()
        for name, content in overlay_files(secret).items():
            (base / "overlays" / name).write_text(content, encoding="utf-8")
        (base / "chains.yaml").write_text(dump_documents(d.body for d in chains), encoding="utf-8")
        text = _ytt(["-f", str(base / "chains.yaml"), "-f", str(base / "overlays")], what="applying the canary-stage overlay")
    return parse_documents(text, "<patched chains>")


def _inline_paths() -> dict[str, str]:
    """The package's files: templates/ and the ytt/ parts kapp-controller needs."""
    root = project_root()
    files: dict[str, str] = {}
    for top in ("templates", "ytt"):
        for path in sorted((root / top).rglob("*")):
            rel = path.relative_to(root).as_posix()
            if path.is_file() and not rel.startswith("ytt/package/"):
                files[rel] = path.read_text(encoding="utf-8")
    return files


def values_schema() -> dict[str, Any]:
    """The data-values schema as OpenAPI v3, for the Package's valuesSchema."""
    text = _ytt(["-f", str(ytt_dir() / "schema.yaml"), "--data-values-schema-inspect", "-o", "openapi-v3"])
    spec = yaml.safe_load(text)
    return dict(spec["components"]["schemas"]["dataValues"])


def render_package(image: str | None = None, version: str = __version__) -> list[dict[str, Any]]:
    """A Carvel Package and PackageMetadata for the templates bundle (inline, or an imgpkg bundle IMAGE)."""
    fetch: dict[str, Any] = {"imgpkgBundle": {"image": image}} if image else {"inline": {"paths": _inline_paths()}}
    metadata = {
        "apiVersion": "data.packaging.carvel.dev/v1alpha1",
        "kind": "PackageMetadata",
        "metadata": {"name": PACKAGE_REF},
        "spec": {
            "displayName": "Flagger canary stage for supply chains",
            "shortDescription": "Cartographer templates that put a Flagger blue/green stage into TAP supply chains.",
            "providerName": "supplychain",
            "categories": ["supply chain", "progressive delivery"],
        },
    }
    package = {
        "apiVersion": "data.packaging.carvel.dev/v1alpha1",
        "kind": "Package",
        "metadata": {"name": f"{PACKAGE_REF}.{version}"},
        "spec": {
            "refName": PACKAGE_REF,
            "version": version,
            "releaseNotes": f"supplychain {version}",
            "valuesSchema": {"openAPIv3": values_schema()},
            "template": {
                "spec": {
                    "fetch": [fetch],
                    "template": [{"ytt": {"paths": ["templates", "ytt"], "fileMarks": [OVERLAY_MARK]}}],
                    "deploy": [{"kapp": {}}],
                }
            },
        },
    }
    return [metadata, package]
