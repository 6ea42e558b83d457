"""`supplychain validate`: check documents against the pinned CRD / core schemas and webhook rules."""

from __future__ import annotations

import sys

import click

from ..checking.findings import exit_code
from ..validation.parallel import validate_paths
from .report import OUTPUT_FORMATS, emit


@click.command("validate")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...|-")
@click.option(
    "-o", "--output", type=click.Choice(OUTPUT_FORMATS), default="text", show_default=True, help="Report format."
)
@click.option("--strict", is_flag=True, help="Warnings (e.g. kinds without a pinned schema) also fail.")
@click.option("--no-stamp", is_flag=True, help="Do not stamp templates with sample data.")
def command(paths: tuple[str, ...], output: str, strict: bool, no_stamp: bool) -> None:
    """Validate every document (files, directories or '-' for stdin) against the pinned schemas.

    Flagger, Cartographer and kapp-controller kinds are checked against their pinned CRDs, core kinds
    against the pinned Kubernetes OpenAPI, unknown fields are errors, and Cartographer's webhook-only rules
    apply. Templates are stamped for a sample Workload/Deliverable and the stamped objects (and YAML files in
    a config template's output) are validated too. Exit 0 clean, 1 findings, 2 unreadable input.
    """
    result = validate_paths(paths, stamp=not no_stamp)
    emit(result.findings, result.documents, result.checked, output, "validate")
    sys.exit(exit_code(result.findings, strict))
