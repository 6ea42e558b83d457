"""`supplychain gate` against a real flagger-loadtester, and how replay and --sweep model its gates."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from supplychain.analysis import replay as R
from supplychain.analysis.bundle import load_bundle
from supplychain.analysis.series import ReplayInput, Series, gate_signals
from supplychain.analysis.sweep import Setting, run_sweep
from supplychain.cli import cli
from supplychain.gate import endpoint, initial_gate_answer
from supplychain.testing.loadtester import BUILD_HINT, binary, running_loadtester

GATE_CASE = Path(__file__).parent / "golden" / "stamp" / "canary-gate" / "expected.yaml"


def gate(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["gate", *args], catch_exceptions=False)
    return result.exit_code, result.output


needs_loadtester = pytest.mark.skipif(binary() is None, reason=f"flagger-loadtester is not built; {BUILD_HINT}")


@pytest.fixture()
def loadtester(tmp_path: Path) -> Iterator[str]:
    with running_loadtester(tmp_path / "loadtester.log") as url:
        yield url


def test_gate_paths_and_initial_answers() -> None:
    assert endpoint("http://127.0.0.1:8080", "gate", "status") == "http://127.0.0.1:8080/gate/check"
    assert endpoint("http://127.0.0.1:8080", "rollback", "open") == "http://127.0.0.1:8080/rollback/open"
    assert initial_gate_answer("http://flagger-loadtester.test/gate/check") is False
    assert initial_gate_answer("http://flagger-loadtester.test/rollback/check/") is False
    assert initial_gate_answer("http://flagger-loadtester.test/gate/approve") is True
    assert initial_gate_answer("http://flagger-loadtester.test/") is None


@pytest.mark.parametrize("url", ["http://10.0.0.1:8080/", "http://flagger-loadtester.test/", "ftp://127.0.0.1/"])
def test_gate_refuses_addresses_off_loopback(url: str) -> None:
    code, output = gate("open", "hello-app", "-n", "prod", "--loadtester", url)
    assert code == 2 and "error: --loadtester:" in output


def test_gate_unreachable_loadtester_is_a_clear_error() -> None:
    code, output = gate("status", "hello-app", "-n", "prod", "--loadtester", "http://127.0.0.1:1/")
    assert code == 2 and "cannot reach the loadtester at http://127.0.0.1:1/gate/check" in output


@needs_loadtester
def test_gate_opens_and_closes_one_workload(loadtester: str) -> None:
    assert gate("status", "hello-app", "-n", "prod", "--loadtester", loadtester) == (
        0,
        "prod/hello-app: promotion gate is closed\n",
    )
    assert gate("open", "hello-app", "-n", "prod", "--loadtester", loadtester)[1] == (
        "prod/hello-app: promotion gate opened\n"
    )
    assert gate("status", "hello-app", "-n", "prod", "--loadtester", loadtester)[1].endswith("is open\n")
    # one workload only: the same name in another namespace, and the rollback gate, stay closed
    assert gate("status", "hello-app", "-n", "staging", "--loadtester", loadtester)[1].endswith("is closed\n")
    assert gate("status", "hello-app", "-n", "prod", "--rollback", "--loadtester", loadtester)[1] == (
        "prod/hello-app: rollback gate is closed\n"
    )
    assert gate("close", "hello-app", "-n", "prod", "--loadtester", loadtester)[1].endswith("gate closed\n")
    assert gate("status", "hello-app", "-n", "prod", "--loadtester", loadtester)[1].endswith("is closed\n")


@needs_loadtester
def test_gate_outside_the_loadtesters_namespace_regexp_is_refused(tmp_path: Path) -> None:
    with running_loadtester(tmp_path / "lt.log", namespace_regexp="^prod$") as url:
        assert gate("open", "hello-app", "-n", "prod", "--loadtester", url)[0] == 0
        code, output = gate("open", "hello-app", "-n", "dev", "--loadtester", url)
    assert code == 2 and "-namespace-regexp does not match namespace 'dev'" in output


def _gated_canary(tmp_path: Path) -> Path:
    canary = next(d for d in yaml.safe_load_all(GATE_CASE.read_text()) if d)
    canary["metadata"].pop("ownerReferences", None)
    canary["spec"]["analysis"].update(interval="10s", iterations=3)
    path = tmp_path / "canary.yaml"
    path.write_text(yaml.safe_dump(canary))
    return path


def _healthy(tmp_path: Path) -> Path:
    path = tmp_path / "series.json"
    ok = [[0, 100], [600, 100]]
    path.write_text(json.dumps({"metrics": {"success-rate": ok, "latency": ok}}))
    return path


def test_replay_holds_a_closed_gate_in_waiting_promotion(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        ["replay", str(_gated_canary(tmp_path)), "--series", str(_healthy(tmp_path)), "--until", "200", "-o", "json"],
        catch_exceptions=False,
    )
    out = json.loads(result.output)
    assert out["verdict"]["outcome"] == "WaitingPromotion" and out["verdict"]["promotedAt"] is None
    phases = [row["phase"] for row in out["timeline"]]
    assert "Promoting" not in phases and phases[-1] == "WaitingPromotion"


def test_replay_promotes_once_the_gate_opens(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "replay",
            str(_gated_canary(tmp_path)),
            "--series",
            str(_healthy(tmp_path)),
            "--gate-opens-at",
            "75",
            "-o",
            "json",
        ],
        catch_exceptions=False,
    )
    verdict = json.loads(result.output)["verdict"]
    # iterations done at 30s, waiting from 40s; the tick at 80s sees the open gate, 90s promotes
    assert verdict["outcome"] == "Succeeded" and verdict["promotedAt"] == 110.0


def test_replay_rolls_back_while_waiting_when_checks_fail(tmp_path: Path) -> None:
    canary = load_bundle([str(_gated_canary(tmp_path))], "prod", "kubernetes", None).canaries[0]
    bad = Series((0.0, 60.0), (100.0, 50.0))
    inputs = ReplayInput(metrics={"success-rate": bad, "latency": Series((0.0,), (100.0,))})
    inputs.webhooks.update(gate_signals({w.name: (w.type, w.url) for w in canary.webhooks}, None))
    verdict = R.run(R.compile_plan(canary, inputs, until=300.0)).verdict
    assert verdict.outcome == "Failed" and verdict.failed_at is not None and verdict.failed_at > 60.0


def test_sweep_models_the_gate() -> None:
    settings = [Setting(10.0, 3, 5)]
    free = run_sweep(settings, 40, 7)[0]
    gated = run_sweep(settings, 40, 7, gate=True, gate_opens_at=300.0)[0]
    closed = run_sweep(settings, 40, 7, gate=True)[0]
    assert free.good_promotion_median is not None and free.good_promotion_median < 300.0
    assert gated.good_promotion_median is not None and gated.good_promotion_median >= 300.0
    assert closed.good_promotion_median is None
    assert gated.bad_rollback_rate >= free.bad_rollback_rate
