"""Kubernetes list documents (`kind: List`, `ClusterSupplyChainList`, ...): what `kubectl get -o yaml` prints
for more than one object. Each item is an object of its own; commands see the items, and `render --chains`
writes patched items back into their list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import InputError
from .yamlio import LIST_ITEM, Document


def is_list(body: Any) -> bool:
    """True for a Kubernetes list: kind `List` or `<Kind>List`, with an `items` sequence."""
    if not isinstance(body, dict):
        return False
    kind = body.get("kind")
    return isinstance(kind, str) and kind.endswith("List") and "items" in body


def _items(doc: Document) -> list[Any]:
    items = doc.body.get("items")
    if items is None:
        return []
    if not isinstance(items, list):
        raise InputError(f"a {doc.kind}'s items must be a sequence, got {type(items).__name__}", doc.location("items"))
    for j, item in enumerate(items):
        if not isinstance(item, dict):
            raise InputError("a list item must be a Kubernetes object (a mapping)", doc.location(f"items[{j}]"))
    return items


def item_documents(doc: Document) -> list[Document]:
    """The objects of a list document, each naming its place (`items[j]`) in the list."""
    return [Document(doc.source, doc.index, item, {**doc.extra, LIST_ITEM: j}) for j, item in enumerate(_items(doc))]


def expand_lists(docs: list[Document]) -> list[Document]:
    """DOCS with every list document replaced by its items."""
    out: list[Document] = []
    for doc in docs:
        out.extend(item_documents(doc) if is_list(doc.body) else [doc])
    return out


@dataclass
class Shape:
    """How one input document maps onto flat objects: COUNT objects, wrapped back into LIST when it was one."""

    count: int
    list_body: dict[str, Any] | None = None


def flatten(docs: list[Document]) -> tuple[list[Document], list[Shape]]:
    """Objects of DOCS (list items in order) and the shapes needed to rebuild the documents."""
    flat: list[Document] = []
    shapes: list[Shape] = []
    for doc in docs:
        if is_list(doc.body):
            items = item_documents(doc)
            flat.extend(items)
            shapes.append(Shape(len(items), doc.body))
        else:
            flat.append(doc)
            shapes.append(Shape(1))
    return flat, shapes


def rebuild(objects: list[Any], shapes: list[Shape]) -> list[Any]:
    """The documents again, from OBJECTS in the order `flatten` gave them."""
    if len(objects) != sum(s.count for s in shapes):
        raise ValueError(f"expected {sum(s.count for s in shapes)} objects, got {len(objects)}")
    out: list[Any] = []
    at = 0
    for shape in shapes:
        part = objects[at : at + shape.count]
        at += shape.count
        if shape.list_body is None:
            out.extend(part)
        else:
            out.append({**shape.list_body, "items": part})
    return out
