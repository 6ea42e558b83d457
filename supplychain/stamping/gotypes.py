"""The Go types Cartographer decodes owners into, and how encoding/json and JSONPath see them.

Cartographer hands the typed ``Workload``/``Deliverable`` struct (not the raw YAML) to JSONPath and to
ytt, so unknown fields vanish, zero-valued fields without ``omitempty`` appear (``build: {}``,
``creationTimestamp: null``, ``status.supplyChainRef: {}``) and param values are opaque JSON.
This module models just enough of those types to reproduce that exactly.

Typed values: a struct is a ``StructVal``; a nil pointer, slice, map or interface is ``None``;
``apiextensionsv1.JSON`` is a ``RawJSON``; ``metav1.Time`` is a ``TimeVal``; ``resource.Quantity`` is a
``QuantityVal``; everything else is plain Python data.
"""

from __future__ import annotations

import base64
import datetime as _dt
import functools
import re
from dataclasses import dataclass, field
from typing import Any

from ..gofloat import format_float, json_number
from . import quantity
from .errors import EvalError
from .gojson import dumps, float_to_json_number, json_key, json_text, to_interface, yaml_to_json


class GoType:
    """Base of the type descriptors."""

    name = "?"


@dataclass(frozen=True, eq=False)
class Prim(GoType):
    """string, bool, int64/int32 or float64 (named string types count as string)."""

    kind: str
    name: str = ""

    def __post_init__(self) -> None:
        if not self.name:
            object.__setattr__(self, "name", self.kind)


@dataclass(frozen=True, eq=False)
class Ptr(GoType):
    elem: GoType

    @property
    def name(self) -> str:  # type: ignore[override]
        return "*" + self.elem.name


@dataclass(frozen=True, eq=False)
class Slice(GoType):
    elem: GoType

    @property
    def name(self) -> str:  # type: ignore[override]
        return "[]" + self.elem.name


@dataclass(frozen=True, eq=False)
class Map(GoType):
    elem: GoType

    @property
    def name(self) -> str:  # type: ignore[override]
        return "map[string]" + self.elem.name


@dataclass(frozen=True, eq=False)
class Field:
    go: str
    json: str
    type: GoType
    omitempty: bool = False
    inline: bool = False
    embedded: bool = False  # a Go anonymous field: reflect's FieldByName promotes its fields

    @property
    def promotes(self) -> bool:
        return self.inline or self.embedded


@dataclass(eq=False)
class Struct(GoType):
    name: str
    fields: tuple[Field, ...] = ()


class Interface(GoType):
    """interface{}: holds generic JSON data (numbers are float64)."""

    name = "interface {}"


class RawJSONType(GoType):
    """apiextensionsv1.JSON (and runtime.RawExtension): raw bytes, opaque to JSONPath."""

    name = "v1.JSON"


class TimeType(GoType):
    name = "v1.Time"


class QuantityType(GoType):
    name = "resource.Quantity"


INTERFACE = Interface()
BYTES = Slice(Prim("int32", "uint8"))
RAW_JSON = RawJSONType()
TIME = TimeType()
QUANTITY = QuantityType()
STRING = Prim("string")
BOOL = Prim("bool")
INT64 = Prim("int64")


@dataclass(eq=False)
class StructVal:
    type: Struct
    values: dict[str, Any] = field(default_factory=dict)

    def get(self, go_name: str) -> Any:
        return self.values.get(go_name)


@dataclass(eq=False)
class Boxed:
    """A typed value stored in an interface{} (the templating context is a map of these)."""

    value: Any
    type: GoType


@dataclass(eq=False)
class RawJSON:
    """Raw JSON bytes; ``present`` is False when Raw is empty (JSON null)."""

    value: Any = None
    present: bool = False


@dataclass(eq=False)
class TimeVal:
    text: str | None = None  # RFC 3339 in UTC, None for the zero time


@dataclass(eq=False)
class QuantityVal:
    text: str = "0"  # what MarshalJSON writes
    format: str = ""  # the exported Format field ("DecimalSI", "BinarySI", "DecimalExponent")


def raw_json_bytes(value: RawJSON) -> bytes | None:
    """The ``Raw`` bytes of an apiextensionsv1.JSON: compact JSON as json.Marshal wrote it (nil for null)."""
    if not value.present:
        return None
    return dumps(value.value).encode("utf-8")


