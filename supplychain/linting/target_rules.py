"""Rules on what a Canary targets, looked up in the input when the target is there.

- A Knative Revision's Deployment (`<service>-00001-deployment`, owned by a `serving.knative.dev` Revision) is
  replaced by the next revision's Deployment, so a Canary on it never sees the next version: web workloads take
  provider knative on the Knative Service.
- Flagger v1.44.0 names the target's pods by the first of its selector labels present in the Deployment's
  `spec.selector.matchLabels` and refuses a Deployment without any (the Canary never initialises). The labels are
  Flagger's defaults plus what the product runs Flagger with (`supplychain.flagger_labels`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from ..checking.findings import Severity
from ..flagger_labels import SELECTOR_LABELS
from ..validation import INPUT_GROUP, Subject
from .context import LintContext
from .rules import Check, Hit, Rule, as_dict, as_list, rule

# Knative Serving names a Revision `<configuration>-<5-digit generation>` and its Deployment `<revision>-deployment`.
REVISION_DEPLOYMENT = re.compile(r"^(?P<revision>.+-\d{5})-deployment$")
KNATIVE_SERVING_GROUP = "serving.knative.dev"


def _canary(rule_id: str, severity: Severity, summary: str) -> Callable[[Check], Rule]:
    return rule(rule_id, severity, "flagger.app", ["Canary"], summary)


def _deployment_target(canary: Subject) -> str | None:
    """The name of the Deployment a non-knative Canary targets, else None."""
    spec = as_dict(canary.body.get("spec"))
    target = as_dict(spec.get("targetRef"))
    if spec.get("provider") == "knative" or target.get("kind") != "Deployment":
        return None
    if str(target.get("apiVersion", "apps/v1")).split("/")[0] != "apps":
        return None
    name = target.get("name")
    return name if isinstance(name, str) and name else None


def find_target(canary: Subject, ctx: LintContext, name: str) -> Subject | None:
    """The target Deployment: in the input (same namespace when both say one), or stamped with the Canary."""
    groups = {INPUT_GROUP, canary.group}
    for s in ctx.subjects:
        if s.kind != "Deployment" or str(s.api_version or "").split("/")[0] != "apps" or s.name != name:
            continue
        if s.group not in groups:
            continue
        if canary.namespace and s.namespace and canary.namespace != s.namespace:
            continue
        return s
    return None


def _revision_owner(deployment: Subject) -> str | None:
    for ref in as_list(as_dict(deployment.body.get("metadata")).get("ownerReferences")):
        ref = as_dict(ref)
        if str(ref.get("apiVersion", "")).split("/")[0] == KNATIVE_SERVING_GROUP and ref.get("kind") == "Revision":
            return str(ref.get("name", "?"))
    return None


@_canary(
    "canary-target-knative-revision",
    Severity.ERROR,
    "a Deployment-targeting Canary does not target a Knative Revision's Deployment (<name>-00001-deployment)",
)
def knative_revision(s: Subject, ctx: LintContext) -> Iterator[Hit]:
    name = _deployment_target(s)
    if name is None:
        return
    target = find_target(s, ctx, name)
    owner = _revision_owner(target) if target is not None else None
    match = REVISION_DEPLOYMENT.match(name)
    if owner is None and match is None:
        return
    revision = owner or (match.group("revision") if match else "?")
    yield Hit(
        "spec.targetRef.name",
        f"Deployment {name!r} belongs to Knative Revision {revision!r}; the next revision gets a new Deployment, "
        "so this Canary never sees the next version. Target the Knative Service with provider knative instead",
    )


@_canary(
    "canary-target-selector-label",
    Severity.ERROR,
    "the target Deployment (when in the input) selects on one of Flagger's selector labels",
)
def selector_label(s: Subject, ctx: LintContext) -> Iterator[Hit]:
    name = _deployment_target(s)
    target = find_target(s, ctx, name) if name is not None else None
    if target is None:
        return
    match_labels = as_dict(as_dict(as_dict(target.body.get("spec")).get("selector")).get("matchLabels"))
    if any(label in match_labels for label in SELECTOR_LABELS):
        return
    where = f"{target.kind}/{target.name}" + (f" ({' > '.join(target.via)})" if target.via else "")
    yield Hit(
        "spec.targetRef.name",
        f"{where} spec.selector.matchLabels has none of Flagger's selector labels {list(SELECTOR_LABELS)} "
        f"(it selects on {sorted(match_labels) or 'nothing'}); Flagger refuses it and the Canary never "
        "initialises. Add one of them to the Deployment's selector and pod labels, or run Flagger with "
        "-selector-labels naming a label it has",
    )


RULES: list[Rule] = [knative_revision, selector_label]
