"""Can one Workload match two Cartographer selectors? Requirements are compared key by key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .rules import as_dict, as_list


@dataclass(frozen=True)
class Requirement:
    space: str  # "label" or "field"
    key: str
    operator: str  # In, NotIn, Exists, DoesNotExist
    values: frozenset[str]


def requirements(labels: Any, expressions: Any, fields: Any) -> list[Requirement]:
    reqs = [Requirement("label", str(k), "In", frozenset([str(v)])) for k, v in as_dict(labels).items()]
    for space, items in (("label", expressions), ("field", fields)):
        for item in as_list(items):
            item = as_dict(item)
            reqs.append(
                Requirement(
                    space,
                    str(item.get("key")),
                    str(item.get("operator")),
                    frozenset(str(v) for v in as_list(item.get("values"))),
                )
            )
    return reqs


def blueprint_requirements(spec: dict[str, Any]) -> list[Requirement]:
    return requirements(spec.get("selector"), spec.get("selectorMatchExpressions"), spec.get("selectorMatchFields"))


def option_requirements(selector: dict[str, Any]) -> list[Requirement]:
    return requirements(selector.get("matchLabels"), selector.get("matchExpressions"), selector.get("matchFields"))


def _conflict(a: Requirement, b: Requirement) -> bool:
    ops = {a.operator, b.operator}
    if ops == {"Exists", "DoesNotExist"}:
        return True
    if "DoesNotExist" in ops and ops & {"In"}:
        return True
    if a.operator == "In" and b.operator == "In":
        return not (a.values & b.values)
    if {a.operator, b.operator} == {"In", "NotIn"}:
        inn, notin = (a, b) if a.operator == "In" else (b, a)
        return inn.values <= notin.values
    return False


def compatible(a: list[Requirement], b: list[Requirement]) -> bool:
    """True unless some requirement of A contradicts one of B (then no object matches both)."""
    return not any(x.space == y.space and x.key == y.key and _conflict(x, y) for x in a for y in b)


def _implied_by(req: Requirement, given: Requirement) -> bool:
    """Every object meeting GIVEN also meets REQ (same space and key)."""
    if given.space != req.space or given.key != req.key:
        return False
    if req.operator == "Exists":
        return given.operator in ("In", "Exists")
    if req.operator == "DoesNotExist":
        return given.operator == "DoesNotExist"
    if req.operator == "In":
        return given.operator == "In" and given.values <= req.values
    if req.operator == "NotIn":
        return (
            (given.operator == "In" and not (given.values & req.values))
            or given.operator == "DoesNotExist"
            or (given.operator == "NotIn" and req.values <= given.values)
        )
    return False


def implied(reqs: list[Requirement], given: list[Requirement]) -> bool:
    """Every object meeting all of GIVEN also meets all of REQS."""
    return all(any(_implied_by(r, g) for g in given) for r in reqs)
