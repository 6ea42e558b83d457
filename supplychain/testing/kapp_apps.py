"""A kapp-controller App's deploys (an App as ``KubeReader.app`` reads it), as the end-to-end tests judge them:
when the last one started, and whether a deploy that started later has finished with the App reconciled at its
current spec."""

from __future__ import annotations

from typing import Any

from ..appfleet.observe import condition_status


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
