"""The built images working together with no network but loopback: a bad hello-app version's real 5xx
responses, driven by `hey` run by the real flagger-loadtester, scraped by the Prometheus image, read by the
stamped success-rate MetricTemplate query as below the Canary's threshold."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from supplychain.appfleet.observe import metric_queries
from supplychain.project import checkout_root
from supplychain.stamping import stamp_template
from supplychain.testing.example import find, platform_documents, render_example
from supplychain.testing.references import missing

POD = "hello-app-5f7b9c8d6-abcde"
LOADTESTER_PORT = 8888


def _docker(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout)


def _image(name: str) -> str:
    refs = subprocess.run(
        ["bash", "hack/install-images.sh", "--print", name],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=checkout_root(),
    ).stdout.split()
    assert len(refs) == 1, f"install-images.sh --print {name}: {refs}"
    return refs[0]


@pytest.fixture(scope="module")
def images() -> dict[str, str]:
    if shutil.which("docker") is None or _docker("info").returncode != 0:
        missing("no container engine answers (hack/install-engine.sh starts one)")
    refs = {name: _image(name) for name in ("hello-app", "prometheus", "flagger-loadtester")}
    absent = [ref for ref in refs.values() if _docker("image", "inspect", ref).returncode != 0]
    if absent:
        missing(f"images not built yet (make images): {', '.join(absent)}")
    return refs


def stamped_queries() -> dict[str, str]:
    """Metric name -> the query Flagger sends for the example Deliverable's Canary."""
    docs = render_example()
    deliverable = find(docs, "Deliverable", "hello-app")
    templates = {d["metadata"]["name"]: d for d in platform_documents()}
    canary = stamp_template(templates["canary"], deliverable)
    metric_templates = [
        stamp_template(templates["canary-metric"], deliverable, params={"canary_metric": m["name"]})
        for m in canary["spec"]["analysis"]["metrics"]
    ]
    return {name: q.sent for name, q in metric_queries(canary, metric_templates).items() if q.sent}


@pytest.fixture
def pod(images: dict[str, str], tmp_path: Path) -> Iterator[dict[str, str]]:
    """hello-app (a bad version), Prometheus and the loadtester sharing one network namespace, as one pod."""
    suffix = uuid.uuid4().hex[:8]
    names = {k: f"supplychain-imagetest-{k}-{suffix}" for k in ("app", "prometheus", "loadtester")}
    config = tmp_path / "prometheus"
    config.mkdir()
    config.chmod(0o755)
    (config / "prometheus.yml").write_text(
        json.dumps(
            {
                "global": {"scrape_interval": "1s"},
                "scrape_configs": [
                    {
                        "job_name": "pods",
                        "static_configs": [
                            {
                                "targets": ["127.0.0.1:8080"],
                                # What Prometheus' pod discovery relabels to, as the MetricTemplates select on.
                                "labels": {"kubernetes_namespace": "prod", "kubernetes_pod_name": POD},
                            }
                        ],
                    }
                ],
            }
        )
    )
    (config / "prometheus.yml").chmod(0o644)
    try:
        started = _docker(
            "run",
            "-d",
            "--name",
            names["app"],
            "--network",
            "none",
            "-e",
            "APP_VERSION=bad-version-1",
            images["hello-app"],
        )
        assert started.returncode == 0, started.stderr
        shared = f"container:{names['app']}"
        started = _docker(
            "run",
            "-d",
            "--name",
            names["prometheus"],
            "--network",
            shared,
            "-v",
            f"{config}:/etc/prometheus-test:ro",
            images["prometheus"],
            "--config.file=/etc/prometheus-test/prometheus.yml",
            "--storage.tsdb.path=/prometheus",
            "--web.listen-address=127.0.0.1:9090",
        )
        assert started.returncode == 0, started.stderr
        started = _docker(
            "run",
            "-d",
            "--name",
            names["loadtester"],
            "--network",
            shared,
            images["flagger-loadtester"],
            f"-port={LOADTESTER_PORT}",
            "-log-level=info",
        )
        assert started.returncode == 0, started.stderr
        yield names
    finally:
        for name in names.values():
            _docker("rm", "-f", name)


def _wait(check: Callable[[], bool], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def _curl(container: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return _docker("exec", container, "curl", "-sS", "--max-time", str(int(timeout)), *args, timeout=timeout + 10)


def _query(prometheus: str, promql: str) -> float | None:
    result = _curl(prometheus, "-G", "--data-urlencode", f"query={promql}", "http://127.0.0.1:9090/api/v1/query")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)["data"]["result"]
    return float(data[0]["value"][1]) if data else None


def test_bad_version_fails_the_success_rate_check(pod: dict[str, str]) -> None:
    queries = stamped_queries()
    _wait(
        lambda: _curl(pod["loadtester"], "-f", f"http://127.0.0.1:{LOADTESTER_PORT}/healthz").returncode == 0,
        "the loadtester",
    )
    _wait(lambda: _curl(pod["prometheus"], "-f", "http://127.0.0.1:9090/-/ready").returncode == 0, "Prometheus")
    # The load-test webhook as Flagger sends it, run by the real loadtester (bash: blocking).
    hook = {
        "name": "hello-app",
        "namespace": "prod",
        "phase": "Progressing",
        "metadata": {"type": "bash", "cmd": "hey -z 8s -q 10 -c 2 http://127.0.0.1:8080/"},
    }
    ran = _curl(pod["loadtester"], "-f", "-d", json.dumps(hook), f"http://127.0.0.1:{LOADTESTER_PORT}/")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    time.sleep(2.5)  # two more scrapes
    success = _query(pod["prometheus"], queries["success-rate"])
    latency = _query(pod["prometheus"], queries["latency"])
    assert success is not None and 75 <= success <= 85, f"success rate {success} (every fifth request fails)"
    assert success < 99, "below the Canary's success-rate threshold: Flagger would roll it back"
    assert latency is not None and latency < 500, f"p99 {latency} ms: a bad version is not slow"
