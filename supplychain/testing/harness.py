"""Driving the hello-app example through rollouts in the integration environment, and recording them.

Used by the e2e tests and the benchmarks: `HelloApp(env, recordings_dir).install()` applies the product's
templates and the example with the app fleet's loopback URLs, then `rollout(scenario, behaviour)` bumps
the PackageInstall's values to a new version with that behaviour and follows Flagger's analysis to the end,
writing a replay recording per scenario.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..analysis.recording import write_recording as analysis_write
from ..appfleet.behaviour import Behaviour
from ..appfleet.loadtester import parse_calls, stamped_commands
from ..appfleet.observe import (
    KubeReader,
    Observation,
    RolloutObserver,
    condition,
    deployment_available,
    deployment_version,
)
from ..appfleet.pods import AppSpec, KubernetesPods
from ..appfleet.server import AppFleet
from ..appfleet.webhooks import WebhookCall
from ..cluster import Environment
from ..errors import InputError
from ..outputs import write_text_atomic
from .example import apply_order, platform_documents, render_example

NAMESPACE = "prod"
APP = "hello-app"
FIRST_VERSION = "1.0.0"
TERMINAL = ("Succeeded", "Failed")
IDLE = ("Initialized", "Succeeded", "Failed")
GOOD = Behaviour(success_rate=100.0, latency_ms=40.0)
BAD = Behaviour(success_rate=80.0, latency_ms=40.0)


def write_json(path: Path, data: Any) -> None:
    """Write DATA as JSON atomically."""
    write_text_atomic(path, json.dumps(data, indent=2) + "\n")


def write_recording(path: Path, recording: dict[str, Any]) -> None:
    """Write a replay recording, validated by the analysis package's reader; when it does not validate,
    the raw data is still written (for inspection) and the error raised."""
    try:
        analysis_write(path, recording)
    except InputError:
        write_json(path, recording)
        raise


class Stalled(AssertionError):
    """A bounded wait ran out; the message says what was awaited and where the logs are."""


@dataclass
class Rollout:
    """One version bump and what happened to it."""

    scenario: str
    version: str
    previous: str
    observation: Observation
    recording: dict[str, Any]
    path: Path

    @property
    def outcome(self) -> str | None:
        outcome = self.recording["outcome"]
        return None if outcome is None else str(outcome)

    @property
    def detected_after(self) -> float | None:
        """Seconds from the values bump to Flagger's detection (first Progressing)."""
        tick = self.observation.first("Progressing")
        return tick.t if tick else None

    @property
    def finished_after(self) -> float | None:
        """Seconds from the values bump to Succeeded or Failed."""
        tick = next((t for t in self.observation.rollout_ticks if t.phase in TERMINAL), None)
        return tick.t if tick else None

    def timeline(self) -> str:
        return ", ".join(f"{t.t:.1f}s {t.phase} it={t.iterations} fc={t.failed_checks}" for t in self.observation.ticks)


def version_prefix(behaviour: Behaviour, unschedulable: bool = False) -> str:
    """The prefix of a version's name that makes the real hello-app (examples/hello-app/app) behave as
    BEHAVIOUR: its APP_VERSION picks the behaviour."""
    conformance = behaviour.webhooks.get("conformance")
    if conformance == "fail":
        return "conformance-fails"
    if conformance == "hang":
        return "webhook-timeout"
    if unschedulable:
        return "never-ready"
    if behaviour.success_rate < 99:
        return "bad"
    if behaviour.latency_ms > 500:
        return "slow"
    return "good"


