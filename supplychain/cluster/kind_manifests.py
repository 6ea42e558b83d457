"""The objects the kind provider installs: each component as a Deployment from a locally built image, with
the RBAC of its upstream install (read from the pinned Go modules), plus our own Carvel Package installed
through a PackageInstall. Pure functions of the pins: nothing here talks to a cluster."""

from __future__ import annotations

import copy
from typing import Any

import yaml

from ..rendering import render_package
from . import images, manifests, upstream
from .manifests import Manifest, cluster_role, cluster_role_binding, namespace, service_account

MONITORING_NAMESPACE = "monitoring"
PROMETHEUS = "prometheus"
PROMETHEUS_PORT = 9090
PROMETHEUS_URL = f"http://{PROMETHEUS}.{MONITORING_NAMESPACE}:{PROMETHEUS_PORT}"
"""In-cluster address of Prometheus: the templates' default `canary_prometheus_address`."""
FLAGGER = "flagger"
FLAGGER_PORT = 8080
LOADTESTER_NAMESPACE = "test"
LOADTESTER = "flagger-loadtester"
LOADTESTER_URL = f"http://{LOADTESTER}.{LOADTESTER_NAMESPACE}/"
"""In-cluster address of the loadtester: the templates' default `canary_loadtester_url`."""
APP_NAMESPACES = ("prod",)
"""Namespaces whose canaries the loadtester runs commands for (its -namespace-regexp)."""
CARTOGRAPHER = "cartographer-controller"
KAPP_CONTROLLER = "kapp-controller"
KAPP_CONTROLLER_API_PORT = 8443
PACKAGE_NAMESPACE = "supplychain-system"
PACKAGE_INSTALL = "supplychain-canary"
PACKAGE_SERVICE_ACCOUNT = "supplychain-canary-install"
PACKAGE_DELIVERY = "canary-delivery"
"""The ClusterDelivery our overlay patches in the e2e environment (the hello-app example's)."""

SMALL = {"requests": {"cpu": "10m", "memory": "32Mi"}, "limits": {"memory": "512Mi"}}


def _restricted(run_as_user: int | None = None) -> dict[str, Any]:
    context: dict[str, Any] = {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    if run_as_user is not None:
        context["runAsUser"] = run_as_user
    return context


def _http_probe(path: str, port: int, period: int = 2) -> dict[str, Any]:
    return {
        "httpGet": {"path": path, "port": port},
        "periodSeconds": period,
        "timeoutSeconds": 2,
        "failureThreshold": 3,
    }


def deployment(
    name: str,
    ns: str,
    container: dict[str, Any],
    *,
    service_account_name: str | None = None,
    volumes: list[dict[str, Any]] | None = None,
    annotations: dict[str, str] | None = None,
) -> Manifest:
    """A one-replica Deployment (Recreate: a restart never runs two controllers at once)."""
    pod_spec: dict[str, Any] = {"containers": [container], "terminationGracePeriodSeconds": 5}
    if service_account_name:
        pod_spec["serviceAccountName"] = service_account_name
    else:
        pod_spec["automountServiceAccountToken"] = False
    if volumes:
        pod_spec["volumes"] = volumes
    template_meta: dict[str, Any] = {"labels": {"app": name}}
    if annotations:
        template_meta["annotations"] = annotations
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": ns, "labels": {"app": name}},
        "spec": {
            "replicas": 1,
            "strategy": {"type": "Recreate"},
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": template_meta, "spec": pod_spec},
        },
    }


def service(name: str, ns: str, port: int, target_port: int | str) -> Manifest:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": ns, "labels": {"app": name}},
        "spec": {
            "type": "ClusterIP",
            "selector": {"app": name},
            "ports": [{"name": "http", "port": port, "targetPort": target_port, "protocol": "TCP"}],
        },
    }


def _in_namespace(docs: list[Manifest], ns: str) -> list[Manifest]:
    """DOCS with namespaced objects lacking a namespace put into NS (as kustomize's `namespace:` does)."""
    result = []
    for doc in docs:
        doc = copy.deepcopy(doc)
        if doc["kind"] in ("ServiceAccount", "Deployment", "Service", "Role", "RoleBinding", "ConfigMap", "Secret"):
            doc["metadata"].setdefault("namespace", ns)
        result.append(doc)
    return result


# -- Prometheus ------------------------------------------------------------------------------------


