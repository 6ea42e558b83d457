"""Assertions shared by the e2e scenarios."""

from __future__ import annotations

from supplychain.appfleet.observe import PROMOTED_PHASES
from supplychain.appfleet.webhooks import WebhookCall
from supplychain.testing.harness import HelloApp, Rollout


def assert_never_promoted(rollout: Rollout) -> None:
    """The bad version never reached promotion; the primary stayed Ready on the previous version."""
    obs = rollout.observation
    promoted = [t for t in obs.rollout_ticks if t.phase in PROMOTED_PHASES]
    assert not promoted, f"{rollout.version} was promoted: {rollout.timeline()}"
    assert rollout.outcome == "Failed", f"expected a rollback, got {rollout.outcome}: {rollout.timeline()}"
    assert_primary_served(rollout, allow_version=None)


def assert_primary_served(rollout: Rollout, allow_version: str | None) -> None:
    """Every poll saw the primary Available with ready pods; its version was the previous one (or, once the
    analysis passed, ALLOW_VERSION)."""
    obs = rollout.observation
    assert obs.primary, "the primary was never observed"
    # Flagger copies the canary's template into the primary on the tick after the last iteration passed,
    # just before it writes phase Promoting, so a poll may see the new template first.
    iterations = int(rollout.recording["canary"]["spec"]["analysis"]["iterations"])
    promoting_at = next(
        (t.t for t in obs.rollout_ticks if t.phase in PROMOTED_PHASES or t.iterations > iterations), None
    )
    for sample in obs.primary:
        allowed = {rollout.previous}
        if allow_version is not None and promoting_at is not None and sample.t >= promoting_at:
            allowed.add(allow_version)
        assert sample.ready, f"primary not Available at t={sample.t:.1f}s"
        assert sample.pod_versions, f"no ready primary pod at t={sample.t:.1f}s"
        assert sample.version in allowed, (
            f"primary template on {sample.version} at t={sample.t:.1f}s (allowed {allowed})"
        )
        assert set(sample.pod_versions) <= allowed, f"primary pods on {sample.pod_versions} at t={sample.t:.1f}s"


def hook_calls(hello: HelloApp, rollout: Rollout, name: str) -> list[WebhookCall]:
    """The calls of the Canary's webhook NAME during ROLLOUT (app fleet or loadtester log)."""
    hooks = rollout.recording["canary"]["spec"]["analysis"]["webhooks"]
    cmd = next(h["metadata"]["cmd"] for h in hooks if h["name"] == name)
    return [c for c in hello.calls(rollout.observation.started_at) if c.cmd == cmd]
