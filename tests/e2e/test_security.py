"""RBAC and network hygiene of the running environment."""

from __future__ import annotations

import ipaddress
import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from supplychain.testing.example import find, platform_documents
from supplychain.testing.harness import NAMESPACE, HelloApp

pytestmark = pytest.mark.e2e

ACCOUNT = "hello-app-delivery"
AS = f"system:serviceaccount:{NAMESPACE}:{ACCOUNT}"
MANIFESTS = Path(__file__).parent / "manifests"


def _can(hello: HelloApp, verb: str, resource: str, namespace: str = NAMESPACE) -> bool:
    scope = ["-n", namespace] if namespace else []
    out = hello.kubectl.run("auth", "can-i", verb, resource, *scope, f"--as={AS}", check=False)
    answer = str(out).strip()
    assert answer in ("yes", "no"), f"kubectl auth can-i said {answer!r}"
    return answer == "yes"


@pytest.mark.parametrize(
    ("verb", "resource"),
    [
        ("create", "canaries.flagger.app"),
        ("update", "canaries.flagger.app"),
        ("delete", "metrictemplates.flagger.app"),
        ("create", "configmaps"),
        ("watch", "canaries.flagger.app"),
    ],
)
def test_delivery_account_can_manage_what_the_templates_stamp(hello: HelloApp, verb: str, resource: str) -> None:
    assert _can(hello, verb, resource)


@pytest.mark.parametrize(
    ("verb", "resource", "namespace"),
    [
        ("create", "deployments.apps", NAMESPACE),
        ("patch", "deployments.apps", NAMESPACE),
        ("get", "secrets", NAMESPACE),
        ("create", "secrets", NAMESPACE),
        ("create", "services", NAMESPACE),
        ("delete", "pods", NAMESPACE),
        ("create", "rolebindings.rbac.authorization.k8s.io", NAMESPACE),
        ("create", "packageinstalls.packaging.carvel.dev", "default"),
        ("create", "apps.kappctrl.k14s.io", NAMESPACE),
        ("create", "packages.data.packaging.carvel.dev", NAMESPACE),
        ("create", "deliverables.carto.run", NAMESPACE),
        ("create", "alertproviders.flagger.app", NAMESPACE),
        ("create", "canaries.flagger.app", "default"),
        ("create", "clusterroles.rbac.authorization.k8s.io", ""),
    ],
)
def test_delivery_account_cannot_manage_other_kinds(hello: HelloApp, verb: str, resource: str, namespace: str) -> None:
    assert not _can(hello, verb, resource, namespace)


def test_delivery_account_holds_only_the_least_roles(hello: HelloApp) -> None:
    """The product's ClusterRole for the canary stage, plus the example's deployer Role (its PackageInstall)."""
    bindings = hello.kubectl.get("rolebindings", "-A")["items"] + hello.kubectl.get("clusterrolebindings")["items"]
    ours = [
        b
        for b in bindings
        if any(
            s.get("kind") == "ServiceAccount"
            and s.get("name") == ACCOUNT
            and s.get("namespace", b["metadata"].get("namespace")) == NAMESPACE
            for s in b.get("subjects") or []
        )
    ]
    assert sorted((b["kind"], b["roleRef"]["kind"], b["roleRef"]["name"]) for b in ours) == [
        ("RoleBinding", "ClusterRole", "supplychain-canary"),
        ("RoleBinding", "Role", "hello-app-deployer"),
    ]
    deployer = hello.kubectl.get("role", "hello-app-deployer", "-n", NAMESPACE)
    assert [(r["apiGroups"], r["resources"]) for r in deployer["rules"]] == [
        (["packaging.carvel.dev"], ["packageinstalls"])
    ]
    in_cluster = hello.kubectl.get("clusterrole", "supplychain-canary")
    assert in_cluster["rules"] == find(platform_documents(), "ClusterRole", "supplychain-canary")["rules"]


