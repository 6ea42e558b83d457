"""The controllers the environment runs next to the cluster: Prometheus, Flagger,
Cartographer and kapp-controller. Each knows how to prepare the cluster for itself,
which processes to run, and when it is ready."""

from __future__ import annotations

import json
import os
import shutil
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from ..flagger_labels import selector_labels_flag
from . import kubeconfigs, manifests, proc
from .errors import ClusterError

if TYPE_CHECKING:
    from .environment import Environment

TOKEN_DURATION = "48h"

# Throughput settings for many workloads at once, as the README ("What a platform should configure") tells a
# platform to set them; the flags exist in the pinned versions (Flagger cmd/flagger/main.go, Cartographer
# cmd/cartographer/main.go, kapp-controller cmd/controller/main.go).
FLAGGER_THREADINESS = 8
"""Flagger's workers for Canary object changes (default 2)."""
FLAGGER_KUBE_QPS = 400
FLAGGER_KUBE_BURST = 800
"""Flagger's client rate (defaults 100 / 250): each tick of each Canary makes several API calls."""
CARTOGRAPHER_MAX_CONCURRENT = 16
"""Cartographer's workers for Deliverables and for Workloads each (defaults 2)."""
KAPP_CONTROLLER_CONCURRENCY = 250
"""kapp-controller's App reconcilers (default 10): each a kapp deploy, and with the product's kapp wait rule each
holds its worker until Flagger analyses the new revision, so a wave of N apps needs N of them (the release-wave
bench runs up to 200)."""


@dataclass
class ProcessSpec:
    """One process of a component: its command, environment and log file."""

    name: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    wait_for_path: Path | None = None
    """Start only once this path exists (a socket the previous process creates)."""


