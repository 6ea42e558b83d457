"""A target whose selector carries none of Flagger's selector labels: Flagger never initialises its Canary (it stays
Initializing), and the owner turns unhealthy with a message saying what to fix, instead of staying Unknown."""

from __future__ import annotations

import copy
import time
from typing import Any

import pytest

from supplychain.testing.harness import APP, NAMESPACE, HelloApp

pytestmark = pytest.mark.e2e

NAME = "unlabelled-app"


def _objects(hello: HelloApp) -> list[dict[str, Any]]:
    template = copy.deepcopy(hello.reader.deployment(NAMESPACE, APP)["spec"]["template"])
    template["metadata"] = {"labels": {"tier": NAME}}
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": NAME, "namespace": NAMESPACE},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"tier": NAME}}, "template": template},
    }
    source = hello.deliverable()
    params = [p for p in source["spec"].get("params") or [] if p["name"] != "canary_revert_on_deletion"]
    # Flagger cannot finalise a Canary it never initialised, so this one is stamped without its finalizer.
    params.append({"name": "canary_revert_on_deletion", "value": "false"})
    labels = {k: v for k, v in source["metadata"]["labels"].items() if not k.startswith("carto.run/")}
    # its Deployment is applied here, not by a PackageInstall: the delivery's deployer only records the release
    labels["supplychain.example.com/deployer"] = "recorded"
    deliverable = {
        "apiVersion": "carto.run/v1alpha1",
        "kind": "Deliverable",
        "metadata": {"name": NAME, "namespace": NAMESPACE, "labels": labels},
        "spec": {"serviceAccountName": source["spec"]["serviceAccountName"], "params": params},
    }
    return [deployment, deliverable]


def test_missing_selector_label_makes_the_owner_unhealthy_with_a_hint(hello: HelloApp) -> None:
    objects = _objects(hello)
    hello.kubectl.apply(objects)
    try:

        def unhealthy() -> bool:
            ready = next(
                (
                    c
                    for c in (hello.deliverable(NAME).get("status") or {}).get("conditions") or []
                    if c["type"] == "Ready"
                ),
                None,
            )
            return ready is not None and ready["status"] == "False" and "selector labels" in ready.get("message", "")

        def initialising() -> bool:
            return (hello.reader.canary(NAMESPACE, NAME).get("status") or {}).get("phase") == "Initializing"

        hello.wait(initialising, 60, f"Flagger to try initialising Canary {NAMESPACE}/{NAME}", "flagger")
        time.sleep(15)  # well past a healthy initialisation: Flagger still cannot initialise it
        hello.wait(
            unhealthy,
            60,
            f"Deliverable {NAMESPACE}/{NAME} to be unhealthy with the selector-label hint",
            "cartographer",
        )
        assert initialising(), "Flagger never initialised the Canary"
        ready = next(c for c in hello.deliverable(NAME)["status"]["conditions"] if c["type"] == "Ready")
        assert f"Deployment {NAME} has none of Flagger's selector labels" in ready["message"], ready
    finally:
        for obj in reversed(objects):
            hello.kubectl.run(
                "delete",
                obj["kind"].lower() + ("" if obj["kind"] == "Deployment" else ".carto.run"),
                NAME,
                "-n",
                NAMESPACE,
                "--ignore-not-found",
                "--wait=false",
                timeout=60,
            )
