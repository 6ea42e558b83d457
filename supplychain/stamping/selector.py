"""Selectors: labels, match expressions and match fields, and "the most specific match wins"."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..k8snames import is_dns1123_subdomain, is_label_value, is_qualified_name_part
from . import gotypes as gt
from .errors import EvalError
from .jsonpath import PathMissing, evaluate

LABEL_SELECTOR_REQUIREMENT = gt.Struct(
    "v1.LabelSelectorRequirement",
    (
        gt.Field("Key", "key", gt.STRING),
        gt.Field("Operator", "operator", gt.Prim("string", "v1.LabelSelectorOperator")),
        gt.Field("Values", "values", gt.Slice(gt.STRING), True),
    ),
)
FIELD_REQUIREMENT = gt.Struct(
    "v1alpha1.FieldSelectorRequirement",
    (
        gt.Field("Key", "key", gt.STRING),
        gt.Field("Operator", "operator", gt.Prim("string", "v1alpha1.FieldSelectorOperator")),
        gt.Field("Values", "values", gt.Slice(gt.STRING), True),
    ),
)


@dataclass
class Requirement:
    key: str
    operator: str
    values: list[str] = field(default_factory=list)


@dataclass
class Selector:
    """A label selector plus Cartographer's field requirements."""

    match_labels: dict[str, str] = field(default_factory=dict)
    match_expressions: list[Requirement] = field(default_factory=list)
    match_fields: list[Requirement] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.match_labels) + len(self.match_expressions) + len(self.match_fields)

    def describe(self) -> str:
        parts = [f"{k}={v}" for k, v in self.match_labels.items()]
        parts += [
            f"{r.key} {r.operator} {r.values}" if r.values else f"{r.key} {r.operator}" for r in self.match_expressions
        ]
        parts += [
            f"field {r.key} {r.operator} {r.values}" if r.values else f"field {r.key} {r.operator}"
            for r in self.match_fields
        ]
        return ", ".join(parts) or "(empty)"


def requirements(raw: Any, go_type: gt.Struct) -> list[Requirement]:
    return [Requirement(r.get("Key"), r.get("Operator"), list(r.get("Values") or [])) for r in (raw or [])]


def _check_key(key: str) -> None:
    name = key
    if "/" in key:
        prefix, _, name = key.partition("/")
        if not prefix or not is_dns1123_subdomain(prefix):
            raise EvalError(f"invalid label key {key!r}: the prefix must be a DNS subdomain")
    if not is_qualified_name_part(name):
        raise EvalError(
            f"invalid label key {key!r}: name part must consist of alphanumeric characters, '-', '_' "
            "or '.', and must start and end with an alphanumeric character"
        )


def _check_value(value: str) -> None:
    if not is_label_value(value):
        raise EvalError(
            f"invalid label value {value!r}: must be 63 characters or less, alphanumeric, '-', '_' or '.', "
            "starting and ending with an alphanumeric character"
        )


def validate_label_selector(selector: Selector) -> None:
    """metav1.LabelSelectorAsSelector's checks."""
    for key, value in selector.match_labels.items():
        _check_key(key)
        _check_value(value)
    for req in selector.match_expressions:
        _check_key(req.key)
        if req.operator in ("In", "NotIn"):
            if not req.values:
                raise EvalError(f"for 'in', 'notin' operators, values set can't be empty (key {req.key!r})")
        elif req.operator in ("Exists", "DoesNotExist"):
            if req.values:
                raise EvalError(f"values set must be empty for exists and does not exist (key {req.key!r})")
        else:
            raise EvalError(f"{req.operator!r} is not a valid label selector operator (key {req.key!r})")
        for value in req.values:
            _check_value(value)