@pytest.fixture
def forbidden_delivery(hello: HelloApp) -> Iterator[None]:
    path = MANIFESTS / "forbidden-delivery.yaml"
    docs = [d for d in yaml.safe_load_all(path.read_text()) if d]
    hello.kubectl.apply(docs)
    try:
        yield
    finally:
        for doc in reversed(docs):
            ns = ["-n", doc["metadata"]["namespace"]] if "namespace" in doc["metadata"] else []
            hello.kubectl.run(
                "delete",
                doc["kind"].lower() + "." + doc["apiVersion"].split("/")[0],
                doc["metadata"]["name"],
                *ns,
                "--ignore-not-found",
                "--wait=false",
                check=False,
            )


def test_stamping_a_forbidden_kind_fails_with_a_permission_error(hello: HelloApp, forbidden_delivery: None) -> None:
    found: dict[str, Any] = {}

    def rejected() -> bool:
        for c in hello.deliverable("rbac-probe").get("status", {}).get("conditions", []):
            if c["type"] == "ResourcesSubmitted" and c["status"] == "False" and "forbidden" in c.get("message", ""):
                found.update(c)
                return True
        return False

    hello.wait(rejected, 90, "Deliverable rbac-probe to report the refused Secret", "cartographer")
    assert found["reason"] == "TemplateRejectedByAPIServer", found
    assert AS in found["message"] and "secrets" in found["message"], found["message"]
    assert hello.deliverable_ready("rbac-probe") == "False"
    assert not hello.kubectl.ok("get", "secret", "rbac-probe-stamped", "-n", NAMESPACE)


def _loopback(address: str) -> bool:
    host = urlsplit(address if "//" in address else f"//{address}").hostname or ""
    try:
        return ipaddress.ip_address(host) in ipaddress.ip_network("127.0.0.0/8")
    except ValueError:
        return False


@pytest.mark.provider("kwok")
def test_every_scrape_target_is_loopback(hello: HelloApp) -> None:
    with urllib.request.urlopen(f"{hello.env.prometheus_url}/api/v1/targets?state=any", timeout=10) as response:
        data = json.load(response)["data"]
    active, dropped = data["activeTargets"], data["droppedTargets"]
    addresses = [t["scrapeUrl"] for t in active] + [t["discoveredLabels"]["__address__"] for t in active + dropped]
    assert addresses, "Prometheus has no targets"
    assert [a for a in addresses if not _loopback(a)] == []
    fleet = [t for t in active if t["labels"].get("job") == "appfleet"]
    assert fleet and fleet[0]["health"] == "up", "the app fleet is scraped"


def _webhook_and_metrics_urls(hello: HelloApp) -> list[str]:
    canaries = hello.kubectl.get("canaries.flagger.app", "-A")["items"]
    templates = hello.kubectl.get("metrictemplates.flagger.app", "-A")["items"]
    assert canaries and templates
    urls: list[str] = []
    for canary in canaries:
        spec = canary["spec"]
        urls += [w["url"] for w in (spec.get("analysis") or {}).get("webhooks") or []]
        urls += [spec["metricsServer"]] if spec.get("metricsServer") else []
    urls += [t["spec"]["provider"]["address"] for t in templates if t["spec"].get("provider", {}).get("address")]
    providers = hello.kubectl.get("alertproviders.flagger.app", "-A")["items"]
    urls += [p["spec"]["address"] for p in providers if p["spec"].get("address")]
    assert urls
    return urls


@pytest.mark.provider("kwok")
def test_every_webhook_and_metrics_address_is_loopback(hello: HelloApp) -> None:
    urls = _webhook_and_metrics_urls(hello)
    assert [u for u in urls if not _loopback(u)] == []


@pytest.mark.provider("kwok")
def test_aggregated_api_backends_are_loopback(hello: HelloApp) -> None:
    """APIServices reach their servers through ExternalName Services resolving to 127.0.0.1."""
    services = {
        (s["metadata"]["namespace"], s["metadata"]["name"]): s for s in hello.kubectl.get("services", "-A")["items"]
    }
    backed = [a for a in hello.kubectl.get("apiservices")["items"] if a["spec"].get("service")]
    assert backed, "the Package API is registered"
    for api in backed:
        ref = api["spec"]["service"]
        service = services[(ref["namespace"], ref["name"])]
        assert service["spec"]["type"] == "ExternalName" and _loopback(service["spec"]["externalName"]), api[
            "metadata"
        ]["name"]
