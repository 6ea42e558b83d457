"""kapp Config documents: checked by kapp's own loading rules, never as API objects."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from supplychain.validation import kapp_config

PRODUCT = Path(__file__).resolve().parents[2] / "templates" / "lib" / "kapp-config.yml.data"


def _messages(body: dict[str, Any]) -> list[str]:
    return [f"{p.path}: {p.message}" for p in kapp_config.check(body)]


def test_the_product_kapp_config_loads_cleanly() -> None:
    body = yaml.safe_load(PRODUCT.read_text())
    assert kapp_config.is_kapp_config(body)
    assert _messages(body) == []
    kinds = {m["apiVersionKindMatcher"]["kind"] for r in body["rebaseRules"] for m in r["resourceMatchers"]}
    assert kinds == {"Deployment", "Service"}


def test_broken_rules_are_named() -> None:
    body = {
        "apiVersion": "kapp.k14s.io/v1alpha1",
        "kind": "Config",
        "rebaseRules": [
            {
                "path": ["spec"],
                "paths": [["spec"]],
                "type": "copy",
                "sources": ["new"],
                "resourceMatchers": [{"allMatcher": {}}],
            },
            {"type": "move", "path": ["spec"], "resourceMatchers": [{"allMatcher": {}}]},
            {"ytt": {"overlayContractV1": {"overlay.yml": ""}}, "path": ["spec"], "resourceMatchers": []},
            {"path": ["spec"], "type": "copy", "sources": ["cluster"], "resourceMatchers": [{"allMatcher": {}}]},
        ],
        "waitRules": [{"ytt": {}, "resourceMatchers": [{"allMatcher": {}}]}],
    }
    assert _messages(body) == [
        "rebaseRules[0]: expected only one of path or paths specified",
        "rebaseRules[1].type: unknown rebase rule type 'move' (supported: copy, remove)",
        "rebaseRules[2].resourceMatchers: a rule needs at least one resource matcher (an empty list matches nothing)",
        "rebaseRules[2]: expected only resourceMatchers specified with ytt configuration",
        "rebaseRules[3].sources: a copy rule takes sources from new and/or existing",
        "waitRules[0].ytt: a ytt wait rule needs funcContractV1 with a resource.star program",
    ]
