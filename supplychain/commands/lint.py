"""`supplychain lint`: canary, metric, webhook and supply-chain wiring rules."""

from __future__ import annotations

import sys

import click

from ..checking.findings import exit_code
from ..checking.inputs import read_inputs
from ..linting.registry import RULES
from .report import OUTPUT_FORMATS, emit


def _list_rules(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    for r in RULES:
        click.echo(f"{r.id:32} {r.severity.value:8} {r.summary}")
    ctx.exit(0)


@click.command("lint")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...|-")
@click.option(
    "-o", "--output", type=click.Choice(OUTPUT_FORMATS), default="text", show_default=True, help="Report format."
)
@click.option("--strict", is_flag=True, help="Warnings fail too (e.g. templates the input does not hold).")
@click.option("--no-stamp", is_flag=True, help="Do not stamp templates with sample data.")
@click.option(
    "--ignore",
    "ignored",
    multiple=True,
    metavar="RULE",
    help="Skip a rule (repeatable), e.g. --ignore wiring-template-exists for OOTB chains.",
)
@click.option(
    "--list-rules",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_list_rules,
    help="List the rules and exit.",
)
def command(paths: tuple[str, ...], output: str, strict: bool, no_stamp: bool, ignored: tuple[str, ...]) -> None:
    """Lint documents (files, directories or '-' for stdin): Canary analysis, metrics, webhooks and
    ClusterSupplyChain/ClusterDelivery wiring, including what templates stamp for a sample owner.
    Exit 0 clean (warnings allowed unless --strict), 1 findings, 2 unreadable input.
    """
    from ..linting.linter import lint_documents

    known = {r.id for r in RULES}
    unknown = sorted(set(ignored) - known)
    if unknown:
        raise click.BadParameter(f"unknown rule(s): {', '.join(unknown)}; see --list-rules", param_hint="--ignore")
    docs = read_inputs(paths)
    result = lint_documents(docs, stamp=not no_stamp, rules=[r for r in RULES if r.id not in ignored])
    emit(result.findings, result.documents, result.checked, output, "lint")
    sys.exit(exit_code(result.findings, strict))