def zero(go_type: GoType) -> Any:
    """The zero value of a type."""
    if isinstance(go_type, Struct):
        return StructVal(go_type, {f.go: zero(f.type) for f in go_type.fields})
    if isinstance(go_type, Prim):
        return {"string": "", "bool": False, "int64": 0, "int32": 0, "float64": 0.0}[go_type.kind]
    if isinstance(go_type, RawJSONType):
        return RawJSON()
    if isinstance(go_type, TimeType):
        return TimeVal()
    if isinstance(go_type, QuantityType):
        return QuantityVal()
    return None  # pointers, slices, maps, interfaces


def _json_type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"


def _key(key: Any, path: str) -> str:
    text = json_key(key)
    if text is not None:
        return text
    raise EvalError(f"Unsupported map key of type {type(key).__name__} ({key!r}) at {path or 'the top level'}")


def decode(value: Any, go_type: GoType, path: str = "") -> Any:
    """sigs.k8s.io/yaml's Unmarshal of VALUE (as parsed from YAML) into GO_TYPE.

    Like sigs.k8s.io/yaml, numbers and booleans given for string fields become strings; type
    mismatches raise EvalError naming the field path.
    """

    def mismatch() -> EvalError:
        where = f" at {path}" if path else ""
        return EvalError(f"cannot unmarshal {_json_type_name(value)} into Go value of type {go_type.name}{where}")

    if isinstance(go_type, Interface):
        return to_interface(yaml_to_json(value, path))
    if isinstance(go_type, RawJSONType):
        return RawJSON(yaml_to_json(value, path), value is not None)
    if value is None:
        return zero(go_type)
    if isinstance(go_type, Ptr):
        return decode(value, go_type.elem, path)
    if isinstance(go_type, Prim):
        if go_type.kind == "string":
            if isinstance(value, str):
                return json_text(value)
            if isinstance(value, bool):
                return "true" if value else "false"
            if isinstance(value, int):
                return str(value)
            if isinstance(value, float):
                return format_float(value, "g", -1, 32)  # as sigs.k8s.io/yaml turns a number into a string
            raise mismatch()
        if go_type.kind == "bool":
            if not isinstance(value, bool):
                raise mismatch()
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise mismatch()
        if go_type.kind in ("int64", "int32"):
            number = float_to_json_number(value) if isinstance(value, float) else value
            if isinstance(number, float):
                raise EvalError(
                    f"cannot unmarshal number {json_number(value)} into Go value of type {go_type.name} at {path}"
                )
            return number
        return float(value)
    if isinstance(go_type, Slice):
        if not isinstance(value, list):
            raise mismatch()
        return [decode(item, go_type.elem, f"{path}[{i}]") for i, item in enumerate(value)]
    if isinstance(go_type, Map):
        if not isinstance(value, dict):
            raise mismatch()
        out = {}
        for k, v in value.items():
            key = _key(k, path)
            out[key] = decode(v, go_type.elem, f"{path}.{key}" if path else key)
        return out
    if isinstance(go_type, TimeType):
        if not isinstance(value, str):
            raise mismatch()
        return TimeVal(_parse_time(value, path))
    if isinstance(go_type, QuantityType):
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise mismatch()
        text = value if isinstance(value, str) else (json_number(value) if isinstance(value, float) else str(value))
        return parse_quantity(text, path)
    if isinstance(go_type, Struct):
        if not isinstance(value, dict):
            raise mismatch()
        result = zero(go_type)
        for raw_key, item in value.items():
            key = _key(raw_key, path)
            found = _find_field(go_type, key)
            if found is None:
                continue
            owner, fld = found
            target = result if owner is go_type else _inline_target(result, owner)
            sub = f"{path}.{key}" if path else key
            target.values[fld.go] = decode(item, fld.type, sub)
        return result
    raise mismatch()


def _inline_target(root: StructVal, owner: Struct) -> StructVal:
    stack = [root]
    while stack:
        current = stack.pop()
        if current.type is owner:
            return current
        for fld in current.type.fields:
            if fld.inline:
                inner = current.values.get(fld.go)
                if inner is None and isinstance(fld.type, Ptr) and isinstance(fld.type.elem, Struct):
                    inner = zero(fld.type.elem)
                    current.values[fld.go] = inner
                if isinstance(inner, StructVal):
                    stack.append(inner)
    raise EvalError(f"internal: inline struct {owner.name} not found")


