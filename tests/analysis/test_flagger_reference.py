"""The replay against Flagger's own scheduler, tick by tick, on hundreds of seeded scenarios.

tests/analysis/flaggerref/supplychain_reference_test.go is compiled into the pinned Flagger module's
pkg/controller tests (module from the Go module cache, which `make tools` fills; the build runs with
GOPROXY=off). It drives Flagger's real `advanceCanary` with fake Kubernetes/Flagger clients while a local
Prometheus and webhook server answer from each scenario's per-tick inputs, and reports the Canary status
after every tick. The replay must produce the same (phase, failedChecks, iterations, canaryWeight)
sequence. It needs no cluster; the first build takes minutes, and the binary is cached afterwards. Without Go
or the module the test skips, except on CI, where that is a failure (supplychain.testing.references).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from supplychain.analysis import replay as R
from supplychain.analysis.model import parse_canary
from supplychain.analysis.series import ReplayInput, Series, Signal
from supplychain.testing.references import go_toolchain, missing
from supplychain.toolchain import cache_dir, versions
from supplychain.yamlio import Document

HARNESS = Path(__file__).parent / "flaggerref" / "supplychain_reference_test.go"
INTERVAL = 30.0
TICKS = 40


def _go() -> str:
    return go_toolchain("Flagger's scheduler")


@pytest.fixture(scope="session")
def flagger_reference() -> Path:
    """The compiled reference binary (cached per Flagger version and harness content)."""
    go = _go()
    version = versions()["FLAGGER_VERSION"]
    env = dict(os.environ, GOPROXY="off", GOSUMDB="off", GOTOOLCHAIN="local", GOFLAGS="-mod=mod", CGO_ENABLED="0")
    proc = subprocess.run(
        [go, "mod", "download", "-json", f"github.com/fluxcd/flagger@{version}"],
        capture_output=True,
        text=True,
        env=env,
        cwd="/",
        timeout=120,
    )
    module = json.loads(proc.stdout or "{}").get("Dir") if proc.returncode == 0 else None
    if not module or not Path(module).is_dir():
        missing(f"github.com/fluxcd/flagger@{version} is not in the Go module cache (run `make tools`)")
    digest = hashlib.sha256(HARNESS.read_bytes()).hexdigest()[:12]
    root = cache_dir() / "flagger-reference" / version
    binary = root / f"reference-{digest}.test"
    if binary.exists():
        return binary
    src = root / "src"
    if not (src / "go.mod").exists():
        shutil.rmtree(src, ignore_errors=True)
        shutil.copytree(module, src)
        for path in [src, *src.rglob("*")]:
            path.chmod(path.stat().st_mode | 0o200)
    shutil.copy(HARNESS, src / "pkg" / "controller" / HARNESS.name)
    build = subprocess.run(
        ["nice", go, "test", "-c", "-o", str(binary), "./pkg/controller"],
        cwd=src,
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    if build.returncode != 0:
        pytest.fail(f"building Flagger's scheduler tests failed:\n{build.stderr[-4000:]}")
    return binary


def _scenario(index: int, rnd: random.Random) -> dict[str, Any]:
    kind = rnd.choice(["blue-green", "blue-green", "blue-green-istio", "canary", "ab", "kubernetes-steps"])
    analysis: dict[str, Any] = {"interval": "30s", "threshold": rnd.randint(1, 4)}
    provider = "kubernetes"
    if kind == "blue-green":
        analysis["iterations"] = rnd.randint(1, 5)
    elif kind == "blue-green-istio":
        provider = "istio"
        analysis["iterations"] = rnd.randint(1, 5)
        analysis["mirror"] = rnd.random() < 0.5
    elif kind == "kubernetes-steps":  # Flagger turns it into blue/green with 10 iterations
        analysis["stepWeight"], analysis["maxWeight"] = 20, 60
    elif kind == "canary":
        provider = "istio"
        if rnd.random() < 0.5:
            analysis["stepWeight"], analysis["maxWeight"] = rnd.choice([10, 20, 25, 50]), rnd.choice([50, 60, 100])
        else:
            analysis["stepWeights"] = sorted(rnd.sample([5, 10, 20, 40, 50, 80], rnd.randint(1, 4)))
        if rnd.random() < 0.4:
            analysis["stepWeightPromotion"] = rnd.choice([20, 50])
        analysis["mirror"] = rnd.random() < 0.3
    else:
        provider = "istio"
        analysis["iterations"] = rnd.randint(1, 4)
        analysis["match"] = [{"headers": {"x-canary": {"exact": "insider"}}}]
    # (metric, good values, bad values): boundaries included; builtins only where the kubernetes observer answers
    choices: list[tuple[dict[str, Any], list[float], list[float]]] = [
        ({"name": "sr", "templateRef": {"name": "sr-tpl"}, "thresholdRange": {"min": 99}}, [99.0, 99.9], [98.99]),
        ({"name": "lat", "templateRef": {"name": "lat-tpl"}, "thresholdRange": {"max": 500}}, [200.0, 500.0], [500.01]),
        ({"name": "errors", "query": "errors", "threshold": 5}, [4.99, 5.0], [5.01]),
        ({"name": "band", "query": "band", "thresholdRange": {"min": 1, "max": 2}}, [1.0, 2.0], [0.99, 2.01]),
    ]
    if provider == "kubernetes":
        choices += [
            ({"name": "request-success-rate", "threshold": 99}, [99.0, 100.0], [98.99]),
            ({"name": "request-success-rate", "thresholdRange": {"min": 99}}, [99.0], [98.5]),
            ({"name": "request-duration", "threshold": 500}, [500.5, 120.25], [501.5]),
            ({"name": "request-duration", "thresholdRange": {"min": 100, "max": 500}}, [100.5, 500.75], [99.5, 501.25]),
        ]
    picked: dict[str, tuple[dict[str, Any], list[float], list[float]]] = {}
    for choice in rnd.sample(choices, rnd.randint(1, 3)):
        picked.setdefault(choice[0]["name"], choice)
    metrics = list(picked.values())
    analysis["metrics"] = [dict(m, interval="1m") for m, _, _ in metrics]
    hooks = [("pre", "pre-rollout", 0.2), ("load", "rollout", 0.1)]
    for name, hook_type, fail, chance in (
        ("gate", "confirm-rollout", 0.4, 0.3),
        ("promo", "confirm-promotion", 0.5, 0.3),
        ("rb", "rollback", 0.05, 0.2),
        ("traffic", "confirm-traffic-increase", 0.3, 0.2),
    ):
        if rnd.random() < chance and (hook_type != "confirm-traffic-increase" or kind == "canary"):
            hooks.append((name, hook_type, fail))
    analysis["webhooks"] = [{"name": n, "type": t, "url": "http://x/"} for n, t, _ in hooks]
    p_bad = rnd.choice([0.0, 0.1, 0.3, 0.6])
    p_unready = rnd.choice([0.0, 0.0, 0.2, 0.5])
    p_primary = rnd.choice([0.0, 0.0, 0.15])
    ticks: list[dict[str, Any]] = []
    since = primary_since = None
    for k in range(TICKS):

        def value(good: list[float], bad: list[float]) -> float | None:
            r = rnd.random()
            return None if r < p_bad / 3 else rnd.choice(bad if r < p_bad else good)

        tick: dict[str, Any] = {"metrics": {m["name"]: value(g, b) for m, g, b in metrics}, "webhooks": {}}
        for name, hook_type, fail in hooks:
            if hook_type == "rollback":
                tick["webhooks"][name] = rnd.random() < fail
            elif rnd.random() < fail:
                tick["webhooks"][name] = False
        if rnd.random() < p_unready:
            since = k if since is None else since
            tick["canaryReady"], tick["notReadyFor"] = False, (k - since) * INTERVAL
        else:
            since = None
        if rnd.random() < p_primary:
            primary_since = k if primary_since is None else primary_since
            tick["primaryReady"], tick["primaryNotReadyFor"] = False, (k - primary_since) * INTERVAL
        else:
            primary_since = None
        ticks.append(tick)
    return {
        "name": f"s{index:03d}-{kind}",
        "provider": provider,
        "analysis": analysis,
        "ticks": ticks,
        # deadlines on and between tick multiples (on one, Flagger's wall clock has moved on: exceeded)
        "progressDeadlineSeconds": rnd.choice([None, 45, 60, 75, 90, 105]),
        "skipAnalysis": rnd.random() < 0.05,
    }


def _replay(scenario: dict[str, Any]) -> list[dict[str, Any]]:
    spec: dict[str, Any] = {
        "provider": scenario["provider"],
        "skipAnalysis": scenario["skipAnalysis"],
        "targetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo"},
        "analysis": scenario["analysis"],
    }
    if scenario["progressDeadlineSeconds"] is not None:
        spec["progressDeadlineSeconds"] = scenario["progressDeadlineSeconds"]
    canary = parse_canary(
        Document(
            "reference",
            0,
            {
                "apiVersion": "flagger.app/v1beta1",
                "kind": "Canary",
                "metadata": {"name": "podinfo", "namespace": "default"},
                "spec": spec,
            },
        )
    )
    ticks = scenario["ticks"]
    times = tuple(k * INTERVAL for k in range(len(ticks)))
    inputs = ReplayInput()
    for metric in canary.metrics:
        inputs.metrics[metric.name] = Series(times, tuple(t["metrics"][metric.name] for t in ticks))
    for hook in canary.webhooks:
        default = hook.type != "rollback"
        inputs.webhooks[hook.name] = Signal(times, tuple(t["webhooks"].get(hook.name, default) for t in ticks))
    inputs.canary_ready = Signal(times, tuple(t.get("canaryReady", True) for t in ticks))
    inputs.primary_ready = Signal(times, tuple(t.get("primaryReady", True) for t in ticks))
    result = R.replay(canary, inputs, until=times[-1])
    return [
        {"phase": R.PHASES[r[1]], "failedChecks": r[2], "iterations": r[3], "canaryWeight": r[4]}
        for r in result.records
    ]


def test_replay_matches_flaggers_scheduler(flagger_reference: Path, tmp_path: Path) -> None:
    rnd = random.Random(20260714)
    scenarios = [_scenario(i, rnd) for i in range(400)]
    (tmp_path / "in.json").write_text(json.dumps(scenarios))
    env = dict(
        os.environ,
        SUPPLYCHAIN_REFERENCE_IN=str(tmp_path / "in.json"),
        SUPPLYCHAIN_REFERENCE_OUT=str(tmp_path / "out.json"),
    )
    proc = subprocess.run(
        [str(flagger_reference), "-test.run", "^TestSupplychainReference$", "-test.count=1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    flagger = json.loads((tmp_path / "out.json").read_text())
    outcomes = {s["name"]: flagger[s["name"]][-1]["phase"] for s in scenarios}
    assert {"Succeeded", "Failed"} <= set(outcomes.values())
    assert any(st["phase"] == "WaitingPromotion" for run in flagger.values() for st in run)
    mismatches = []
    for scenario in scenarios:
        ours, theirs = _replay(scenario), flagger[scenario["name"]]
        if ours != theirs:
            first = next(
                i
                for i in range(max(len(ours), len(theirs)))
                if i >= len(ours) or i >= len(theirs) or ours[i] != theirs[i]
            )
            mismatches.append(
                f"{scenario['name']} tick {first}: flagger "
                f"{theirs[first] if first < len(theirs) else None}, replay "
                f"{ours[first] if first < len(ours) else None}; input {scenario['ticks'][first]}"
            )
    assert not mismatches, f"{len(mismatches)} of {len(scenarios)} scenarios differ:\n" + "\n".join(mismatches[:10])
