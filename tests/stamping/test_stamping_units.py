"""Unit tests of the Cartographer semantics: JSONPath, tags, Go JSON/YAML, typed owners, params, selection."""

from __future__ import annotations

from typing import Any

import pytest

from supplychain.gofloat import format_float, json_number
from supplychain.stamping import gotypes as gt
from supplychain.stamping.errors import EvalError
from supplychain.stamping.gojson import dumps, load_yaml_documents, to_interface
from supplychain.stamping.interpolate import interpolate_leaf, is_single_tag
from supplychain.stamping.jsonpath import PathMissing, evaluate, wrap
from supplychain.stamping.selector import Requirement, Selector, best_matches
from supplychain.stamping.stamper import BlueprintParam, decode_owner, merge_params
from supplychain.stamping.templates import TemplateParam

WORKLOAD = {
    "apiVersion": "carto.run/v1alpha1",
    "kind": "Workload",
    "metadata": {"name": "app", "namespace": "ns", "labels": {"a.b/c": "d", "tier": "web"}},
    "spec": {
        "params": [{"name": "port", "value": 8080}, {"name": "obj", "value": {"k": [1, 2]}}],
        "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
    },
}


def _ctx(extra: dict[str, Any] | None = None) -> Any:
    owner = decode_owner(WORKLOAD)
    ctx: dict[str, Any] = {
        "workload": gt.Boxed(owner.typed, owner.go_type),
        "params": gt.Boxed({k: gt.RawJSON(v, True) for k, v in (extra or {}).items()}, gt.PARAMS),
    }
    return ctx, gt.Map(gt.INTERFACE)


@pytest.mark.parametrize(
    "path,expected",
    [
        ("workload.metadata.name", "app"),
        (".workload.metadata.name", "app"),
        ("{.workload.metadata.name}", "app"),
        ("workload.metadata.labels.a\\.b/c", "d"),
        ("workload.spec.env[1].name", "B"),
        ("workload.spec.env[-1].value", "2"),
        ('workload.spec.params[?(@.name=="port")].value', 8080.0),
        ("workload.spec.params[1].value", {"k": [1.0, 2.0]}),
        ("workload.spec.serviceAccountName", ""),  # typed zero value, not missing
        ("workload.spec.source", None),  # nil pointer field: a null result
        ("workload.metadata.creationTimestamp", None),
        ("workload.spec.build", {}),
        ("workload.status", {"supplyChainRef": {}}),
        ("workload.Spec.ServiceAccountName", ""),  # Go field names work too (reflect.FieldByName)
    ],
)
def test_jsonpath_on_a_typed_workload(path: str, expected: Any) -> None:
    value = evaluate(path, _ctx())
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize(
    "path,message",
    [
        ("workload.metadata.labels.nope", "jsonpath returned empty list"),
        ("workload.spec.source.git.url", "jsonpath returned empty list"),  # through a nil pointer
        ("workload.spec.env[*].name", "too many results"),
        ("workload.spec.env[9].name", "array index out of bounds"),
        ("workload.metadata.name[0]", "is not array or slice"),
        ("params.x.y", "jsonpath returned empty list"),  # params are opaque JSON
        ("", "empty jsonpath not allowed"),
        (" workload.metadata.name", "unrecognized identifier workload"),
        ("workload.metadata.labels['a.b/c']", "jsonpath returned empty list"),  # the key is split on dots
        ("workload.spec.params[?(@.value==8080)].name", "invalid type for comparison"),
        ("workload.spec.env[?(@.name==1)].value", "incompatible types for comparison"),
        ("workload.metadata.name}{.workload.kind", "more queries than expected"),
    ],
)
def test_jsonpath_errors(path: str, message: str) -> None:
    with pytest.raises(EvalError, match=None) as raised:
        evaluate(path, _ctx({"x": {"y": 1}}))
    assert message in str(raised.value)


def test_missing_path_is_its_own_error() -> None:
    with pytest.raises(PathMissing):
        evaluate("workload.nope", _ctx())


