"""Schemas per (apiVersion, kind), from the pinned upstream sources.

- Flagger, Cartographer and kapp-controller kinds: the openAPIV3Schema of their pinned CRDs
  (`supplychain.toolchain.crd_dir`).
- data.packaging.carvel.dev Package / PackageMetadata: an aggregated API, not a CRD. kapp-controller stores
  them as InternalPackage / InternalPackageMetadata CRDs whose spec is the same Go type
  (`datapackaging.PackageSpec`), so their CRD schemas are reused under the public group.
- Core kinds (ConfigMap, Secret, Service, Deployment, RBAC, ...): the Kubernetes OpenAPI v3 documents of the
  pinned Kubernetes version, extracted by the install step into `crd_dir("kubernetes")`. These carry
  required fields, enums and int-or-string unions, which the Python client's model maps do not.
Every CRD's `metadata` (left open by controller-gen) is checked against core ObjectMeta.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from ..errors import InputError, Location
from ..toolchain import crd_dir
from .openapi import to_json_schema

CRD_COMPONENTS = ("flagger", "cartographer", "kapp-controller")
CORE_DOCUMENTS = (
    "api__v1_openapi.json",
    "apis__apps__v1_openapi.json",
    "apis__rbac.authorization.k8s.io__v1_openapi.json",
)
OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
# Aggregated kapp-controller kinds served from the same Go types as these internal CRDs.
AGGREGATED = {
    ("internal.packaging.carvel.dev", "InternalPackage"): ("data.packaging.carvel.dev", "Package"),
    ("internal.packaging.carvel.dev", "InternalPackageMetadata"): ("data.packaging.carvel.dev", "PackageMetadata"),
}
AGGREGATED_VERSION = "v1alpha1"


@dataclass(frozen=True)
class Schema:
    """A JSON Schema (draft 4) for one kind, and where it came from."""

    api_version: str
    kind: str
    source: str
    body: dict[str, Any]
    cluster_scoped: bool


_FAST_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml_docs(path: Path) -> list[Any]:
    try:
        # pinned CRDs: plain YAML, read by libyaml when PyYAML has it (ten times faster)
        return [d for d in yaml.load_all(path.read_text(encoding="utf-8"), Loader=_FAST_LOADER) if d]
    except (OSError, yaml.YAMLError) as err:
        raise InputError(f"cannot read schema file: {err}", Location(str(path))) from None


CLUSTER_SCOPED_CORE = frozenset({"Namespace", "Node", "PersistentVolume", "ClusterRole", "ClusterRoleBinding"})


@cache
def _core_documents() -> tuple[dict[str, Any], dict[tuple[str, str], str]]:
    """All core definitions (converted) and the (apiVersion, kind) -> definition name index."""
    directory = crd_dir("kubernetes")
    definitions: dict[str, Any] = {}
    index: dict[tuple[str, str], str] = {}
    for name in CORE_DOCUMENTS:
        path = directory / name
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise InputError(f"cannot read Kubernetes OpenAPI document: {err}", Location(str(path))) from None
        for def_name, schema in doc.get("components", {}).get("schemas", {}).items():
            definitions.setdefault(def_name, to_json_schema(schema))
            for gvk in schema.get("x-kubernetes-group-version-kind", []):
                group, version, kind = gvk.get("group", ""), gvk["version"], gvk["kind"]
                api_version = f"{group}/{version}" if group else version
                index.setdefault((api_version, kind), def_name)
    return definitions, index


@cache
def _object_meta() -> dict[str, Any]:
    definitions, _ = _core_documents()
    return {"$ref": f"#/definitions/{OBJECT_META}", "definitions": definitions}


@cache
def _crd_schemas() -> dict[tuple[str, str], Schema]:
    schemas: dict[tuple[str, str], Schema] = {}
    for component in CRD_COMPONENTS:
        directory = crd_dir(component)
        for path in sorted(directory.iterdir()):
            if path.suffix not in (".yaml", ".yml"):
                continue
            for crd in _read_yaml_docs(path):
                if not isinstance(crd, dict) or crd.get("kind") != "CustomResourceDefinition":
                    continue
                spec = crd.get("spec", {})
                group, kind = spec["group"], spec["names"]["kind"]
                cluster = spec.get("scope") == "Cluster"
                source = f"{component} CRD {crd['metadata']['name']} ({directory.name})"
                for version in spec.get("versions", []):
                    raw = (version.get("schema") or {}).get("openAPIV3Schema")
                    if not version.get("served", True) or raw is None:
                        continue
                    names = [(group, kind, version["name"])]
                    if (group, kind) in AGGREGATED:
                        public_group, public_kind = AGGREGATED[(group, kind)]
                        names = [(public_group, public_kind, AGGREGATED_VERSION)]
                        source = f"kapp-controller aggregated API (schema of {crd['metadata']['name']})"
                    for g, k, v in names:
                        api_version = f"{g}/{v}"
                        schemas[(api_version, k)] = Schema(api_version, k, source, _crd_root(raw), cluster)
    return schemas


def _crd_root(raw: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = to_json_schema(raw)
    props = body.setdefault("properties", {})
    meta = _object_meta()
    props["metadata"] = {"$ref": meta["$ref"]}
    body["definitions"] = meta["definitions"]
    body.pop("additionalProperties", None)
    body["additionalProperties"] = False
    props.setdefault("status", {"type": "object"})
    return body


class SchemaRegistry:
    """Looks up the schema of an object by apiVersion and kind."""

    def lookup(self, api_version: str, kind: str) -> Schema | None:
        found = _crd_schemas().get((api_version, kind))
        if found is not None:
            return found
        definitions, index = _core_documents()
        def_name = index.get((api_version, kind))
        if def_name is None:
            return None
        body = {"$ref": f"#/definitions/{def_name}", "definitions": definitions}
        return Schema(
            api_version,
            kind,
            f"Kubernetes {crd_dir('kubernetes').name} OpenAPI {def_name}",
            body,
            kind in CLUSTER_SCOPED_CORE,
        )

    def known_kinds(self) -> list[tuple[str, str]]:
        _, index = _core_documents()
        return sorted({*_crd_schemas().keys(), *index.keys()})
