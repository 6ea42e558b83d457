"""Turn Kubernetes OpenAPI v3 schemas (CRD openAPIV3Schema or core definitions) into strict JSON Schema.

The API server prunes unknown fields silently; for a user an unknown field is a mistake, so every object
schema that lists `properties` gets `additionalProperties: false` unless it carries
`x-kubernetes-preserve-unknown-fields`. The OpenAPI dialect is mapped onto JSON Schema draft 4:
`nullable` adds the null type, `x-kubernetes-int-or-string` becomes an integer-or-string union, and an
embedded object without properties (`x-kubernetes-preserve-unknown-fields`, `x-kubernetes-embedded-resource`)
stays open.
"""

from __future__ import annotations

from typing import Any

# Keywords with no meaning for validation; dropped to keep schemas small.
_DROP = {
    "description",
    "example",
    "externalDocs",
    "x-kubernetes-patch-merge-key",
    "x-kubernetes-patch-strategy",
    "x-kubernetes-list-map-keys",
    "x-kubernetes-list-type",
    "x-kubernetes-map-type",
    "x-kubernetes-unions",
    "x-kubernetes-group-version-kind",
    "discriminator",
    "default",
    "format",
}


def to_json_schema(node: Any) -> Any:
    """Convert one schema node (recursively)."""
    if isinstance(node, list):
        return [to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _DROP or key.startswith("x-kubernetes-"):
            continue
        if key == "properties":
            out[key] = {name: to_json_schema(sub) for name, sub in value.items()}
        elif key in ("items", "additionalProperties", "not"):
            out[key] = to_json_schema(value) if isinstance(value, dict) else value
        elif key in ("allOf", "anyOf", "oneOf"):
            out[key] = [to_json_schema(sub) for sub in value]
        elif key == "nullable":
            continue
        elif key == "$ref" and isinstance(value, str):
            out[key] = value.replace("#/components/schemas/", "#/definitions/")
        else:
            out[key] = value
    preserve = bool(node.get("x-kubernetes-preserve-unknown-fields"))
    if node.get("x-kubernetes-int-or-string"):
        out.pop("type", None)
        out.setdefault("anyOf", [{"type": "integer"}, {"type": "string"}])
    if "properties" in out and "additionalProperties" not in out and not preserve:
        out["additionalProperties"] = False
    if node.get("nullable"):
        out = _nullable(out)
    return out


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    kind = schema.get("type")
    if isinstance(kind, str):
        schema = {**schema, "type": [kind, "null"]}
        if "enum" in schema:
            schema["enum"] = [*schema["enum"], None]
        return schema
    return {"anyOf": [{"type": "null"}, schema]}


def drop_nulls(value: Any) -> Any:
    """Remove null map values, as the API server does before validating (a null optional field is unset)."""
    if isinstance(value, dict):
        return {k: drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [drop_nulls(v) for v in value]
    return value
