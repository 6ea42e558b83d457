"""The fleet's metrics, read by the stamped MetricTemplate queries in real PromQL (promtool), give back
exactly the success rate and p99 latency configured for the canary's version."""

from __future__ import annotations

import shutil
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from supplychain.appfleet import AppFleet, AppSpec, Behaviour, BehaviourTable, PodInfo, StaticPods
from supplychain.appfleet.observe import metric_queries
from supplychain.stamping import stamp_template
from supplychain.testing.example import find, platform_documents, render_example
from supplychain.testing.references import on_ci

from .fleetsim import FakeClock, promtool_eval, scrape_series

pytestmark = pytest.mark.skipif(
    shutil.which("promtool") is None and not on_ci(),
    reason="promtool (Debian prometheus) not installed; run make tools (required on CI)",
)

STEP = 5.0


@cache
def stamped_queries() -> dict[str, str]:
    """Metric name -> query, as Flagger renders it for the example Deliverable's Canary."""
    docs = render_example()
    deliverable = find(docs, "Deliverable", "hello-app")
    templates = {d["metadata"]["name"]: d for d in platform_documents()}
    canary = stamp_template(templates["canary"], deliverable)
    metric_templates = []
    for metric in canary["spec"]["analysis"]["metrics"]:
        template = stamp_template(templates["canary-metric"], deliverable, params={"canary_metric": metric["name"]})
        assert template["metadata"]["name"] == metric["templateRef"]["name"]
        metric_templates.append(template)
    queries: dict[str, str] = {}
    for name, query in metric_queries(canary, metric_templates).items():
        assert query.sent is not None, query.error
        queries[name] = query.sent
    return queries


def _fleet(behaviours: dict[str, Behaviour]) -> tuple[AppFleet, StaticPods, FakeClock]:
    table = BehaviourTable()
    for version, behaviour in behaviours.items():
        table.set("prod", "hello-app", version, behaviour)
    pods, clock = StaticPods(), FakeClock()
    fleet = AppFleet([AppSpec("prod", "hello-app")], pods, table, rate=10.0, clock=clock)
    return fleet, pods, clock


GOOD_PRIMARY = Behaviour(100.0, 20.0)


def _canary_scenario(canary: Behaviour, tmp_path: Path, primary: Behaviour = GOOD_PRIMARY) -> Any:
    """Primary pods on v1 from the start; two canary pods on v2 appear after 30s; evaluate at 2m."""
    fleet, pods, clock = _fleet({"1": primary, "2": canary})
    pods.pods = [PodInfo("prod", "hello-app-primary-7d9f8c6b5d-x2kq9", "hello-app-primary", "primary", "1")]

    def canary_up() -> None:
        pods.pods += [
            PodInfo("prod", "hello-app-5f7b9c8d6-abcde", "hello-app", "canary", "2"),
            PodInfo("prod", "hello-app-5f7b9c8d6-fghij", "hello-app", "canary", "2"),
        ]

    fleet.refresh()
    series = scrape_series(fleet, clock, steps=25, step=STEP, events={6: canary_up})
    queries = stamped_queries()
    checks = [(queries["success-rate"], canary.success_rate), (queries["latency"], canary.latency_ms)]
    return promtool_eval(series, STEP, checks, eval_time=120, tmp=tmp_path)


@pytest.mark.parametrize(
    "behaviour",
    [
        Behaviour(100.0, 50.0),
        Behaviour(99.5, 120.0),
        Behaviour(80.0, 900.0),
        Behaviour(0.0, 3.0),
        Behaviour(97.25, 437.0),
    ],
    ids=["perfect", "good", "bad", "all-errors-first-bucket", "odd-values"],
)
def test_queries_read_back_the_canary_behaviour(behaviour: Behaviour, tmp_path: Path) -> None:
    result = _canary_scenario(behaviour, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_primary_pods_do_not_count_as_canary(tmp_path: Path) -> None:
    """The query's pod-name pattern excludes <target>-primary-*; a bad primary must not leak in."""
    result = _canary_scenario(Behaviour(100.0, 50.0), tmp_path, primary=Behaviour(10.0, 5000.0))
    assert result.returncode == 0, result.stdout + result.stderr


def test_mismatch_is_detected(tmp_path: Path) -> None:
    """The check itself can fail: claim a success rate the fleet did not serve."""
    fleet, pods, clock = _fleet({"2": Behaviour(90.0, 50.0)})
    pods.pods = [PodInfo("prod", "hello-app-5f7b9c8d6-abcde", "hello-app", "canary", "2")]
    fleet.refresh()
    series = scrape_series(fleet, clock, steps=25, step=STEP)
    result = promtool_eval(series, STEP, [(stamped_queries()["success-rate"], 99.0)], eval_time=120, tmp=tmp_path)
    assert result.returncode != 0


def test_latency_above_the_last_bucket_reports_that_bucket(tmp_path: Path) -> None:
    fleet, pods, clock = _fleet({"2": Behaviour(100.0, 60_000.0)})
    pods.pods = [PodInfo("prod", "hello-app-5f7b9c8d6-abcde", "hello-app", "canary", "2")]
    fleet.refresh()
    series = scrape_series(fleet, clock, steps=25, step=STEP)
    result = promtool_eval(series, STEP, [(stamped_queries()["latency"], 10_000.0)], eval_time=120, tmp=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
