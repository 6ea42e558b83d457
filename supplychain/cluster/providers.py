"""Cluster providers: they create and delete the Kubernetes cluster; everything
installed afterwards is shared (see environment.py)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import yaml

from .. import toolchain
from . import binaries, images, kind_node, proc
from .errors import ClusterError, ProviderUnavailable

Progress = Callable[[str], None]

CLUSTER_NAME = "supplychain"

KWOK_SERVICE_CIDR = "10.96.0.0/16"
"""The kwok cluster's Service range: kube-apiserver's default (/24, 254 addresses) is full after ~80 apps of
three Services each (the app's, and Flagger's primary and canary), as a release wave of 200 apps needs."""
KWOK_CONTROLLER_MANAGER_QPS = 200
KWOK_CONTROLLER_MANAGER_BURST = 400
"""kube-controller-manager's client rate (defaults 20 / 30, per controller): a wave of 200 apps rolls ~600
Deployments (canary up, primary promoted, canary down), each several ReplicaSet, Pod and status writes, and the
ReplicaSet controller waited on its rate limiter at the defaults."""
KWOK_CONTROLLER_MANAGER_SYNCS = 25
"""Deployments and ReplicaSets kube-controller-manager syncs at once (defaults 5 each): with 5, in a wave of 200
apps the Deployment queue lagged (Flagger saw canaries with "0 out of 1 new replicas have been updated" for up to
45 s); with 25 it kept up."""


class Provider(Protocol):
    """Creates and deletes one cluster whose admin kubeconfig lives in the run directory."""

    name: str

    def unavailable(self) -> str | None:
        """Why this provider cannot run here, or None."""

    def create(self, run_dir: Path, progress: Progress) -> Path:
        """Create the cluster; returns the admin kubeconfig."""

    def delete(self, run_dir: Path) -> None:
        """Delete the cluster and stop its processes (idempotent)."""

    def processes(self, run_dir: Path) -> dict[str, int | None]:
        """Control-plane processes run on this machine, by name (pid None = not running)."""

    def logs(self, run_dir: Path) -> Path | None:
        """Directory holding the control plane's logs, if on this machine."""


