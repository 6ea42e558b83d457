"""kind's cluster configuration for the locally built node image (hack/install-kind.sh).

The node image works without any network beyond its own container:
- its CNI configuration is baked in (bridge + host-local, pods in POD_SUBNET's first /24),
  so kind's default CNI (kindnetd, an image that is not built here) is disabled;
- it applies its own CoreDNS (local zones only, never forwarding) from the manifest kind
  applies after `kubeadm init`, so kubeadm's CoreDNS addon, whose Corefile forwards to the
  node's resolvers, is skipped;
- every image kubeadm needs is preloaded and pinned in the node's containerd.
"""

from __future__ import annotations

POD_SUBNET = "10.244.0.0/16"
# The node's CoreDNS Service has the 10th address of this range (10.96.0.10), as kubeadm
# configures the kubelet's cluster DNS.
SERVICE_SUBNET = "10.96.0.0/16"
# kind's own InitConfiguration skips `preflight`; a patch replaces the whole list.
INIT_SKIP_PHASES = ("preflight", "addon/coredns")


def cluster_config(node_image: str) -> dict[str, object]:
    """A one-node kind Cluster from NODE_IMAGE, its API server published on 127.0.0.1 only."""
    skip = "".join(f"\n- {phase}" for phase in INIT_SKIP_PHASES)
    return {
        "kind": "Cluster",
        "apiVersion": "kind.x-k8s.io/v1alpha4",
        "networking": {
            "apiServerAddress": "127.0.0.1",
            "apiServerPort": 0,
            "disableDefaultCNI": True,
            "podSubnet": POD_SUBNET,
            "serviceSubnet": SERVICE_SUBNET,
        },
        "kubeadmConfigPatches": [f"kind: InitConfiguration\nskipPhases:{skip}\n"],
        "nodes": [{"role": "control-plane", "image": node_image}],
    }