def http_ok(url: str, timeout: float = 2.0) -> str | None:
    """None when URL answers 200, else why not."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return None if response.status == 200 else f"{url} answered {response.status}"
    except urllib.error.HTTPError as err:
        return f"{url} answered {err.code}"
    except (urllib.error.URLError, OSError) as err:
        return f"{url} unreachable ({getattr(err, 'reason', err)})"


def log_since_start(log: Path) -> str:
    """The part of LOG written since the process was last started."""
    try:
        text = log.read_text(errors="replace")
    except OSError:
        return ""
    marker = text.rfind("\n--- ")
    return text[marker:] if marker >= 0 else text


class Component:
    """Base class: one controller run as local processes."""

    name = ""

    def prepare(self, env: Environment) -> None:
        """Create what the component needs in the cluster and on disk (idempotent)."""

    def processes(self, env: Environment) -> list[ProcessSpec]:
        """The processes to start, in order."""
        return []

    def check(self, env: Environment) -> str | None:
        """None when ready, else what it is waiting for."""
        return None

    def before_stop(self, env: Environment) -> None:
        """Undo cluster state that must not outlive the processes."""

    def after_start(self, env: Environment) -> None:
        """Start what runs inside the cluster (after the local processes)."""

    def collect_logs(self, env: Environment) -> None:
        """Copy logs kept elsewhere (a pod's) into env.log_path(self.name); local processes log there already."""

    def running(self, env: Environment, pids: list[int]) -> bool:
        """Whether the component runs (by default: all its recorded processes are alive)."""
        return bool(pids) and all(proc.alive(pid) for pid in pids)

    def workdir(self, env: Environment) -> Path:
        path = env.run_dir / self.name
        path.mkdir(parents=True, exist_ok=True)
        return path


class Prometheus(Component):
    """Prometheus scraping only the 127.0.0.1 targets listed in its file_sd directory."""

    name = "prometheus"

    def config(self, env: Environment) -> dict[str, object]:
        return {
            "global": {"scrape_interval": "5s", "scrape_timeout": "4s", "evaluation_interval": "5s"},
            "scrape_configs": [
                {
                    "job_name": "targets",
                    "honor_labels": True,
                    "file_sd_configs": [
                        {"files": [str(env.prometheus_targets_dir / "*.json")], "refresh_interval": "5s"}
                    ],
                }
            ],
        }

    def prepare(self, env: Environment) -> None:
        work = self.workdir(env)
        env.prometheus_targets_dir.mkdir(parents=True, exist_ok=True)
        (work / "prometheus.yml").write_text(yaml.safe_dump(self.config(env), sort_keys=False), encoding="utf-8")

    def processes(self, env: Environment) -> list[ProcessSpec]:
        work = self.workdir(env)
        return [
            ProcessSpec(
                "prometheus",
                [
                    env.binary("prometheus"),
                    f"--config.file={work / 'prometheus.yml'}",
                    f"--storage.tsdb.path={work / 'data'}",
                    "--storage.tsdb.retention.time=1d",
                    f"--web.listen-address=127.0.0.1:{env.ports['prometheus']}",
                    "--log.level=info",
                ],
            )
        ]

    def check(self, env: Environment) -> str | None:
        return http_ok(f"{env.prometheus_url}/-/ready")


def flagger_args(metrics_server: str, port: int) -> list[str]:
    """Flagger's flags on every provider: the kubernetes (blue/green) provider, METRICS_SERVER as the
    default Prometheus, the HTTP server (/healthz, /metrics) on PORT, and the product's selector labels (TAP's
    Deployments select their pods on carto.run/workload-name)."""
    return [
        "-mesh-provider=kubernetes",
        selector_labels_flag(),
        f"-metrics-server={metrics_server}",
        f"-port={port}",
        "-control-loop-interval=5s",
        "-log-level=info",
        "-enable-leader-election=false",
    ]


def flagger_scale_args() -> list[str]:
    """Flagger's flags for many Canaries at once."""
    return [
        f"-threadiness={FLAGGER_THREADINESS}",
        f"-kubeconfig-qps={FLAGGER_KUBE_QPS}",
        f"-kubeconfig-burst={FLAGGER_KUBE_BURST}",
    ]


def cartographer_scale_args() -> list[str]:
    """Cartographer's flags for many owners at once."""
    return [
        f"-max-concurrent-deliveries={CARTOGRAPHER_MAX_CONCURRENT}",
        f"-max-concurrent-workloads={CARTOGRAPHER_MAX_CONCURRENT}",
    ]


class Flagger(Component):
    """Flagger with the kubernetes (blue/green) provider and our Prometheus as metrics server."""

    name = "flagger"

    def processes(self, env: Environment) -> list[ProcessSpec]:
        return [
            ProcessSpec(
                "flagger",
                [
                    env.binary("flagger"),
                    f"-kubeconfig={env.kubeconfig}",
                    *flagger_args(env.prometheus_url, env.ports["flagger"]),
                    *flagger_scale_args(),
                ],
            )
        ]

    def check(self, env: Environment) -> str | None:
        problem = http_ok(f"http://127.0.0.1:{env.ports['flagger']}/healthz")
        if problem:
            return problem
        if "Started operator workers" not in log_since_start(env.log_path("flagger")):
            return "waiting for the operator workers to start"
        return None


class Cartographer(Component):
    """Cartographer without its webhook, authenticated by a service account token only.

    A client-certificate identity would win over the service account tokens that
    Cartographer stamps with, so the controller gets a token kubeconfig of its own and
    every stamped object goes through the workload's/deliverable's RBAC.
    """

    name = "cartographer"

    CONTROLLERS = ("workload", "deliverable", "runnable", "clustersupplychain", "clusterdelivery")

    def kubeconfig(self, env: Environment) -> Path:
        return self.workdir(env) / "kubeconfig"

    def prepare(self, env: Environment) -> None:
        kubectl = env.kubectl()
        kubectl.apply(manifests.cartographer_rbac())
        token = kubectl.run(
            "create",
            "token",
            manifests.CARTOGRAPHER_SERVICE_ACCOUNT,
            "-n",
            manifests.CARTOGRAPHER_NAMESPACE,
            f"--duration={TOKEN_DURATION}",
        ).strip()
        config = kubeconfigs.token_kubeconfig(
            kubeconfigs.server(env.kubeconfig), kubeconfigs.ca_pem(env.kubeconfig), token, "cartographer"
        )
        path = self.kubeconfig(env)
        path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
        path.chmod(0o600)

    def processes(self, env: Environment) -> list[ProcessSpec]:
        return [
            ProcessSpec(
                "cartographer",
                [env.binary("cartographer"), "-log-level=info", *cartographer_scale_args()],
                {"KUBECONFIG": str(self.kubeconfig(env))},
            )
        ]

    def check(self, env: Environment) -> str | None:
        started = workers_started(log_since_start(env.log_path("cartographer")))
        waiting = [c for c in self.CONTROLLERS if c not in started]
        if waiting:
            return "waiting for controllers: " + ", ".join(waiting)
        return None


def workers_started(log: str) -> set[str]:
    """Controllers whose workers started, from controller-runtime's JSON log lines."""
    started = set()
    for line in log.splitlines():
        if "Starting workers" not in line:
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("msg") == "Starting workers":
            started.add(str(entry.get("controller")))
    return started


# Run inside `unshare -m`: gives kapp-controller the in-cluster service account files
# and its hard-coded home directory without touching the real paths. When a target
# directory does not exist, a tmpfs is laid over its nearest existing parent and the
# parent's original entries are bind-mounted back into it.
MOUNT_SCRIPT = r"""#!/bin/sh
set -eu
work="$1"; shift
mount --make-rprivate /
shadow() { # shadow PARENT
  parent="$1"; keep="$work/host$(echo "$parent" | tr / _)"
  mkdir -p "$keep"
  mount --rbind "$parent" "$keep"
  cd "$keep"
  mount -t tmpfs -o mode=755 tmpfs "$parent"
  for entry in * .[!.]*; do
    target="$parent/$entry"
    if [ -L "$entry" ]; then ln -sfn "$(readlink "$entry")" "$target"
    elif [ -d "$entry" ]; then mkdir -p "$target"; mount --rbind "$entry" "$target"
    elif [ -e "$entry" ]; then [ -e "$target" ] || : > "$target"; mount --bind "$entry" "$target"
    fi
  done
  cd /
}
bind() { # bind SOURCE TARGET
  if [ ! -d "$2" ]; then
    parent="$2"
    while [ ! -d "$(dirname "$parent")" ]; do parent="$(dirname "$parent")"; done
    shadow "$(dirname "$parent")"
    mkdir -p "$2"
  fi
  mount --bind "$1" "$2"
}
bind "$work/serviceaccount" /var/run/secrets/kubernetes.io/serviceaccount
bind "$work/home" /home/kapp-controller
exec "$@"
"""


class KappController(Component):
    """kapp-controller plus its sidecar, with the Package API served on 127.0.0.1.

    The aggregated API authenticates callers through in-cluster credentials, so the
    main process runs in a private mount namespace that holds the service account
    files; the APIService points at an ExternalName Service resolving to 127.0.0.1.
    """

    name = "kapp-controller"

    def sa_dir(self, env: Environment) -> Path:
        return self.workdir(env) / "serviceaccount"

    def socket(self, env: Environment) -> Path:
        return self.workdir(env) / "sidecarexec.sock"

    def prepare(self, env: Environment) -> None:
        if shutil.which("unshare") is None:
            raise ClusterError("kapp-controller needs `unshare` (util-linux) to run with in-cluster credentials")
        kubectl = env.kubectl()
        kubectl.apply(manifests.kapp_controller_rbac())
        kubectl.apply(manifests.packaging_api(env.ports["kapp-controller-api"]))
        token = kubectl.run(
            "create",
            "token",
            manifests.KAPP_CONTROLLER_SERVICE_ACCOUNT,
            "-n",
            manifests.KAPP_CONTROLLER_NAMESPACE,
            f"--duration={TOKEN_DURATION}",
        ).strip()
        work = self.workdir(env)
        sa = self.sa_dir(env)
        sa.mkdir(parents=True, exist_ok=True)
        (sa / "token").write_text(token, encoding="utf-8")
        (sa / "ca.crt").write_bytes(kubeconfigs.ca_pem(env.kubeconfig))
        (sa / "namespace").write_text(manifests.KAPP_CONTROLLER_NAMESPACE, encoding="utf-8")
        for sub in ("home/kc-agg-api-selfsigned-certs", "tmp"):
            (work / sub).mkdir(parents=True, exist_ok=True)
        script = work / "mount-namespace.sh"
        script.write_text(MOUNT_SCRIPT, encoding="utf-8")
        script.chmod(0o755)
        if len(str(self.socket(env))) > 100:
            raise ClusterError(f"run directory path too long for a unix socket: {self.socket(env)}")
        self.socket(env).unlink(missing_ok=True)

    def _common_env(self, env: Environment) -> dict[str, str]:
        work = self.workdir(env)
        return {
            "KAPPCTRL_SIDECAREXEC_SOCK": str(self.socket(env)),
            "KAPPCTRL_MEM_TMP_DIR": str(work / "tmp"),
            "HOME": str(work / "home"),
        }

    def processes(self, env: Environment) -> list[ProcessSpec]:
        binary = env.binary("kapp-controller")
        unshare = ["unshare", "--mount", "--propagation", "private"]
        if os.geteuid() != 0:
            unshare[1:1] = ["--user", "--map-root-user"]
        main_env = {
            **self._common_env(env),
            "HOME": "/home/kapp-controller",
            "KAPPCTRL_SYSTEM_NAMESPACE": manifests.KAPP_CONTROLLER_NAMESPACE,
            "KAPPCTRL_API_PORT": str(env.ports["kapp-controller-api"]),
            "KAPPCTRL_KUBERNETES_CA_DATA": kubeconfigs.ca_pem(env.kubeconfig).decode(),
            "KUBERNETES_SERVICE_HOST": "127.0.0.1",
            "KUBERNETES_SERVICE_PORT": str(kubeconfigs.server_port(env.kubeconfig)),
            "KUBECONFIG": "",
        }
        return [
            ProcessSpec("kapp-controller-sidecar", [binary, "-sidecarexec"], self._common_env(env)),
            ProcessSpec(
                "kapp-controller",
                [
                    *unshare,
                    "sh",
                    str(self.workdir(env) / "mount-namespace.sh"),
                    str(self.workdir(env)),
                    binary,
                    f"-packaging-global-namespace={manifests.PACKAGING_GLOBAL_NAMESPACE}",
                    "-enable-api-priority-and-fairness=false",
                    "-metrics-bind-address=0",
                    f"-concurrency={KAPP_CONTROLLER_CONCURRENCY}",
                ],
                main_env,
                wait_for_path=self.socket(env),
            ),
        ]

    def check(self, env: Environment) -> str | None:
        kubectl = env.kubectl()
        try:
            service = kubectl.get("apiservice", manifests.PACKAGING_APISERVICE)
        except ClusterError as err:
            return str(err)
        conditions = {c.get("type"): c for c in service.get("status", {}).get("conditions", [])}
        available = conditions.get("Available", {})
        if available.get("status") != "True":
            return f"APIService {manifests.PACKAGING_APISERVICE} not available: {available.get('message', 'no status yet')}"
        if not kubectl.ok("get", "packages.data.packaging.carvel.dev", "-A"):
            return "the Package API does not answer yet"
        return None

    def before_stop(self, env: Environment) -> None:
        # An unavailable APIService blocks namespace deletion and garbage collection.
        env.kubectl().run("delete", "apiservice", manifests.PACKAGING_APISERVICE, "--ignore-not-found", "--wait=false")


LOCAL_COMPONENTS: tuple[Component, ...] = (Prometheus(), Flagger(), Cartographer(), KappController())
COMPONENTS: dict[str, Component] = {c.name: c for c in LOCAL_COMPONENTS}
"""The components in start order (all local processes, as with the kwok provider)."""


def for_provider(provider: str) -> dict[str, Component]:
    """The components for PROVIDER: local processes on kwok, Deployments in the node on kind
    (see incluster.py)."""
    if provider == "kind":
        from .incluster import KIND_COMPONENTS

        return {c.name: c for c in KIND_COMPONENTS}
    return COMPONENTS
