"""kapp and Flagger on one app: forced kapp syncs of the PackageInstall (with the product's kapp configuration,
given as a hand-made PackageInstall gets it) keep what Flagger wrote, and deleting the Canary keeps the app served.

Both watch the apex Service every 0.5 s: its EndpointSlices must list ready pods at every poll (on the primary,
whenever Flagger routes to it), the target's replica count stays as Flagger set it, and the verdict does not
change. Every poll loop is bounded in count and time.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import pytest

from supplychain.testing.harness import APP, BAD, GOOD, NAMESPACE, HelloApp
from supplychain.testing.kapp_apps import deploy_started, deployed_since
from supplychain.testing.sampling import Sampler

pytestmark = pytest.mark.e2e

POLL = 0.5
MAX_POLLS = 1200  # 10 minutes at most
# How long the Deliverable may lag its deployer: kapp-controller's PackageInstall reconcile (copying the App's
# status) plus Cartographer's reconcile of the Deliverable. Far below Flagger's next tick (10 s here, 30 s by
# default), which is how long the previous verdict would stand without the product's kapp wait rule.
PROPAGATION = 5.0
# The longest gap the bare-delete race may leave: the re-stamped Canary's first run (within its 10 s interval)
# creates the primary, whose pods then start and pass their readiness probe.
RACE_GAP = 40.0


@dataclass
class Sample:
    t: float
    ready_pods: list[str]
    target_replicas: int | None
    phase: str | None
    selector: dict[str, str] | None  # the apex Service's pod selector


def _apex_sample(hello: HelloApp, t: float) -> Sample:
    """The apex Service's ready endpoints, the target's replicas, the Canary's phase and the apex selector."""
    from kubernetes import client

    # Raw JSON: a slice may list no endpoints at all (`endpoints: null`), which the client's models refuse.
    response = client.DiscoveryV1Api(hello.api).list_namespaced_endpoint_slice(
        NAMESPACE, label_selector=f"kubernetes.io/service-name={APP}", _request_timeout=5, _preload_content=False
    )
    ready = sorted(
        e["targetRef"]["name"]
        for s in json.loads(response.data)["items"]
        for e in (s.get("endpoints") or [])
        if (e.get("conditions") or {}).get("ready") and e.get("targetRef")
    )
    target = client.AppsV1Api(hello.api).read_namespaced_deployment(APP, NAMESPACE, _request_timeout=5)
    apex = client.CoreV1Api(hello.api).read_namespaced_service(APP, NAMESPACE, _request_timeout=5)
    return Sample(t, ready, target.spec.replicas, hello.canary_phase(), apex.spec.selector)


def apex_watch(hello: HelloApp) -> Sampler[Sample]:
    """Polls the apex Service's endpoints, the target's replicas and the Canary's phase every 0.5 s."""
    return Sampler(lambda t: _apex_sample(hello, t), POLL, MAX_POLLS)


def gaps(watch: Sampler[Sample]) -> list[Sample]:
    """Polls that saw no ready endpoint behind the apex Service."""
    return [s for s in watch.samples if not s.ready_pods]


def describe(samples: list[Sample]) -> str:
    """The first samples, each as time, ready pods, apex selector, target replicas and phase."""
    return "; ".join(
        f"{s.t:.1f}s {s.ready_pods or 'no ready pods'} selector={s.selector} target={s.target_replicas} {s.phase}"
        for s in samples[:8]
    )


def _app(hello: HelloApp) -> dict[str, Any]:
    return hello.reader.app(NAMESPACE, APP)


def _deploy_started(hello: HelloApp) -> str | None:
    return deploy_started(_app(hello))


def force_kapp_sync(hello: HelloApp, timeout: float = 90.0) -> None:
    """Make kapp-controller run kapp deploy for the PackageInstall now (a spec change of its App, through the
    Deliverable's sync_period param), and wait until that deploy finished successfully."""
    before = _deploy_started(hello)
    # The Deliverable's deployer stamps the PackageInstall and owns its spec: change its sync period there.
    params = hello.deliverable()["spec"].get("params") or []
    current = next((p["value"] for p in params if p["name"] == "sync_period"), None)
    period = "31s" if current != "31s" else "30s"
    hello.reader.set_deliverable_params(NAMESPACE, APP, {"sync_period": period})

    hello.wait(
        lambda: deployed_since(_app(hello), before),
        timeout,
        f"kapp-controller to sync App {NAMESPACE}/{APP} (syncPeriod {period})",
        "kapp-controller",
    )


