"""`supplychain cluster up|down|status|start|stop|restart`: the local integration environment."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from ..cluster import Environment
from ..cluster.components import for_provider

ALL_COMPONENTS = list(dict.fromkeys([*for_provider("kwok"), *for_provider("kind")]))

DEFAULT_RUN_DIR = "runs/cluster"


def _run_dir_option(func: click.decorators.FC) -> click.decorators.FC:
    return click.option(
        "--run-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=lambda: os.environ.get("SUPPLYCHAIN_RUN_DIR", DEFAULT_RUN_DIR),
        show_default=f"$SUPPLYCHAIN_RUN_DIR or {DEFAULT_RUN_DIR}",
        help="Directory holding the environment's state, configuration and logs.",
    )(func)


@click.group("cluster")
def command() -> None:
    """Local Kubernetes with Flagger, Cartographer, kapp-controller and Prometheus on 127.0.0.1."""


@command.command("up")
@click.option(
    "--provider",
    type=click.Choice(["kwok", "kind"]),
    default="kwok",
    show_default=True,
    help="kwok: local processes, no containers; kind: Deployments in a kind node (needs Docker).",
)
@click.option("--nodes", type=click.IntRange(1, 20), default=2, show_default=True, help="Simulated nodes (kwok).")
@click.option(
    "--timeout",
    type=click.FloatRange(10),
    default=180,
    show_default=True,
    help="Seconds to wait for each stage to become ready.",
)
@_run_dir_option
def up(provider: str, nodes: int, timeout: float, run_dir: Path) -> None:
    """Create the cluster and start every component; returns once all are ready."""
    env = Environment.up(run_dir, provider=provider, nodes=nodes, timeout=timeout)
    click.echo(f"export KUBECONFIG={env.kubeconfig}")
    if provider == "kind":
        click.echo(f"# Prometheus: {env.prometheus_url}  Flagger: {env.flagger_url}  (port-forwards on 127.0.0.1)")
    else:
        click.echo(f"# Prometheus: {env.prometheus_url}  targets: {env.prometheus_targets_dir}")


@command.command("down")
@_run_dir_option
def down(run_dir: Path) -> None:
    """Stop every component and delete the cluster."""
    env = Environment.attach(run_dir)
    env.down()
    stray = env.stray_processes()
    if stray:
        click.echo(f"error: processes still running: {', '.join(map(str, stray))}", err=True)
        sys.exit(1)


@command.command("status")
@click.option("-o", "--output", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_run_dir_option
def status(output: str, run_dir: Path) -> None:
    """Show every process and component; exit 1 unless all are ready."""
    env = Environment.attach(run_dir)
    rows = env.status()
    memory_mib = env.memory_kib() / 1024
    if output == "json":
        click.echo(
            json.dumps(
                {
                    "run_dir": str(env.run_dir),
                    "provider": env.provider,
                    "kubeconfig": str(env.kubeconfig),
                    "prometheus_url": env.prometheus_url,
                    "memory_mib": round(memory_mib, 1),
                    "components": [
                        {
                            "name": r.name,
                            "running": r.running,
                            "ready": r.ready,
                            "detail": r.detail,
                            "pids": list(r.pids),
                            "log": str(r.log) if r.log else None,
                        }
                        for r in rows
                    ],
                },
                indent=2,
            )
        )
    else:
        width = max(len(r.name) for r in rows)
        click.echo(f"environment {env.run_dir} ({env.provider}), kubeconfig {env.kubeconfig}")
        for r in rows:
            state = "ready" if r.ready else ("running" if r.running else "stopped")
            pids = ",".join(map(str, r.pids)) or "-"
            click.echo(f"  {r.name:<{width}}  {state:<7}  pid {pids:<13} {r.detail}")
            if not r.ready and r.log:
                click.echo(f"  {'':<{width}}  log: {r.log}")
        click.echo(f"memory (RSS): {memory_mib:.0f} MiB")
    if not all(r.ready for r in rows):
        sys.exit(1)


def _component_command(verb: str, doc: str) -> None:
    @command.command(verb, help=doc)
    @click.argument("component", type=click.Choice(ALL_COMPONENTS))
    @_run_dir_option
    def run(component: str, run_dir: Path) -> None:
        env = Environment.attach(run_dir)
        getattr(env, verb)(component)


_component_command("start", "Start a stopped component and wait until it is ready.")
_component_command("stop", "Stop a component.")
_component_command("restart", "Restart a component and wait until it is ready.")
