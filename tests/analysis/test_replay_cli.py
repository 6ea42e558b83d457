"""`supplychain replay` end to end: outputs, plots, recordings, Prometheus ranges, sweeps and bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from supplychain.analysis import recording as rec
from supplychain.cli import cli

from .conftest import FakePrometheus, write_yaml
from .test_queries_cli import LATENCY, SUCCESS, canary, template
from .test_recording import BAD, GOOD

GOLDEN = Path(__file__).parent / "golden" / "replay"


def run(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(cli, ["replay", *args], input=stdin, catch_exceptions=False)


def case(name: str) -> tuple[str, str]:
    folder = GOLDEN / name
    series = next(p for p in folder.iterdir() if p.name.startswith("series."))
    return str(folder / "canary.yaml"), str(series)


def test_text_output_shows_the_timeline_and_verdict() -> None:
    canary_file, series = case("blue-green-bad")
    result = run(canary_file, "--series", series)
    assert result.exit_code == 0, result.output
    assert "Canary prod/hello-app: blue-green, interval 30s, threshold 3, iterations 4" in result.stdout
    assert "metric 'success-rate': 97.5 (outside min 99)" in result.stdout
    assert "Failed: failed checks threshold reached (3/3) at t=2m30s" in result.stdout


def test_series_from_standard_input_and_webhook_override() -> None:
    canary_file, series = case("blue-green-good")
    result = run(
        canary_file, "--series", "-", "--webhook", "conformance=fail", "-o", "json", stdin=Path(series).read_text()
    )
    data = json.loads(result.stdout)
    assert data["verdict"]["outcome"] == "Failed"
    assert data["timeline"][1]["event"] == "pre-rollout 'conformance' failed (failed checks 1/3)"


@pytest.mark.parametrize("suffix,magic", [(".png", b"\x89PNG"), (".svg", b"<?xml")])
def test_plot_is_written(tmp_path: Path, suffix: str, magic: bytes) -> None:
    canary_file, series = case("flaky-metrics-cumulative")
    out = tmp_path / f"replay{suffix}"
    result = run(canary_file, "--series", series, "--plot", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(magic)
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


def test_plot_format_and_directory_errors_write_nothing(tmp_path: Path) -> None:
    canary_file, series = case("blue-green-good")
    result = run(canary_file, "--series", series, "--plot", str(tmp_path / "replay.jpg"))
    assert result.exit_code == 2 and "unsupported plot format '.jpg'" in result.stderr
    result = run(canary_file, "--series", series, "--plot", str(tmp_path / "missing" / "replay.png"))
    assert result.exit_code == 2 and "the directory does not exist" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_recording_mode_reports_agreement(tmp_path: Path) -> None:
    rec.write_recording(tmp_path / "good.json", GOOD)
    result = run("--recording", str(tmp_path / "good.json"))
    assert result.exit_code == 0, result.output
    assert "agreement with the recording (good-version)" in result.stdout
    rec.write_recording(tmp_path / "wrong.json", dict(BAD, outcome="Succeeded", promoted_at=44.6))
    result = run("--recording", str(tmp_path / "wrong.json"), "-o", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["agreement"]["agrees"] is False
    assert {"what": "outcome", "recorded": "Succeeded", "replayed": "Failed", "agrees": False} in data["agreement"][
        "checks"
    ]


def test_prometheus_range_is_read_at_the_analysis_interval(tmp_path: Path, fake_prometheus: FakePrometheus) -> None:
    bundle = write_yaml(
        tmp_path / "b.yaml", template("podinfo-success-rate", SUCCESS), template("podinfo-latency", LATENCY), canary()
    )
    start = 1_700_000_000.0

    def matrix(*series: list[tuple[float, str]]) -> tuple[int, Any]:
        return 200, {
            "status": "success",
            "data": {
                "resultType": "matrix",
                "result": [
                    {"metric": {"i": str(i)}, "values": [[start + t, v] for t, v in s]} for i, s in enumerate(series)
                ],
            },
        }

    queries = json.loads(CliRunner().invoke(cli, ["queries", str(bundle), "-o", "json", "--no-promtool"]).stdout)
    sent = {m["metric"]: m["sent"] for m in queries["canaries"][0]["metrics"]}
    steps = [float(30 * i) for i in range(16)]
    # two series: the second (last) wins where present; a NaN step counts as no values
    fake_prometheus.answers[sent["success-rate"]] = matrix(
        [(t, "90") for t in steps], [(t, "NaN" if t == 90 else "100") for t in steps if t != 60]
    )
    fake_prometheus.answers[sent["latency"]] = matrix([(t, "100") for t in steps])
    result = run(
        str(bundle), "--prometheus", fake_prometheus.url, "--from", str(start), "--to", str(start + 450), "-o", "json"
    )
    assert result.exit_code == 0, result.output
    timeline = json.loads(result.stdout)["timeline"]
    events = {e["t"]: e["event"] for e in timeline}
    assert events[60.0] == "metric 'success-rate': 90 (outside min 99) (failed checks 1/5)"
    assert events[90.0] == "metric 'success-rate': no values found (failed checks 2/5)"
    assert json.loads(result.stdout)["verdict"]["outcome"] == "Succeeded"
    request = next(r for r in fake_prometheus.requests if r["path"] == "/api/v1/query_range")
    assert (request["step"], request["start"]) == ("30", f"{start:.3f}")


def test_sweep_json_is_bounded_and_reproducible() -> None:
    args = [
        "--sweep",
        "--intervals",
        "10s,30s",
        "--thresholds",
        "1,3",
        "--iterations",
        "5",
        "--runs",
        "40",
        "-o",
        "json",
    ]
    first = run(*args)
    assert first.exit_code == 0, first.output
    data = json.loads(first.stdout)
    assert len(data["settings"]) == 4
    assert run(*args).stdout == first.stdout
    text = run(*args[:-2])
    assert "time to rollback" in text.stdout and "good rolled back" in text.stdout


def test_sweep_takes_thresholds_from_a_canary() -> None:
    canary_file, _ = case("blue-green-good")
    data = json.loads(
        run(
            canary_file,
            "--sweep",
            "--intervals",
            "30s",
            "--thresholds",
            "2",
            "--iterations",
            "3",
            "--runs",
            "10",
            "-o",
            "json",
        ).stdout
    )
    assert (data["model"]["successRateMin"], data["model"]["latencyMaxMs"]) == (99, 500)


@pytest.mark.parametrize(
    "args,message",
    [
        (["--series", "{series}"], "give the Canary's files"),
        (["{canary}", "--series", "{missing}"], "missing.csv: cannot read"),
        (["{canary}", "--series", "{bad_csv}"], "bad.csv: line 2, column 'success-rate': must be a number"),
        (["{canary}", "--series", "{partial}"], "no series for metric 'latency'"),
        (["{canary}", "--series", "{series}", "--webhook", "nope=pass"], "the Canary has no webhook 'nope'"),
        (["{canary}", "--prometheus", "http://127.0.0.1:9"], "--from: --prometheus needs --from"),
        (["{canary}", "--prometheus", "http://127.0.0.1:9", "--from", "yesterday"], "cannot read 'yesterday'"),
        (["{two}", "--series", "{series}"], "several Canaries (a, b); choose one with --canary"),
        (["{two}", "--series", "{series}", "--canary", "c"], "no Canary named 'c'"),
        (["--recording", "{bad_recording}"], "rec.json: ticks[0].phase: unknown phase 'Running'"),
        (["--sweep", "--runs", "0"], "--runs must be from 1 to 5000"),
        (["--sweep", "--thresholds", "x"], "--thresholds: cannot read 'x'"),
        (["--sweep", "--intervals", "fast"], "--intervals: cannot read 'fast'"),
    ],
)
def test_bad_input_exits_2(tmp_path: Path, args: list[str], message: str) -> None:
    canary_file, series = case("blue-green-good")
    (tmp_path / "bad.csv").write_text("t,success-rate,latency\n0,high,1\n")
    (tmp_path / "partial.csv").write_text("t,success-rate\n0,100\n")
    docs = [yaml.safe_load(Path(canary_file).read_text()) for _ in range(2)]
    docs[0]["metadata"]["name"], docs[1]["metadata"]["name"] = "a", "b"
    write_yaml(tmp_path / "two.yaml", *docs)
    (tmp_path / "rec.json").write_text(json.dumps(dict(GOOD, ticks=[{"t": 0, "phase": "Running"}])))
    paths = {
        "canary": canary_file,
        "series": series,
        "missing": str(tmp_path / "missing.csv"),
        "bad_csv": str(tmp_path / "bad.csv"),
        "partial": str(tmp_path / "partial.csv"),
        "two": str(tmp_path / "two.yaml"),
        "bad_recording": str(tmp_path / "rec.json"),
    }
    result = run(*[a.format(**paths) for a in args])
    assert result.exit_code == 2, result.output
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.output