class HelloApp:
    """hello-app installed by kapp-controller, guarded by the canary delivery.

    On kwok the app fleet (a local process) serves the simulated pods' metrics and answers the webhooks.
    On kind the app runs for real: each version's name picks its behaviour, Prometheus scrapes its pods,
    and flagger-loadtester runs the stamped curl and hey commands; webhook calls are read from its log.
    """

    def __init__(self, env: Environment, recordings_dir: Path) -> None:
        from kubernetes import client, config

        self.env = env
        self.recordings_dir = recordings_dir
        self.api = config.new_client_from_config(config_file=str(env.kubeconfig))
        self.core = client.CoreV1Api(self.api)
        self.custom = client.CustomObjectsApi(self.api)
        self.reader = KubeReader(self.api)
        self.kubectl = env.kubectl()
        self.real = env.provider == "kind"
        self.fleet: AppFleet | None = None
        if not self.real:
            self.fleet = AppFleet(
                [AppSpec(NAMESPACE, APP)], KubernetesPods(env.kubeconfig), rate=10.0, hang_seconds=20.0
            )
        self._serial = int(time.time()) % 100000
        self.timings: list[dict[str, Any]] = []

    @property
    def webhook_url(self) -> str:
        """Where the Canary's webhooks go: the app fleet on kwok, flagger-loadtester on kind."""
        if self.fleet is not None:
            return self.fleet.url
        from ..cluster.kind_manifests import LOADTESTER_URL

        return LOADTESTER_URL

    def example_values(self) -> dict[str, Any]:
        """The data values the example is rendered with on this provider."""
        values: dict[str, Any] = {"namespace": NAMESPACE, "version": FIRST_VERSION, "loadtester_url": self.webhook_url}
        if self.real:
            from ..cluster.kind_manifests import PROMETHEUS_URL

            values.update(prometheus_address=PROMETHEUS_URL, conformance_cmd="", load_cmd="")
        else:
            values["prometheus_address"] = self.env.prometheus_url
        return values

    def calls(self, since: float | None = None) -> list[WebhookCall]:
        """The webhook calls answered since SINCE (unix seconds)."""
        if self.fleet is not None:
            return self.fleet.calls(since)
        from ..cluster.kind_manifests import LOADTESTER, LOADTESTER_NAMESPACE

        args = ["logs", f"deployment/{LOADTESTER}", "-n", LOADTESTER_NAMESPACE, "--timestamps"]
        if since is not None:
            args.append("--since-time=" + time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(since - 1)))
        log = self.kubectl.run(*args, timeout=30)
        found = parse_calls(log, stamped_commands(self.canary()), NAMESPACE)
        return [c for c in found if since is None or c.time >= since]

    # -- set-up -------------------------------------------------------------------------------------

    def install(self, timeout: float = 240.0) -> None:
        """Apply the templates and the example, then wait until the app is served and the canary idle.

        On a cluster where hello-app is already installed (a reused environment) the values Secret is
        left as it is, so applying does not roll out a version; the Canary is re-stamped with this
        fleet's webhook URL.
        """
        if self.fleet is not None:
            self.fleet.start()
            self.fleet.register(self.env.prometheus_targets_dir)
        docs = render_example(self.example_values())
        fresh = not self.kubectl.ok("get", "secret", "hello-app-values", "-n", NAMESPACE)
        if not fresh:
            docs = [d for d in docs if not (d["kind"] == "Secret" and d["metadata"]["name"] == "hello-app-values")]
        # On kind our templates and RBAC are already installed by the environment's PackageInstall.
        platform = [] if self.real else platform_documents()
        self.kubectl.apply(apply_order(platform + docs))
        self.wait(
            lambda: self._package_reconciled(), timeout, "PackageInstall prod/hello-app to reconcile", "kapp-controller"
        )
        self.wait(
            lambda: self._webhooks_point_here(), timeout, "the Canary to carry this fleet's webhook URL", "cartographer"
        )
        if fresh:
            self.wait(
                lambda: self.canary_phase() == "Initialized",
                timeout,
                "Canary prod/hello-app to be Initialized",
                "flagger",
            )
            self.wait(
                lambda: self.primary_state() == (FIRST_VERSION, True), timeout, "the primary to serve 1.0.0", "flagger"
            )
            self.wait(
                lambda: self.deliverable_ready() == "True",
                timeout,
                "Deliverable prod/hello-app to be Ready",
                "cartographer",
            )
        else:
            self.wait(lambda: self.canary_phase() in IDLE, timeout, "Canary prod/hello-app to be idle", "flagger")
            self.wait(lambda: self.primary_state()[1], timeout, "the primary to be Available", "flagger")

    def _webhooks_point_here(self) -> bool:
        hooks = (self.canary()["spec"].get("analysis") or {}).get("webhooks") or []
        return bool(hooks) and all(h.get("url") == self.webhook_url for h in hooks)

    def close(self) -> None:
        if self.fleet is not None:
            self.fleet.stop()
        write_json(self.recordings_dir / "timings.json", self.timings)
        self.api.close()

    # -- reads --------------------------------------------------------------------------------------

    def canary(self) -> dict[str, Any]:
        return self.reader.canary(NAMESPACE, APP)

    def canary_phase(self) -> str | None:
        try:
            return (self.canary().get("status") or {}).get("phase")
        except Exception:
            return None

    def primary_state(self) -> tuple[str | None, bool]:
        try:
            primary = self.reader.deployment(NAMESPACE, f"{APP}-primary")
        except Exception:
            return None, False
        return deployment_version(primary), deployment_available(primary)

    def deliverable(self, name: str = APP) -> dict[str, Any]:
        return self.reader.deliverable(NAMESPACE, name)

    def deliverable_ready(self, name: str = APP) -> str | None:
        try:
            found = condition(self.deliverable(name), "Ready")
        except Exception:
            return None
        return None if found is None else str(found.get("status"))

    def package_install(self) -> dict[str, Any]:
        """The app's PackageInstall (stamped by the Deliverable's deployer)."""
        install: dict[str, Any] = self.custom.get_namespaced_custom_object(
            "packaging.carvel.dev", "v1alpha1", NAMESPACE, "packageinstalls", APP, _request_timeout=5
        )
        return install

    def _package_reconciled(self) -> bool:
        found = condition(self.package_install(), "ReconcileSucceeded")
        return found is not None and found.get("status") == "True"

    def wait(self, check: Callable[[], bool], timeout: float, what: str, log: str | None = None) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if check():
                    return
            except Exception:
                pass
            if time.monotonic() > deadline:
                where = f"; see {self.env.log_path(log)}" if log else ""
                self.env.collect_logs()
                raise Stalled(
                    f"timed out after {timeout:g}s waiting for {what} (canary phase {self.canary_phase()}){where}"
                )
            time.sleep(0.5)

    # -- rollouts -----------------------------------------------------------------------------------

    def next_version(self, scenario: str, behaviour: Behaviour | None = None, unschedulable: bool = False) -> str:
        """A new version name; on kind it starts with the prefix that makes the real app behave as BEHAVIOUR."""
        self._serial += 1
        if not self.real or behaviour is None:
            return f"{scenario}-{self._serial}"
        prefix = version_prefix(behaviour, unschedulable)
        name = scenario if scenario.startswith(prefix + "-") or scenario == prefix else f"{prefix}-{scenario}"
        return f"{name}-{self._serial}"

    def set_values(self, version: str, unschedulable: bool = False) -> None:
        """Bump the PackageInstall's values Secret (kapp-controller re-deploys on the change)."""
        values = yaml.safe_dump({"version": version, "unschedulable": unschedulable})
        self.core.patch_namespaced_secret(
            "hello-app-values", NAMESPACE, {"stringData": {"values.yml": values}}, _request_timeout=10
        )

    def rollout(
        self,
        scenario: str,
        behaviour: Behaviour,
        *,
        unschedulable: bool = False,
        during: Callable[[RolloutObserver], None] | None = None,
        detect_timeout: float = 90.0,
        timeout: float = 240.0,
    ) -> Rollout:
        """Roll out a new version behaving as BEHAVIOUR; return once Flagger promoted or rolled it back.

        DURING runs once the analysis started (e.g. to inject a fault); the recording is written either way.
        """
        self.wait(lambda: self.canary_phase() in IDLE, 180, "the canary to be idle before the next rollout", "flagger")
        previous, _ = self.primary_state()
        assert previous is not None, "no primary version before the rollout"
        version = self.next_version(scenario, behaviour, unschedulable)
        self.env.progress(f"{scenario}: rolling out {version} (primary on {previous})")
        if self.fleet is not None:
            self.fleet.table.set(NAMESPACE, APP, version, behaviour)
        observer = RolloutObserver(self.reader, NAMESPACE, APP, self.env.prometheus_url, deliverable=APP).start()
        error: BaseException | None = None
        try:
            self.set_values(version, unschedulable)
            started = observer.wait_until(lambda o: any(t.phase == "Progressing" for t in o.ticks), detect_timeout)
            if not started:
                raise Stalled(
                    f"{scenario}: Flagger did not start an analysis of {version} within {detect_timeout:g}s "
                    f"(see {self.env.log_path('kapp-controller')} and {self.env.log_path('flagger')})"
                )
            if during is not None:
                during(observer)
            done = observer.wait_until(_finished, timeout)
            if not done:
                raise Stalled(
                    f"{scenario}: no Succeeded/Failed within {timeout:g}s; timeline: "
                    f"{_timeline(observer.observation)}; see {self.env.log_path('flagger')}"
                )
        except BaseException as err:
            error = err
            raise
        finally:
            observation = observer.stop()
            recording = observer.recording(scenario, self._calls_or_none(observation.started_at))
            suffix = "" if error is None else ".incomplete"
            path = self.recordings_dir / f"{scenario}{suffix}.json"
            write_recording(path, recording)
        result = Rollout(scenario, version, previous, observation, recording, path)
        for t, metric, message in observation.query_errors[:5]:
            self.env.progress(f"{scenario}: metric {metric} at t={t:.1f}s: {message}")
        self.env.progress(
            f"{scenario}: {result.outcome} {result.finished_after or 0:.1f}s after the update "
            f"(detected after {result.detected_after or 0:.1f}s); recording {path}"
        )
        self.timings.append(
            {
                "scenario": scenario,
                "outcome": result.outcome,
                "detected_after_s": result.detected_after,
                "finished_after_s": result.finished_after,
                "promoted_at_s": recording["promoted_at"],
                "interval_s": 10,
                "iterations": _iterations(recording),
            }
        )
        return result

    def _calls_or_none(self, since: float) -> list[WebhookCall]:
        try:
            return self.calls(since)
        except Exception as err:  # the recording is still written; the missing calls show in it
            self.env.progress(f"warning: cannot read the webhook calls: {err}")
            return []

    def wait_for_iterations(self, observer: RolloutObserver, count: int, timeout: float = 60.0) -> None:
        """Wait until the analysis passed the pre-rollout tick (iterations >= COUNT) or ended."""
        ok = observer.wait_until(
            lambda o: bool(o.ticks) and (o.ticks[-1].iterations >= count or o.ticks[-1].phase in TERMINAL), timeout
        )
        if not ok:
            raise Stalled(
                f"iterations did not reach {count} within {timeout:g}s; timeline: {_timeline(observer.observation)}"
            )


def _finished(obs: Observation) -> bool:
    return obs.outcome is not None


def _timeline(obs: Observation) -> str:
    return ", ".join(f"{t.t:.1f}s {t.phase} it={t.iterations} fc={t.failed_checks}" for t in obs.ticks)


def _iterations(recording: dict[str, Any]) -> int | None:
    return ((recording.get("canary") or {}).get("spec", {}).get("analysis") or {}).get("iterations")