@functools.cache
def _visible_fields(struct: Struct) -> list[tuple[Struct, Field]]:
    """Fields as encoding/json sees them: inline (embedded) structs are promoted."""
    out: list[tuple[Struct, Field]] = []
    for fld in struct.fields:
        if fld.inline:
            inner = fld.type.elem if isinstance(fld.type, Ptr) else fld.type
            if isinstance(inner, Struct):
                out.extend(_visible_fields(inner))
                continue
        out.append((struct, fld))
    return out


@functools.cache
def _find_field(struct: Struct, key: str) -> tuple[Struct, Field] | None:
    visible = _visible_fields(struct)
    for owner, fld in visible:
        if fld.json == key:
            return owner, fld
    folded = key.casefold()
    for owner, fld in visible:
        if fld.json.casefold() == folded:
            return owner, fld
    return None


_GO_ZERO_TIME = _dt.datetime(1, 1, 1)


def _parse_time(text: str, path: str) -> str | None:
    """metav1.Time's decoding (RFC 3339) and encoding (UTC, whole seconds); None for Go's zero time."""
    try:
        parsed = _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise EvalError(f"parsing time {text!r} as RFC 3339 at {path}") from None
    offset = parsed.utcoffset()
    if offset is None or not re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}", text):
        raise EvalError(f"parsing time {text!r} as RFC 3339 at {path}")
    try:
        utc = parsed.replace(tzinfo=None, microsecond=0) - offset
    except OverflowError:
        raise EvalError(f"time {text!r} at {path} is before year 1 in UTC (not supported)") from None
    if utc == _GO_ZERO_TIME and parsed.microsecond == 0:
        return None  # metav1.Time encodes the zero time as null
    return f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}Z"


def _is_empty(value: Any, go_type: GoType) -> bool:
    """encoding/json's omitempty test: false, 0, "", nil pointer or interface, empty slice or map."""
    if isinstance(go_type, (Ptr, Interface)):
        return value is None  # a pointer to false or 0 is not empty
    if isinstance(go_type, (Struct, TimeType, QuantityType)):
        return False
    if isinstance(go_type, RawJSONType):
        return False  # a struct
    if value is None:
        return True
    if isinstance(value, (str, list, dict)):
        return len(value) == 0
    if isinstance(value, bool):
        return value is False
    if isinstance(value, (int, float)):
        return value == 0
    return False


def encode(value: Any, go_type: GoType) -> Any:
    """encoding/json's Marshal of a typed value, as JSON data (maps keep sorted key order)."""
    if isinstance(go_type, Interface):
        if isinstance(value, Boxed):
            return encode(value.value, value.type)
        return value
    if isinstance(go_type, RawJSONType):
        assert isinstance(value, RawJSON)
        return value.value if value.present else None
    if isinstance(go_type, TimeType):
        assert isinstance(value, TimeVal)
        return value.text
    if isinstance(go_type, QuantityType):
        assert isinstance(value, QuantityVal)
        return value.text
    if value is None:
        return None
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")  # json.Marshal of a []byte
    if isinstance(go_type, Ptr):
        return encode(value, go_type.elem)
    if isinstance(go_type, Prim):
        return value
    if isinstance(go_type, Slice):
        return [encode(v, go_type.elem) for v in value]
    if isinstance(go_type, Map):
        return {k: encode(value[k], go_type.elem) for k in sorted(value)}
    if isinstance(go_type, Struct):
        assert isinstance(value, StructVal)
        out: dict[str, Any] = {}
        _encode_struct(value, out)
        return out
    raise EvalError(f"internal: cannot encode {go_type.name}")


def _encode_struct(value: StructVal, out: dict[str, Any]) -> None:
    for fld in value.type.fields:
        item = value.values.get(fld.go)
        if fld.inline:
            if item is None:
                continue
            assert isinstance(item, StructVal)
            _encode_struct(item, out)
            continue
        if fld.omitempty and _is_empty(item, fld.type):
            continue
        out[fld.json] = encode(item, fld.type)


# --- resource.Quantity -----------------------------------------------------------------------------


