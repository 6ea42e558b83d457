"""Shared plumbing of the checking commands: reading inputs and printing findings."""

from __future__ import annotations

import click

from ..errors import InputError, Location
from ..k8slists import expand_lists
from ..yamlio import Document, load_documents
from .findings import Finding, render_json, render_text, summary

OUTPUT_FORMATS = ("text", "json")


def read_inputs(paths: tuple[str, ...]) -> list[Document]:
    """Every object of PATHS ('-' is standard input; a list document gives its items); none at all is an error."""
    if list(paths).count("-") > 1:
        raise InputError("standard input ('-') can be given only once")
    docs = expand_lists(load_documents(paths))
    if not docs:
        raise InputError("no YAML documents found", Location(", ".join("<stdin>" if p == "-" else p for p in paths)))
    return docs


def emit(findings: list[Finding], documents: int, checked: int, output: str, what: str) -> None:
    counts = summary(findings, documents, checked)
    if output == "json":
        click.echo(render_json(findings, counts))
    else:
        click.echo(render_text(findings, counts, what))