def test_wrapping() -> None:
    assert wrap("a.b") == "{.a.b}" and wrap(".a") == "{.a}" and wrap("{.a}") == "{.a}"


@pytest.mark.parametrize(
    "text,single",
    [
        ("$(a)$", True),
        ("$(a)$$(b)$", False),
        ("x$(a)$", False),
        ("$(a)$x)$", True),
        ("$(a", False),
        ("a)$", False),
    ],
)
def test_single_tag_detection(text: str, single: bool) -> None:
    assert is_single_tag(text) is single


@pytest.mark.parametrize(
    "text,expected",
    [
        ("$(params.n)$", 5.0),
        ("$(params.obj)$", {"a": [1.0, "<&>"]}),
        ("n=$(params.n)$", "n=5"),
        ("obj=$(params.obj)$", 'obj={"a":[1,"\\u003c\\u0026\\u003e"]}'),  # Go's HTML-safe JSON
        ("b=$(params.b)$", "b=true"),
        ("$$(params.n)$", "$5"),
        ("costs $5 and $( unclosed", "costs $5 and $( unclosed"),
        ("no tags )$ here", "no tags )$ here"),
        ("$(params.s)$$(params.n)$", "text5"),
        ("$(params.nil)$", None),
    ],
)
def test_interpolation(text: str, expected: Any) -> None:
    ctx = _ctx({"n": 5, "obj": {"a": [1, "<&>"]}, "b": True, "s": "text", "nil": None})
    assert interpolate_leaf(text, ctx) == expected


def test_a_spliced_nil_is_an_error() -> None:
    ctx = _ctx({"nil": None})
    with pytest.raises(EvalError, match=r"tag must not point to nil value: params\.nil"):
        interpolate_leaf("x=$(params.nil)$", ctx)


@pytest.mark.parametrize(
    "value,text",
    [
        (5.0, "5"),
        (0.25, "0.25"),
        (1e21, "1e+21"),
        (1.5e-7, "1.5e-7"),
        (1e16, "10000000000000000"),
        (-0.0, "-0"),
    ],
)
def test_go_float_format(value: float, text: str) -> None:
    assert json_number(value) == text


@pytest.mark.parametrize(
    "value,text", [(1.1, "1.1"), (1e6, "1e+06"), (123456.0, "123456"), (3.14159265358979, "3.1415927")]
)
def test_go_float32_g_format(value: float, text: str) -> None:
    assert format_float(value, "g", -1, 32) == text


def test_go_json() -> None:
    assert dumps({"b": [1, 2.0, None], "a": "é\u2028"}) == '{"a":"é\\u2028","b":[1,2,null]}'
    assert to_interface({"a": [1, True]}) == {"a": [1.0, True]}


@pytest.mark.parametrize(
    "scalar,value",
    [
        ("y", True),
        ("N", False),
        ("on", True),
        ("1e3", 1000.0),
        ("010", 8),
        ("08", 8.0),
        ("0x1F", 31),
        ("0o17", 15),
        ("1_000", 1000),
        ("1:20", "1:20"),
        ("2024-01-02", "2024-01-02"),
        (".5", 0.5),
        ("~", None),
        ("'y'", "y"),
    ],
)
def test_yaml_scalars_resolve_as_go(scalar: str, value: Any) -> None:
    (doc,) = load_yaml_documents(f"v: {scalar}\n")
    assert doc["v"] == value and type(doc["v"]) is type(value)


def test_typed_decoding_coerces_scalars_into_string_fields() -> None:
    owner = decode_owner(
        {
            "kind": "Workload",
            "metadata": {"name": 12, "labels": {"v": 1.10, "on": True}},
            "spec": {"serviceAccountName": 1e6},
        }
    )
    assert owner.name == "12" and owner.labels == {"v": "1.1", "on": "true"}
    encoded = gt.encode(owner.typed, owner.go_type)
    assert encoded["spec"] == {"build": {}, "serviceAccountName": "1e+06"}
    assert encoded["metadata"]["creationTimestamp"] is None
    assert encoded["status"] == {"supplyChainRef": {}}


