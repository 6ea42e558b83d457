"""The owner's health with a deployer of delivery-basic's kind: the Deliverable stamps a kapp App, and a new
version reaches it only through the Deliverable (its param release). Cartographer counts the App complete only
once kapp-controller has observed and reconciled its new spec, and the product's kapp wait rule holds that
reconcile until Flagger analyses the revision. So the Deliverable is never Ready for a revision Flagger has not
analysed, with no allowance: polled every 0.5 s from the update to the verdict, for a good and a bad version.
(The PackageInstall deployer's test, in test_kapp_and_revert.py, allows for the PackageInstall's extra hop.)
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from supplychain.appfleet.observe import condition_status, deployment_version
from supplychain.testing.kapp_apps import deploy_started, deployed_since
from supplychain.testing.plugin import selected_provider
from supplychain.testing.sampling import Sampler
from supplychain.testing.wave import APP, Wave, installed

pytestmark = pytest.mark.e2e

POLL = 0.5
MAX_POLLS = 600  # 5 minutes at most


@pytest.fixture(scope="module")
def app_deployed(request: pytest.FixtureRequest) -> Iterator[Wave]:
    if selected_provider(request.config) != "kwok":
        pytest.skip(
            "kwok only: this copy of hello-app is served by the app fleet (simulated pods); on kind the real app "
            "runs the PackageInstall deployer's test (test_kapp_and_revert.py)"
        )
    env: Any = request.getfixturevalue("integration_env")
    with installed(env, 1, timeout=240, prefix=f"appdeploy{int(time.time()) % 100000}", deployer="app") as wave:
        yield wave


@dataclass
class Sample:
    t: float
    deployed: bool  # the App finished a deploy that started after the update, at its current spec
    target_version: str | None
    owner_ready: str | None  # read after the target, before the primary and the Canary
    primary_version: str | None
    phase: str | None


def _sample(wave: Wave, namespace: str, before: str | None, t: float) -> Sample:
    read = wave.reader
    deployed = deployed_since(read.app(namespace, APP), before)
    target = deployment_version(read.deployment(namespace, APP))
    owner = _owner_ready(wave, namespace)
    primary = deployment_version(read.deployment(namespace, f"{APP}-primary"))
    phase = (read.canary(namespace, APP).get("status") or {}).get("phase")
    return Sample(t, deployed, target, owner, primary, phase)


def _owner_ready(wave: Wave, namespace: str) -> str | None:
    return condition_status(wave.reader.deliverable(namespace, APP), "Ready")


@pytest.mark.parametrize("outcome", ["Succeeded", "Failed"])
def test_the_owner_is_never_ready_for_an_unanalysed_revision(app_deployed: Wave, outcome: str) -> None:
    wave = app_deployed
    namespace = wave.namespaces[0]
    before = deploy_started(wave.reader.app(namespace, APP))
    with Sampler(lambda t: _sample(wave, namespace, before, t), POLL, MAX_POLLS) as sampler:
        result = wave.update(bad={namespace} if outcome == "Failed" else set(), timeout=240, poll=POLL)
    samples = sampler.samples
    assert not sampler.errors, sampler.errors[:5]
    assert not result.unfinished, f"no verdict within 240 s; samples {samples[-3:]}"
    assert result.verdicts[namespace].phase == outcome
    version = samples[-1].target_version
    assert version and version.startswith("bad-" if outcome == "Failed" else "good-"), samples[-1]
    new = [s for s in samples if s.target_version == version]
    assert new, "the poll saw the new revision deployed"
    unanalysed = [
        s for s in new if s.owner_ready == "True" and not (s.phase == "Succeeded" and s.primary_version == version)
    ]
    assert not unanalysed, (
        f"the Deliverable was Ready for a revision Flagger had not analysed in {len(unanalysed)} of {len(new)} "
        f"polls: {unanalysed[:3]}"
    )
    held = [s for s in new if not s.deployed]
    assert held, "kapp held the deploy until Flagger picked the revision up"
    ready = [s for s in new if s.owner_ready == "True"]
    print(
        f"app deployer, {outcome}: {len(new)} polls saw the new revision deployed; kapp held it for {len(held)}, "
        f"the owner was Ready in {len(ready)} (only on the promoted revision)",
        flush=True,
    )
    assert any(s.owner_ready != "True" for s in new), "the Deliverable left Ready while the revision was analysed"
    verdict = "True" if outcome == "Succeeded" else "False"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and _owner_ready(wave, namespace) != verdict:
        time.sleep(POLL)
    assert _owner_ready(wave, namespace) == verdict, f"the Deliverable's Ready is {verdict}"
