"""The integration environment against a real control plane (pytest -m e2e)."""

from __future__ import annotations

import json
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from supplychain.cluster import Environment
from supplychain.cluster.kubectl import Kubectl

from .conftest import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.provider("kwok")]

CONTROL_PLANE = {"etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok-controller"}


def apply(kubectl: Kubectl, text: str) -> None:
    kubectl.run("apply", "-f", "-", stdin=text)


@pytest.fixture
def namespace(integration_env: Environment, request: pytest.FixtureRequest) -> Iterator[str]:
    name = "harness-" + request.node.name.replace("_", "-")[:40].rstrip("-").lower()
    kubectl = integration_env.kubectl()
    kubectl.run("create", "namespace", name)
    yield name
    kubectl.run("delete", "namespace", name, "--wait=false")


def test_status_shows_every_component_ready(integration_env: Environment) -> None:
    rows = {row.name: row for row in integration_env.status()}
    assert CONTROL_PLANE | {"cluster", "prometheus", "flagger", "cartographer", "kapp-controller"} <= set(rows)
    not_ready = {name: row.detail for name, row in rows.items() if not row.ready}
    assert not_ready == {}


def test_api_server_listens_on_loopback_with_rbac(integration_env: Environment, namespace: str) -> None:
    kubectl = integration_env.kubectl()
    server = kubectl.run("config", "view", "--minify", "-o", "jsonpath={.clusters[0].cluster.server}")
    assert server.startswith("https://127.0.0.1:")
    kubectl.run("create", "serviceaccount", "nobody", "-n", namespace)
    who = f"system:serviceaccount:{namespace}:nobody"
    # AlwaysAllow would answer "yes" here.
    assert (
        kubectl.run("auth", "can-i", "create", "configmaps", "-n", namespace, "--as", who, check=False).strip() == "no"
    )
    kubectl.run(
        "create", "rolebinding", "edit", "--clusterrole=edit", f"--serviceaccount={namespace}:nobody", "-n", namespace
    )
    assert eventually(
        lambda: (
            kubectl.run("auth", "can-i", "create", "configmaps", "-n", namespace, "--as", who, check=False).strip()
            == "yes"
        ),
        10,
        "the RoleBinding to take effect",
    )


def test_deployment_on_a_kwok_node_becomes_available(integration_env: Environment, namespace: str) -> None:
    kubectl = integration_env.kubectl()
    apply(
        kubectl,
        f"""
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web, namespace: {namespace}}}
spec:
  replicas: 2
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      containers: [{{name: web, image: example.invalid/web:1}}]
""",
    )
    kubectl.run("wait", "deployment/web", "-n", namespace, "--for=condition=Available", "--timeout=60s", timeout=90)
    pods = kubectl.get("pods", "-n", namespace, "-l", "app=web")["items"]
    nodes = {n["metadata"]["name"]: n for n in kubectl.get("nodes")["items"]}
    assert len(pods) == 2
    for pod in pods:
        assert pod["status"]["phase"] == "Running"
        node = nodes[pod["spec"]["nodeName"]]
        assert node["metadata"]["annotations"].get("kwok.x-k8s.io/node") == "fake"


