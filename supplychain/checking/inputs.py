"""Reading the checked documents: files, directories or standard input, list documents expanded."""

from __future__ import annotations

from ..errors import InputError, Location
from ..k8slists import expand_lists
from ..yamlio import Document, load_documents


def read_inputs(paths: tuple[str, ...]) -> list[Document]:
    """Every object of PATHS ('-' is standard input; a list document gives its items); none at all is an error."""
    if list(paths).count("-") > 1:
        raise InputError("standard input ('-') can be given only once")
    docs = expand_lists(load_documents(paths))
    if not docs:
        raise InputError("no YAML documents found", Location(", ".join("<stdin>" if p == "-" else p for p in paths)))
    return docs
