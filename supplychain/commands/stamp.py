"""`supplychain stamp`: what Cartographer would stamp for one Workload or Deliverable, offline."""

from __future__ import annotations

import click

from ..errors import InputError, Location
from ..outputs import write_output
from ..stamping.chain import realize_many
from ..stamping.loading import load_go_documents as load_documents
from ..stamping.render import prerender, render_many, render_stamped
from ..yamlio import Document


def _single(path: str, what: str) -> Document:
    docs = load_documents([path])
    source = "<stdin>" if path == "-" else path
    if not docs:
        raise InputError(f"the {what} file holds no document", Location(source))
    if len(docs) > 1:
        raise InputError(f"the {what} file must hold exactly one document, it holds {len(docs)}", docs[1].location())
    return docs[0]


@click.command("stamp")
@click.option(
    "--blueprint",
    "blueprints",
    multiple=True,
    required=True,
    metavar="FILE",
    help="ClusterSupplyChain / ClusterDelivery documents (repeatable; the owner selects one, as Cartographer does).",
)
@click.option(
    "--templates",
    multiple=True,
    required=True,
    metavar="PATH",
    help="Files or directories holding the Cluster*Templates (repeatable; other kinds are ignored).",
)
@click.option(
    "--owner",
    required=True,
    metavar="FILE",
    help="The Workload or Deliverable ('-' reads standard input); a file of several owners stamps each.",
)
@click.option(
    "--outputs",
    metavar="FILE",
    help="Outputs controllers would produce, as `<resource>: {source: {url, revision}} | {image: X} | {config: X}`.",
)
@click.option("-o", "--output", metavar="FILE", help="Write to FILE (atomically) instead of standard output.")
def command(
    blueprints: tuple[str, ...], templates: tuple[str, ...], owner: str, outputs: str | None, output: str | None
) -> None:
    """Stamp every resource of the blueprint the owner selects, in resource order, as Cartographer v0.8.11 would.

    Outputs of earlier resources feed later ones: read from the stamped object (urlPath, revisionPath,
    imagePath, configPath), passed through (deployments, pass-through options), or taken from --outputs
    when a controller produces them (--outputs wins over the stamped object). A ClusterDeploymentTemplate
    passes its deployment input on as if its completion condition held. Prints each stamped object,
    preceded by a comment naming its resource. Given several owners (one YAML stream), all are stamped in one run,
    each object's comment also naming its owner.
    """
    stdin_users = [p for p in (*blueprints, *templates, owner, outputs or "") if p == "-"]
    if len(stdin_users) > 1:
        raise InputError("only one input can be read from standard input ('-')", Location("-"))
    owner_docs = load_documents([owner])
    if not owner_docs:
        raise InputError("the owner file holds no document", Location("<stdin>" if owner == "-" else owner))
    outputs_doc = _single(outputs, "outputs") if outputs else None
    results = realize_many(
        load_documents(blueprints), load_documents(templates), owner_docs, outputs_doc, on_wave=prerender
    )
    write_output(render_stamped(results[0]) if len(results) == 1 else render_many(results), output)
