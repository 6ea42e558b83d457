"""`supplychain graph`: a picture of a supply chain or delivery, with the canary stage highlighted."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import InputError, Location
from ..outputs import atomic_path
from ..stamping.chain import TemplateCatalog, load_blueprints
from ..stamping.graph import draw
from ..stamping.loading import load_go_documents


@click.command("graph")
@click.option(
    "--blueprint",
    "blueprints",
    multiple=True,
    required=True,
    metavar="FILE",
    help="ClusterSupplyChain / ClusterDelivery documents (repeatable; each blueprint is drawn).",
)
@click.option(
    "--templates",
    multiple=True,
    metavar="PATH",
    help="Cluster*Templates; resources whose template is missing are drawn dashed red.",
)
@click.option("-o", "--output", required=True, metavar="FILE.svg|FILE.png", help="Picture to write (atomically).")
def command(blueprints: tuple[str, ...], templates: tuple[str, ...], output: str) -> None:
    """Draw each blueprint's resources with their inputs as arrows; resources using canary* templates are highlighted."""
    target = Path(output)
    if target.suffix.lower() not in (".svg", ".png"):
        raise InputError("the output must end in .svg or .png", Location(output))
    found = load_blueprints(load_go_documents(blueprints))
    if not found:
        raise InputError("no ClusterSupplyChain or ClusterDelivery found", Location(", ".join(blueprints)))
    catalog = TemplateCatalog(load_go_documents(templates)) if templates else None
    with atomic_path(target, target.suffix) as tmp:
        draw([bp for bp, _ in found], tmp, catalog)
    click.echo(f"wrote {target}", err=True)
