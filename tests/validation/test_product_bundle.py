"""The shipped bundle passes its own checks: `supplychain render | supplychain validate -` and `| lint -`
exit 0, with and without the patched OOTB chains and the Carvel package, and the stamped output is really
checked (a broken data value makes both commands fail inside the stamped Canary)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from supplychain.cli import cli

FIXTURES = Path(__file__).parents[1] / "fixtures"


def render(*args: str) -> str:
    result = CliRunner().invoke(cli, ["render", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def check(command: str, bundle: str, *flags: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(cli, [command, "-o", "json", *flags, "-"], input=bundle, catch_exceptions=False)
    return result.exit_code, json.loads(result.stdout)


@pytest.mark.parametrize("command", ["validate", "lint"])
def test_rendered_bundle_is_clean(command: str) -> None:
    code, report = check(command, render())
    assert code == 0, report
    assert report["findings"] == []
    # templates were stamped: more objects checked than documents (stamped Canaries, canary.yml contents)
    assert report["summary"]["objects_checked"] > report["summary"]["documents"] + 5


@pytest.mark.parametrize("command", ["validate", "lint"])
def test_bundle_with_patched_delivery_and_package(command: str) -> None:
    bundle = render("--package", "--chains", str(FIXTURES / "ootb" / "delivery-basic.yaml"))
    code, report = check(command, bundle)
    assert code == 0, report
    assert report["summary"]["errors"] == 0


def test_lint_checks_metric_templates_stamped_by_the_delivery() -> None:
    """With the delivery and its templates in the input, the Canary's templateRefs resolve exactly."""
    bundle = render("--chains", str(FIXTURES / "ootb" / "delivery-basic.yaml"))
    templates = (FIXTURES / "ootb-templates" / "delivery.yaml").read_text()
    code, report = check("lint", bundle + "\n---\n" + templates)
    assert code == 0, report
    assert not [f for f in report["findings"] if f["severity"] == "error"]


def test_lint_finds_a_bad_default_in_the_stamped_canary() -> None:
    code, report = check("lint", render("--set", "defaults.interval=5s"))
    stamped = [f for f in report["findings"] if f["via"] and f["rule"] == "canary-interval-min"]
    assert code == 1 and stamped, report
    assert {f["document"]["name"] for f in stamped} >= {"canary", "canary-config"}
    assert any(f["path"].endswith("Canary/sample-app) > spec.analysis.interval") for f in stamped)


def test_validate_finds_an_unknown_field_in_the_stamped_canary() -> None:
    bundle = render()
    broken = bundle.replace('"skipAnalysis":', '"skipAnalyses":')
    assert broken != bundle, "the canary templates no longer set skipAnalysis; pick another field for this test"
    code, report = check("validate", broken)
    stamped = [f for f in report["findings"] if f["via"] and f["field"] == "spec.skipAnalyses"]
    assert code == 1 and stamped, report
    assert all(f["rule"] == "schema" and "unknown field" in f["message"] for f in stamped)