def validate_field_requirements(
    reqs: Sequence[Requirement], valid_paths: frozenset[str], valid_prefixes: tuple[str, ...]
) -> None:
    """The webhook's validateFieldSelectorRequirements."""
    from .jsonpath import parse

    for req in reqs:
        if req.operator in ("Exists", "DoesNotExist"):
            if req.values:
                raise EvalError(f"cannot specify values with operator [{req.operator}]")
        elif req.operator in ("In", "NotIn"):
            if not req.values:
                raise EvalError(f"must specify values with operator [{req.operator}]")
        else:
            raise EvalError(f"operator [{req.operator}] is invalid")
        if req.key not in valid_paths and not any(req.key.startswith(p) for p in valid_prefixes):
            raise EvalError(f"requirement key [{req.key}] is not a valid path")
        try:
            parse(req.key)
        except EvalError as err:
            raise EvalError(f"invalid jsonpath for key [{req.key}]: {err}") from None


def labels_match(selector: Selector, labels: dict[str, str]) -> bool:
    for key, value in selector.match_labels.items():
        if labels.get(key) != value:
            return False
    for req in selector.match_expressions:
        present = req.key in labels
        if req.operator == "In" and not (present and labels[req.key] in req.values):
            return False
        if req.operator == "NotIn" and present and labels[req.key] in req.values:
            return False
        if req.operator == "Exists" and not present:
            return False
        if req.operator == "DoesNotExist" and present:
            return False
    return True


def field_matches(req: Requirement, owner: gt.Boxed) -> bool:
    """Cartographer's selector.Matches for one field requirement (errors other than a missing path raise)."""
    try:
        actual = evaluate(req.key, (owner.value, owner.type))
    except PathMissing:
        return req.operator == "DoesNotExist"
    except EvalError as err:
        raise EvalError(
            f"unable to match field requirement with key [{req.key}] operator [{req.operator}] "
            f"values [{' '.join(req.values)}]: {err}"
        ) from None
    if req.operator == "In":
        return any(isinstance(actual, str) and actual == v for v in req.values)
    if req.operator == "NotIn":
        return not any(isinstance(actual, str) and actual == v for v in req.values)
    if req.operator == "Exists":
        return actual is not None
    if req.operator == "DoesNotExist":
        return actual is None
    raise EvalError(f"invalid operator {req.operator} for field selector")


def best_matches(owner: gt.Boxed, labels: dict[str, str], selectors: Sequence[Selector]) -> list[int]:
    """Indices of the most specific matching selectors (BestSelectorMatchIndices); errors name the index."""
    best: list[int] = []
    high_water = 1
    for index, selector in enumerate(selectors):
        try:
            validate_label_selector(selector)
        except EvalError as err:
            raise SelectorError(index, f"selector labels or matchExpressions are not valid: {err}") from None
        if not labels_match(selector, labels):
            continue
        score = len(selector.match_labels) + len(selector.match_expressions)
        try:
            matched = all(field_matches(req, owner) for req in selector.match_fields)
        except EvalError as err:
            raise SelectorError(index, f"failed to evaluate selector matchFields: {err}") from None
        if not matched:
            continue
        score += len(selector.match_fields)
        if score == high_water:
            best.append(index)
        elif score > high_water:
            high_water = score
            best = [index]
    return best


class SelectorError(EvalError):
    def __init__(self, index: int, message: str) -> None:
        super().__init__(message)
        self.index = index


VALID_WORKLOAD_PATHS = frozenset(
    {
        "spec.source",
        "spec.source.git",
        "spec.source.git.url",
        "spec.source.git.ref",
        "spec.source.git.ref.branch",
        "spec.source.git.ref.tag",
        "spec.source.git.ref.commit",
        "spec.source.image",
        "spec.source.subPath",
        "spec.build",
        "spec.image",
        "spec.serviceAccountName",
    }
)
VALID_WORKLOAD_PREFIXES = (
    "spec.params",
    "spec.build.env",
    "spec.env",
    "spec.resources",
    "spec.serviceClaims",
    "metadata",
)
VALID_DELIVERABLE_PATHS = frozenset(
    {
        "spec.source",
        "spec.source.git",
        "spec.source.git.url",
        "spec.source.git.ref",
        "spec.source.git.ref.branch",
        "spec.source.git.ref.tag",
        "spec.source.git.ref.commit",
        "spec.source.image",
        "spec.source.subPath",
        "spec.serviceAccountName",
    }
)
VALID_DELIVERABLE_PREFIXES = ("spec.params", "metadata")
