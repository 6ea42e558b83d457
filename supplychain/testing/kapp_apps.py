"""A kapp-controller App's deploys, as the end-to-end tests read them: when the last one started, and whether a
deploy that started later has finished with the App reconciled at its current spec."""

from __future__ import annotations

from typing import Any

from ..appfleet.observe import condition_status


def read_app(custom: Any, namespace: str, name: str) -> dict[str, Any]:
    """The App NAMESPACE/NAME (CUSTOM: a kubernetes CustomObjectsApi)."""
    app: dict[str, Any] = custom.get_namespaced_custom_object(
        "kappctrl.k14s.io", "v1alpha1", namespace, "apps", name, _request_timeout=5
    )
    return app


def deploy_started(app: dict[str, Any]) -> str | None:
    """When the App's last kapp deploy started (its status.deploy.startedAt)."""
    return ((app.get("status") or {}).get("deploy") or {}).get("startedAt")


def deployed_since(app: dict[str, Any], before: str | None) -> bool:
    """Whether a deploy that started after BEFORE (a ``deploy_started`` value) finished, and the App reports
    ReconcileSucceeded for its current spec (observedGeneration)."""
    status = app.get("status") or {}
    deploy = status.get("deploy") or {}
    return (
        condition_status(app, "ReconcileSucceeded") == "True"
        and status.get("observedGeneration") == app["metadata"]["generation"]
        and bool(deploy.get("finished"))
        and deploy_started(app) != before
    )
