"""The integration environment: a cluster from a provider plus Prometheus, Flagger,
Cartographer and kapp-controller, all reachable on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .. import toolchain
from ..errors import SupplychainError
from . import binaries, manifests, proc, providers
from .components import Component, ProcessSpec, for_provider, log_since_start
from .errors import ClusterError, NotReady, ProviderUnavailable
from .kubectl import Kubectl
from .state import State

Progress = Callable[[str], None]

READY_TIMEOUT = 180.0
NODE_COUNT = 2


def is_package_api_stuck(err: BaseException) -> bool:
    """Whether a failed start-up is the kind one in which kube-apiserver never sees kapp-controller's
    Package API as available (README, "Known issue"); `up` retries that once with a new cluster."""
    text = str(err)
    return isinstance(err, ClusterError) and (
        manifests.PACKAGING_APISERVICE in text or "the Package API does not answer" in text
    )


def stderr_progress(message: str) -> None:
    """Default progress output: one line per step on stderr."""
    print(f"==> {message}", file=sys.stderr, flush=True)


def quiet(message: str) -> None:
    """Progress output that discards everything."""


@dataclass(frozen=True)
class ComponentStatus:
    """One line of `supplychain cluster status`."""

    name: str
    running: bool
    ready: bool
    detail: str
    pids: tuple[int, ...]
    log: Path | None


@dataclass
class Environment:
    """A running integration environment (see `Environment.up` and `Environment.attach`).

    Attributes are stable for the environment's lifetime: ports are chosen at `up` and
    kept across component restarts.
    """

    run_dir: Path
    provider: str
    kubeconfig: Path
    ports: dict[str, int]
    bin_dir: Path = field(default_factory=toolchain.bin_dir)
    progress: Progress = stderr_progress

    # -- locations -----------------------------------------------------------------------
    @property
    def prometheus_url(self) -> str:
        """Prometheus's base URL, e.g. http://127.0.0.1:9090."""
        return f"http://127.0.0.1:{self.ports['prometheus']}"

    @property
    def prometheus_targets_dir(self) -> Path:
        """Prometheus file_sd directory: drop `<job>.json` files here to add 127.0.0.1 targets."""
        return self.run_dir / "prometheus" / "targets"

    @property
    def flagger_url(self) -> str:
        """Flagger's HTTP server (/healthz, /metrics)."""
        return f"http://127.0.0.1:{self.ports['flagger']}"

    @property
    def loadtester_url(self) -> str | None:
        """flagger-loadtester's API on the host (kind: a port-forward, e.g. for its gates), else None."""
        port = self.ports.get("loadtester")
        return f"http://127.0.0.1:{port}" if port and self.provider == "kind" else None

    @property
    def logs_dir(self) -> Path:
        return self.run_dir / "logs"

    def log_path(self, process: str) -> Path:
        """Log file of a component process (e.g. "flagger", "kapp-controller-sidecar")."""
        return self.logs_dir / f"{process}.log"

    def binary(self, name: str) -> str:
        """Path of a binary linked into the run directory, so that every process of the
        environment names the run directory on its command line (see stray_processes)."""
        link = self.run_dir / "bin" / name
        link.parent.mkdir(parents=True, exist_ok=True)
        target = binaries.path(name).resolve()
        if not link.is_symlink() or link.resolve() != target:
            link.unlink(missing_ok=True)
            link.symlink_to(target)
        return str(link)

    def kubectl(self) -> Kubectl:
        """kubectl bound to the admin kubeconfig."""
        return Kubectl(binaries.path("kubectl"), self.kubeconfig)

    def subprocess_env(self) -> dict[str, str]:
        """Environment variables for tools run against this cluster (KUBECONFIG, PATH)."""
        return {
            **os.environ,
            "KUBECONFIG": str(self.kubeconfig),
            "PATH": f"{self.bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        }

    @property
    def components(self) -> dict[str, Component]:
        """The components of this environment, in start order."""
        return for_provider(self.provider)

    # -- life cycle ----------------------------------------------------------------------
    @classmethod
    def up(
        cls,
        run_dir: Path,
        provider: str = "kwok",
        nodes: int = NODE_COUNT,
        progress: Progress = stderr_progress,
        timeout: float = READY_TIMEOUT,
    ) -> Environment:
        """Create the cluster, install the CRDs, start every component and wait until all are ready.

        On failure everything started so far is stopped again and the error names the log to read.
        """
        run_dir = run_dir.resolve()
        chosen = providers.get(provider, nodes)
        reason = chosen.unavailable()
        if reason:
            raise ProviderUnavailable(f"{provider} provider unavailable: {reason}")
        missing = binaries.prerequisites_missing(provider)
        if missing:
            raise ClusterError("missing prerequisites: " + binaries.describe(missing))
        if State.path(run_dir).exists():
            existing = cls.attach(run_dir, progress)
            if existing.any_running():
                raise ClusterError(
                    f"an environment is already running in {run_dir}; run `supplychain cluster down --run-dir {run_dir}` first"
                )
            existing.down()
        run_dir.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(run_dir / "logs", ignore_errors=True)
        started = time.monotonic()
        ports = {name: proc.free_port() for name in ("prometheus", "flagger", "kapp-controller-api", "loadtester")}
        state = State(
            provider=provider,
            cluster_name=providers.CLUSTER_NAME,
            kubeconfig=str(run_dir / "kubeconfig"),
            ports=ports,
            created_at=time.time(),
        )
        attempts = 2 if provider == "kind" else 1
        for attempt in range(1, attempts + 1):
            state.save(run_dir)
            env = cls(run_dir, provider, Path(state.kubeconfig), ports, progress=progress)
            try:
                admin = chosen.create(run_dir, progress)
                shutil.copyfile(admin, env.kubeconfig)
                env.kubeconfig.chmod(0o600)
                env._wait_cluster(timeout)
                env._install_crds()
                for component in env.components.values():
                    env._start(component)
                env.wait_ready(list(env.components), timeout)
            except BaseException as err:
                try:
                    env.down()
                except Exception as cleanup_err:
                    progress(f"warning: clean-up after the failure failed too: {cleanup_err}")
                if attempt < attempts and is_package_api_stuck(err):
                    kept = run_dir / f"logs-attempt-{attempt}"
                    shutil.rmtree(kept, ignore_errors=True)
                    if env.logs_dir.exists():
                        env.logs_dir.rename(kept)
                    progress(
                        "kapp-controller's Package API did not become available (a known kind start-up problem, "
                        f"see the README); retrying once with a new cluster (logs of this attempt: {kept})"
                    )
                    continue
                progress(
                    f"start-up failed; logs are in {env.logs_dir} (control plane: {env.logs_dir / 'control-plane'})"
                )
                raise
            break
        progress(f"environment ready in {time.monotonic() - started:.1f}s (kubeconfig: {env.kubeconfig})")
        return env

    @classmethod
    def attach(cls, run_dir: Path, progress: Progress = stderr_progress) -> Environment:
        """The environment recorded in RUN_DIR (running or not)."""
        run_dir = run_dir.resolve()
        state = State.load(run_dir)
        return cls(run_dir, state.provider, Path(state.kubeconfig), dict(state.ports), progress=progress)

    def down(self) -> None:
        """Stop every component and delete the cluster; leaves no process behind."""
        self.progress(f"stopping the environment in {self.run_dir}")
        provider = providers.get(self.provider)
        if provider.processes(self.run_dir) and self.provider == "kind":
            # Deleting the node ends every pod: keep their logs, stop the port-forwards, then delete.
            self.collect_logs()
            for name in reversed(list(self.components)):
                for pid in reversed(self.pids(name)):
                    proc.stop(pid)
        else:
            for name in reversed(list(self.components)):
                try:
                    self.stop(name)
                except SupplychainError as err:
                    self.progress(f"warning: {err}")
        provider.delete(self.run_dir)
        leftovers = self.stray_processes()
        for pid in leftovers:
            proc.stop(pid, timeout=5)
        State.path(self.run_dir).unlink(missing_ok=True)
        self.progress("environment stopped")

    def collect_logs(self) -> None:
        """Copy every component's log that lives in the cluster (`kubectl logs`) into the run directory's
        logs folder; failures to do so are reported, never raised."""
        for component in self.components.values():
            try:
                component.collect_logs(self)
            except (SupplychainError, OSError) as err:
                self.progress(f"warning: cannot collect the logs of {component.name}: {err}")

    def stray_processes(self) -> list[int]:
        """Processes still running whose command line mentions a path in the run directory."""
        return proc.matching(f"{self.run_dir}{os.sep}")

    # -- components ----------------------------------------------------------------------
    def _component(self, name: str) -> Component:
        try:
            return self.components[name]
        except KeyError:
            raise ClusterError(f"unknown component {name!r} (known: {', '.join(self.components)})") from None

    def _state(self) -> State:
        return State.load(self.run_dir)

    def pids(self, name: str) -> list[int]:
        """Recorded pids of a component's processes."""
        return list(self._state().pids.get(name, []))

    def is_running(self, name: str) -> bool:
        """Whether the component's processes are running."""
        return self._component(name).running(self, self.pids(name))

    def any_running(self) -> bool:
        state = self._state()
        ours = any(proc.alive(pid) for pids in state.pids.values() for pid in pids)
        theirs = any(pid for pid in providers.get(self.provider).processes(self.run_dir).values())
        return ours or theirs

    def start(self, name: str, timeout: float = READY_TIMEOUT) -> None:
        """Start a stopped component and wait until it is ready."""
        component = self._component(name)
        if self.is_running(name):
            raise ClusterError(f"{name} is already running")
        self._start(component)
        self.wait_ready([name], timeout)

    def stop(self, name: str) -> None:
        """Stop a component's processes (SIGTERM, then SIGKILL after 10s)."""
        component = self._component(name)
        state = self._state()
        pids = state.pids.get(name, [])
        if component.running(self, pids) or any(proc.alive(pid) for pid in pids):
            try:
                component.before_stop(self)
            except ClusterError as err:
                self.progress(f"warning: {name}: {err}")
        for pid in reversed(pids):
            proc.stop(pid)
        state = self._state()
        state.pids.pop(name, None)
        state.save(self.run_dir)

    def restart(self, name: str, timeout: float = READY_TIMEOUT) -> None:
        """Stop and start a component, waiting until it is ready again."""
        self.stop(name)
        self.start(name, timeout)

    def _start(self, component: Component) -> None:
        self.progress(f"starting {component.name}")
        component.prepare(self)
        pids: list[int] = []
        for spec in component.processes(self):
            if spec.wait_for_path is not None:
                self._wait_for_path(spec, pids)
            pids.append(self._spawn(spec))
            state = self._state()
            state.pids[component.name] = pids
            state.save(self.run_dir)
        component.after_start(self)

    def _spawn(self, spec: ProcessSpec) -> int:
        env = {**self.subprocess_env(), **spec.env}
        if env.get("KUBECONFIG") == "":
            del env["KUBECONFIG"]
        return proc.spawn(spec.argv, self.log_path(spec.name), env=env, cwd=self.run_dir)

    def _wait_for_path(self, spec: ProcessSpec, pids: list[int]) -> None:
        assert spec.wait_for_path is not None
        deadline = time.monotonic() + 30
        while not spec.wait_for_path.exists():
            if time.monotonic() > deadline or not all(proc.alive(p) for p in pids):
                raise ClusterError(f"{spec.wait_for_path} did not appear before starting {spec.name}")
            time.sleep(0.1)

    def wait_ready(self, names: list[str], timeout: float = READY_TIMEOUT) -> None:
        """Wait until every named component is ready; NotReady names the log to read."""
        started = time.monotonic()
        pending = dict.fromkeys(names, "starting")
        last_report = started
        while pending:
            for name in list(pending):
                self._check_alive(name)
                problem = self._component(name).check(self)
                if problem is None:
                    del pending[name]
                    self.progress(f"{name} ready ({time.monotonic() - started:.1f}s)")
                else:
                    pending[name] = problem
            if not pending:
                break
            now = time.monotonic()
            if now - started > timeout:
                name, problem = next(iter(pending.items()))
                raise NotReady(name, f"{problem} (after {timeout:g}s)", self.log_path(name))
            if now - last_report >= 10:
                last_report = now
                self.progress("still waiting: " + "; ".join(f"{n}: {p}" for n, p in pending.items()))
            time.sleep(0.5)

    def _check_alive(self, name: str) -> None:
        state = self._state()
        for spec_name, pid in zip(self._process_names(name), state.pids.get(name, []), strict=False):
            if not proc.alive(pid):
                log = self.log_path(spec_name)
                tail = log_since_start(log).strip().splitlines()[-3:]
                raise NotReady(name, f"process {spec_name} exited: {' | '.join(tail)}", log)

    def _process_names(self, name: str) -> list[str]:
        return [spec.name for spec in self._component(name).processes(self)]

    # -- cluster set-up ------------------------------------------------------------------
    def _wait_cluster(self, timeout: float) -> None:
        kubectl = self.kubectl()
        deadline = time.monotonic() + timeout
        self.progress("waiting for the API server and nodes")
        while True:
            problem = self._cluster_problem(kubectl)
            if problem is None:
                return
            if time.monotonic() > deadline:
                raise ClusterError(f"the cluster did not become ready: {problem}")
            time.sleep(0.5)

    def _cluster_problem(self, kubectl: Kubectl) -> str | None:
        if not kubectl.ok("get", "--raw", "/readyz"):
            return "API server not ready (/readyz)"
        nodes = kubectl.get("nodes").get("items", [])
        not_ready = [
            n["metadata"]["name"]
            for n in nodes
            if not any(
                c.get("type") == "Ready" and c.get("status") == "True"
                for c in n.get("status", {}).get("conditions", [])
            )
        ]
        if not nodes:
            return "no nodes"
        if not_ready:
            return "nodes not ready: " + ", ".join(not_ready)
        return None

    def _install_crds(self) -> None:
        self.progress("installing Flagger, Cartographer and kapp-controller CRDs")
        files: list[Path] = []
        for component in ("flagger", "cartographer", "kapp-controller"):
            files += sorted(toolchain.crd_dir(component).glob("*.y*ml"))
        kubectl = self.kubectl()
        kubectl.apply_files(files, server_side=True)
        kubectl.run("wait", "--for=condition=Established", "crd", "--all", "--timeout=60s", timeout=90)

    # -- status --------------------------------------------------------------------------
    def status(self) -> list[ComponentStatus]:
        """Every control-plane process and component, running and ready or not."""
        rows: list[ComponentStatus] = []
        provider = providers.get(self.provider)
        logs = provider.logs(self.run_dir)
        for name, pid in provider.processes(self.run_dir).items():
            rows.append(
                ComponentStatus(
                    name,
                    pid is not None,
                    pid is not None,
                    "control plane" if pid else "not running",
                    (pid,) if pid else (),
                    logs / f"{name}.log" if logs else None,
                )
            )
        kubectl = self.kubectl()
        try:
            problem = self._cluster_problem(kubectl)
        except ClusterError as err:
            problem = str(err)
        rows.append(
            ComponentStatus(
                "cluster", problem is None, problem is None, problem or "API server and nodes ready", (), None
            )
        )
        for name, component in self.components.items():
            pids = tuple(self.pids(name))
            running = component.running(self, list(pids))
            if not running:
                rows.append(ComponentStatus(name, False, False, "not running", pids, self.log_path(name)))
                continue
            try:
                detail = component.check(self)
            except ClusterError as err:
                detail = str(err)
            rows.append(ComponentStatus(name, True, detail is None, detail or "ready", pids, self.log_path(name)))
        return rows

    def memory_kib(self) -> int:
        """Resident memory of every process of the environment, in KiB."""
        return sum(self.memory_by_process().values())

    def memory_by_process(self) -> dict[str, int]:
        """Resident memory (KiB) per control-plane process and component."""
        usage = {
            name: proc.memory_kib([pid])
            for name, pid in providers.get(self.provider).processes(self.run_dir).items()
            if pid
        }
        for name in self.components:
            usage[name] = proc.memory_kib(self.pids(name))
        return usage