def test_package_api_answers_and_installs_an_inline_package(integration_env: Environment, namespace: str) -> None:
    kubectl = integration_env.kubectl()
    kubectl.run("get", "packages", "-A")
    apply(
        kubectl,
        f"""
apiVersion: data.packaging.carvel.dev/v1alpha1
kind: Package
metadata: {{name: probe.example.com.1.0.0, namespace: {namespace}}}
spec:
  refName: probe.example.com
  version: 1.0.0
  template:
    spec:
      fetch: [{{inline: {{paths: {{config.yml: "#@ load(\\"@ytt:data\\", \\"data\\")\\n---\\napiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: probe\\ndata:\\n  greeting: #@ data.values.greeting\\n", values.yml: "#@data/values\\n---\\ngreeting: hello\\n"}}}}}}]
      template: [{{ytt: {{paths: [config.yml, values.yml]}}}}]
      deploy: [{{kapp: {{}}}}]
---
apiVersion: v1
kind: ServiceAccount
metadata: {{name: installer, namespace: {namespace}}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: installer, namespace: {namespace}}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: admin}}
subjects: [{{kind: ServiceAccount, name: installer, namespace: {namespace}}}]
---
apiVersion: packaging.carvel.dev/v1alpha1
kind: PackageInstall
metadata: {{name: probe, namespace: {namespace}}}
spec:
  serviceAccountName: installer
  packageRef: {{refName: probe.example.com, versionSelection: {{constraints: 1.0.0}}}}
  values: [{{secretRef: {{name: probe-values}}}}]
---
apiVersion: v1
kind: Secret
metadata: {{name: probe-values, namespace: {namespace}}}
stringData: {{values.yml: "greeting: hi from values"}}
""",
    )
    listed = kubectl.get("packages", "-n", namespace)["items"]
    assert [p["metadata"]["name"] for p in listed] == ["probe.example.com.1.0.0"]

    def reconciled() -> str | None:
        status = kubectl.get("packageinstall", "probe", "-n", namespace).get("status", {})
        conditions = {c["type"]: c for c in status.get("conditions", [])}
        if "ReconcileFailed" in conditions:
            raise AssertionError(status.get("usefulErrorMessage") or conditions["ReconcileFailed"])
        return "ok" if conditions.get("ReconcileSucceeded", {}).get("status") == "True" else None

    eventually(reconciled, 120, "the PackageInstall to reconcile", interval=2)
    config_map = kubectl.get("configmap", "probe", "-n", namespace)
    assert config_map["data"] == {"greeting": "hi from values"}


def test_cartographer_stamps_with_the_workload_service_account(integration_env: Environment, namespace: str) -> None:
    kubectl = integration_env.kubectl()
    chain = f"harness-{namespace}"
    apply(
        kubectl,
        f"""
apiVersion: carto.run/v1alpha1
kind: ClusterTemplate
metadata: {{name: {chain}}}
spec:
  template:
    apiVersion: v1
    kind: ConfigMap
    metadata: {{name: $(workload.metadata.name)$-stamped}}
    data: {{owner: $(workload.metadata.name)$}}
---
apiVersion: carto.run/v1alpha1
kind: ClusterSupplyChain
metadata: {{name: {chain}}}
spec:
  selector: {{harness.example.com/chain: {chain}}}
  resources:
  - name: config
    templateRef: {{kind: ClusterTemplate, name: {chain}}}
---
apiVersion: v1
kind: ServiceAccount
metadata: {{name: stamper, namespace: {namespace}}}
---
apiVersion: carto.run/v1alpha1
kind: Workload
metadata:
  name: app
  namespace: {namespace}
  labels: {{harness.example.com/chain: {chain}}}
spec:
  serviceAccountName: stamper
""",
    )
    try:

        def refused() -> str | None:
            status = kubectl.get("workload", "app", "-n", namespace).get("status", {})
            for condition in status.get("conditions", []):
                if condition["type"] == "ResourcesSubmitted" and "forbidden" in condition.get("message", ""):
                    return str(condition["message"])
            return None

        message = eventually(refused, 60, "Cartographer to be refused with the workload's service account", interval=1)
        assert f"system:serviceaccount:{namespace}:stamper" in message
        assert not kubectl.ok("get", "configmap", "app-stamped", "-n", namespace)

        kubectl.run(
            "create",
            "role",
            "stamp-configmaps",
            "--verb=get,list,watch,create,update,patch,delete",
            "--resource=configmaps",
            "-n",
            namespace,
        )
        kubectl.run(
            "create",
            "rolebinding",
            "stamper",
            "--role=stamp-configmaps",
            f"--serviceaccount={namespace}:stamper",
            "-n",
            namespace,
        )
        eventually(
            lambda: kubectl.ok("get", "configmap", "app-stamped", "-n", namespace),
            90,
            "the stamped ConfigMap once the service account may create it",
            interval=1,
        )
    finally:
        kubectl.run("delete", "clustersupplychain,clustertemplate", chain, "--ignore-not-found")


