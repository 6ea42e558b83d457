"""Detached processes: start, find, stop with everything they started."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from supplychain.cluster import proc
from supplychain.cluster.components import MOUNT_SCRIPT


def test_stop_ends_the_process_and_its_children(tmp_path: Path) -> None:
    marker = f"sleep-marker-{os.getpid()}-{time.monotonic_ns()}"
    script = tmp_path / "tree.sh"
    script.write_text(f"#!/bin/sh\n# {marker}\nsleep 300 &\nsleep 300\n")
    script.chmod(0o755)
    pid = proc.spawn([str(script), marker], tmp_path / "tree.log")
    deadline = time.monotonic() + 5
    while len(proc.group_members(pid)) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.alive(pid)
    assert len(proc.group_members(pid)) == 3  # sh and both sleeps
    assert pid in proc.matching(marker)
    proc.stop(pid, timeout=5)
    assert not proc.alive(pid)
    assert proc.group_members(pid) == []
    assert proc.matching(marker) == []
    assert "starting:" in (tmp_path / "tree.log").read_text()


def test_stop_kills_a_process_that_ignores_sigterm(tmp_path: Path) -> None:
    pid = proc.spawn(["sh", "-c", "trap '' TERM; sleep 300 & wait"], tmp_path / "stubborn.log")
    time.sleep(0.2)
    started = time.monotonic()
    proc.stop(pid, timeout=1)
    assert not proc.alive(pid)
    assert time.monotonic() - started < 8


def test_free_port_is_on_loopback_and_bindable(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    bound: list[object] = []
    real_bind = socket.socket.bind

    def recording_bind(self: socket.socket, address: object) -> None:
        bound.append(address)
        real_bind(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "bind", recording_bind)
    port = proc.free_port()
    assert bound == [("127.0.0.1", 0)], "free_port probes only the loopback address"
    monkeypatch.undo()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("unshare") is None, reason="needs root and unshare(1)")
def test_mount_script_provides_service_account_files_without_touching_the_host(tmp_path: Path) -> None:
    work = tmp_path / "kc"
    (work / "serviceaccount").mkdir(parents=True)
    (work / "serviceaccount" / "token").write_text("secret-token")
    (work / "home").mkdir()
    (work / "home" / "marker").write_text("home-marker")
    script = work / "mount-namespace.sh"
    script.write_text(MOUNT_SCRIPT)
    sa_on_host = Path("/var/run/secrets/kubernetes.io/serviceaccount/token")
    existed_before = Path("/var/run/secrets").exists(), Path("/home/kapp-controller").exists()
    done = subprocess.run(
        [
            "unshare",
            "--mount",
            "--propagation",
            "private",
            "sh",
            str(script),
            str(work),
            "sh",
            "-c",
            f"cat {sa_on_host}; echo; cat /home/kapp-controller/marker; echo; ls / >/dev/null; ls /run >/dev/null",
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["secret-token", "home-marker"]
    assert (Path("/var/run/secrets").exists(), Path("/home/kapp-controller").exists()) == existed_before
