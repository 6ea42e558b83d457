"""A platform's worth of workloads for the offline scale runs: every TAP out-of-the-box chain patched by the
overlay, the rendered templates with stand-ins for TAP's own, and N Workloads/Deliverables spread over them.

TAP installs one supply-chain profile (basic, testing or testing-scanning) per cluster, and the three select
the same workloads. To put all of them in one run, each fixture chain gets one more selector label,
``apps.tanzu.vmware.com/scale-profile: <profile>``, and each owner names its profile, so every owner selects
exactly one chain.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..project import checkout_root as repo_root

PROFILE_LABEL = "apps.tanzu.vmware.com/scale-profile"
# profile -> the chains it installs (source-based, image-based; each with its -package variant)
PROFILES = {
    "basic": ("source-to-url", "basic-image-to-url"),
    "testing": ("source-test-to-url", "testing-image-to-url"),
    "scanning": ("source-test-scan-to-url", "scanning-image-scan-to-url"),
}
WORKLOAD_TYPES = ("web", "server", "worker")
# TAP's own templates that tests/stamping/tap does not stand in for: real TAP 1.1 dumps
REAL_TEMPLATES = (
    "config-template",
    "config-writer-template",
    "deliverable-template",
    "image-provider-template",
    "image-scanner-template",
    "testing-pipeline",
)
# outputs that controllers (kpack, scanners, Tekton, conventions) would produce, by resource name
EXTRA_OUTPUTS: dict[str, Any] = {
    "source-tester": {
        "source": {
            "url": "http://source-controller.flux-system.svc.cluster.local./gitrepository/dev/app/8d3a1c.tar.gz",
            "revision": "main@sha1:8d3a1c",
        }
    },
    "image-scanner": {"image": "registry.example.com/tap/workloads/app@sha256:4f9a0e"},
}


@dataclass
class Corpus:
    """Where a generated corpus lives."""

    root: Path
    chains: Path  # patched ClusterSupplyChains and delivery-basic
    templates: list[Path]  # the rendered bundle and TAP's templates
    owners: Path  # N Workloads/Deliverables, one YAML stream
    outputs: Path
    count: int


def _supplychain(*args: str) -> None:
    exe = Path(sys.executable).parent / "supplychain"
    proc = subprocess.run([str(exe), *args], capture_output=True, text=True, cwd=repo_root(), check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"supplychain {' '.join(args)} failed:\n{proc.stderr}")


def _profiled_chains(out: Path) -> None:
    """Copies of the fixture chains, each limited to its profile's workloads."""
    out.mkdir(parents=True, exist_ok=True)
    fixtures = repo_root() / "tests" / "fixtures" / "ootb"
    for profile, chains in PROFILES.items():
        for chain in chains:
            for name in (chain, f"{chain}-package"):
                doc = yaml.safe_load((fixtures / f"{name}.yaml").read_text(encoding="utf-8"))
                doc["spec"].setdefault("selector", {})[PROFILE_LABEL] = profile
                (out / f"{name}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    delivery = (fixtures / "delivery-basic.yaml").read_text(encoding="utf-8")
    (out / "delivery-basic.yaml").write_text(delivery, encoding="utf-8")


def owner(index: int) -> dict[str, Any]:
    """The INDEX-th owner: one in five a Deliverable, the others Workloads cycling through profiles, source or
    image, package or not, and the three workload types."""
    name = f"app-{index:04d}"
    namespace = f"team-{index % 20:02d}"
    uid = f"00000000-0000-4000-8000-{index:012d}"
    if index % 5 == 4:
        return {
            "apiVersion": "carto.run/v1alpha1",
            "kind": "Deliverable",
            "metadata": {
                "name": name,
                "namespace": namespace,
                "uid": uid,
                "labels": {
                    "app.tanzu.vmware.com/deliverable-type": "web",
                    "apps.tanzu.vmware.com/workload-type": "server",
                },
            },
            "spec": {
                "source": {"git": {"url": f"https://git.example.com/gitops/{name}.git", "ref": {"branch": "main"}}},
                "params": [{"name": "canary_iterations", "value": 3 + index % 7}],
            },
        }
    profile = list(PROFILES)[index % 3]
    image_based = (index // 3) % 2 == 1
    package = (index // 6) % 2 == 1
    labels = {
        "apps.tanzu.vmware.com/workload-type": WORKLOAD_TYPES[(index // 12) % 3],
        PROFILE_LABEL: profile,
        "app.kubernetes.io/part-of": name,
    }
    if profile != "basic" and not image_based:
        labels["apps.tanzu.vmware.com/has-tests"] = "true"
    if package:
        labels["apps.tanzu.vmware.com/carvel-package-workflow"] = "true"
    spec: dict[str, Any] = {
        "params": [
            {"name": "canary_iterations", "value": 3 + index % 7},
            {"name": "canary_threshold", "value": 2 + index % 4},
        ]
    }
    if image_based:
        spec["image"] = f"registry.example.com/prebuilt/{name}:1.{index % 10}"
    else:
        spec["source"] = {"git": {"url": f"https://git.example.com/apps/{name}.git", "ref": {"branch": "main"}}}
    return {
        "apiVersion": "carto.run/v1alpha1",
        "kind": "Workload",
        "metadata": {"name": name, "namespace": namespace, "uid": uid, "labels": labels},
        "spec": spec,
    }


def generate(root: Path, count: int) -> Corpus:
    """Write a corpus of COUNT owners under ROOT."""
    repo = repo_root()
    root.mkdir(parents=True, exist_ok=True)
    _profiled_chains(root / "fixture-chains")
    chains = root / "chains.yaml"
    _supplychain("render", "--only", "chains", "--chains", str(root / "fixture-chains"), "-o", str(chains))
    bundle = root / "templates.yaml"
    _supplychain("render", "--only", "templates", "-o", str(bundle))
    tap = root / "tap-templates"
    tap.mkdir(exist_ok=True)
    (tap / "ootb-supply-chain-templates.yaml").write_text(
        (repo / "tests" / "stamping" / "tap" / "ootb-supply-chain-templates.yaml").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    (tap / "delivery.yaml").write_text(
        (repo / "tests" / "fixtures" / "ootb-templates" / "delivery.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    for name in REAL_TEMPLATES:
        source = repo / "tests" / "fixtures" / "ootb-templates" / "real" / f"tap-1.1-{name}-pengliuibm.yaml"
        (tap / f"{name}.yaml").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    owners = root / "owners.yaml"
    owners.write_text(yaml.safe_dump_all([owner(i) for i in range(count)], sort_keys=False), encoding="utf-8")
    outputs = yaml.safe_load((repo / "tests" / "stamping" / "tap" / "outputs.yaml").read_text(encoding="utf-8"))
    outputs.update(EXTRA_OUTPUTS)
    outputs_file = root / "outputs.yaml"
    outputs_file.write_text(yaml.safe_dump(outputs, sort_keys=False), encoding="utf-8")
    return Corpus(root, chains, [bundle, tap], owners, outputs_file, count)
