"""Offline stamping with Cartographer v0.8.11's semantics.

Public entry points:

- ``stamp_template(template, owner, ...)`` stamps one Cluster*Template for a Workload or Deliverable.
- ``supplychain.stamping.chain`` stamps a whole ClusterSupplyChain / ClusterDelivery in resource order.
"""

from __future__ import annotations

from typing import Any

from . import gotypes as gt
from .errors import EvalError, InputError, Location, StampError, SupplychainError
from .gojson import for_display, to_interface, yaml_to_json
from .stamper import (
    BlueprintParam,
    Inputs,
    Source,
    StampJob,
    build_context,
    decode_owner,
    merge_params,
    stamp_all,
    workload_labels,
)
from .templates import decode_template

__all__ = ["InputError", "StampError", "SupplychainError", "stamp_template"]


def _where(template: dict[str, Any]) -> str:
    kind = template.get("kind") if isinstance(template, dict) else None
    meta = template.get("metadata") if isinstance(template, dict) else None
    name = meta.get("name") if isinstance(meta, dict) else None
    return f"{kind or 'template'}/{name or '?'}"


def _raw(value: object) -> gt.RawJSON:
    return gt.RawJSON(yaml_to_json(value), True)


def _source(value: Any, what: str) -> Source:
    if not isinstance(value, dict):
        raise StampError(f"{what} must be a mapping with url and revision", Location("<arguments>", field=what))
    return Source(to_interface(yaml_to_json(value.get("url"))), to_interface(yaml_to_json(value.get("revision"))))


def stamp_template(
    template: dict[str, Any],
    owner: dict[str, Any],
    *,
    params: dict[str, object] | None = None,
    sources: dict[str, Any] | None = None,
    images: dict[str, Any] | None = None,
    configs: dict[str, Any] | None = None,
    deployment: dict[str, Any] | None = None,
    blueprint_name: str = "sample",
    resource_name: str = "sample",
) -> dict[str, Any]:
    """Stamp TEMPLATE (a full Cluster*Template object) for OWNER (a Workload or Deliverable object).

    PARAMS act as the blueprint resource's ``params`` given with ``default:`` (so the owner's
    ``spec.params`` still override them, and the template's defaults fill the rest). SOURCES maps input
    names to ``{url, revision}``, IMAGES and CONFIGS map input names to values, DEPLOYMENT is
    ``{url, revision}``. Returns the stamped object as Cartographer would submit it; raises a
    ``StampError`` (a ``SupplychainError``) whose location names the template and field on failure.
    """
    where = _where(template)
    try:
        decoded = decode_template(template)
    except EvalError as err:
        raise StampError(str(err), Location(where)) from None
    try:
        owner_obj = decode_owner(owner)
    except EvalError as err:
        raise StampError(f"invalid owner: {err}", Location(where)) from None
    resource_params = [BlueprintParam(name, default=_raw(value)) for name, value in (params or {}).items()]
    merged = merge_params(decoded.params, [], resource_params, owner_obj.params)
    inputs = Inputs(
        sources={n: _source(v, f"sources.{n}") for n, v in (sources or {}).items()},
        images={n: to_interface(yaml_to_json(v)) for n, v in (images or {}).items()},
        configs={n: to_interface(yaml_to_json(v)) for n, v in (configs or {}).items()},
        deployment=_source(deployment, "deployment") if deployment is not None else None,
    )
    labels = workload_labels(
        owner_obj, blueprint_name, resource_name, decoded.kind, decoded.name, decoded.effective_lifecycle
    )
    job = StampJob(decoded, owner_obj, build_context(owner_obj, merged, inputs, labels), labels)
    stamp_all([job])
    if job.error is not None or job.result is None:
        raise StampError(job.error or "nothing stamped", Location(where, field=job.error_field))
    result: dict[str, Any] = for_display(job.result)
    return result
