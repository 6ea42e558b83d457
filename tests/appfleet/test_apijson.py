"""Reads as plain JSON: the raw response asked for, decoded, and the connection handed back."""

from __future__ import annotations

import json
from typing import Any

import pytest

from supplychain.appfleet.apijson import list_items, read_json


class _Response:
    def __init__(self, body: Any) -> None:
        self.data = json.dumps(body).encode() if not isinstance(body, bytes) else body
        self.released = False

    def release_conn(self) -> None:
        self.released = True


def test_the_raw_response_is_asked_for_and_decoded() -> None:
    seen: dict[str, Any] = {}
    response = _Response({"kind": "PodList", "items": [{"metadata": {"name": "a"}}, {"metadata": {"name": "b"}}]})

    def call(*args: Any, **kwargs: Any) -> _Response:
        seen.update(args=args, kwargs=kwargs)
        return response

    items = list_items(call, "ns", label_selector="app=x", _request_timeout=3)
    assert [i["metadata"]["name"] for i in items] == ["a", "b"]
    assert seen == {
        "args": ("ns",),
        "kwargs": {"_preload_content": False, "label_selector": "app=x", "_request_timeout": 3},
    }
    assert response.released


def test_an_empty_list_has_no_items_and_bad_json_still_releases() -> None:
    assert list_items(lambda **_: _Response({"kind": "PodList", "items": None})) == []
    response = _Response(b"not json")
    with pytest.raises(json.JSONDecodeError):
        read_json(lambda **_: response)
    assert response.released