def canonical_quantity(text: str, path: str = "") -> str:
    """What resource.Quantity's MarshalJSON writes for TEXT (see ``quantity``)."""
    return parse_quantity(text, path).text


def parse_quantity(text: str, path: str = "") -> QuantityVal:
    """resource.Quantity's UnmarshalJSON of TEXT (surrounding spaces ignored)."""
    try:
        parsed = quantity.parse(text.strip())
    except quantity.QuantityError as err:
        raise EvalError(f"{err}{f' at {path}' if path else ''}") from None
    return QuantityVal(parsed.text, parsed.format)


# --- the Cartographer / Kubernetes types ---------------------------------------------------------


def _s(go: str, js: str, t: GoType, omitempty: bool = False, inline: bool = False, embedded: bool = False) -> Field:
    return Field(go, js, t, omitempty, inline, embedded or inline)


TYPE_META = Struct(
    "v1.TypeMeta",
    (
        _s("Kind", "kind", STRING, True),
        _s("APIVersion", "apiVersion", STRING, True),
    ),
)
OWNER_REFERENCE = Struct(
    "v1.OwnerReference",
    (
        _s("APIVersion", "apiVersion", STRING),
        _s("Kind", "kind", STRING),
        _s("Name", "name", STRING),
        _s("UID", "uid", Prim("string", "types.UID")),
        _s("Controller", "controller", Ptr(BOOL), True),
        _s("BlockOwnerDeletion", "blockOwnerDeletion", Ptr(BOOL), True),
    ),
)
FIELDS_V1 = Struct("v1.FieldsV1", ())
MANAGED_FIELDS_ENTRY = Struct(
    "v1.ManagedFieldsEntry",
    (
        _s("Manager", "manager", STRING, True),
        _s("Operation", "operation", STRING, True),
        _s("APIVersion", "apiVersion", STRING, True),
        _s("Time", "time", Ptr(TIME), True),
        _s("FieldsType", "fieldsType", STRING, True),
        _s("FieldsV1", "fieldsV1", Ptr(RAW_JSON), True),
        _s("Subresource", "subresource", STRING, True),
    ),
)
OBJECT_META = Struct(
    "v1.ObjectMeta",
    (
        _s("Name", "name", STRING, True),
        _s("GenerateName", "generateName", STRING, True),
        _s("Namespace", "namespace", STRING, True),
        _s("SelfLink", "selfLink", STRING, True),
        _s("UID", "uid", Prim("string", "types.UID"), True),
        _s("ResourceVersion", "resourceVersion", STRING, True),
        _s("Generation", "generation", INT64, True),
        _s("CreationTimestamp", "creationTimestamp", TIME, True),
        _s("DeletionTimestamp", "deletionTimestamp", Ptr(TIME), True),
        _s("DeletionGracePeriodSeconds", "deletionGracePeriodSeconds", Ptr(INT64), True),
        _s("Labels", "labels", Map(STRING), True),
        _s("Annotations", "annotations", Map(STRING), True),
        _s("OwnerReferences", "ownerReferences", Slice(OWNER_REFERENCE), True),
        _s("Finalizers", "finalizers", Slice(STRING), True),
        _s("ManagedFields", "managedFields", Slice(MANAGED_FIELDS_ENTRY), True),
    ),
)
CONDITION = Struct(
    "v1.Condition",
    (
        _s("Type", "type", STRING),
        _s("Status", "status", Prim("string", "v1.ConditionStatus")),
        _s("ObservedGeneration", "observedGeneration", INT64, True),
        _s("LastTransitionTime", "lastTransitionTime", TIME),
        _s("Reason", "reason", STRING),
        _s("Message", "message", STRING),
    ),
)
OWNER_PARAM = Struct("v1alpha1.OwnerParam", (_s("Name", "name", STRING), _s("Value", "value", RAW_JSON)))
GIT_REF = Struct(
    "v1alpha1.GitRef",
    (
        _s("Branch", "branch", Ptr(STRING), True),
        _s("Tag", "tag", Ptr(STRING), True),
        _s("Commit", "commit", Ptr(STRING), True),
    ),
)
GIT_SOURCE = Struct("v1alpha1.GitSource", (_s("URL", "url", Ptr(STRING), True), _s("Ref", "ref", Ptr(GIT_REF), True)))
SOURCE = Struct(
    "v1alpha1.Source",
    (
        _s("Git", "git", Ptr(GIT_SOURCE), True),
        _s("Image", "image", Ptr(STRING), True),
        _s("Subpath", "subPath", Ptr(STRING), True),
    ),
)
LOCAL_OBJECT_REFERENCE = Struct("v1.LocalObjectReference", (_s("Name", "name", STRING, True),))
OBJECT_FIELD_SELECTOR = Struct(
    "v1.ObjectFieldSelector",
    (
        _s("APIVersion", "apiVersion", STRING, True),
        _s("FieldPath", "fieldPath", STRING),
    ),
)
RESOURCE_FIELD_SELECTOR = Struct(
    "v1.ResourceFieldSelector",
    (
        _s("ContainerName", "containerName", STRING, True),
        _s("Resource", "resource", STRING),
        _s("Divisor", "divisor", QUANTITY, True),
    ),
)
KEY_SELECTOR_FIELDS = (
    _s("LocalObjectReference", "", LOCAL_OBJECT_REFERENCE, inline=True),
    _s("Key", "key", STRING),
    _s("Optional", "optional", Ptr(BOOL), True),
)
ENV_VAR_SOURCE = Struct(
    "v1.EnvVarSource",
    (
        _s("FieldRef", "fieldRef", Ptr(OBJECT_FIELD_SELECTOR), True),
        _s("ResourceFieldRef", "resourceFieldRef", Ptr(RESOURCE_FIELD_SELECTOR), True),
        _s("ConfigMapKeyRef", "configMapKeyRef", Ptr(Struct("v1.ConfigMapKeySelector", KEY_SELECTOR_FIELDS)), True),
        _s("SecretKeyRef", "secretKeyRef", Ptr(Struct("v1.SecretKeySelector", KEY_SELECTOR_FIELDS)), True),
    ),
)
ENV_VAR = Struct(
    "v1.EnvVar",
    (
        _s("Name", "name", STRING),
        _s("Value", "value", STRING, True),
        _s("ValueFrom", "valueFrom", Ptr(ENV_VAR_SOURCE), True),
    ),
)
RESOURCE_REQUIREMENTS = Struct(
    "v1.ResourceRequirements",
    (
        _s("Limits", "limits", Map(QUANTITY), True),
        _s("Requests", "requests", Map(QUANTITY), True),
    ),
)
SERVICE_CLAIM = Struct(
    "v1alpha1.WorkloadServiceClaim",
    (
        _s("Name", "name", STRING),
        _s(
            "Ref",
            "ref",
            Ptr(
                Struct(
                    "v1alpha1.WorkloadServiceClaimReference",
                    (
                        _s("APIVersion", "apiVersion", STRING),
                        _s("Kind", "kind", STRING),
                        _s("Name", "name", STRING),
                    ),
                )
            ),
            True,
        ),
    ),
)
CORE_OBJECT_REFERENCE = Struct(
    "v1.ObjectReference",
    (
        _s("Kind", "kind", STRING, True),
        _s("Namespace", "namespace", STRING, True),
        _s("Name", "name", STRING, True),
        _s("UID", "uid", Prim("string", "types.UID"), True),
        _s("APIVersion", "apiVersion", STRING, True),
        _s("ResourceVersion", "resourceVersion", STRING, True),
        _s("FieldPath", "fieldPath", STRING, True),
    ),
)
CARTO_OBJECT_REFERENCE = Struct(
    "v1alpha1.ObjectReference",
    (
        _s("Kind", "kind", STRING, True),
        _s("Namespace", "namespace", STRING, True),
        _s("Name", "name", STRING, True),
        _s("APIVersion", "apiVersion", STRING, True),
    ),
)
RESOURCE_STATUS = Struct(
    "v1alpha1.ResourceStatus",
    (
        _s(
            "RealizedResource",
            "",
            Struct(
                "v1alpha1.RealizedResource",
                (
                    _s("Name", "name", STRING),
                    _s(
                        "StampedRef",
                        "stampedRef",
                        Ptr(
                            Struct(
                                "v1alpha1.StampedRef",
                                (
                                    _s("ObjectReference", "", Ptr(CORE_OBJECT_REFERENCE), inline=True),
                                    _s("Resource", "resource", STRING, True),
                                ),
                            )
                        ),
                        True,
                    ),
                    _s("TemplateRef", "templateRef", Ptr(CORE_OBJECT_REFERENCE), True),
                    _s("Inputs", "inputs", Slice(Struct("v1alpha1.Input", (_s("Name", "name", STRING),))), True),
                    _s(
                        "Outputs",
                        "outputs",
                        Slice(
                            Struct(
                                "v1alpha1.Output",
                                (
                                    _s("Name", "name", STRING),
                                    _s("Preview", "preview", STRING),
                                    _s("Digest", "digest", STRING),
                                    _s("LastTransitionTime", "lastTransitionTime", TIME),
                                ),
                            )
                        ),
                        True,
                    ),
                ),
            ),
            inline=True,
        ),
        _s("Conditions", "conditions", Slice(CONDITION), True),
    ),
)
OWNER_STATUS = Struct(
    "v1alpha1.OwnerStatus",
    (
        _s("ObservedGeneration", "observedGeneration", INT64, True),
        _s("Conditions", "conditions", Slice(CONDITION), True),
    ),
)
WORKLOAD = Struct(
    "v1alpha1.Workload",
    (
        _s("TypeMeta", "", TYPE_META, inline=True),
        _s("ObjectMeta", "metadata", OBJECT_META, embedded=True),
        _s(
            "Spec",
            "spec",
            Struct(
                "v1alpha1.WorkloadSpec",
                (
                    _s("Params", "params", Slice(OWNER_PARAM), True),
                    _s("Source", "source", Ptr(SOURCE), True),
                    _s(
                        "Build",
                        "build",
                        Struct("v1alpha1.WorkloadBuild", (_s("Env", "env", Slice(ENV_VAR), True),)),
                        True,
                    ),
                    _s("Env", "env", Slice(ENV_VAR), True),
                    _s("Image", "image", Ptr(STRING), True),
                    _s("Resources", "resources", Ptr(RESOURCE_REQUIREMENTS), True),
                    _s("ServiceAccountName", "serviceAccountName", STRING, True),
                    _s("ServiceClaims", "serviceClaims", Slice(SERVICE_CLAIM), True),
                ),
            ),
        ),
        _s(
            "Status",
            "status",
            Struct(
                "v1alpha1.WorkloadStatus",
                (
                    _s("OwnerStatus", "", OWNER_STATUS, inline=True),
                    _s("SupplyChainRef", "supplyChainRef", CARTO_OBJECT_REFERENCE, True),
                    _s("Resources", "resources", Slice(RESOURCE_STATUS), True),
                ),
            ),
            True,
        ),
    ),
)
DELIVERABLE = Struct(
    "v1alpha1.Deliverable",
    (
        _s("TypeMeta", "", TYPE_META, inline=True),
        _s("ObjectMeta", "metadata", OBJECT_META, embedded=True),
        _s(
            "Spec",
            "spec",
            Struct(
                "v1alpha1.DeliverableSpec",
                (
                    _s("Params", "params", Slice(OWNER_PARAM), True),
                    _s("Source", "source", Ptr(SOURCE), True),
                    _s("ServiceAccountName", "serviceAccountName", STRING, True),
                ),
            ),
        ),
        _s(
            "Status",
            "status",
            Struct(
                "v1alpha1.DeliverableStatus",
                (
                    _s("OwnerStatus", "", OWNER_STATUS, inline=True),
                    _s("DeliveryRef", "deliveryRef", CARTO_OBJECT_REFERENCE, True),
                    _s("Resources", "resources", Slice(RESOURCE_STATUS), True),
                ),
            ),
            True,
        ),
    ),
)
SOURCE_INPUT = Struct(
    "templates.SourceInput",
    (
        _s("URL", "url", INTERFACE),
        _s("Revision", "revision", INTERFACE),
        _s("Name", "name", STRING),
    ),
)
IMAGE_INPUT = Struct("templates.ImageInput", (_s("Image", "image", INTERFACE), _s("Name", "name", STRING)))
CONFIG_INPUT = Struct("templates.ConfigInput", (_s("Config", "config", INTERFACE), _s("Name", "name", STRING)))
PARAMS = Map(RAW_JSON)
LABELS = Map(STRING)
