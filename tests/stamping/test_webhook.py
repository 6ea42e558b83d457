"""Cartographer's template webhook, in one place: `stamp` refuses exactly what `validate` reports."""

from __future__ import annotations

from typing import Any

import pytest

from supplychain.stamping.errors import EvalError
from supplychain.stamping.templates import decode_template
from supplychain.validation import cartographer_rules

CHILD = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}


def template(**spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "carto.run/v1alpha1",
        "kind": "ClusterTemplate",
        "metadata": {"name": "t"},
        "spec": {"template": CHILD, **spec},
    }


CASES = {
    "fine": (template(), None),
    "retention-on-mutable": (
        template(retentionPolicy={"maxFailedRuns": 1, "maxSuccessfulRuns": 1}),
        "invalid template: if lifecycle is mutable, no retention policy may be set",
    ),
    "retention-on-immutable": (
        template(lifecycle="immutable", retentionPolicy={"maxFailedRuns": 1, "maxSuccessfulRuns": 1}),
        None,
    ),
    "retention-with-health-rule": (
        template(healthRule={"alwaysHealthy": {}}, retentionPolicy={"maxFailedRuns": 1, "maxSuccessfulRuns": 1}),
        None,
    ),
    "two-health-rules": (
        template(healthRule={"alwaysHealthy": {}, "singleConditionType": "Ready"}),
        ("invalid health rule: must specify one of alwaysHealthy, singleConditionType or multiMatch, found multiple"),
    ),
    "namespaced-child": (
        template(template={**CHILD, "metadata": {"name": "x", "namespace": "y"}}),
        "invalid template: template should not set metadata.namespace on the child object",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_stamp_and_validate_apply_the_same_webhook(case: str) -> None:
    body, message = CASES[case]
    reported = [p.message for p in cartographer_rules.check(body)]
    if message is None:
        decode_template(body)
        assert reported == []
    else:
        with pytest.raises(EvalError) as raised:
            decode_template(body)
        assert str(raised.value) == message
        assert reported == [message]
