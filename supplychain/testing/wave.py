"""A release wave on the integration environment (kwok): N copies of hello-app, one per namespace, each with its
PackageInstall, Deliverable, Canary and MetricTemplates, all served by one app fleet; every app updated at
once, and the time from the update to each Canary's verdict measured.

The example is rendered once (ytt) for a placeholder namespace and copied for the others. While a wave runs,
the primaries are sampled: a primary Deployment without an available replica is recorded, with when.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..appfleet.behaviour import Behaviour
from ..appfleet.observe import KubeReader
from ..appfleet.pods import AppSpec, KubernetesPods
from ..appfleet.server import AppFleet
from ..cluster import Environment
from ..testing.example import apply_order, platform_documents, render_example

APP = "hello-app"
FIRST_VERSION = "1.0.0"
GOOD = Behaviour(success_rate=100.0, latency_ms=40.0)
BAD = Behaviour(success_rate=80.0, latency_ms=40.0)
_PLACEHOLDER = "wave-placeholder-ns"
IDLE = ("Initialized", "Succeeded", "Failed")
APPLY_PROCESSES = 8  # kubectl processes applying the apps' objects at once
KWOK_PODS_PER_NODE = 110  # a kwok node's pod capacity (kwok's default node template, as the kubelet's default)
PODS_PER_APP = 3  # at the height of a rollout: the primary's pod, the canary's, and one terminating
# the processes whose CPU and memory a wave samples, by component name in the environment
COMPONENTS = ("flagger", "cartographer", "kube-apiserver", "etcd", "prometheus", "kapp-controller")


@dataclass
class Verdict:
    namespace: str
    phase: str
    after: float  # seconds from the start of the update


@dataclass
class WaveResult:
    """What one wave did."""

    apps: int
    verdicts: dict[str, Verdict] = field(default_factory=dict)
    detected: dict[str, float] = field(default_factory=dict)  # namespace -> first poll seeing its Canary analyse
    unfinished: list[str] = field(default_factory=list)
    unavailable: list[tuple[float, str]] = field(default_factory=list)  # (t, namespace) of a primary without replicas
    samples: int = 0
    usage: dict[str, dict[str, float]] = field(default_factory=dict)  # component -> cpu_seconds, max_rss_mb
    update_seconds: float = 0.0

    @property
    def last_verdict(self) -> float:
        return max((v.after for v in self.verdicts.values()), default=float("nan"))


def nodes_for(apps: int) -> int:
    """kwok nodes enough for APPS apps rolling out at once (at least 2, as the environment's default): with too
    few, new canary pods stay Pending and Flagger fails them at their progress deadline."""
    return max(2, -(-apps * PODS_PER_APP // KWOK_PODS_PER_NODE))


def namespaces(count: int, prefix: str = "wave") -> list[str]:
    return [f"{prefix}-{index:03d}" for index in range(count)]


class Wave:
    """COUNT apps in namespaces <prefix>-000…; ``install()``, then ``update()`` as many times as wanted."""

    def __init__(
        self, env: Environment, count: int, prefix: str | None = None, deployer: str = "packageinstall"
    ) -> None:
        """DEPLOYER: what each app's Deliverable deploys it with (examples/hello-app/values.yaml ``deployer``)."""
        from kubernetes import client, config

        self.env = env
        # fresh namespaces each time: those of an earlier wave may still be terminating
        prefix = prefix or f"wave{int(time.time() * 10) % 1000000}"
        self.prefix = prefix
        self.deployer = deployer
        self.namespaces = namespaces(count, prefix)
        self.api = config.new_client_from_config(config_file=str(env.kubeconfig))
        self.core = client.CoreV1Api(self.api)
        self.custom = client.CustomObjectsApi(self.api)
        self.reader = KubeReader(self.api, timeout=20.0)
        self.kubectl = env.kubectl()
        self.fleet = AppFleet(
            [AppSpec(ns, APP) for ns in self.namespaces], KubernetesPods(env.kubeconfig), rate=10.0, hang_seconds=20.0
        )
        self._serial = int(time.time()) % 100000

    # -- set-up -------------------------------------------------------------------------------------

    def documents(self) -> list[dict[str, Any]]:
        """Every app's objects (one ytt render, copied per namespace) after the product's templates."""
        template = render_example(
            {
                "namespace": _PLACEHOLDER,
                "version": FIRST_VERSION,
                "loadtester_url": self.fleet.url,
                "prometheus_address": self.env.prometheus_url,
                "deployer": self.deployer,
            }
        )
        shared: dict[tuple[str, str], dict[str, Any]] = {}
        per_namespace: list[dict[str, Any]] = []
        for doc in template:
            text = json.dumps(doc)
            if _PLACEHOLDER not in text:
                shared[(doc["kind"], doc["metadata"]["name"])] = doc  # cluster-scoped: the delivery, its templates
                continue
            pattern = re.compile(re.escape(_PLACEHOLDER))
            per_namespace += [json.loads(pattern.sub(ns, text)) for ns in self.namespaces]
        return apply_order(platform_documents() + list(shared.values()) + per_namespace)

    def install(self, timeout: float = 600.0) -> None:
        """Start the fleet, apply every app, and wait until each Canary is idle with its primary available."""
        self.fleet.start()
        # its own scrape job: another fleet registering on the same environment cannot replace it
        self.fleet.register(self.env.prometheus_targets_dir, job=f"appfleet-{self.prefix}")
        docs = self.documents()
        # cluster-wide objects and the namespaces first, then each namespace's objects by APPLY_PROCESSES kubectl
        # processes at once (kubectl applies one object after the other), server-side: one request per object
        first = [d for d in docs if d["kind"] == "Namespace" or not (d.get("metadata") or {}).get("namespace")]
        rest = [d for d in docs if d not in first]
        self.kubectl.apply(first, timeout=300)
        index = {ns: i for i, ns in enumerate(self.namespaces)}
        chunks = [
            [d for d in rest if index.get(d["metadata"]["namespace"], 0) % APPLY_PROCESSES == i]
            for i in range(APPLY_PROCESSES)
        ]
        with ThreadPoolExecutor(max_workers=APPLY_PROCESSES) as pool:
            list(
                pool.map(
                    lambda chunk: self.kubectl.apply(chunk, server_side=True, timeout=600), [c for c in chunks if c]
                )
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            phases = self.phases()
            available = self.available_primaries()
            waiting = [ns for ns in self.namespaces if phases.get(ns) not in IDLE or ns not in available]
            if not waiting:
                return
            time.sleep(2.0)
        raise AssertionError(
            f"{len(waiting)} of {len(self.namespaces)} apps not installed within {timeout:g}s "
            f"(e.g. {waiting[:5]}: phases {[phases.get(ns) for ns in waiting[:5]]}); see "
            f"{self.env.log_path('flagger')}, {self.env.log_path('kapp-controller')}"
        )

    def close(self) -> None:
        self.fleet.stop()

    def delete(self, timeout: float = 60.0) -> None:
        """Remove the apps' namespaces (without waiting for them to go).

        Each Canary carries Flagger's finalizer, and a namespace's deletion removes the target Deployment before
        Flagger can revert to it: the Canary would stay Terminating, and Flagger retry it every loop during the
        next wave. So the Deliverables (which re-stamp the Canary and its finalizer) go first, then the finalizers
        (nothing is left to revert to), then the namespaces."""
        from kubernetes.client.exceptions import ApiException

        def each(call: Any) -> None:
            def safely(ns: str) -> None:
                try:
                    call(ns)
                except ApiException as err:
                    if err.status != 404:
                        raise

            with ThreadPoolExecutor(max_workers=8) as pool:
                list(pool.map(safely, self.namespaces))

        each(
            lambda ns: self.custom.delete_namespaced_custom_object(
                "carto.run", "v1alpha1", ns, "deliverables", APP, _request_timeout=20
            )
        )
        deadline = time.monotonic() + timeout
        wanted = set(self.namespaces)
        while time.monotonic() < deadline:
            listing = self.custom.list_cluster_custom_object(
                "carto.run", "v1alpha1", "deliverables", _request_timeout=20
            )
            if not any(item["metadata"]["namespace"] in wanted for item in listing.get("items", [])):
                break
            time.sleep(1.0)
        each(
            lambda ns: self.custom.patch_namespaced_custom_object(
                "flagger.app", "v1beta1", ns, "canaries", APP, {"metadata": {"finalizers": None}}, _request_timeout=20
            )
        )
        for ns in self.namespaces:
            self.kubectl.run("delete", "namespace", ns, "--wait=false", "--ignore-not-found", check=False)

    # -- reading the cluster ------------------------------------------------------------------------

    def phases(self) -> dict[str, str | None]:
        """Canary phase by namespace (one list call)."""
        listing = self.custom.list_cluster_custom_object("flagger.app", "v1beta1", "canaries", _request_timeout=20)
        wanted = set(self.namespaces)
        return {
            item["metadata"]["namespace"]: (item.get("status") or {}).get("phase")
            for item in listing.get("items", [])
            if item["metadata"]["namespace"] in wanted and item["metadata"]["name"] == APP
        }

    def available_primaries(self) -> set[str]:
        """Namespaces whose primary Deployment has an available replica (one list call)."""
        wanted = set(self.namespaces)
        return {
            d["metadata"]["namespace"]
            for d in self.reader.deployments(f"metadata.name={APP}-primary")
            if d["metadata"]["namespace"] in wanted and ((d.get("status") or {}).get("availableReplicas") or 0) >= 1
        }

    # -- a wave -------------------------------------------------------------------------------------

    def update(self, bad: set[str] | None = None, timeout: float = 600.0, poll: float = 1.0) -> WaveResult:
        """Roll a new version out to every app at once (the namespaces in BAD get one that fails its checks);
        return when every Canary reached a verdict, or at TIMEOUT."""
        bad = bad or set()
        self._serial += 1
        versions = {ns: (f"bad-{self._serial}" if ns in bad else f"good-{self._serial}") for ns in self.namespaces}
        for ns, version in versions.items():
            self.fleet.table.set(ns, APP, version, BAD if ns in bad else GOOD)
        result = WaveResult(len(self.namespaces))
        usage = _Usage(self.env)
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(lambda ns: self.set_version(ns, versions[ns]), self.namespaces))
        result.update_seconds = time.monotonic() - started
        analysing: set[str] = set()
        deadline = started + timeout
        while time.monotonic() < deadline and len(result.verdicts) < len(self.namespaces):
            now = time.monotonic() - started
            for ns, phase in self.phases().items():
                if ns in result.verdicts or phase is None:
                    continue
                if phase not in IDLE:
                    if ns not in analysing:
                        result.detected[ns] = now
                    analysing.add(ns)
                elif ns in analysing:  # idle again after analysing this version
                    result.verdicts[ns] = Verdict(ns, phase, now)
            available = self.available_primaries()
            result.samples += 1
            result.unavailable += [(now, ns) for ns in self.namespaces if ns not in available]
            usage.sample()
            time.sleep(poll)
        result.unfinished = [ns for ns in self.namespaces if ns not in result.verdicts]
        result.usage = usage.totals()
        return result

    def set_version(self, namespace: str, version: str) -> None:
        """Roll VERSION out to the app in NAMESPACE: its values Secret (the PackageInstall deployer), or its
        Deliverable's release param (the App deployer: the version reaches the App only through Cartographer)."""
        if self.deployer == "app":
            self.reader.set_deliverable_params(namespace, APP, {"release": version})
            return
        values = yaml.safe_dump({"version": version, "unschedulable": False})
        self.core.patch_namespaced_secret(
            f"{APP}-values", namespace, {"stringData": {"values.yml": values}}, _request_timeout=20
        )


@contextmanager
def installed(
    env: Environment, count: int, *, timeout: float = 600.0, prefix: str | None = None, deployer: str = "packageinstall"
) -> Iterator[Wave]:
    """A Wave of COUNT apps, installed, for the ``with`` block; then its fleet stopped and its apps deleted."""
    wave = Wave(env, count, prefix, deployer)
    try:
        wave.install(timeout=timeout)
        yield wave
    finally:
        wave.close()
        wave.delete()


class _Usage:
    """CPU seconds used and the largest resident memory of the environment's components during a wave, read from
    /proc (Linux), so a wave needs no extra package."""

    def __init__(self, env: Environment) -> None:
        self._pids = {name: _component_pids(env, name) for name in COMPONENTS}
        self._start = {name: sum(_cpu_seconds(pid) for pid in pids) for name, pids in self._pids.items()}
        self._children_start = {
            name: sum(_cpu_seconds(pid, children=True) for pid in pids) for name, pids in self._pids.items()
        }
        self._rss: dict[str, float] = dict.fromkeys(self._pids, 0.0)

    def sample(self) -> None:
        for name, pids in self._pids.items():
            self._rss[name] = max(self._rss[name], sum(_rss_mb(pid) for pid in pids))

    def totals(self) -> dict[str, dict[str, float]]:
        return {
            name: {
                "cpu_seconds": sum(_cpu_seconds(pid) for pid in pids) - self._start[name],
                "children_cpu_seconds": sum(_cpu_seconds(pid, children=True) for pid in pids)
                - self._children_start[name],
                "max_rss_mb": self._rss[name],
            }
            for name, pids in self._pids.items()
            if pids
        }


def _component_pids(env: Environment, name: str) -> list[int]:
    """The pids of component NAME: a process the environment started, or one of the provider's control plane."""
    from ..cluster import providers

    pids = list(env.pids(name))
    if not pids:
        found = providers.get(env.provider).processes(env.run_dir).get(name)
        pids = [found] if found else []
    return pids


def _cpu_seconds(pid: int, children: bool = False) -> float:
    """CPU seconds of process PID itself, or (CHILDREN) of the children it has started and waited for (the ytt and
    kapp processes of Cartographer and kapp-controller)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    first = 13 if children else 11  # cutime + cstime, or utime + stime
    return (int(fields[first]) + int(fields[first + 1])) / os.sysconf("SC_CLK_TCK")


def _rss_mb(pid: int) -> float:
    try:
        lines = Path(f"/proc/{pid}/status").read_text(encoding="ascii").splitlines()
    except OSError:
        return 0.0
    return next((int(line.split()[1]) / 1024 for line in lines if line.startswith("VmRSS:")), 0.0)