def _primary_pods(sample: Sample) -> bool:
    return bool(sample.ready_pods) and all(p.startswith(f"{APP}-primary-") for p in sample.ready_pods)


def test_kapp_syncs_keep_what_flagger_wrote(hello: HelloApp) -> None:
    syncs: list[tuple[float, str]] = []

    def sync_during_analysis(observer: Any) -> None:
        hello.wait_for_iterations(observer, 1)
        for _ in range(2):
            force_kapp_sync(hello)
            syncs.append((time.monotonic(), hello.canary_phase() or ""))

    with apex_watch(hello) as watch:
        rollout = hello.rollout("kapp-sync", GOOD, during=sync_during_analysis)
        assert rollout.outcome == "Succeeded", rollout.timeline()
        for _ in range(2):
            force_kapp_sync(hello)
        promoted_version = hello.primary_state()[0]
        settle_until = time.monotonic() + 15
        while time.monotonic() < settle_until:
            time.sleep(POLL)
    assert syncs and all(phase == "Progressing" for _, phase in syncs), f"syncs during the analysis: {syncs}"
    assert not watch.errors, watch.errors[:5]
    assert len(watch.samples) > 40, "the watch polled throughout"
    assert not gaps(watch), f"apex Service without ready endpoints: {describe(gaps(watch))}"
    routed_to_primary = [s for s in watch.samples if s.phase in ("Succeeded", "Initialized", "Progressing")]
    wrong = [s for s in routed_to_primary if not _primary_pods(s)]
    assert not wrong, f"apex Service on non-primary pods: {[(round(s.t, 1), s.ready_pods) for s in wrong][:5]}"
    analysing = [s for s in watch.samples if s.phase == "Progressing"]
    assert analysing and all((s.target_replicas or 0) >= 1 for s in analysing), "Flagger's scale-up survived kapp"
    last = watch.samples[-10:]
    assert all(s.target_replicas == 0 for s in last), f"the target stays scaled to 0 after promotion: {last}"
    assert all(s.phase == "Succeeded" for s in last), f"the verdict did not change: {[s.phase for s in last]}"
    assert hello.primary_state() == (promoted_version, True) and promoted_version == rollout.version


def _idle_canary(hello: HelloApp) -> dict[str, Any]:
    """Wait for an idle, promoted Canary stamped with revertOnDeletion and Flagger's finalizer; return it."""
    hello.wait(lambda: hello.canary_phase() in ("Succeeded", "Initialized"), 180, "an idle, promoted canary", "flagger")
    canary = hello.canary()
    assert canary["spec"]["revertOnDeletion"] is True
    assert "finalizer.flagger.app" in canary["metadata"]["finalizers"], "stamped, so re-stamping keeps it"
    return canary


def _delete_canary(hello: HelloApp) -> None:
    hello.custom.delete_namespaced_custom_object(
        "flagger.app", "v1beta1", NAMESPACE, "canaries", APP, _request_timeout=10
    )


def _restamped(hello: HelloApp, old_uid: str, phase: str | None = None) -> bool:
    current = hello.canary()
    return current["metadata"]["uid"] != old_uid and (
        phase is None or (current.get("status") or {}).get("phase") == phase
    )


def _primary_serves_again(hello: HelloApp, version: str | None) -> None:
    """Wait for the new primary to serve VERSION, then 5 s more for the watch."""
    hello.wait(lambda: hello.primary_state() == (version, True), 60, "the primary to serve again", "flagger")
    settle_until = time.monotonic() + 5
    while time.monotonic() < settle_until:
        time.sleep(POLL)


def _polled_throughout(watch: Sampler[Sample]) -> None:
    assert not watch.errors, watch.errors[:5]
    assert len(watch.samples) > 10