def prometheus_config() -> dict[str, Any]:
    """Pods found through the Kubernetes API, scraped when annotated `prometheus.io/scrape: "true"`
    (port from `prometheus.io/port`), labelled with their namespace and pod name as the MetricTemplates
    expect (kubernetes_namespace, kubernetes_pod_name)."""
    return {
        "global": {"scrape_interval": "5s", "scrape_timeout": "4s", "evaluation_interval": "5s"},
        "scrape_configs": [
            {
                "job_name": "kubernetes-pods",
                "kubernetes_sd_configs": [{"role": "pod"}],
                "relabel_configs": [
                    {
                        "source_labels": ["__meta_kubernetes_pod_annotation_prometheus_io_scrape"],
                        "action": "keep",
                        "regex": "true",
                    },
                    {"source_labels": ["__meta_kubernetes_pod_phase"], "action": "keep", "regex": "Running"},
                    {
                        "source_labels": ["__address__", "__meta_kubernetes_pod_annotation_prometheus_io_port"],
                        "action": "replace",
                        "regex": r"([^:]+)(?::\d+)?;(\d+)",
                        "replacement": "$1:$2",
                        "target_label": "__address__",
                    },
                    {
                        "source_labels": ["__meta_kubernetes_pod_annotation_prometheus_io_path"],
                        "action": "replace",
                        "regex": "(.+)",
                        "target_label": "__metrics_path__",
                    },
                    {"action": "labelmap", "regex": "__meta_kubernetes_pod_label_(.+)"},
                    {"source_labels": ["__meta_kubernetes_namespace"], "target_label": "kubernetes_namespace"},
                    {"source_labels": ["__meta_kubernetes_pod_name"], "target_label": "kubernetes_pod_name"},
                ],
            }
        ],
    }


def prometheus() -> list[Manifest]:
    """Prometheus (Debian's package in a local image) with read access to pods, and its Service."""
    role = "supplychain-env-prometheus"
    config_map = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "prometheus-config", "namespace": MONITORING_NAMESPACE},
        "data": {"prometheus.yml": yaml.safe_dump(prometheus_config(), sort_keys=False)},
    }
    container = {
        "name": PROMETHEUS,
        "image": images.ref("prometheus"),
        "imagePullPolicy": "Never",
        "args": [
            "--config.file=/etc/prometheus/prometheus.yml",
            "--storage.tsdb.path=/prometheus",
            "--storage.tsdb.retention.time=1d",
            f"--web.listen-address=:{PROMETHEUS_PORT}",
            "--log.level=info",
        ],
        "ports": [{"name": "http", "containerPort": PROMETHEUS_PORT}],
        "readinessProbe": _http_probe("/-/ready", PROMETHEUS_PORT),
        "resources": SMALL,
        "securityContext": _restricted(65534),
        "volumeMounts": [
            {"name": "config", "mountPath": "/etc/prometheus"},
            {"name": "data", "mountPath": "/prometheus"},
        ],
    }
    return [
        namespace(MONITORING_NAMESPACE),
        service_account(PROMETHEUS, MONITORING_NAMESPACE),
        cluster_role(role, [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "watch"]}]),
        cluster_role_binding(role, role, PROMETHEUS, MONITORING_NAMESPACE),
        config_map,
        deployment(
            PROMETHEUS,
            MONITORING_NAMESPACE,
            container,
            service_account_name=PROMETHEUS,
            volumes=[{"name": "config", "configMap": {"name": "prometheus-config"}}, {"name": "data", "emptyDir": {}}],
        ),
        service(PROMETHEUS, MONITORING_NAMESPACE, PROMETHEUS_PORT, PROMETHEUS_PORT),
    ]


# -- Flagger and its loadtester --------------------------------------------------------------------


def flagger(args: list[str]) -> list[Manifest]:
    """Flagger with the RBAC of its kustomize install (account.yaml, rbac.yaml) and ARGS."""
    container = {
        "name": FLAGGER,
        "image": images.ref("flagger"),
        "imagePullPolicy": "Never",
        "args": args,
        "ports": [{"name": "http", "containerPort": FLAGGER_PORT}],
        "readinessProbe": _http_probe("/healthz", FLAGGER_PORT),
        "livenessProbe": {**_http_probe("/healthz", FLAGGER_PORT, period=10), "failureThreshold": 6},
        "resources": SMALL,
        "securityContext": _restricted(10001),
    }
    rbac = _in_namespace(upstream.flagger_rbac(), manifests.FLAGGER_NAMESPACE)
    account = next(d for d in rbac if d["kind"] == "ServiceAccount")["metadata"]["name"]
    return [
        namespace(manifests.FLAGGER_NAMESPACE),
        *rbac,
        deployment(FLAGGER, manifests.FLAGGER_NAMESPACE, container, service_account_name=account),
    ]


def namespace_regexp(namespaces: tuple[str, ...] = APP_NAMESPACES) -> str:
    """The loadtester's -namespace-regexp: exactly NAMESPACES."""
    return "^(" + "|".join(namespaces) + ")$"


