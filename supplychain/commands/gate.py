"""`supplychain gate`: open, close or read one workload's manual gate on flagger-loadtester."""

from __future__ import annotations

import click

from ..gate import ACTIONS, PROMOTION_GATE, ROLLBACK_GATE, call_gate


@click.command("gate")
@click.argument("action", type=click.Choice(ACTIONS))
@click.argument("workload")
@click.option("-n", "--namespace", required=True, help="The workload's namespace (the Canary's).")
@click.option(
    "--loadtester",
    required=True,
    metavar="URL",
    help="flagger-loadtester on a loopback address, e.g. http://127.0.0.1:8080/ "
    "(kubectl port-forward svc/flagger-loadtester 8080:80).",
)
@click.option("--rollback", is_flag=True, help="The rollback gate (rollback webhook) instead of the promotion gate.")
@click.option(
    "--timeout",
    type=click.FloatRange(0.1, 120),
    default=10.0,
    show_default=True,
    help="Seconds to wait for the loadtester.",
)
def command(action: str, workload: str, namespace: str, loadtester: str, rollback: bool, timeout: float) -> None:
    """Open, close or show (status) the gate of WORKLOAD's Canary on flagger-loadtester.

    The canary stage names the Canary after the workload. With `canary_confirm_promotion`, Flagger waits in
    WaitingPromotion until the gate is opened; with `canary_rollback_hook`, opening the rollback gate rolls
    the Canary back at its next tick. Gates start closed and are lost when the loadtester restarts.
    Exit 0 done, 2 bad usage or loadtester unreachable.
    """
    state = call_gate(loadtester, workload, namespace, action, ROLLBACK_GATE if rollback else PROMOTION_GATE, timeout)
    click.echo(state.describe())
