"""Run the app fleet as a process: `python -m supplychain.appfleet --kubeconfig K --app prod/hello-app`."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from ..errors import SupplychainError
from .behaviour import BehaviourTable
from .pods import AppSpec, KubernetesPods
from .server import AppFleet, require_loopback


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m supplychain.appfleet", description=__doc__)
    parser.add_argument("--kubeconfig", type=Path, required=True, help="kubeconfig of the cluster (on 127.0.0.1)")
    parser.add_argument(
        "--app", action="append", default=[], metavar="NS/DEPLOYMENT[:CANARY]", help="an app to serve (repeatable)"
    )
    parser.add_argument("--host", default="127.0.0.1", help="listen address (must be on 127.0.0.0/8)")
    parser.add_argument("--port", type=int, default=0, help="listen port (0 picks a free one)")
    parser.add_argument("--rate", type=float, default=10.0, help="requests per second per pod")
    parser.add_argument("--behaviour", type=Path, help="JSON behaviour table to start with")
    parser.add_argument("--targets-dir", type=Path, help="Prometheus file_sd directory to register in")
    parser.add_argument("--hang-seconds", type=float, default=30.0, help="how long a hung webhook call is held")
    parser.add_argument("--max-seconds", type=float, default=3600.0, help="stop after this long")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        if not args.app:
            parser.error("give at least one --app")
        apps = [AppSpec.parse(text) for text in args.app]
        require_loopback(args.host)
        table = BehaviourTable()
        if args.behaviour:
            table.load_file(args.behaviour)
        fleet = AppFleet(
            apps,
            KubernetesPods(args.kubeconfig),
            table,
            rate=args.rate,
            host=args.host,
            port=args.port,
            hang_seconds=args.hang_seconds,
        )
        with fleet:
            if args.targets_dir:
                fleet.register(args.targets_dir)
            print(
                f"app fleet serving {', '.join(a.namespace + '/' + a.target for a in apps)} on {fleet.url}", flush=True
            )
            deadline = time.monotonic() + args.max_seconds
            try:
                while time.monotonic() < deadline:
                    time.sleep(min(1.0, max(0.0, deadline - time.monotonic())))
            except KeyboardInterrupt:
                pass
    except SupplychainError as err:
        print(f"error: {err}", file=sys.stderr)
        return err.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
