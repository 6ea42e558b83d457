"""Kubernetes objects the environment creates for the controllers it runs as local processes."""

from __future__ import annotations

from typing import Any

Manifest = dict[str, Any]

CARTOGRAPHER_NAMESPACE = "cartographer-system"
CARTOGRAPHER_SERVICE_ACCOUNT = "cartographer-controller"
KAPP_CONTROLLER_NAMESPACE = "kapp-controller"
KAPP_CONTROLLER_SERVICE_ACCOUNT = "kapp-controller-sa"
PACKAGING_GLOBAL_NAMESPACE = "kapp-controller-packaging-global"
PACKAGING_API_SERVICE = "packaging-api"
PACKAGING_API_GROUP = "data.packaging.carvel.dev"
PACKAGING_API_VERSION = "v1alpha1"
PACKAGING_APISERVICE = f"{PACKAGING_API_VERSION}.{PACKAGING_API_GROUP}"
FLAGGER_NAMESPACE = "flagger-system"


def namespace(name: str) -> Manifest:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}


def service_account(name: str, ns: str) -> Manifest:
    return {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name, "namespace": ns}}


def cluster_role(name: str, rules: list[dict[str, list[str]]]) -> Manifest:
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": {"name": name},
        "rules": rules,
    }


def cluster_role_binding(name: str, role: str, sa: str, ns: str) -> Manifest:
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRoleBinding",
        "metadata": {"name": name},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
        "subjects": [{"kind": "ServiceAccount", "name": sa, "namespace": ns}],
    }


def cartographer_rbac() -> list[Manifest]:
    """Cartographer's own identity, with the rights its release grants the controller.

    It reads everything, writes only the status of its own kinds and events, and
    requests tokens for the service accounts that supply chains stamp with; every
    stamped object is created with the workload's or deliverable's service account.
    """
    role = "supplychain-env-cartographer"
    rules = [
        {"apiGroups": [""], "resources": ["serviceaccounts/token"], "verbs": ["create"]},
        {"apiGroups": [""], "resources": ["events"], "verbs": ["create", "patch"]},
        {
            "apiGroups": ["carto.run"],
            "resources": [
                "workloads/status",
                "deliverables/status",
                "runnables/status",
                "clustersupplychains/status",
                "clusterdeliveries/status",
            ],
            "verbs": ["create", "update", "patch", "delete"],
        },
        {"apiGroups": ["*"], "resources": ["*"], "verbs": ["get", "list", "watch"]},
    ]
    return [
        namespace(CARTOGRAPHER_NAMESPACE),
        service_account(CARTOGRAPHER_SERVICE_ACCOUNT, CARTOGRAPHER_NAMESPACE),
        cluster_role(role, rules),
        cluster_role_binding(role, role, CARTOGRAPHER_SERVICE_ACCOUNT, CARTOGRAPHER_NAMESPACE),
    ]


def kapp_controller_rbac() -> list[Manifest]:
    """kapp-controller's identity: it manages packaging kinds cluster-wide, serves the
    aggregated Package API (delegated authentication and authorization) and mints
    tokens for PackageInstall service accounts, so it is bound to cluster-admin."""
    name = "supplychain-env-kapp-controller"
    return [
        namespace(KAPP_CONTROLLER_NAMESPACE),
        namespace(PACKAGING_GLOBAL_NAMESPACE),
        service_account(KAPP_CONTROLLER_SERVICE_ACCOUNT, KAPP_CONTROLLER_NAMESPACE),
        cluster_role_binding(name, "cluster-admin", KAPP_CONTROLLER_SERVICE_ACCOUNT, KAPP_CONTROLLER_NAMESPACE),
    ]


def packaging_api(port: int) -> list[Manifest]:
    """The Package API registration: an APIService backed by an ExternalName Service
    that resolves to 127.0.0.1, where kapp-controller serves it on PORT.

    The aggregator dials ExternalName:port directly, so no Endpoints (which cannot
    point at loopback) are needed. kapp-controller fills in caBundle at start.
    """
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": PACKAGING_API_SERVICE, "namespace": KAPP_CONTROLLER_NAMESPACE},
        "spec": {
            "type": "ExternalName",
            "externalName": "127.0.0.1",
            "ports": [{"name": "https", "port": port, "protocol": "TCP"}],
        },
    }
    api_service = {
        "apiVersion": "apiregistration.k8s.io/v1",
        "kind": "APIService",
        "metadata": {"name": PACKAGING_APISERVICE},
        "spec": {
            "group": PACKAGING_API_GROUP,
            "version": PACKAGING_API_VERSION,
            "groupPriorityMinimum": 100,
            "versionPriority": 100,
            "service": {"name": PACKAGING_API_SERVICE, "namespace": KAPP_CONTROLLER_NAMESPACE, "port": port},
        },
    }
    return [service, api_service]
