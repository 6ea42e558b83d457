"""Small pieces of validation: the OpenAPI dialect, field paths, JSONPath reads, schema lookup."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft4Validator

from supplychain.validation.openapi import drop_nulls, to_json_schema
from supplychain.validation.schema_check import format_path, join
from supplychain.validation.schemas import SchemaRegistry
from supplychain.validation.subjects import read_path


def _valid(schema: dict[str, Any], value: object) -> bool:
    return Draft4Validator(to_json_schema(schema)).is_valid(value)


def test_unknown_fields_are_rejected_unless_preserved() -> None:
    closed = {"type": "object", "properties": {"a": {"type": "string"}}}
    assert _valid(closed, {"a": "x"})
    assert not _valid(closed, {"a": "x", "b": 1})
    preserved = {**closed, "x-kubernetes-preserve-unknown-fields": True}
    assert _valid(preserved, {"a": "x", "b": 1})


def test_int_or_string_and_nullable() -> None:
    port = {"x-kubernetes-int-or-string": True}
    assert _valid(port, 8080) and _valid(port, "http") and not _valid(port, 1.5)
    nullable = {"type": "array", "items": {"type": "string", "nullable": True}}
    assert _valid(nullable, ["a", None])
    assert not _valid({"type": "array", "items": {"type": "string"}}, ["a", None])


def test_nulls_in_maps_are_unset() -> None:
    assert drop_nulls({"a": None, "b": [None, {"c": None}]}) == {"b": [None, {}]}


def test_field_paths_quote_odd_keys() -> None:
    assert format_path(["spec", "metrics", 0, "name"]) == "spec.metrics[0].name"
    assert format_path(["data", "canary.yml"]) == 'data["canary.yml"]'
    assert join("spec.analysis", "webhooks", 1) == "spec.analysis.webhooks[1]"
    assert join("", "spec") == "spec"


def test_read_path_handles_config_paths() -> None:
    obj = {"data": {"canary.yml": "x", "n": 1}, "spec": {"config": {"a": 1}}}
    assert read_path(obj, ".data")[1] == obj["data"]
    assert read_path(obj, "{.spec.config}")[1] == {"a": 1}
    assert read_path(obj, ".data['canary.yml']")[1] == "x"
    assert read_path(obj, ".status")[0] is False
    assert read_path(obj, ".items[*]")[0] is False


def test_registry_covers_every_pinned_family() -> None:
    registry = SchemaRegistry()
    for api_version, kind in [
        ("flagger.app/v1beta1", "Canary"),
        ("flagger.app/v1beta1", "MetricTemplate"),
        ("flagger.app/v1beta1", "AlertProvider"),
        ("carto.run/v1alpha1", "ClusterSupplyChain"),
        ("carto.run/v1alpha1", "ClusterDelivery"),
        ("carto.run/v1alpha1", "Workload"),
        ("carto.run/v1alpha1", "Runnable"),
        ("carto.run/v1alpha1", "ClusterRunTemplate"),
        ("packaging.carvel.dev/v1alpha1", "PackageInstall"),
        ("packaging.carvel.dev/v1alpha1", "PackageRepository"),
        ("kappctrl.k14s.io/v1alpha1", "App"),
        ("data.packaging.carvel.dev/v1alpha1", "Package"),
        ("data.packaging.carvel.dev/v1alpha1", "PackageMetadata"),
        ("v1", "ConfigMap"),
        ("v1", "Secret"),
        ("v1", "Service"),
        ("v1", "ServiceAccount"),
        ("v1", "Namespace"),
        ("apps/v1", "Deployment"),
        ("rbac.authorization.k8s.io/v1", "ClusterRole"),
        ("rbac.authorization.k8s.io/v1", "RoleBinding"),
    ]:
        assert registry.lookup(api_version, kind) is not None, (api_version, kind)
    assert registry.lookup("serving.knative.dev/v1", "Service") is None
    assert registry.lookup("internal.packaging.carvel.dev/v1alpha1", "InternalPackage") is None
