"""The hello-app example, checked offline: the package renders, the delivery stamps a Canary that fits the
package's Deployment and Service, everything validates against the pinned schemas, all endpoints are loopback."""

from __future__ import annotations

import copy
import ipaddress
import tempfile
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from click.testing import CliRunner

from supplychain.cli import cli
from supplychain.project import templates_dir
from supplychain.stamping.chain import realize
from supplychain.testing.example import apply_order, find, inline_files, platform_documents, render_example
from supplychain.toolchain import run_tool
from supplychain.yamlio import Document


@cache
def example() -> list[dict[str, Any]]:
    return render_example({"loadtester_url": "http://127.0.0.1:41234/", "prometheus_address": "http://127.0.0.1:41235"})


def render_package(values: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """Render the Package's inline files with ytt and VALUES, as kapp-controller's ytt step does."""
    files = inline_files(find(example(), "Package", "hello-app.example.com.1.0.0"))
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in files.items():
            (Path(tmp) / name).parent.mkdir(parents=True, exist_ok=True)
            (Path(tmp) / name).write_text(text)
        (Path(tmp) / "values.yml").write_text("#@data/values\n---\n" + yaml.safe_dump(values))
        result = run_tool("ytt", ["-f", f"{tmp}/config", "-f", f"{tmp}/values.yml"])
    assert result.returncode == 0, result.stderr
    return {(d["kind"], (d.get("metadata") or {}).get("name", "")): d for d in yaml.safe_load_all(result.stdout) if d}


def _docs(bodies: list[dict[str, Any]], source: str) -> list[Document]:
    return [Document(source, i, body) for i, body in enumerate(bodies)]


@cache
def stamped() -> dict[str, dict[str, Any]]:
    """The overlay-patched delivery realized offline for the example Deliverable, resource by resource,
    with the release and deployer outputs feeding the canary stage."""
    docs = example()
    templates = [d for d in docs if d["kind"].startswith("Cluster") and d["kind"].endswith("Template")]
    result = realize(
        _docs([find(docs, "ClusterDelivery", "canary-delivery")], "delivery.yaml"),
        _docs(platform_documents() + templates, "templates"),
        Document("deliverable.yaml", 0, find(docs, "Deliverable", "hello-app")),
    )
    return {s.resource.name: s.obj for s in result.stamped if s.obj is not None}


def test_package_renders_the_app_with_the_version_label() -> None:
    objects = render_package({"version": "2.1.0"})
    deployment = objects[("Deployment", "hello-app")]
    template = deployment["spec"]["template"]
    assert template["metadata"]["labels"] == {"app": "hello-app", "version": "2.1.0"}
    container = template["spec"]["containers"][0]
    assert container["image"] == "supplychain.local/hello-app:v1"
    assert {"name": "APP_VERSION", "value": "2.1.0"} in container["env"], "the version picks the app's behaviour"
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert template["metadata"]["annotations"]["prometheus.io/scrape"] == "true"
    assert template["metadata"]["annotations"]["prometheus.io/port"] == "8080"
    assert "replicas" not in deployment["spec"], "Flagger owns the replica count"
    assert "nodeSelector" not in template["spec"]
    assert not any(kind == "Config" for kind, _ in objects), "the kapp Config comes from the product (install.yaml)"


def test_the_packageinstall_gets_the_products_kapp_config() -> None:
    """As the README tells users of hand-made PackageInstalls: a Secret with the product's kapp Config, named in
    the PackageInstall's ytt-paths-from-secret annotation (here the PackageInstall the deployer stamps)."""
    docs = example()
    install = stamped()["deployer"]
    assert install["kind"] == "PackageInstall" and install["metadata"]["name"] == "hello-app"
    assert install["spec"]["values"] == [{"secretRef": {"name": "hello-app-values"}}]
    secret_name = install["metadata"]["annotations"]["ext.packaging.carvel.dev/ytt-paths-from-secret-name.0"]
    secret = find(docs, "Secret", secret_name)
    product = (templates_dir() / "lib" / "kapp-config.yml.data").read_text()
    assert secret["stringData"] == {"kapp-config-canary.yml": product}
    config = yaml.safe_load(product)
    assert config["kind"] == "Config" and config["waitRules"]


def test_unschedulable_pins_pods_to_no_node() -> None:
    template = render_package({"unschedulable": True})[("Deployment", "hello-app")]["spec"]["template"]
    assert template["spec"]["nodeSelector"] == {"hello-app.example.com/no-such-node": "true"}


def test_values_schema_defaults_match_the_ytt_schema() -> None:
    package = find(example(), "Package", "hello-app.example.com.1.0.0")
    declared = {k: v["default"] for k, v in package["spec"]["valuesSchema"]["openAPIv3"]["properties"].items()}
    files = inline_files(package)
    ytt_defaults = yaml.safe_load(files["config/values.yml"].split("---", 1)[1])
    assert declared == ytt_defaults


def test_canary_fits_the_package_deployment_and_service() -> None:
    """Flagger adopts the package's apex Service: its ports must already be what Flagger writes
    (pkg/router/kubernetes_default.go: name http, TCP, port and targetPort from the Canary), so only the
    selector changes, and kapp keeps Flagger's selector (the product's kapp configuration)."""
    canary = stamped()["canary"]
    objects = render_package({})
    deployment, service = objects[("Deployment", "hello-app")], objects[("Service", "hello-app")]
    assert canary["spec"]["targetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "hello-app"}
    assert deployment["spec"]["selector"]["matchLabels"] == {"app": "hello-app"}, "Flagger's first selector label"
    port = canary["spec"]["service"]["port"]
    target_port = canary["spec"]["service"].get("targetPort", port)
    assert service["spec"]["ports"] == [{"name": "http", "protocol": "TCP", "port": port, "targetPort": target_port}]
    assert deployment["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"] == target_port
    assert "kapp.k14s.io/disable-default-label-scoping-rules" in service["metadata"]["annotations"]


def test_stamped_canary_uses_the_e2e_knobs() -> None:
    objs = stamped()
    analysis = objs["canary"]["spec"]["analysis"]
    assert (analysis["interval"], analysis["iterations"], analysis["threshold"]) == ("10s", 3, 2)
    assert objs["canary"]["spec"]["progressDeadlineSeconds"] == 30
    assert [m["templateRef"]["name"] for m in analysis["metrics"]] == [
        objs["canary-success-rate-metric"]["metadata"]["name"],
        objs["canary-latency-metric"]["metadata"]["name"],
    ]
    assert {(w["name"], w["metadata"]["cmd"]) for w in analysis["webhooks"]} == {
        ("conformance", "conformance"),
        ("load-test", "load-test"),
    }


def _loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    try:
        return ipaddress.ip_address(host) in ipaddress.ip_network("127.0.0.0/8")
    except ValueError:
        return False


def test_every_endpoint_is_loopback() -> None:
    objs = stamped()
    urls = [w["url"] for w in objs["canary"]["spec"]["analysis"]["webhooks"]]
    urls += [objs[m]["spec"]["provider"]["address"] for m in ("canary-success-rate-metric", "canary-latency-metric")]
    assert urls and all(_loopback(u) for u in urls), urls


def test_overlay_puts_the_canary_stage_after_the_deployer() -> None:
    """The example's delivery is patched by the product's overlay, like TAP's delivery-basic."""
    objs = stamped()
    assert list(objs) == ["release", "deployer", "canary-success-rate-metric", "canary-latency-metric", "canary"]
    assert objs["canary"]["kind"] == "Canary"
    assert objs["canary"]["metadata"]["labels"]["carto.run/resource-name"] == "canary"
    assert objs["release"]["kind"] == "ConfigMap", "within ClusterRole supplychain-canary"
    assert objs["deployer"]["kind"] == "PackageInstall", "what deploys the app, as delivery-basic's App"


def test_the_deployer_completes_on_the_packageinstalls_reconcile() -> None:
    """Like delivery-basic's app-deploy: complete on ReconcileSucceeded, failed on ReconcileFailed."""
    template = find(example(), "ClusterDeploymentTemplate", "hello-app-packageinstall")
    completion = template["spec"]["observedCompletion"]
    assert completion["succeeded"] == {
        "key": '.status.conditions[?(@.type=="ReconcileSucceeded")].status',
        "value": "True",
    }
    assert completion["failed"] == {"key": '.status.conditions[?(@.type=="ReconcileFailed")].status', "value": "True"}


def test_a_recorded_deliverable_gets_the_recording_deployer() -> None:
    docs = example()
    templates = [d for d in docs if d["kind"].startswith("Cluster") and d["kind"].endswith("Template")]
    deliverable = copy.deepcopy(find(docs, "Deliverable", "hello-app"))
    deliverable["metadata"]["labels"]["supplychain.example.com/deployer"] = "recorded"
    result = realize(
        _docs([find(docs, "ClusterDelivery", "canary-delivery")], "delivery.yaml"),
        _docs(platform_documents() + templates, "templates"),
        Document("deliverable.yaml", 0, deliverable),
    )
    objs = {s.resource.name: s.obj for s in result.stamped if s.obj is not None}
    assert objs["deployer"]["kind"] == "ConfigMap"
    assert objs["canary"]["kind"] == "Canary"


def test_an_app_deployer_deliverable_deploys_its_release_through_a_kapp_app(tmp_path: Path) -> None:
    """deployer app: the deployer stamps a kapp App (as delivery-basic's) that deploys the package's own
    configuration at the Deliverable's release, with the product's kapp configuration; its Role allows Apps."""
    docs = render_example({"deployer": "app", "version": "good-7", "kapp_config": "unused: true\n"})
    templates = [d for d in docs if d["kind"].startswith("Cluster") and d["kind"].endswith("Template")]
    deliverable = find(docs, "Deliverable", "hello-app")
    assert deliverable["metadata"]["labels"]["supplychain.example.com/deployer"] == "app"
    result = realize(
        _docs([find(docs, "ClusterDelivery", "canary-delivery")], "delivery.yaml"),
        _docs(platform_documents() + templates, "templates"),
        Document("deliverable.yaml", 0, deliverable),
    )
    app = next(s.obj for s in result.stamped if s.resource.name == "deployer" and s.obj is not None)
    assert (app["apiVersion"], app["kind"], app["metadata"]["name"]) == (
        "kappctrl.k14s.io/v1alpha1",
        "App",
        "hello-app",
    )
    assert app["spec"]["serviceAccountName"] == "hello-app-install" and app["spec"]["syncPeriod"] == "10m0s"
    inline = app["spec"]["fetch"][0]["inline"]
    package_files = inline_files(find(docs, "Package", "hello-app.example.com.1.0.0"))
    assert {k: inline["paths"][k] for k in package_files} == package_files, "one configuration for both deployers"
    assert inline["pathsFrom"] == [
        {"secretRef": {"name": "supplychain-canary-kapp-config", "directoryPath": "config/kapp"}}
    ]
    for name, text in inline["paths"].items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    (tmp_path / "config" / "kapp").mkdir()
    (tmp_path / "config" / "kapp" / "kapp-config-canary.yml").write_text(
        (templates_dir() / "lib" / "kapp-config.yml.data").read_text()
    )
    rendered = run_tool("ytt", ["-f", str(tmp_path / "config")])  # kapp-controller's template step
    assert rendered.returncode == 0, rendered.stderr
    objects = {d["kind"]: d for d in yaml.safe_load_all(rendered.stdout) if d}
    assert objects["Deployment"]["spec"]["template"]["metadata"]["labels"]["version"] == "good-7"
    assert objects["Config"]["apiVersion"] == "kapp.k14s.io/v1alpha1", "kapp gets the product's rules"
    rules = find(docs, "Role", "hello-app-deployer")["rules"]
    assert (["kappctrl.k14s.io"], ["apps"]) in [(r["apiGroups"], r["resources"]) for r in rules]


def test_delivery_account_is_bound_to_the_least_roles_only() -> None:
    """The product's ClusterRole for the canary stage, and the example's deployer Role for its PackageInstall."""
    docs = example()
    deliverable = find(docs, "Deliverable", "hello-app")
    account = deliverable["spec"]["serviceAccountName"]
    bindings = [
        d
        for d in docs
        if d["kind"] in ("RoleBinding", "ClusterRoleBinding") and any(s["name"] == account for s in d["subjects"])
    ]
    assert [(b["kind"], b["roleRef"]["kind"], b["roleRef"]["name"]) for b in bindings] == [
        ("RoleBinding", "ClusterRole", "supplychain-canary"),
        ("RoleBinding", "Role", "hello-app-deployer"),
    ]
    deployer = find(docs, "Role", "hello-app-deployer")
    assert [(r["apiGroups"], r["resources"]) for r in deployer["rules"]] == [
        (["packaging.carvel.dev"], ["packageinstalls"])
    ]
    assert find(platform_documents(), "ClusterRole", "supplychain-canary")
    delivery = find(docs, "ClusterDelivery", "canary-delivery")
    assert delivery["spec"]["selector"].items() <= deliverable["metadata"]["labels"].items()


def test_apply_order_puts_the_namespace_first() -> None:
    kinds = [d["kind"] for d in apply_order(example())]
    assert kinds[0] == "Namespace"
    # the deployer stamps the PackageInstall: its Secret and Package must exist before the Deliverable
    assert kinds.index("Secret") < kinds.index("Deliverable") and kinds.index("Package") < kinds.index("Deliverable")
    assert "PackageInstall" not in kinds
    assert kinds.index("RoleBinding") < kinds.index("Deliverable")


def test_example_validates_against_the_pinned_schemas(tmp_path: Path) -> None:
    path = tmp_path / "hello-app.yaml"
    path.write_text(yaml.safe_dump_all(example()))
    package_out = tmp_path / "package-output.yaml"
    package_out.write_text(yaml.safe_dump_all([d for (kind, _), d in render_package({}).items() if kind != "Config"]))
    result = CliRunner().invoke(cli, ["validate", str(path), str(package_out)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("bad", [{"version": 3}, {"unschedulable": "yes"}, {"colour": "red"}])
def test_package_rejects_bad_values(bad: dict[str, Any]) -> None:
    files = inline_files(find(example(), "Package", "hello-app.example.com.1.0.0"))
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in files.items():
            (Path(tmp) / name).parent.mkdir(parents=True, exist_ok=True)
            (Path(tmp) / name).write_text(text)
        (Path(tmp) / "values.yml").write_text("#@data/values\n---\n" + yaml.safe_dump(bad))
        result = run_tool("ytt", ["-f", f"{tmp}/config", "-f", f"{tmp}/values.yml"])
    assert result.returncode != 0
