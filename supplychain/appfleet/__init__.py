"""A local app fleet for the integration environment (the end-to-end harness that drives it lives in
supplychain.testing.harness).

Pods in a kwok cluster run nothing, so this process stands in for them on 127.0.0.1: it serves Prometheus
metrics for the primary and canary pods of each app (names read from the Kubernetes API) with a success
rate and latency chosen per app version, answers Flagger's conformance and load-test webhooks, and records
every webhook call.
"""

from .behaviour import DEFAULT_BEHAVIOUR, Behaviour, BehaviourTable
from .pods import AppSpec, KubernetesPods, PodInfo, StaticPods
from .server import AppFleet
from .webhooks import WebhookCall

__all__ = [
    "DEFAULT_BEHAVIOUR",
    "AppFleet",
    "AppSpec",
    "Behaviour",
    "BehaviourTable",
    "KubernetesPods",
    "PodInfo",
    "StaticPods",
    "WebhookCall",
]
