"""What the kind provider installs, checked offline: images named from versions.env, the upstream RBAC
read from the pinned modules, Prometheus discovering pods, the loadtester's namespace restriction, and
our own Package installed by a PackageInstall."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from supplychain import toolchain
from supplychain.cluster import images, manifests, portforward, providers
from supplychain.cluster import kind_manifests as km
from supplychain.cluster.components import flagger_args
from supplychain.cluster.incluster import KIND_COMPONENTS
from supplychain.rendering import render_package

PINS = toolchain.versions()


def _one(docs: list[dict[str, Any]], kind: str, name: str | None = None) -> dict[str, Any]:
    found = [d for d in docs if d["kind"] == kind and (name is None or d["metadata"]["name"] == name)]
    assert len(found) == 1, [(d["kind"], d["metadata"]["name"]) for d in docs]
    return found[0]


def _containers(deployment: dict[str, Any]) -> list[dict[str, Any]]:
    containers: list[dict[str, Any]] = deployment["spec"]["template"]["spec"]["containers"]
    return containers


def test_image_refs_follow_the_pins() -> None:
    refs = {name: image.ref for name, image in images.components().items()}
    assert refs == {
        "prometheus": f"supplychain.local/prometheus:{PINS.get('PROMETHEUS_VERSION') or PINS['DEBIAN_SUITE']}",
        "flagger": f"supplychain.local/flagger:{PINS['FLAGGER_VERSION']}",
        "flagger-loadtester": f"supplychain.local/flagger-loadtester:{PINS['FLAGGER_LOADTESTER_VERSION']}",
        "cartographer": f"supplychain.local/cartographer:{PINS['CARTOGRAPHER_VERSION']}",
        "kapp-controller": f"supplychain.local/kapp-controller:{PINS['KAPP_CONTROLLER_VERSION']}",
        "hello-app": "supplychain.local/hello-app:v1",
    }
    assert images.node().ref == f"supplychain.local/kind-node:{PINS['KUBERNETES_VERSION']}"
    assert images.describe([images.node(), images.components()["flagger"]]) == (
        f"{images.node().ref} (run `bash hack/install-kind.sh`); "
        f"supplychain.local/flagger:{PINS['FLAGGER_VERSION']} (run `bash hack/install-images.sh`)"
    )


def test_every_deployment_runs_a_local_image_that_is_never_pulled() -> None:
    docs = km.prometheus() + km.flagger(["-x"]) + km.loadtester() + km.cartographer() + km.kapp_controller()
    deployments = [d for d in docs if d["kind"] == "Deployment"]
    assert {d["metadata"]["name"] for d in deployments} == {
        "prometheus",
        "flagger",
        "flagger-loadtester",
        "cartographer-controller",
        "kapp-controller",
    }
    for deployment in deployments:
        for container in _containers(deployment):
            assert container["image"].startswith("supplychain.local/"), container["image"]
            assert container["image"] in {i.ref for i in images.components().values()}
            assert container["imagePullPolicy"] == "Never"


def test_prometheus_discovers_annotated_pods_and_labels_them_as_the_metric_templates_expect() -> None:
    docs = km.prometheus()
    config = yaml.safe_load(_one(docs, "ConfigMap")["data"]["prometheus.yml"])
    assert config == km.prometheus_config()
    (job,) = config["scrape_configs"]
    assert job["kubernetes_sd_configs"] == [{"role": "pod"}]
    assert "file_sd_configs" not in job and "static_configs" not in job
    relabel = job["relabel_configs"]
    assert relabel[0] == {
        "source_labels": ["__meta_kubernetes_pod_annotation_prometheus_io_scrape"],
        "action": "keep",
        "regex": "true",
    }
    targets = {r.get("target_label"): r.get("source_labels") for r in relabel}
    assert targets["kubernetes_namespace"] == ["__meta_kubernetes_namespace"]
    assert targets["kubernetes_pod_name"] == ["__meta_kubernetes_pod_name"]
    role = _one(docs, "ClusterRole")
    assert role["rules"] == [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "watch"]}]
    service = _one(docs, "Service")
    assert (service["metadata"]["namespace"], service["metadata"]["name"], service["spec"]["ports"][0]["port"]) == (
        "monitoring",
        "prometheus",
        9090,
    )
    assert km.PROMETHEUS_URL == "http://prometheus.monitoring:9090"


def test_addresses_are_the_templates_defaults() -> None:
    """The in-cluster Prometheus and loadtester sit where the templates point by default."""
    package = next(d for d in render_package() if d["kind"] == "Package")
    defaults = package["spec"]["valuesSchema"]["openAPIv3"]["properties"]["defaults"]["properties"]
    assert defaults["prometheus_address"]["default"] == km.PROMETHEUS_URL
    assert defaults["loadtester_url"]["default"] == km.LOADTESTER_URL


def test_flagger_has_the_rbac_of_its_kustomize_install_and_the_in_cluster_prometheus() -> None:
    args = flagger_args(km.PROMETHEUS_URL, km.FLAGGER_PORT)
    docs = km.flagger(args)
    role = _one(docs, "ClusterRole", "flagger")
    canaries = next(r for r in role["rules"] if "canaries" in r.get("resources", []))
    assert {"get", "update", "patch"} <= set(canaries["verbs"])
    binding = _one(docs, "ClusterRoleBinding", "flagger")
    account = _one(docs, "ServiceAccount")
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": account["metadata"]["name"], "namespace": manifests.FLAGGER_NAMESPACE}
    ]
    deployment = _one(docs, "Deployment")
    assert deployment["spec"]["template"]["spec"]["serviceAccountName"] == account["metadata"]["name"]
    (container,) = _containers(deployment)
    assert "-mesh-provider=kubernetes" in container["args"]
    assert f"-metrics-server={km.PROMETHEUS_URL}" in container["args"]
    assert deployment["spec"]["strategy"] == {"type": "Recreate"}


def test_loadtester_serves_only_the_app_namespaces_and_gets_no_token() -> None:
    docs = km.loadtester()
    deployment = _one(docs, "Deployment")
    (container,) = _containers(deployment)
    assert "-namespace-regexp=^(prod)$" in container["args"]
    assert km.namespace_regexp(("prod", "staging")) == "^(prod|staging)$"
    assert deployment["spec"]["template"]["spec"]["automountServiceAccountToken"] is False
    service = _one(docs, "Service")
    assert (service["metadata"]["namespace"], service["metadata"]["name"], service["spec"]["ports"][0]["port"]) == (
        "test",
        "flagger-loadtester",
        80,
    )


def test_cartographer_runs_without_its_webhook_with_its_release_rbac() -> None:
    docs = km.cartographer()
    role = _one(docs, "ClusterRole", "cartographer-controller-admin")
    written = {res for r in role["rules"] if set(r["verbs"]) - {"get", "list", "watch"} for res in r["resources"]}
    assert "serviceaccounts/token" in written and not any(r == "*" for r in written)
    (container,) = _containers(_one(docs, "Deployment"))
    assert not any(a.startswith("-cert-dir") for a in container["args"])


def test_kapp_controller_serves_the_package_api_through_an_in_cluster_service() -> None:
    docs = km.kapp_controller()
    assert not [d for d in docs if d["kind"] == "CustomResourceDefinition"]
    api = _one(docs, "APIService")
    ref = api["spec"]["service"]
    service = _one(docs, "Service", ref["name"])
    assert service["metadata"]["namespace"] == ref["namespace"] == manifests.KAPP_CONTROLLER_NAMESPACE
    assert service["spec"].get("type", "ClusterIP") == "ClusterIP" and service["spec"]["selector"]
    deployment = _one(docs, "Deployment")
    containers = _containers(deployment)
    assert [c["name"] for c in containers] == ["kapp-controller", "kapp-controller-sidecarexec"]
    assert containers[1]["args"] == ["--sidecarexec"]
    env = {e["name"]: e.get("value") for e in containers[0]["env"]}
    assert env["KAPPCTRL_API_PORT"] == str(km.KAPP_CONTROLLER_API_PORT)
    assert f"-packaging-global-namespace={manifests.PACKAGING_GLOBAL_NAMESPACE}" in containers[0]["args"]
    assert "-enable-api-priority-and-fairness=False" in containers[0]["args"]
    assert containers[0]["readinessProbe"]["tcpSocket"] == {"port": "api"}, "an endpoint only once it serves"


def test_our_package_is_installed_by_a_package_install() -> None:
    docs = km.canary_package()
    package = _one(docs, "Package")
    install = _one(docs, "PackageInstall")
    assert install["spec"]["packageRef"] == {
        "refName": package["spec"]["refName"],
        "versionSelection": {"constraints": package["spec"]["version"]},
    }
    values = yaml.safe_load(_one(docs, "Secret")["stringData"]["values.yml"])
    assert values == {"delivery": "canary-delivery", "overlay_namespace": km.PACKAGE_NAMESPACE}
    binding = _one(docs, "ClusterRoleBinding")
    assert binding["subjects"][0]["name"] == install["spec"]["serviceAccountName"]
    assert {
        d["metadata"].get("namespace") for d in docs if d["kind"] != "Namespace" and d["kind"] != "ClusterRoleBinding"
    } == {km.PACKAGE_NAMESPACE}


def test_kind_components_in_start_order() -> None:
    assert [c.name for c in KIND_COMPONENTS] == [
        "prometheus",
        "flagger",
        "flagger-loadtester",
        "cartographer",
        "kapp-controller",
        "canary-package",
    ]


def test_kind_config_binds_the_api_server_to_loopback() -> None:
    config = providers.KindProvider().config()
    assert config["networking"]["apiServerAddress"] == "127.0.0.1" and config["networking"]["apiServerPort"] == 0
    assert config["nodes"] == [{"role": "control-plane", "image": images.node().ref}]


def test_each_run_directory_has_its_own_kind_cluster(tmp_path: Path) -> None:
    first, second = providers.kind_cluster_name(tmp_path / "a"), providers.kind_cluster_name(tmp_path / "b")
    assert first != second and first.startswith("supplychain-")
    assert first == providers.kind_cluster_name(tmp_path / "a" / ".." / "a")


def test_port_forwards_listen_on_loopback_only() -> None:
    argv = portforward.argv("kubectl", "/k", "monitoring", "deployment/prometheus", 4242, 9090)
    assert argv[argv.index("--address") + 1] == "127.0.0.1"
    assert argv[-1] == "4242:9090"


@pytest.mark.parametrize("args", [[], ["a"], ["1", "2", "3", "4", "5"]])
def test_port_forward_usage(args: list[str]) -> None:
    assert portforward.main(args) == 2