class _Metrics(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"harness_probe_value 42\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def _query(env: Environment, promql: str) -> list[dict[str, Any]]:
    url = f"{env.prometheus_url}/api/v1/query?query={urllib.parse.quote(promql)}"
    with urllib.request.urlopen(url, timeout=5) as response:
        result: list[dict[str, Any]] = json.load(response)["data"]["result"]
        return result


def test_prometheus_scrapes_a_dropped_in_loopback_target(integration_env: Environment) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Metrics)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    target = integration_env.prometheus_targets_dir / "harness-probe.json"
    try:
        target.write_text(
            json.dumps(
                [
                    {
                        "targets": [f"127.0.0.1:{server.server_port}"],
                        "labels": {"job": "harness-probe", "instance": "probe"},
                    }
                ]
            )
        )
        result = eventually(
            lambda: _query(integration_env, 'harness_probe_value{job="harness-probe"}'),
            40,
            "Prometheus to scrape the dropped-in target",
            interval=1,
        )
        assert result[0]["value"][1] == "42"
        assert result[0]["metric"]["instance"] == "probe"  # honor_labels keeps the target's labels
        with urllib.request.urlopen(f"{integration_env.prometheus_url}/api/v1/targets", timeout=5) as response:
            active = json.load(response)["data"]["activeTargets"]
        assert active and all(urllib.parse.urlsplit(t["scrapeUrl"]).hostname == "127.0.0.1" for t in active)
    finally:
        target.unlink(missing_ok=True)
        server.shutdown()


def test_flagger_initializes_a_blue_green_canary(integration_env: Environment, namespace: str) -> None:
    kubectl = integration_env.kubectl()
    apply(
        kubectl,
        f"""
apiVersion: apps/v1
kind: Deployment
metadata: {{name: podinfo, namespace: {namespace}}}
spec:
  replicas: 1
  selector: {{matchLabels: {{app: podinfo}}}}
  template:
    metadata: {{labels: {{app: podinfo}}}}
    spec:
      containers: [{{name: podinfo, image: example.invalid/podinfo:1, ports: [{{containerPort: 9898}}]}}]
---
apiVersion: flagger.app/v1beta1
kind: Canary
metadata: {{name: podinfo, namespace: {namespace}}}
spec:
  provider: kubernetes
  targetRef: {{apiVersion: apps/v1, kind: Deployment, name: podinfo}}
  progressDeadlineSeconds: 60
  service: {{port: 9898}}
  analysis: {{interval: 10s, threshold: 2, iterations: 2}}
""",
    )

    def phase() -> str | None:
        value = kubectl.get("canary", "podinfo", "-n", namespace).get("status", {}).get("phase")
        return value if value in ("Initialized", "Failed") else None

    assert eventually(phase, 120, "Flagger to initialize the canary", interval=2) == "Initialized"
    primary = kubectl.get("deployment", "podinfo-primary", "-n", namespace)
    assert primary["status"].get("availableReplicas") == 1
    services = {s["metadata"]["name"] for s in kubectl.get("services", "-n", namespace)["items"]}
    assert {"podinfo", "podinfo-primary", "podinfo-canary"} <= services
    assert "Connected to metrics server" in integration_env.log_path("flagger").read_text()


@pytest.mark.parametrize("component", ["flagger", "cartographer", "prometheus", "kapp-controller"])
def test_restart_replaces_the_processes_and_is_ready_again(integration_env: Environment, component: str) -> None:
    before = integration_env.pids(component)
    integration_env.restart(component)
    after = integration_env.pids(component)
    assert after and not set(after) & set(before)
    row = next(r for r in integration_env.status() if r.name == component)
    assert row.ready, row.detail


def test_stop_then_start(integration_env: Environment) -> None:
    integration_env.stop("prometheus")
    row = next(r for r in integration_env.status() if r.name == "prometheus")
    assert not row.running and not row.ready
    integration_env.start("prometheus")
    row = next(r for r in integration_env.status() if r.name == "prometheus")
    assert row.ready, row.detail