def loadtester(namespaces: tuple[str, ...] = APP_NAMESPACES) -> list[Manifest]:
    """The real flagger-loadtester (bash, curl, hey), running commands only for canaries in NAMESPACES;
    it needs no API access, so it gets no service account token."""
    container = {
        "name": "loadtester",
        "image": images.ref("flagger-loadtester"),
        "imagePullPolicy": "Never",
        "args": ["-port=8080", "-log-level=info", "-timeout=1h", f"-namespace-regexp={namespace_regexp(namespaces)}"],
        "ports": [{"name": "http", "containerPort": 8080}],
        "readinessProbe": _http_probe("/healthz", 8080),
        "resources": SMALL,
        "securityContext": {**_restricted(1000), "readOnlyRootFilesystem": False},
    }
    return [
        namespace(LOADTESTER_NAMESPACE),
        deployment(LOADTESTER, LOADTESTER_NAMESPACE, container),
        service(LOADTESTER, LOADTESTER_NAMESPACE, 80, "http"),
    ]


# -- Cartographer and kapp-controller ----------------------------------------------------------------


def cartographer() -> list[Manifest]:
    """Cartographer with the RBAC of its release (config/rbac), its webhook off (no -cert-dir), as on kwok."""
    rbac = upstream.cartographer_rbac()
    account = next(d for d in rbac if d["kind"] == "ServiceAccount")
    container = {
        "name": "cartographer",
        "image": images.ref("cartographer"),
        "imagePullPolicy": "Never",
        "args": ["-log-level=info"],
        "resources": SMALL,
        "securityContext": _restricted(65532),
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
    }
    return [
        namespace(account["metadata"]["namespace"]),
        *rbac,
        deployment(
            CARTOGRAPHER,
            account["metadata"]["namespace"],
            container,
            service_account_name=account["metadata"]["name"],
            volumes=[{"name": "tmp", "emptyDir": {}}],
        ),
    ]


def kapp_controller() -> list[Manifest]:
    """kapp-controller's release configuration (namespaces, RBAC, Deployment with its sidecar, the Package
    API's Service and APIService) with the local image; its CRDs are installed with the others."""
    # API Priority and Fairness off, as on kwok: kapp-controller v0.53.1 watches flowcontrol v1beta3, which
    # Kubernetes v1.32 removed, and its Package API would never become ready.
    values = {
        "apiPort": KAPP_CONTROLLER_API_PORT,
        "namespace": manifests.KAPP_CONTROLLER_NAMESPACE,
        "packagingGlobalNamespace": manifests.PACKAGING_GLOBAL_NAMESPACE,
        "enableApiPriorityAndFairness": False,
    }
    docs = [d for d in upstream.kapp_controller_release(values) if d["kind"] != "CustomResourceDefinition"]
    for doc in docs:
        if doc["kind"] == "Deployment":
            pod = doc["spec"]["template"]["spec"]
            for container in pod["containers"]:
                container["image"] = images.ref("kapp-controller")
                container["imagePullPolicy"] = "Never"
                container["resources"] = {"requests": {"cpu": "10m", "memory": "64Mi"}}
            # Ready (an endpoint of the Package API's Service) only once it serves: before that it writes its
            # CA into the APIService, which the aggregator updates too as soon as an endpoint appears; the
            # release has no probe, and losing that race makes kapp-controller exit at start.
            pod["containers"][0]["readinessProbe"] = {"tcpSocket": {"port": "api"}, "periodSeconds": 2}
            pod["terminationGracePeriodSeconds"] = 5
    return docs


# -- our own package -----------------------------------------------------------------------------------


def canary_package(values: dict[str, Any] | None = None) -> list[Manifest]:
    """Our templates, RBAC and overlay as the Carvel Package of `supplychain render --package`, and a
    PackageInstall of it (values: the delivery to patch, the overlay Secret's namespace) whose service
    account may install cluster-scoped templates and roles, as TAP's installer account may."""
    docs = render_package()
    for doc in docs:
        doc["metadata"]["namespace"] = PACKAGE_NAMESPACE
    package = next(d for d in docs if d["kind"] == "Package")
    chosen = {"delivery": PACKAGE_DELIVERY, "overlay_namespace": PACKAGE_NAMESPACE, **(values or {})}
    return [
        namespace(PACKAGE_NAMESPACE),
        service_account(PACKAGE_SERVICE_ACCOUNT, PACKAGE_NAMESPACE),
        cluster_role_binding(PACKAGE_SERVICE_ACCOUNT, "cluster-admin", PACKAGE_SERVICE_ACCOUNT, PACKAGE_NAMESPACE),
        *docs,
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": f"{PACKAGE_INSTALL}-values", "namespace": PACKAGE_NAMESPACE},
            "stringData": {"values.yml": yaml.safe_dump(chosen, sort_keys=True)},
        },
        {
            "apiVersion": "packaging.carvel.dev/v1alpha1",
            "kind": "PackageInstall",
            "metadata": {"name": PACKAGE_INSTALL, "namespace": PACKAGE_NAMESPACE},
            "spec": {
                "serviceAccountName": PACKAGE_SERVICE_ACCOUNT,
                "packageRef": {
                    "refName": package["spec"]["refName"],
                    "versionSelection": {"constraints": package["spec"]["version"]},
                },
                "values": [{"secretRef": {"name": f"{PACKAGE_INSTALL}-values"}}],
                "syncPeriod": "10m",
            },
        },
    ]
