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
from .k8slists import flatten, rebuild
from .project import product_root, templates_dir, ytt_dir
from .toolchain import run_tool
from .yamlio import Document, dump_documents, load_documents, parse_documents, read_text

OVERLAY_MARK = "overlay/**/*:type=data"
PACKAGE_REF = "canary-stage.supplychain.dev"


@dataclass
class RenderOptions:
    """What to render and with which data values."""

    values_files: list[str] = field(default_factory=list)
    set_values: list[str] = field(default_factory=list)
    chains: list[str] = field(default_factory=list)


def _data_value_args(options: RenderOptions) -> list[str]:
    """ytt's data-value flags; each file and --set value is first read with goyaml, so YAML that is malformed
    or over its bounds (an alias bomb) is reported naming the file and line, before ytt sees it."""
    args: list[str] = []
    for path in options.values_files:
        if not Path(path).is_file():
            raise InputError("data values file not found", Location(path))
        parse_documents(read_text(path), path)
        args += ["--data-values-file", path]
    for assignment in options.set_values:
        key, sep, value = assignment.partition("=")
        if not sep or not key:
            raise InputError(f"--set takes KEY=VALUE, got {assignment!r}", Location("<command line>"))
        parse_documents(value, f"--set {key}")
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


# Fields the API server fills in: a patched copy of a `kubectl get -o yaml` dump leaves them out, so that
# it can be applied again (a stale resourceVersion would be refused) and checked like any manifest.
SERVER_METADATA = ("managedFields", "resourceVersion", "uid", "creationTimestamp", "generation", "selfLink")


def _as_manifest(doc: Document) -> dict[str, Any]:
    """DOC's object without what the API server wrote into it (status, server-set metadata)."""
    if not isinstance(doc.body, dict):
        raise InputError("expected a Kubernetes object (a mapping)", doc.location())
    body = {k: v for k, v in doc.body.items() if k != "status"}
    metadata = body.get("metadata")
    if isinstance(metadata, dict):
        body["metadata"] = {k: v for k, v in metadata.items() if k not in SERVER_METADATA}
    return body


def apply_overlays(chain_paths: list[str], secret: dict[str, Any]) -> list[Any]:
    """Apply the canary-stage overlay to supply chains and deliveries, as TAP's package_overlays does.

    Every object of a list document (`kubectl get clustersupplychains -o yaml`) is patched, and written back
    into its list; objects lose their status and server-set metadata.
    """
    docs = load_documents(chain_paths)
    if not docs:
        raise InputError("no documents to patch", Location(", ".join(chain_paths)))
    objects, shapes = flatten(docs)
    manifests = [_as_manifest(d) for d in objects]
    if not manifests:
        return rebuild([], shapes)
    with tempfile.TemporaryDirectory(prefix="supplychain-overlay-") as tmp:
        base = Path(tmp)
        (base / "overlays").mkdir()
        for name, content in overlay_files(secret).items():
            (base / "overlays" / name).write_text(content, encoding="utf-8")
        (base / "chains.yaml").write_text(dump_documents(manifests), encoding="utf-8")
        text = _ytt(
            ["-f", str(base / "chains.yaml"), "-f", str(base / "overlays")], what="applying the canary-stage overlay"
        )
    patched = [d.body for d in parse_documents(text, "<patched chains>")]
    if len(patched) != len(manifests):
        raise ToolError(f"the overlay returned {len(patched)} objects for {len(manifests)}")
    return rebuild(patched, shapes)


def _inline_paths() -> dict[str, str]:
    """The package's files: templates/ and the ytt/ parts kapp-controller needs."""
    root = product_root()
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
