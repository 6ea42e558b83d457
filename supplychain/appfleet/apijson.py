"""Kubernetes reads as plain JSON.

The official client turns every response into its model objects; for a list of hundreds of pods or Deployments
that costs far more CPU than the request (and the callers turn the models back into dicts). These calls ask
the same typed API method for the raw response instead.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any


def read_json(call: Callable[..., Any], *args: Any, **kwargs: Any) -> dict[str, Any]:
    """The response of CALL (a typed kubernetes-client method) as the API server's JSON, in dicts and lists."""
    response = call(*args, _preload_content=False, **kwargs)
    try:
        data: dict[str, Any] = json.loads(response.data)
    finally:
        response.release_conn()
    return data


def list_items(call: Callable[..., Any], *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
    """The items of a list call (see read_json)."""
    items: list[dict[str, Any]] = read_json(call, *args, **kwargs).get("items") or []
    return items