def test_deleting_a_suspended_canary_keeps_the_app_served(hello: HelloApp) -> None:
    """The README's way to delete a Canary: suspend it (the Deliverable's canary_suspend), delete it, let the
    delivery stamp it again, unsuspend. Flagger's finalizer scales the target up and points the apex Service at it;
    a suspended Canary gets no scheduler run that could point the apex back at the primary, which goes with the
    Canary. Unsuspended, Flagger initialises anew and hands the apex to the new primary once it is ready."""
    canary = _idle_canary(hello)
    old_uid = canary["metadata"]["uid"]
    served_version = hello.primary_state()[0]
    hello.reader.set_deliverable_params(NAMESPACE, APP, {"canary_suspend": "true"})
    hello.wait(
        lambda: hello.canary()["spec"].get("suspend") is True, 60, "the delivery to stamp suspend", "cartographer"
    )
    with apex_watch(hello) as watch:
        _delete_canary(hello)
        hello.wait(lambda: _restamped(hello, old_uid), 180, "the delivery to stamp the Canary again", "flagger")
        assert hello.canary()["spec"].get("suspend") is True, "stamped again from the same params"
        hello.wait(lambda: hello.primary_state() == (None, False), 60, "the old primary to go with the Canary")
        suspended_until = watch.elapsed()
        hello.reader.set_deliverable_params(NAMESPACE, APP, {"canary_suspend": "false"})
        hello.wait(lambda: _restamped(hello, old_uid, "Initialized"), 180, "Flagger to initialise it anew", "flagger")
        _primary_serves_again(hello, served_version)
    _polled_throughout(watch)
    assert not gaps(watch), f"apex Service without ready endpoints: {describe(gaps(watch))}"
    revived = [s for s in watch.samples if (s.target_replicas or 0) >= 1]
    assert revived, "Flagger scaled the target back up when the Canary was deleted"
    on_target = [s for s in watch.samples if s.t <= suspended_until and s.selector == {"app": APP}]
    assert on_target, "the finalizer pointed the apex Service at the target while the Canary was suspended"
    assert all(_primary_pods(s) for s in watch.samples[-5:]), describe(watch.samples[-5:])
    hello.wait(lambda: hello.deliverable_ready() == "True", 90, "the Deliverable to be Ready again", "cartographer")


def test_deleting_a_running_canary_heals_at_the_next_initialisation(hello: HelloApp) -> None:
    """A bare delete. The finalizer (revertOnDeletion, stamped by default) scales the target up and points the apex
    Service at it; the delivery stamps the Canary again and Flagger initialises it anew. Flagger has a race here:
    a scheduler run that read the terminating Canary points the apex back at the primary after the finalizer's
    revert (its advanceCanary does not skip Canaries being deleted), and the primary then goes with the Canary.
    The re-stamped Canary heals that once its new primary is ready. So any gap is while the apex selects the
    primary, and it ends within an interval and a primary start."""
    canary = _idle_canary(hello)
    old_uid = canary["metadata"]["uid"]
    served_version = hello.primary_state()[0]
    with apex_watch(hello) as watch:
        _delete_canary(hello)
        hello.wait(
            lambda: _restamped(hello, old_uid, "Initialized"), 180, "the Canary stamped and initialised", "flagger"
        )
        _primary_serves_again(hello, served_version)
    _polled_throughout(watch)
    missing = gaps(watch)
    primary = {"app": f"{APP}-primary"}
    assert all(s.selector == primary for s in missing), f"a gap not explained by the race: {describe(missing)}"
    if missing:
        assert missing[-1].t - missing[0].t <= RACE_GAP, f"the race's gap outlasted {RACE_GAP} s: {describe(missing)}"
    revived = [s for s in watch.samples if (s.target_replicas or 0) >= 1]
    assert revived, "Flagger scaled the target back up when the Canary was deleted"
    assert all(_primary_pods(s) for s in watch.samples[-5:]), describe(watch.samples[-5:])
    hello.wait(lambda: hello.deliverable_ready() == "True", 90, "the Deliverable to be Ready again", "cartographer")


