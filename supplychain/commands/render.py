"""`supplychain render`: templates + overlays + data values -> one multi-document YAML (real ytt)."""

from __future__ import annotations

import re

import click

from ..errors import InputError, Location, ToolError
from ..outputs import write_output
from ..rendering import RenderOptions, apply_overlays, render_package, render_product
from ..yamlio import Document, dump_documents

PARTS = ("templates", "overlay", "chains", "package")


_PARAM = re.compile(r"\bparams? (canary_([a-z0-9_]+))")


def check_rendered(product: list[Document]) -> None:
    """Stamp every template of the rendered bundle for a sample owner, as `validate` does, with the data values
    as param defaults: a value the templates' own param rules refuse fails the render, naming the data value.
    (Everything else about the stamped objects is `validate`'s to report.)"""
    from ..checking.findings import Severity
    from ..validation.validator import validate_documents

    errors = [
        f
        for f in validate_documents(product).findings
        if f.severity is Severity.ERROR and f.rule == "template-stamp" and "assert.fail" in f.message
    ]
    if not errors:
        return
    lines = []
    for finding in errors[:10]:
        message = finding.message.strip().splitlines()
        reason = next((line.split("fail: ", 1)[1] for line in message if "fail: " in line), " ".join(message)[:400])
        reason = _PARAM.sub(lambda m: f"{m.group(0)} (data value defaults.{m.group(2)})", reason)
        lines.append(f"  {finding.kind}/{finding.name}: {finding.path}: {reason}")
    more = f"\n  ... and {len(errors) - 10} more" if len(errors) > 10 else ""
    raise InputError(
        "the templates refuse these data values (their param rules, run for a sample owner):\n"
        + "\n".join(dict.fromkeys(lines))
        + more,
        Location("<data values>"),
    )


@click.command("render")
@click.option("-f", "--values", "values_files", multiple=True, metavar="FILE", help="Data values file (repeatable).")
@click.option(
    "--set", "set_values", multiple=True, metavar="KEY=YAML", help="One data value, e.g. --set defaults.iterations=5."
)
@click.option(
    "--chains", multiple=True, metavar="PATH", help="Supply chains / deliveries to patch with the canary-stage overlay."
)
@click.option("--package", "with_package", is_flag=True, help="Also emit the Carvel Package and PackageMetadata.")
@click.option(
    "--package-image", metavar="REF", help="Fetch the package from this imgpkg bundle instead of inline files."
)
@click.option("--only", type=click.Choice(PARTS), multiple=True, help="Emit only these parts (repeatable).")
@click.option("-o", "--output", metavar="FILE", help="Write to FILE (atomically) instead of standard output.")
def command(
    values_files: tuple[str, ...],
    set_values: tuple[str, ...],
    chains: tuple[str, ...],
    with_package: bool,
    package_image: str | None,
    only: tuple[str, ...],
    output: str | None,
) -> None:
    """Render the canary templates, RBAC and the package_overlays Secret; optionally patch chains and emit the Package."""
    options = RenderOptions(list(values_files), list(set_values), list(chains))
    wanted = set(only) or {"templates", "overlay", "chains"} | ({"package"} if with_package or package_image else set())
    product = render_product(options)
    check_rendered(product)
    secrets = [d for d in product if d.kind == "Secret"]
    if not secrets:
        raise ToolError("the rendered bundle has no overlay Secret")
    bodies = []
    if "templates" in wanted:
        bodies += [d.body for d in product if d.kind != "Secret"]
    if "overlay" in wanted:
        bodies += [d.body for d in secrets]
    if "chains" in wanted and options.chains:
        bodies += apply_overlays(options.chains, secrets[0].body)
    if "package" in wanted:
        bodies += render_package(package_image)
    write_output(dump_documents(bodies), output)
