"""The kind cluster configuration agrees with what the node image bakes in (hack/kind-node)."""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path
from typing import Any

import yaml

from supplychain.cluster.kind_node import (
    INIT_SKIP_PHASES,
    POD_SUBNET,
    SERVICE_SUBNET,
    cluster_config,
)

NODE_FILES = Path(__file__).resolve().parents[2] / "hack" / "kind-node"


def _config() -> dict[str, Any]:
    return cluster_config("supplychain.local/kind-node:v0")


def test_api_server_published_on_loopback_only() -> None:
    networking = _config()["networking"]
    assert networking["apiServerAddress"] == "127.0.0.1"
    assert networking["disableDefaultCNI"] is True


def test_init_patch_keeps_kinds_own_skip_and_drops_kubeadm_coredns() -> None:
    (patch,) = _config()["kubeadmConfigPatches"]
    loaded = yaml.safe_load(patch)
    assert loaded["kind"] == "InitConfiguration"
    assert loaded["skipPhases"] == list(INIT_SKIP_PHASES)
    assert "preflight" in loaded["skipPhases"] and "addon/coredns" in loaded["skipPhases"]


def test_baked_cni_subnet_lies_in_the_pod_subnet() -> None:
    conflist = json.loads((NODE_FILES / "10-bridge.conflist").read_text(encoding="utf-8"))
    bridge = next(p for p in conflist["plugins"] if p["type"] == "bridge")
    ranges = [r["subnet"] for group in bridge["ipam"]["ranges"] for r in group]
    assert ranges
    for subnet in ranges:
        assert ipaddress.ip_network(subnet).subnet_of(ipaddress.ip_network(POD_SUBNET))  # type: ignore[arg-type]


def test_node_coredns_is_local_only_at_kubeadms_dns_address() -> None:
    docs = [d for d in yaml.safe_load_all((NODE_FILES / "default-storage.yaml").read_text(encoding="utf-8")) if d]
    by_kind = {(d["kind"], d["metadata"]["name"]): d for d in docs}
    service = by_kind[("Service", "kube-dns")]
    # kubeadm points every kubelet at the 10th address of the Service range.
    assert ipaddress.ip_address(service["spec"]["clusterIP"]) == ipaddress.ip_network(SERVICE_SUBNET)[10]
    corefile = by_kind[("ConfigMap", "coredns")]["data"]["Corefile"]
    assert "forward" not in corefile and "kubernetes cluster.local" in corefile
    assert by_kind[("StorageClass", "standard")]["provisioner"] == "kubernetes.io/no-provisioner"
