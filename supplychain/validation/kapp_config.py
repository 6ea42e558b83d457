"""kapp's own configuration documents (`kapp.k14s.io/v1alpha1 Config`) found in an app's config files.

kapp reads them as configuration, not as API objects, so they have no schema and need no metadata. These are
the checks kapp applies when it loads one (carvel-dev/kapp `pkg/kapp/config/config.go`: Config.Validate,
RebaseRule.Validate, and the panics AsMods raises on an unknown rule type or ytt contract).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .schema_check import Problem

API_VERSION = "kapp.k14s.io/v1alpha1"
KIND = "Config"
_SOURCES = ("new", "existing")


def is_kapp_config(body: dict[str, Any]) -> bool:
    return body.get("apiVersion") == API_VERSION and body.get("kind") == KIND


def _matchers(where: str, rule: dict[str, Any]) -> Iterator[Problem]:
    matchers = rule.get("resourceMatchers")
    if not isinstance(matchers, list) or not matchers:
        yield Problem(
            f"{where}.resourceMatchers", "a rule needs at least one resource matcher (an empty list matches nothing)"
        )


def _rebase_rule(where: str, rule: Any) -> Iterator[Problem]:
    if not isinstance(rule, dict):
        yield Problem(where, "a rebase rule must be a mapping")
        return
    yield from _matchers(where, rule)
    if rule.get("ytt") is not None:
        if any(rule.get(k) for k in ("path", "paths", "type", "sources")):
            yield Problem(where, "expected only resourceMatchers specified with ytt configuration")
        if not isinstance(rule["ytt"], dict) or not isinstance(rule["ytt"].get("overlayContractV1"), dict):
            yield Problem(f"{where}.ytt", "unknown rebase rule ytt contract (supported: overlayContractV1)")
        return
    if rule.get("path") and rule.get("paths"):
        yield Problem(where, "expected only one of path or paths specified")
    if not rule.get("path") and not rule.get("paths"):
        yield Problem(where, "expected either path or paths to be specified")
    if rule.get("type") not in ("copy", "remove"):
        yield Problem(f"{where}.type", f"unknown rebase rule type {rule.get('type')!r} (supported: copy, remove)")
    if rule.get("type") == "copy":
        sources = rule.get("sources")
        if not isinstance(sources, list) or not sources or any(s not in _SOURCES for s in sources):
            yield Problem(f"{where}.sources", "a copy rule takes sources from new and/or existing")


def _wait_rule(where: str, rule: Any) -> Iterator[Problem]:
    if not isinstance(rule, dict):
        yield Problem(where, "a wait rule must be a mapping")
        return
    yield from _matchers(where, rule)
    ytt = rule.get("ytt")
    if ytt is not None and not (
        isinstance(ytt, dict) and isinstance((ytt.get("funcContractV1") or {}).get("resource.star"), str)
    ):
        yield Problem(f"{where}.ytt", "a ytt wait rule needs funcContractV1 with a resource.star program")


def check(body: dict[str, Any]) -> Iterator[Problem]:
    """Problems kapp would report on loading BODY."""
    for key, check_rule in (("rebaseRules", _rebase_rule), ("waitRules", _wait_rule)):
        rules = body.get(key)
        if rules is None:
            continue
        if not isinstance(rules, list):
            yield Problem(key, f"{key} must be a list")
            continue
        for i, rule in enumerate(rules):
            yield from check_rule(f"{key}[{i}]", rule)
