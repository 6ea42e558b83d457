"""Reading YAML files as Cartographer reads them (gopkg.in/yaml.v2 scalars), keeping document origins."""

from __future__ import annotations

from collections.abc import Iterable

import yaml

from ..errors import InputError, Location
from ..k8slists import expand_lists
from ..yamlio import Document, expand_paths, read_text
from .gojson import load_yaml_documents


def parse_go_documents(text: str, source: str) -> list[Document]:
    """Every non-empty document of TEXT, scalars resolved as Go's YAML library resolves them."""
    try:
        bodies = load_yaml_documents(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise InputError(f"malformed YAML{where}: {problem}", Location(source)) from None
    return [Document(source, index, body) for index, body in enumerate(bodies) if body is not None]


def load_go_documents(paths: Iterable[str]) -> list[Document]:
    """Every object of every path (files, directories walked for YAML files, or '-'); a list document (what
    `kubectl get -o yaml` prints) gives its items."""
    docs: list[Document] = []
    for path in expand_paths(paths):
        source = "<stdin>" if path == "-" else path
        docs.extend(parse_go_documents(read_text(path), source))
    return expand_lists(docs)
