"""The components of the kind provider: Deployments inside the node (kind_manifests.py), reached from the
host only through `kubectl port-forward` on 127.0.0.1. Stopping a component scales it to zero (its
process really ends); starting it applies its objects again (one replica)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import kind_manifests as km
from . import manifests, providers
from .components import Component, KappController, ProcessSpec, flagger_args, http_ok, workers_started
from .errors import ClusterError
from .manifests import Manifest

if TYPE_CHECKING:
    from .environment import Environment

STOP_TIMEOUT = 60.0


class InCluster(Component):
    """A component run as a one-replica Deployment in the cluster."""

    namespace = ""
    deployment = ""
    forward: tuple[str, int] | None = None
    """(port name in Environment.ports, port in the pod) forwarded to 127.0.0.1, if the host needs it."""

    def documents(self, env: Environment) -> list[Manifest]:
        """The objects to apply (the Deployment with one replica)."""
        return []

    def prepare(self, env: Environment) -> None:
        env.kubectl().apply(self.documents(env), server_side=True)

    def processes(self, env: Environment) -> list[ProcessSpec]:
        if self.forward is None:
            return []
        port_name, remote = self.forward
        argv = [
            sys.executable,
            "-m",
            "supplychain.cluster.portforward",
            str(env.binary("kubectl")),
            str(env.kubeconfig),
            self.namespace,
            f"deployment/{self.deployment}",
            str(env.ports[port_name]),
            str(remote),
        ]
        return [ProcessSpec(f"{self.name}-port-forward", argv)]

    def _deployment(self, env: Environment) -> dict[str, Any] | None:
        try:
            found: dict[str, Any] = env.kubectl().get(f"deployment/{self.deployment}", "-n", self.namespace)
        except ClusterError:
            return None
        return found

    def running(self, env: Environment, pids: list[int]) -> bool:
        found = self._deployment(env) or {}
        replicas = int(found.get("spec", {}).get("replicas", 0))
        return replicas > 0 and (self.forward is None or super().running(env, pids))

    def check(self, env: Environment) -> str | None:
        found = self._deployment(env)
        if found is None:
            return f"deployment {self.namespace}/{self.deployment} not found"
        meta, status = found.get("metadata", {}), found.get("status", {})
        if int(status.get("observedGeneration", 0)) < int(meta.get("generation", 0)):
            return f"deployment {self.namespace}/{self.deployment} not observed yet"
        if int(status.get("availableReplicas", 0) or 0) < 1 or int(status.get("updatedReplicas", 0) or 0) < 1:
            return f"waiting for a ready pod of {self.namespace}/{self.deployment}{self._pod_problem(env)}"
        return self.ready(env)

    def _pod_problem(self, env: Environment) -> str:
        """Why the pods are not ready, when a container says so (e.g. `: prometheus CrashLoopBackOff`)."""
        try:
            pods = env.kubectl().get("pods", "-n", self.namespace, "-l", f"app={self.deployment}").get("items", [])
        except ClusterError:
            return ""
        reasons = []
        for pod in pods:
            for container in pod.get("status", {}).get("containerStatuses") or []:
                waiting = (container.get("state") or {}).get("waiting") or {}
                if waiting.get("reason") and waiting["reason"] != "ContainerCreating":
                    reasons.append(f"{container['name']} {waiting['reason']}")
        return f": {', '.join(reasons)}" if reasons else ""

    def ready(self, env: Environment) -> str | None:
        """None when the running pod is ready for use, else what it is waiting for."""
        return None

    def logs(self, env: Environment, decorated: bool = False) -> str:
        """The current pod's log, every container; DECORATED: each line prefixed with its pod, container
        and time (for people), else as the program wrote it (for parsing)."""
        extra = ["--timestamps", "--prefix"] if decorated else []
        return env.kubectl().run(
            "logs",
            f"deployment/{self.deployment}",
            "-n",
            self.namespace,
            "--all-containers",
            *extra,
            check=False,
            timeout=30,
        )

    def collect_logs(self, env: Environment) -> None:
        text = self.logs(env, decorated=True)
        if text:
            path = env.log_path(self.name)
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "a", encoding="utf-8") as out:
                out.write(
                    f"\n--- {time.strftime('%Y-%m-%dT%H:%M:%S')} kubectl logs deployment/{self.deployment} "
                    f"-n {self.namespace}\n{text}"
                )

    def before_stop(self, env: Environment) -> None:
        self.collect_logs(env)
        kubectl = env.kubectl()
        kubectl.run("scale", f"deployment/{self.deployment}", "-n", self.namespace, "--replicas=0")
        deadline = time.monotonic() + STOP_TIMEOUT
        while kubectl.get("pods", "-n", self.namespace, "-l", f"app={self.deployment}").get("items"):
            if time.monotonic() > deadline:
                raise ClusterError(
                    f"pods of {self.namespace}/{self.deployment} still exist {STOP_TIMEOUT:g}s after scaling to 0"
                )
            time.sleep(0.5)


class Prometheus(InCluster):
    """Prometheus discovering annotated pods through the Kubernetes API."""

    name = "prometheus"
    namespace = km.MONITORING_NAMESPACE
    deployment = km.PROMETHEUS
    forward = ("prometheus", km.PROMETHEUS_PORT)

    def documents(self, env: Environment) -> list[Manifest]:
        return km.prometheus()

    def ready(self, env: Environment) -> str | None:
        return http_ok(f"{env.prometheus_url}/-/ready")


class Flagger(InCluster):
    """Flagger with the kubernetes provider and the in-cluster Prometheus as metrics server."""

    name = "flagger"
    namespace = manifests.FLAGGER_NAMESPACE
    deployment = km.FLAGGER
    forward = ("flagger", km.FLAGGER_PORT)

    def documents(self, env: Environment) -> list[Manifest]:
        return km.flagger(flagger_args(km.PROMETHEUS_URL, km.FLAGGER_PORT))

    def ready(self, env: Environment) -> str | None:
        problem = http_ok(f"{env.flagger_url}/healthz")
        if problem:
            return problem
        if "Started operator workers" not in self.logs(env):
            return "waiting for the operator workers to start"
        return None


class Loadtester(InCluster):
    """flagger-loadtester: runs the stamped webhooks (curl, hey) for canaries in the app namespaces."""

    name = "flagger-loadtester"
    namespace = km.LOADTESTER_NAMESPACE
    deployment = km.LOADTESTER
    forward = ("loadtester", 8080)

    def documents(self, env: Environment) -> list[Manifest]:
        return km.loadtester()

    def ready(self, env: Environment) -> str | None:
        return http_ok(f"{env.loadtester_url}/healthz")


class Cartographer(InCluster):
    """Cartographer, its webhook off, with its own service account (stamping uses the owner's)."""

    name = "cartographer"
    namespace = manifests.CARTOGRAPHER_NAMESPACE
    deployment = km.CARTOGRAPHER

    def documents(self, env: Environment) -> list[Manifest]:
        return km.cartographer()

    def ready(self, env: Environment) -> str | None:
        started = workers_started(self.logs(env))
        waiting = [
            c
            for c in ("workload", "deliverable", "runnable", "clustersupplychain", "clusterdelivery")
            if c not in started
        ]
        return "waiting for controllers: " + ", ".join(waiting) if waiting else None


class KappControllerInCluster(InCluster):
    """kapp-controller from its release configuration; its Package API through a real Service."""

    name = "kapp-controller"
    namespace = manifests.KAPP_CONTROLLER_NAMESPACE
    deployment = km.KAPP_CONTROLLER

    def documents(self, env: Environment) -> list[Manifest]:
        return km.kapp_controller()

    def prepare(self, env: Environment) -> None:
        """The APIService and the rest first, the Deployment once the aggregator has looked at the APIService,
        so that kapp-controller's start-up update of it does not meet the aggregator's first status write."""
        docs = self.documents(env)
        kubectl = env.kubectl()
        kubectl.apply([d for d in docs if d["kind"] != "Deployment"], server_side=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            service = kubectl.get("apiservice", manifests.PACKAGING_APISERVICE)
            if service.get("status", {}).get("conditions"):
                break
            time.sleep(0.5)
        kubectl.apply([d for d in docs if d["kind"] == "Deployment"], server_side=True)

    def ready(self, env: Environment) -> str | None:
        return package_api_problem(env)


# How long kube-apiserver may get 404 from the Package API before it is restarted (README, "Known issue").
PACKAGE_API_STUCK_FOR = 20.0
_stuck_since: dict[tuple[str, ...], float] = {}
_restarted: set[tuple[str, ...]] = set()
_clock: Callable[[], float] = time.monotonic


def package_api_problem(env: Environment) -> str | None:
    """kapp-controller's readiness (its Package API available and answering), with the one remedy known for
    the kind start-up in which kube-apiserver's availability check keeps getting 404 from a Package API that
    answers 200 to the same request sent by hand: restarting kube-apiserver, once per cluster, after
    PACKAGE_API_STUCK_FOR seconds of it."""
    problem = KappController().check(env)
    if problem is None or not problem.endswith(": 404"):
        return problem
    kind = providers.KindProvider()
    cluster = (str(env.run_dir), *kind.containers(env.run_dir))
    since = _stuck_since.setdefault(cluster, _clock())
    if cluster not in _restarted and _clock() - since >= PACKAGE_API_STUCK_FOR:
        _restarted.add(cluster)
        env.progress(
            f"kube-apiserver has had 404 from kapp-controller's Package API for {PACKAGE_API_STUCK_FOR:g}s "
            "(a known kind start-up problem, see the README): restarting kube-apiserver once"
        )
        kind.restart_api_server(env.run_dir)
    return problem


class CanaryPackage(Component):
    """Our templates, RBAC and overlay, installed by kapp-controller from our Carvel Package."""

    name = "canary-package"

    def prepare(self, env: Environment) -> None:
        deadline = time.monotonic() + 180
        while (problem := package_api_problem(env)) is not None:
            if time.monotonic() > deadline:
                raise ClusterError(f"cannot install our Package: kapp-controller not ready: {problem}")
            time.sleep(1)
        # Client-side apply: the Package kinds are served by kapp-controller's aggregated API.
        env.kubectl().apply(km.canary_package())

    def running(self, env: Environment, pids: list[int]) -> bool:
        return env.kubectl().ok("get", "packageinstall", km.PACKAGE_INSTALL, "-n", km.PACKAGE_NAMESPACE)

    def check(self, env: Environment) -> str | None:
        try:
            install = env.kubectl().get("packageinstall", km.PACKAGE_INSTALL, "-n", km.PACKAGE_NAMESPACE)
        except ClusterError as err:
            return str(err)
        status = install.get("status", {})
        conditions = {c.get("type"): c for c in status.get("conditions", [])}
        if conditions.get("ReconcileSucceeded", {}).get("status") == "True":
            return None
        if "ReconcileFailed" in conditions:
            raise ClusterError(
                f"PackageInstall {km.PACKAGE_NAMESPACE}/{km.PACKAGE_INSTALL} failed: "
                f"{status.get('usefulErrorMessage') or conditions['ReconcileFailed'].get('message')}"
            )
        return f"PackageInstall {km.PACKAGE_NAMESPACE}/{km.PACKAGE_INSTALL}: {status.get('friendlyDescription', 'not reconciled yet')}"

    def collect_logs(self, env: Environment) -> None:
        text = env.kubectl().run("get", "packageinstall,app", "-n", km.PACKAGE_NAMESPACE, "-o", "yaml", check=False)
        env.log_path(self.name).write_text(text, encoding="utf-8")


KIND_COMPONENTS: tuple[Component, ...] = (
    Prometheus(),
    Flagger(),
    Loadtester(),
    Cartographer(),
    KappControllerInCluster(),
    CanaryPackage(),
)
