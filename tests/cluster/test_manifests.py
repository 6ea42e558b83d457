"""The objects and files the environment generates for its components."""

from __future__ import annotations

from pathlib import Path

import pytest

from supplychain.cluster import manifests
from supplychain.cluster.components import Prometheus, log_since_start
from supplychain.cluster.environment import Environment
from supplychain.cluster.errors import ClusterError
from supplychain.cluster.state import State


def test_packaging_api_points_at_loopback_through_an_external_name_service() -> None:
    service, api_service = manifests.packaging_api(8443)
    assert service["spec"] == {
        "type": "ExternalName",
        "externalName": "127.0.0.1",
        "ports": [{"name": "https", "port": 8443, "protocol": "TCP"}],
    }
    assert api_service["metadata"]["name"] == "v1alpha1.data.packaging.carvel.dev"
    assert api_service["spec"]["service"] == {"name": "packaging-api", "namespace": "kapp-controller", "port": 8443}


def test_cartographer_role_writes_only_status_events_and_tokens() -> None:
    role = next(m for m in manifests.cartographer_rbac() if m["kind"] == "ClusterRole")
    writes = [r for r in role["rules"] if set(r["verbs"]) - {"get", "list", "watch"}]
    written = {res for r in writes for res in r["resources"]}
    assert written == {
        "serviceaccounts/token",
        "events",
        "workloads/status",
        "deliverables/status",
        "runnables/status",
        "clustersupplychains/status",
        "clusterdeliveries/status",
    }


def test_prometheus_scrapes_only_its_file_sd_directory(tmp_path: Path) -> None:
    env = Environment(tmp_path, "kwok", tmp_path / "kubeconfig", {"prometheus": 9999})
    config = Prometheus().config(env)
    assert config["global"] == {"scrape_interval": "5s", "scrape_timeout": "4s", "evaluation_interval": "5s"}
    jobs = config["scrape_configs"]
    assert isinstance(jobs, list)
    assert len(jobs) == 1
    job = jobs[0]
    assert job["honor_labels"] is True
    assert set(job) == {"job_name", "honor_labels", "file_sd_configs"}
    assert job["file_sd_configs"] == [{"files": [f"{tmp_path}/prometheus/targets/*.json"], "refresh_interval": "5s"}]
    assert env.prometheus_url == "http://127.0.0.1:9999"


def test_state_round_trip_and_missing_state(tmp_path: Path) -> None:
    with pytest.raises(ClusterError, match=r"no environment in .*run `supplychain cluster up`"):
        State.load(tmp_path)
    State("kwok", "supplychain", "/k", {"prometheus": 1}, {"flagger": [12]}, 5.0).save(tmp_path)
    loaded = State.load(tmp_path)
    assert loaded.ports == {"prometheus": 1} and loaded.pids == {"flagger": [12]}
    (tmp_path / "state.json").write_text("{not json")
    with pytest.raises(ClusterError, match="cannot read"):
        State.load(tmp_path)


def test_log_since_start_returns_the_last_run_only(tmp_path: Path) -> None:
    log = tmp_path / "x.log"
    log.write_text("\n--- t1 starting: a\nold line\n\n--- t2 starting: a\nnew line\n")
    assert "new line" in log_since_start(log) and "old line" not in log_since_start(log)
