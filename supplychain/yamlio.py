"""Reading multi-document YAML while remembering where each document came from."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import goyaml
from .errors import InputError, Location

# Document.extra key: the object's position in the `items` of a list document (see k8slists).
LIST_ITEM = "list_item"


@dataclass
class Document:
    """One YAML document with its origin."""

    source: str
    index: int
    body: Any
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def kind(self) -> str | None:
        return self.body.get("kind") if isinstance(self.body, dict) else None

    @property
    def name(self) -> str | None:
        if not isinstance(self.body, dict):
            return None
        meta = self.body.get("metadata")
        return meta.get("name") if isinstance(meta, dict) else None

    @property
    def api_version(self) -> str | None:
        return self.body.get("apiVersion") if isinstance(self.body, dict) else None

    def field_path(self, path: str | None) -> str | None:
        """PATH inside this object as a path from the document: item j of a list document is `items[j]`."""
        item = self.extra.get(LIST_ITEM)
        if not isinstance(item, int):
            return path
        return f"items[{item}].{path}" if path else f"items[{item}]"

    def location(self, field_path: str | None = None) -> Location:
        return Location(self.source, self.index, self.kind, self.name, self.field_path(field_path))


def parse_documents(text: str, source: str) -> list[Document]:
    """Parse every non-empty document of TEXT as Kubernetes tools would (goyaml); SOURCE names it in errors."""
    docs: list[Document] = []
    try:
        for index, body in enumerate(goyaml.load_all(text)):
            if body is None:
                continue
            docs.append(Document(source, index, body))
    except yaml.YAMLError as err:
        raise InputError(yaml_problem(err), Location(source)) from None
    return docs


def yaml_problem(err: yaml.YAMLError) -> str:
    """A YAML error as one line: what is wrong and where (line and column)."""
    mark = getattr(err, "problem_mark", None)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    problem = getattr(err, "problem", None) or str(err).splitlines()[0]
    kind = "YAML over a limit" if isinstance(err, goyaml.YamlLimitError) else "malformed YAML"
    return f"{kind}{where}: {problem}"


def read_text(path: str, limit: int = goyaml.MAX_BYTES) -> str:
    """Read PATH ('-' is standard input) as UTF-8, at most LIMIT bytes (so /dev/zero or a runaway pipe
    cannot hang a command), or raise an InputError naming it."""
    where = Location("<stdin>" if path == "-" else path)
    try:
        if path == "-":
            data = sys.stdin.buffer.read(limit + 1)
        else:
            with open(path, "rb") as handle:
                data = handle.read(limit + 1)
        if len(data) > limit:
            raise InputError(f"larger than {limit:,} bytes, more than the tools read", where)
        return data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"cannot read: {getattr(err, 'strerror', None) or err}", where) from None


def expand_paths(paths: Iterable[str], suffixes: tuple[str, ...] = (".yaml", ".yml")) -> Iterator[str]:
    """Yield files; directories are walked for YAML files in sorted order."""
    for path in paths:
        p = Path(path)
        if path != "-" and p.is_dir():
            yield from (str(f) for f in sorted(p.rglob("*")) if f.is_file() and f.suffix in suffixes)
        else:
            yield path


def load_documents(paths: Iterable[str]) -> list[Document]:
    """Load every document of every path (files, directories or '-')."""
    docs: list[Document] = []
    for path in expand_paths(paths):
        source = "<stdin>" if path == "-" else path
        docs.extend(parse_documents(read_text(path), source))
    return docs


class _GoSafeDumper(yaml.SafeDumper):
    """SafeDumper that quotes every string a Go reader (yaml.v2) would not read back as that string."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if goyaml.go_resolve(value) != value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="'" if "\n" not in value else '"')
    return dumper.represent_str(value)


_GoSafeDumper.add_representer(str, _represent_str)


def dump_documents(bodies: Iterable[Any]) -> str:
    """Serialise objects as a multi-document YAML stream that Go tools (kubectl, ytt, kapp) read back as
    written: strings such as `y`, `n` or `0o17`, which yaml.v2 reads as booleans or numbers, are quoted."""
    return yaml.dump_all(
        list(bodies), Dumper=_GoSafeDumper, sort_keys=False, default_flow_style=False, explicit_start=True
    )
