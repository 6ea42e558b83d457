"""A real flagger-loadtester (the pinned build in the tool cache) as a local process, for tests of its gates."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .. import toolchain
from ..errors import ToolError

NAME = "flagger-loadtester"
BUILD_HINT = (
    "build it with `bash -c 'source hack/lib.sh; build_module flagger-loadtester "
    "$FLAGGER_LOADTESTER_VERSION github.com/fluxcd/flagger github.com/fluxcd/flagger/cmd/loadtester'` "
    "(hack/install-images.sh builds it too)"
)


def binary() -> Path | None:
    """The cached flagger-loadtester build, if any."""
    path = toolchain.bin_dir() / NAME
    return path if path.exists() else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_loadtester(log: Path, namespace_regexp: str = "", timeout: float = 20.0) -> Iterator[str]:
    """Start flagger-loadtester (log to LOG) and yield its loopback base URL; stop it afterwards."""
    exe = binary()
    if exe is None:
        raise ToolError(f"{NAME} is not built; {BUILD_HINT}")
    port = _free_port()
    args = [str(exe), f"-port={port}", "-log-level=info", "-timeout=1m"]
    if namespace_regexp:
        args.append(f"-namespace-regexp={namespace_regexp}")
    url = f"http://127.0.0.1:{port}"
    with log.open("wb") as out:
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/healthz", timeout=1.0):
                        break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise ToolError(f"{NAME} did not answer on {url} (log: {log})") from None
                    time.sleep(0.1)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