@pytest.mark.parametrize(
    "bad,message",
    [
        (
            {"spec": {"params": "x"}},
            "cannot unmarshal string into Go value of type []v1alpha1.OwnerParam at spec.params",
        ),
        (
            {"metadata": {"generation": 1.5}},
            "cannot unmarshal number 1.5 into Go value of type int64 at metadata.generation",
        ),
        ({"metadata": {"labels": ["a"]}}, "cannot unmarshal array"),
    ],
)
def test_typed_decoding_errors(bad: dict[str, Any], message: str) -> None:
    with pytest.raises(EvalError) as raised:
        decode_owner({"kind": "Workload", **bad})
    assert message in str(raised.value)


@pytest.mark.parametrize(
    "text,canonical",
    [
        ("1000m", "1"),
        ("1024Mi", "1Gi"),
        ("0.5", "500m"),
        ("1.5Gi", "1536Mi"),
        ("2k", "2k"),
        ("100", "100"),
        ("1e3", "1e3"),
        ("0", "0"),
    ],
)
def test_quantities_are_canonical(text: str, canonical: str) -> None:
    assert gt.canonical_quantity(text) == canonical


def _raw(value: Any) -> gt.RawJSON:
    return gt.RawJSON(value, True)


def test_param_precedence() -> None:
    merged = merge_params(
        [
            TemplateParam("a", _raw("template")),
            TemplateParam("b", _raw("template")),
            TemplateParam("c", _raw("template")),
            TemplateParam("d", _raw("template")),
        ],
        [
            BlueprintParam("b", default=_raw("blueprint")),
            BlueprintParam("c", value=_raw("blueprint-locked")),
            BlueprintParam("d", value=_raw("blueprint-locked")),
        ],
        [BlueprintParam("d", default=_raw("resource-unlocks"))],
        [("a", _raw("owner")), ("b", _raw("owner")), ("c", _raw("owner")), ("d", _raw("owner")), ("e", _raw("owner"))],
    )
    assert {k: v.value for k, v in merged.items()} == {
        "a": "owner",
        "b": "owner",
        "c": "blueprint-locked",
        "d": "owner",
        "e": "owner",
    }


def _box() -> gt.Boxed:
    owner = decode_owner(WORKLOAD)
    return gt.Boxed(owner.typed, owner.go_type)


LABELS = {"a.b/c": "d", "tier": "web"}


def test_most_specific_selector_wins() -> None:
    selectors = [Selector({"tier": "web"}), Selector({"tier": "web", "a.b/c": "d"}), Selector({"tier": "api"})]
    assert best_matches(_box(), LABELS, selectors) == [1]


def test_a_tie_returns_every_best_match() -> None:
    selectors = [Selector({"tier": "web"}), Selector(match_expressions=[Requirement("a.b/c", "Exists")])]
    assert best_matches(_box(), LABELS, selectors) == [0, 1]


def test_an_empty_selector_never_matches() -> None:
    assert best_matches(_box(), LABELS, [Selector()]) == []


@pytest.mark.parametrize(
    "req,matches",
    [
        (Requirement('spec.params[?(@.name=="port")]', "Exists"), True),
        (Requirement('spec.params[?(@.name=="dockerfile")]', "DoesNotExist"), True),
        (
            Requirement('spec.params[?(@.name=="dockerfile")]', "NotIn", ["x"]),
            False,
        ),  # a missing path never matches NotIn
        (Requirement("metadata.name", "In", ["app", "other"]), True),
        (Requirement("spec.serviceAccountName", "Exists"), True),  # the typed zero value "" exists
        (Requirement("spec.image", "DoesNotExist"), True),
    ],
)
def test_field_requirements(req: Requirement, matches: bool) -> None:
    assert best_matches(_box(), LABELS, [Selector(match_fields=[req])]) == ([0] if matches else [])
