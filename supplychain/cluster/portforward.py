"""A `kubectl port-forward` on 127.0.0.1 that outlives the pod behind it.

kubectl forwards to one pod, chosen when it starts, and exits when that pod goes away (a restarted
component). This supervisor runs it again, once a second at most, until it is stopped itself:

    python -m supplychain.cluster.portforward KUBECTL KUBECONFIG NAMESPACE TARGET LOCAL_PORT REMOTE_PORT
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from types import FrameType

RETRY_SECONDS = 1.0


def argv(kubectl: str, kubeconfig: str, namespace: str, target: str, local_port: int, remote_port: int) -> list[str]:
    """The kubectl command line: loopback only."""
    return [
        kubectl,
        "--kubeconfig",
        kubeconfig,
        "port-forward",
        "--address",
        "127.0.0.1",
        "-n",
        namespace,
        target,
        f"{local_port}:{remote_port}",
    ]


def supervise(command: list[str], retry: float = RETRY_SECONDS) -> int:
    """Run COMMAND again whenever it exits, until SIGTERM or SIGINT."""
    stopping = False
    child: subprocess.Popen[bytes] | None = None

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        if child is not None and child.poll() is None:
            child.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while not stopping:
        started = time.monotonic()
        child = subprocess.Popen(command)
        code = child.wait()
        if stopping:
            break
        print(f"port-forward exited ({code}); starting it again", file=sys.stderr, flush=True)
        time.sleep(max(0.0, retry - (time.monotonic() - started)))
    return 0


def main(args: list[str]) -> int:
    if len(args) != 6:
        print(__doc__, file=sys.stderr)
        return 2
    kubectl, kubeconfig, namespace, target, local_port, remote_port = args
    return supervise(argv(kubectl, kubeconfig, namespace, target, int(local_port), int(remote_port)))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