def _run(argv: list[str], log: Path, env: dict[str, str], timeout: float) -> None:
    """Run ARGV to completion, appending its output to LOG; failure names the log."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        out.write(f"\n--- {time.strftime('%Y-%m-%dT%H:%M:%S')} {' '.join(argv)}\n".encode())
        out.flush()
        try:
            done = subprocess.run(argv, stdout=out, stderr=subprocess.STDOUT, env=env, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise ClusterError(f"{Path(argv[0]).name} {argv[1]} timed out after {timeout:g}s; log: {log}") from None
    if done.returncode != 0:
        tail = log.read_text(errors="replace").strip().splitlines()[-5:]
        raise ClusterError(
            f"{' '.join(Path(a).name if i == 0 else a for i, a in enumerate(argv[:4]))} failed: "
            f"{' | '.join(tail)}; log: {log}"
        )


@dataclass
class KwokProvider:
    """A kwokctl cluster with the binary runtime: etcd, kube-apiserver, kube-controller-manager,
    kube-scheduler and kwok-controller as local processes on 127.0.0.1, RBAC on, nodes simulated."""

    nodes: int = 2
    name: str = "kwok"

    def unavailable(self) -> str | None:
        missing = binaries.missing(binaries.KWOK + ("kubectl",))
        if missing:
            return "missing binaries: " + binaries.describe(missing)
        return None

    @staticmethod
    def workdir(run_dir: Path) -> Path:
        return run_dir / "kwok"

    def cluster_dir(self, run_dir: Path) -> Path:
        return self.workdir(run_dir) / "clusters" / CLUSTER_NAME

    def _env(self, run_dir: Path) -> dict[str, str]:
        return {
            **os.environ,
            "KWOK_WORKDIR": str(self.workdir(run_dir)),
            "PATH": f"{toolchain.bin_dir()}{os.pathsep}{os.environ.get('PATH', '')}",
        }

    def _kwokctl(self, run_dir: Path, *args: str, timeout: float = 180) -> None:
        argv = [str(binaries.path("kwokctl")), "--name", CLUSTER_NAME, *args]
        _run(argv, run_dir / "logs" / "kwokctl.log", self._env(run_dir), timeout)

    def config(self, run_dir: Path) -> dict[str, object]:
        """The kwokctl configuration: every binary from the cache, loopback only, RBAC on,
        front-proxy headers so aggregated APIs see the real user, and room for many Services."""
        pki = self.cluster_dir(run_dir) / "pki"
        apiserver_args = [
            ("requestheader-client-ca-file", str(pki / "ca.crt")),
            ("requestheader-allowed-names", "kwok-admin"),
            ("requestheader-username-headers", "X-Remote-User"),
            ("requestheader-group-headers", "X-Remote-Group"),
            ("requestheader-extra-headers-prefix", "X-Remote-Extra-"),
            ("service-cluster-ip-range", KWOK_SERVICE_CIDR),
        ]
        return {
            "apiVersion": "config.kwok.x-k8s.io/v1alpha1",
            "kind": "KwokctlConfiguration",
            "options": {
                "runtime": "binary",
                "bindAddress": "127.0.0.1",
                "securePort": True,
                "kubeAuthorization": True,
                "kubeApiserverBinary": str(binaries.path("kube-apiserver")),
                "kubeControllerManagerBinary": str(binaries.path("kube-controller-manager")),
                "kubeSchedulerBinary": str(binaries.path("kube-scheduler")),
                "kwokControllerBinary": str(binaries.path("kwok")),
                "etcdBinary": str(binaries.path("etcd")),
                "kubectlBinary": str(binaries.path("kubectl")),
            },
            "componentsPatches": [
                {"name": "kube-apiserver", "extraArgs": [{"key": k, "value": v} for k, v in apiserver_args]},
                {
                    "name": "kube-controller-manager",
                    "extraArgs": [
                        {"key": "kube-api-qps", "value": str(KWOK_CONTROLLER_MANAGER_QPS)},
                        {"key": "kube-api-burst", "value": str(KWOK_CONTROLLER_MANAGER_BURST)},
                        {"key": "concurrent-deployment-syncs", "value": str(KWOK_CONTROLLER_MANAGER_SYNCS)},
                        {"key": "concurrent-replicaset-syncs", "value": str(KWOK_CONTROLLER_MANAGER_SYNCS)},
                    ],
                },
            ],
        }

    def create(self, run_dir: Path, progress: Progress) -> Path:
        reason = self.unavailable()
        if reason:
            raise ProviderUnavailable(f"kwok provider unavailable: {reason}")
        config_path = run_dir / "kwokctl.yaml"
        config_path.write_text(yaml.safe_dump(self.config(run_dir), sort_keys=False), encoding="utf-8")
        progress("creating the kwok cluster (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok)")
        self._kwokctl(run_dir, "create", "cluster", "--config", str(config_path), "--wait", "2m", timeout=240)
        if self.nodes > 0:
            progress(f"creating {self.nodes} kwok nodes")
            self._kwokctl(run_dir, "scale", "node", "--replicas", str(self.nodes), timeout=120)
        return self.cluster_dir(run_dir) / "kubeconfig.yaml"

    def delete(self, run_dir: Path) -> None:
        if not self.cluster_dir(run_dir).exists():
            return
        logs = self.logs(run_dir)
        if logs is not None and logs.is_dir():  # kwokctl deletes them with the cluster
            shutil.copytree(logs, run_dir / "logs" / "control-plane", dirs_exist_ok=True)
        if binaries.find("kwokctl") is not None:
            with contextlib.suppress(ClusterError):  # fall through to stopping what is left
                self._kwokctl(run_dir, "delete", "cluster", timeout=120)
        for pid in self.processes(run_dir).values():
            proc.stop(pid)
        shutil.rmtree(self.workdir(run_dir), ignore_errors=True)

    def processes(self, run_dir: Path) -> dict[str, int | None]:
        pids_dir = self.cluster_dir(run_dir) / "pids"
        result: dict[str, int | None] = {}
        if not pids_dir.is_dir():
            return result
        for pid_file in sorted(pids_dir.glob("*.pid")):
            try:
                pid = int(pid_file.read_text().strip())
            except (OSError, ValueError):
                pid = 0
            result[pid_file.stem] = pid if proc.alive(pid) else None
        return result

    def logs(self, run_dir: Path) -> Path | None:
        return self.cluster_dir(run_dir) / "logs"


def kind_cluster_name(run_dir: Path) -> str:
    """The kind cluster of RUN_DIR: one per run directory, so several environments can coexist."""
    digest = hashlib.sha1(str(run_dir.resolve()).encode()).hexdigest()[:8]
    return f"{CLUSTER_NAME}-{digest}"


def _engine_problem(engine: str) -> str | None:
    if shutil.which(engine) is None:
        return f"no container engine: `{engine}` is not installed; kind runs its nodes as containers"
    try:
        done = subprocess.run([engine, "info"], capture_output=True, text=True, timeout=20)
    except subprocess.TimeoutExpired:
        return f"no container engine: `{engine} info` timed out"
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines()
        return f"no container engine: `{engine} info` failed ({lines[-1] if lines else 'no output'})"
    return None


@dataclass
class KindProvider:
    """A one-node kind cluster from the locally built node image, its API server on 127.0.0.1, with
    every component image loaded into the node (nothing is ever pulled)."""

    name: str = "kind"
    engine: str = "docker"

    def node_image(self) -> str:
        return images.node().ref

    def unavailable(self) -> str | None:
        problem = _engine_problem(self.engine)
        if problem:
            return problem
        if binaries.find("kind") is None:
            return "the `kind` binary is not built (run `bash hack/install-kind.sh`)"
        absent = images.missing(self.engine, [images.node(), *images.components().values()])
        if absent:
            return "images not built: " + images.describe(absent)
        return None

    def config(self) -> dict[str, Any]:
        """kind's cluster configuration for our node image (kind_node.py): one node, the API server on
        127.0.0.1 only (a random port)."""
        config = dict(kind_node.cluster_config(self.node_image()))
        networking = config.get("networking")
        if not isinstance(networking, dict) or networking.get("apiServerAddress") != "127.0.0.1":
            raise ClusterError("the kind cluster configuration must publish the API server on 127.0.0.1 only")
        return config

    def _kind(self, run_dir: Path, *args: str, timeout: float = 300) -> None:
        env = {k: v for k, v in os.environ.items() if k != "KIND_EXPERIMENTAL_PROVIDER"}
        env["PATH"] = f"{toolchain.bin_dir()}{os.pathsep}{env.get('PATH', '')}"
        _run([str(binaries.path("kind")), *args], run_dir / "logs" / "kind.log", env, timeout)

    def create(self, run_dir: Path, progress: Progress) -> Path:
        reason = self.unavailable()
        if reason:
            raise ProviderUnavailable(f"kind provider unavailable: {reason}")
        name = kind_cluster_name(run_dir)
        kubeconfig = run_dir / "kind-kubeconfig.yaml"
        config = run_dir / "kind-config.yaml"
        config.write_text(yaml.safe_dump(self.config(), sort_keys=False), encoding="utf-8")
        progress(f"creating kind cluster {name} from {self.node_image()}")
        self._kind(
            run_dir,
            "create",
            "cluster",
            "--name",
            name,
            "--config",
            str(config),
            "--kubeconfig",
            str(kubeconfig),
            "--wait",
            "3m",
            "--retain",
            timeout=600,
        )
        refs = [image.ref for image in images.components().values()]
        progress(f"loading {len(refs)} images into the node: {', '.join(refs)}")
        self._kind(run_dir, "load", "docker-image", "--name", name, *refs, timeout=600)
        return kubeconfig

    def containers(self, run_dir: Path) -> list[str]:
        """Ids of the containers of RUN_DIR's cluster, running or not."""
        if shutil.which(self.engine) is None:
            return []
        try:
            done = subprocess.run(
                [
                    self.engine,
                    "ps",
                    "-a",
                    "-q",
                    "--filter",
                    f"label=io.x-k8s.kind.cluster={kind_cluster_name(run_dir)}",
                ],
                capture_output=True,
                text=True,
                timeout=30,
            )
        except subprocess.TimeoutExpired:
            return []
        return done.stdout.split() if done.returncode == 0 else []

    def delete(self, run_dir: Path) -> None:
        if not self.containers(run_dir):
            return
        name = kind_cluster_name(run_dir)
        if binaries.find("kind") is not None:
            with contextlib.suppress(ClusterError):  # the logs are a courtesy; deleting the cluster is not
                self._kind(
                    run_dir, "export", "logs", str(run_dir / "logs" / "control-plane"), "--name", name, timeout=120
                )
            with contextlib.suppress(ClusterError):  # fall through to removing what is left
                self._kind(run_dir, "delete", "cluster", "--name", name, timeout=180)
        left = self.containers(run_dir)
        if left:
            subprocess.run([self.engine, "rm", "-f", "-v", *left], capture_output=True, timeout=120)
        if self.containers(run_dir):
            raise ClusterError(
                f"containers of kind cluster {name} are left behind: {' '.join(self.containers(run_dir))}"
            )

    def processes(self, run_dir: Path) -> dict[str, int | None]:
        """The node container's init process, as seen from this machine."""
        result: dict[str, int | None] = {}
        for container in self.containers(run_dir):
            done = subprocess.run(
                [self.engine, "inspect", "-f", "{{.Name}} {{.State.Pid}}", container],
                capture_output=True,
                text=True,
                timeout=30,
            )
            if done.returncode == 0 and done.stdout.split():
                node, pid = done.stdout.split()
                result[node.lstrip("/")] = int(pid) if int(pid) > 0 else None
        return result

    def logs(self, run_dir: Path) -> Path | None:
        return run_dir / "logs" / "control-plane"

    def restart_api_server(self, run_dir: Path) -> None:
        """Stop kube-apiserver's container in each node of RUN_DIR's cluster; the kubelet starts it again
        (a static pod), with the same configuration and fresh process state."""
        for container in self.containers(run_dir):
            try:
                done = subprocess.run(
                    [self.engine, "exec", container, "sh", "-c", "crictl stop $(crictl ps -q --name kube-apiserver)"],
                    capture_output=True,
                    text=True,
                    timeout=60,
                )
            except subprocess.TimeoutExpired as err:
                raise ClusterError(f"could not restart kube-apiserver in {container}: timed out after 60s") from err
            if done.returncode != 0:
                raise ClusterError(f"could not restart kube-apiserver in {container}: {done.stderr.strip()}")


def get(name: str, nodes: int = 2) -> Provider:
    """The provider called NAME."""
    if name == "kwok":
        return KwokProvider(nodes=nodes)
    if name == "kind":
        return KindProvider()
    raise ClusterError(f"unknown provider {name!r} (known: kwok, kind)")
