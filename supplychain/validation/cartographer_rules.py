"""Cartographer rules that only its validating webhooks enforce (pkg/apis/v1alpha1/*_webhook.go).

Template rules come from supplychain.stamping.webhook and blueprint rules from supplychain.stamping.blueprint:
the implementations `stamp` uses, so both commands refuse the same objects with the same messages.

The CRD schemas cannot express them, and Cartographer run without its webhook (as in its own kuttl tests)
accepts objects that break them, so they are checked here from the same rules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from ..stamping import blueprint, templates
from ..stamping.blueprint import BlueprintError, decode_blueprint
from ..stamping.errors import EvalError
from ..stamping.webhook import run_template_problem, template_problem
from .schema_check import Problem

TEMPLATE_KINDS = frozenset(templates.TEMPLATE_KINDS)
BLUEPRINT_KINDS = frozenset(blueprint.BLUEPRINT_KINDS)


def check_template(body: dict[str, Any]) -> Iterator[Problem]:
    """TemplateSpec.validate and the ClusterDeploymentTemplate rule: the one implementation stamping uses."""
    problem = template_problem(body)
    if problem is not None:
        yield Problem(problem.path, problem.message)


def check_run_template(body: dict[str, Any]) -> Iterator[Problem]:
    problem = run_template_problem(body)
    if problem is not None:
        yield Problem(problem.path, problem.message)


def check_blueprint(body: dict[str, Any]) -> Iterator[Problem]:
    """ClusterSupplyChain / ClusterDelivery webhook rules, as `stamp` applies them (stamping.blueprint)."""
    try:
        decode_blueprint(body)
    except BlueprintError as err:
        yield Problem(err.field, str(err))
    except EvalError:
        return  # a shape the schema check reports


CHECKS: dict[str, Callable[[dict[str, Any]], Iterator[Problem]]] = {
    **dict.fromkeys(TEMPLATE_KINDS, check_template),
    "ClusterRunTemplate": check_run_template,
    "ClusterSupplyChain": check_blueprint,
    "ClusterDelivery": check_blueprint,
}


def check(body: dict[str, Any]) -> list[Problem]:
    """Webhook problems of a carto.run object (none for other kinds)."""
    if str(body.get("apiVersion", "")).split("/")[0] != "carto.run":
        return []
    fn = CHECKS.get(str(body.get("kind")))
    return list(fn(body)) if fn else []
