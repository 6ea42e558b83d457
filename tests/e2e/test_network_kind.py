"""Network hygiene on kind: the host reaches the cluster only through 127.0.0.1 (kind's API-server port
mapping and kubectl port-forwards), and pod and Service traffic stays inside the node container."""

from __future__ import annotations

import ipaddress
import json
import os
import subprocess
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from supplychain.cluster import kind_node, proc, providers
from supplychain.testing.harness import HelloApp

pytestmark = [pytest.mark.e2e, pytest.mark.provider("kind")]

LOOPBACK = ipaddress.ip_network("127.0.0.0/8")
LOOPBACK6 = ipaddress.ip_network("::1/128")
# Link-local multicast (IGMP reports of the node's bridge): never forwarded beyond the link, by definition.
LINK_LOCAL_MULTICAST = [
    ipaddress.ip_network("224.0.0.0/24"),
    ipaddress.ip_network("ff02::/16"),
    ipaddress.ip_network("0.0.0.0/32"),
]
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _node(hello: HelloApp) -> str:
    (node,) = providers.KindProvider().containers(hello.env.run_dir)
    return node


def _node_network(node: str) -> Network:
    """The node's network on the engine's bridge (where kind's port mapping reaches it)."""
    info = json.loads(
        subprocess.run(["docker", "inspect", node], capture_output=True, text=True, check=True, timeout=30).stdout
    )[0]
    (net,) = info["NetworkSettings"]["Networks"].values()
    return ipaddress.ip_network(f"{net['IPAddress']}/{net['IPPrefixLen']}", strict=False)


def _inside(address: str, networks: list[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in n for n in networks)


def _hex_address(text: str) -> str:
    """An address of /proc/net/tcp (little-endian hex, IPv4 or IPv6) as text."""
    host = bytes.fromhex(text.split(":")[0])
    if len(host) == 4:
        return str(ipaddress.IPv4Address(host[::-1]))
    words = b"".join(host[i : i + 4][::-1] for i in range(0, 16, 4))
    address = ipaddress.IPv6Address(words)
    return str(address.ipv4_mapped or address)


def _sockets_of(pids: list[int]) -> list[tuple[str, str, str]]:
    """(local address, remote address, state) of every TCP socket the PIDS hold."""
    inodes: set[str] = set()
    for pid in pids:
        fd_dir = Path(f"/proc/{pid}/fd")
        try:
            entries = list(fd_dir.iterdir())
        except OSError:
            continue
        for entry in entries:
            try:
                target = os.readlink(entry)
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[9] in inodes:
                found.append((_hex_address(fields[1]), _hex_address(fields[2]), fields[3]))
    return found


def test_host_reaches_the_cluster_only_through_loopback(hello: HelloApp) -> None:
    env = hello.env
    server = hello.kubectl.run("config", "view", "--minify", "-o", "jsonpath={.clusters[0].cluster.server}")
    assert urlsplit(server).hostname == "127.0.0.1", server
    assert urlsplit(env.prometheus_url).hostname == urlsplit(env.flagger_url).hostname == "127.0.0.1"
    ports = subprocess.run(["docker", "port", _node(hello)], capture_output=True, text=True, check=True, timeout=30)
    published = [line.split(" -> ")[1] for line in ports.stdout.splitlines() if " -> " in line]
    assert published and all(p.startswith("127.0.0.1:") for p in published), ports.stdout
    pids = [os.getpid()]
    for name in env.components:
        for pid in env.pids(name):
            pids += proc.group_members(pid)
    assert len(pids) > 1, "the port-forwards run"
    with urllib.request.urlopen(f"{env.prometheus_url}/-/ready", timeout=5):
        sockets = _sockets_of(pids)
    listening = [s for s in sockets if s[2] == "0A"]
    connected = [s for s in sockets if s[2] == "01"]
    assert listening and connected
    assert [s for s in listening if s[0] != "127.0.0.1"] == []
    assert [s for s in connected if ipaddress.ip_address(s[1]) not in LOOPBACK] == []


def _conntrack(node: str) -> list[str]:
    done = subprocess.run(
        ["docker", "exec", node, "sh", "-c", "cat /proc/net/nf_conntrack 2>/dev/null || conntrack -L 2>/dev/null"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return [line for line in done.stdout.splitlines() if "src=" in line]


def test_pod_and_service_traffic_stays_inside_the_node(hello: HelloApp) -> None:
    node = _node(hello)
    allowed: list[Network] = [
        LOOPBACK,
        LOOPBACK6,
        ipaddress.ip_network(kind_node.POD_SUBNET),
        ipaddress.ip_network(kind_node.SERVICE_SUBNET),
        _node_network(node),
        *LINK_LOCAL_MULTICAST,
    ]
    flows = _conntrack(node)
    assert flows, "the node tracks its connections (pods talk to Services and the API server)"
    outside = []
    for flow in flows:
        for token in flow.split():
            if token.startswith(("src=", "dst=")) and not _inside(token.split("=", 1)[1], allowed):
                outside.append(flow)
                break
    assert outside == [], outside[:5]


def test_every_scrape_target_is_a_pod_in_the_node(hello: HelloApp) -> None:
    with urllib.request.urlopen(f"{hello.env.prometheus_url}/api/v1/targets?state=active", timeout=10) as response:
        active: list[dict[str, Any]] = json.load(response)["data"]["activeTargets"]
    pods = [ipaddress.ip_network(kind_node.POD_SUBNET)]
    assert active and all(_inside(urlsplit(t["scrapeUrl"]).hostname or "", pods) for t in active), active
    app = [
        t
        for t in active
        if t["labels"].get("kubernetes_namespace") == "prod"
        and t["labels"].get("kubernetes_pod_name", "").startswith("hello-app-primary-")
    ]
    assert app and all(t["health"] == "up" for t in app), "the real app's primary pods are scraped"


def test_webhook_and_metric_addresses_are_services_in_the_cluster(hello: HelloApp) -> None:
    from .test_security import _webhook_and_metrics_urls

    services = {
        (s["metadata"]["namespace"], s["metadata"]["name"]) for s in hello.kubectl.get("services", "-A")["items"]
    }
    for url in _webhook_and_metrics_urls(hello):
        host = urlsplit(url).hostname or ""
        parts = host.split(".")
        assert len(parts) >= 2 and host.removeprefix(f"{parts[0]}.{parts[1]}") in ("", ".svc", ".svc.cluster.local"), (
            url
        )
        assert (parts[1], parts[0]) in services, url


def test_package_api_is_served_by_a_service_in_the_cluster(hello: HelloApp) -> None:
    backed = [a for a in hello.kubectl.get("apiservices")["items"] if a["spec"].get("service")]
    assert backed, "the Package API is registered"
    pods = [ipaddress.ip_network(kind_node.POD_SUBNET)]
    for api in backed:
        ref = api["spec"]["service"]
        service = hello.kubectl.get("service", ref["name"], "-n", ref["namespace"])
        assert service["spec"]["type"] == "ClusterIP" and _inside(
            service["spec"]["clusterIP"], [ipaddress.ip_network(kind_node.SERVICE_SUBNET)]
        )
        slices = hello.kubectl.get(
            "endpointslices", "-n", ref["namespace"], "-l", f"kubernetes.io/service-name={ref['name']}"
        )["items"]
        addresses = [a for s in slices for e in s.get("endpoints") or [] for a in e["addresses"]]
        assert addresses and all(_inside(a, pods) for a in addresses), addresses