@dataclass
class DeploySample:
    t: float
    deployed: bool  # the App finished a deploy that started after the bump, and reconciled
    target_version: str | None
    owner_ready: str | None  # the Deliverable's Ready, read after the target and before the Canary
    install: str  # the PackageInstall's true conditions, for the failure message
    primary_version: str | None
    phase: str | None


def _deploy_sample(hello: HelloApp, before: str | None, t: float) -> DeploySample:
    from supplychain.appfleet.observe import deployment_version

    deployed = deployed_since(_app(hello), before)
    # Read in this order: a Ready owner seen after the new target must be about a revision that the
    # Canary, read later still, shows analysed.
    target = hello.reader.deployment(NAMESPACE, APP)
    owner = hello.deliverable_ready()
    install = hello.package_install()
    install_state = ",".join(
        c["type"] for c in (install.get("status") or {}).get("conditions") or [] if c.get("status") == "True"
    )
    return DeploySample(
        t,
        deployed,
        deployment_version(target),
        owner,
        install_state,
        hello.primary_state()[0],
        hello.canary_phase(),
    )


@pytest.mark.parametrize("scenario,behaviour", [("deploy-waits-good", GOOD), ("deploy-waits-bad", BAD)])
def test_the_deploy_completes_only_once_flagger_analyses_the_revision(
    hello: HelloApp, scenario: str, behaviour: Any
) -> None:
    """The product's kapp wait rule: kapp reports the app deployed only once Flagger is analysing the new
    revision, never while the Canary still shows the previous rollout's Succeeded for it. The Deliverable's
    deployer stamps the PackageInstall and completes on its ReconcileSucceeded (as delivery-basic's does on its
    App's), so the Deliverable is never Ready for a revision Flagger has not analysed: polled every 0.5 s from
    the deploy to the verdict."""
    hello.wait(lambda: hello.canary_phase() in ("Succeeded", "Initialized", "Failed"), 180, "an idle canary", "flagger")
    before = _deploy_started(hello)
    with Sampler(lambda t: _deploy_sample(hello, before, t), POLL, MAX_POLLS) as sampler:
        rollout = hello.rollout(scenario, behaviour)
    samples = sampler.samples
    assert not sampler.errors, sampler.errors[:5]
    assert rollout.outcome == ("Succeeded" if behaviour is GOOD else "Failed"), rollout.timeline()
    new = [s for s in samples if s.target_version == rollout.version]
    assert new, "the poll saw the new revision deployed"
    stale = [s for s in new if s.deployed and s.phase == "Succeeded" and s.primary_version != rollout.version]
    assert not stale, f"deployed while the Canary still carried the previous verdict: {stale[:3]}"
    waited = [s for s in new if not s.deployed]
    assert waited, "kapp held the deploy until Flagger picked the revision up"
    assert any(s.deployed for s in new), "the deploy completed once Flagger was analysing"
    # The owner follows the deployer one hop late: kapp-controller copies the App's Reconciling to the
    # PackageInstall, and Cartographer then re-reads the PackageInstall. For that long the Deliverable can still
    # show the previous verdict while kapp already changed the Deployment; never longer.
    unanalysed = [
        s
        for s in new
        if s.owner_ready == "True" and not (s.phase == "Succeeded" and s.primary_version == rollout.version)
    ]
    late = [s for s in unanalysed if s.t - new[0].t > PROPAGATION]
    assert not late, (
        f"the Deliverable was Ready for a revision Flagger had not analysed, {PROPAGATION:g} s and more after the "
        f"deploy changed the Deployment, in {len(late)} of {len(new)} polls: {late[:2]} ... {late[-1:]}"
    )
    window = (unanalysed[-1].t - new[0].t + POLL) if unanalysed else 0.0
    print(f"{scenario}: the Deliverable left the previous verdict within {window:.1f} s of the deploy", flush=True)
    assert any(s.owner_ready != "True" for s in new), "the Deliverable left Ready while the revision was analysed"
    verdict = "True" if behaviour is GOOD else "False"
    hello.wait(
        lambda: hello.deliverable_ready() == verdict, 90, f"the Deliverable's Ready to be {verdict}", "cartographer"
    )
