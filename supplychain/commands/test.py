"""`supplychain test DIR`: cartotest-compatible template cases and whole-chain cases, offline."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from ..stamping.runner import run_directory


@click.command("test")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("-v", "--verbose", is_flag=True, help="Also print each case's name and description.")
def command(directory: Path, verbose: bool) -> None:
    """Run the stamping test cases under DIRECTORY; a failing case prints a diff (-expected +actual).

    Folders use cartotest's layout (template.yaml, workload.yaml, expected.yaml, info.yaml; settings are
    inherited from parent folders) and are judged as cartotest v0.8.11 judges them. A folder with
    blueprint.yaml is a whole-chain case: blueprint.yaml, templates/ (or templates.yaml), owner.yaml,
    optional outputs.yaml, and expected.yaml holding what `supplychain stamp` prints (or info.yaml
    `chain.expectedError`). Exit 0 when every case passes, 1 otherwise (and when a case is focused).
    """
    started = time.monotonic()
    outcomes, focused = run_directory(directory, progress=lambda m: click.echo(f"==> {m}", err=True))
    failed = [o for o in outcomes if not o.passed]
    for outcome in outcomes:
        label = "PASS" if outcome.passed else "FAIL"
        line = f"{label}: {outcome.case.path}"
        if verbose and outcome.case.name:
            line += f" {outcome.case.name}"
        click.echo(line)
        for note in outcome.notes:
            click.echo(f"    note: {note}")
        if verbose and outcome.case.description and not outcome.passed:
            click.echo(f"Description: {outcome.case.description}")
        if not outcome.passed:
            click.echo(_indent(outcome.error or ""))
    if focused:
        click.echo("test suite failed due to focused test, check individual test case status")
    elapsed = time.monotonic() - started
    click.echo(f"{len(outcomes) - len(failed)} passed, {len(failed)} failed in {elapsed:.2f}s")
    click.echo("FAIL" if failed or focused else "PASS")
    sys.exit(1 if failed or focused else 0)


def _indent(text: str) -> str:
    return "\n".join("    " + line if line else line for line in text.rstrip("\n").splitlines())
