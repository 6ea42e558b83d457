"""Flagger's selector labels, in one place: what Flagger looks for in the target Deployment's
`spec.selector.matchLabels` (the first one present names the pods), and the list the product runs Flagger with.

Flagger v1.44.0 (`cmd/flagger/main.go`, `-selector-labels`) defaults to `app,name,app.kubernetes.io/name`; a
Deployment whose matchLabels carry none of them is refused (`spec.selector.matchLabels must contain one of ...`)
and its Canary never initialises. TAP's generated Deployments select on `carto.run/workload-name` (and the other
labels of the workload's pod template), so the product adds that label.
"""

from __future__ import annotations

FLAGGER_DEFAULT_SELECTOR_LABELS: tuple[str, ...] = ("app", "name", "app.kubernetes.io/name")
PRODUCT_SELECTOR_LABELS: tuple[str, ...] = ("carto.run/workload-name",)
SELECTOR_LABELS: tuple[str, ...] = (*FLAGGER_DEFAULT_SELECTOR_LABELS, *PRODUCT_SELECTOR_LABELS)


def selector_labels_flag(labels: tuple[str, ...] = SELECTOR_LABELS) -> str:
    """Flagger's command-line flag for LABELS."""
    return "-selector-labels=" + ",".join(labels)


def selector_label(match_labels: object, labels: tuple[str, ...] = SELECTOR_LABELS) -> str | None:
    """The selector label Flagger would use for a Deployment with MATCH_LABELS, or None (Flagger refuses it)."""
    if not isinstance(match_labels, dict):
        return None
    return next((label for label in labels if label in match_labels), None)
