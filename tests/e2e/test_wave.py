"""A release wave: 50 apps (each with its PackageInstall, Deliverable, Canary and MetricTemplates) updated at
once, a known subset to a bad version. Exactly those roll back, every other one is promoted, and no primary is
ever without an available replica while the wave runs (sampled every second)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from supplychain.testing.plugin import selected_provider
from supplychain.testing.wave import Wave, installed

pytestmark = pytest.mark.e2e

APPS = 50
BAD_EVERY = 5  # every fifth app gets the bad version


@pytest.fixture(scope="module")
def wave(request: pytest.FixtureRequest) -> Iterator[Wave]:
    if selected_provider(request.config) != "kwok":
        pytest.skip(
            "kwok only: 50 apps need 100 simulated pods and one app-fleet process; on kind each would be a "
            "real pod with a real load test, far beyond a CI runner (kind runs the single-app scenarios)"
        )
    env: Any = request.getfixturevalue("integration_env")
    with installed(env, APPS, timeout=300) as fleet:
        yield fleet


def test_mixed_wave_rolls_back_exactly_the_bad_versions(wave: Wave) -> None:
    bad = {ns for index, ns in enumerate(wave.namespaces) if index % BAD_EVERY == 0}
    result = wave.update(bad=bad, timeout=300)
    assert not result.unfinished, f"no verdict within 300 s for {result.unfinished}"
    failed = {ns for ns, v in result.verdicts.items() if v.phase == "Failed"}
    promoted = {ns for ns, v in result.verdicts.items() if v.phase == "Succeeded"}
    assert failed == bad
    assert promoted == set(wave.namespaces) - bad
    assert result.samples >= 10
    assert not result.unavailable, f"primaries without an available replica: {result.unavailable[:10]}"
