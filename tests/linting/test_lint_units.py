"""Small pieces of linting: Go durations, selector overlap, template query parsing."""

from __future__ import annotations

from supplychain.linting.durations import parse_duration
from supplychain.linting.metric_rules import render_failure
from supplychain.linting.selectors import compatible, requirements


def test_go_durations() -> None:
    assert parse_duration("30s") == 30
    assert parse_duration("1m30s") == 90
    assert parse_duration("1.5h") == 5400
    assert parse_duration("500ms") == 0.5
    assert parse_duration("0") == 0
    for bad in ("", "30", "s", "1x", "thirty", "--5s", "+-1m", 30, None):
        assert parse_duration(bad) is None, bad


def test_selector_overlap() -> None:
    web = requirements({"type": "web"}, None, None)
    worker = requirements({"type": "worker"}, None, None)
    team = requirements({"team": "a"}, None, None)
    assert not compatible(web, worker)
    assert compatible(web, team)
    has_image = requirements(None, None, [{"key": "spec.image", "operator": "Exists"}])
    no_image = requirements(None, None, [{"key": "spec.image", "operator": "DoesNotExist"}])
    assert not compatible(has_image, no_image)
    not_web = requirements(None, [{"key": "type", "operator": "NotIn", "values": ["web"]}], None)
    assert not compatible(web, not_web)
    assert compatible(worker, not_web)
    # label and field requirements never contradict each other
    assert compatible(requirements(None, None, [{"key": "type", "operator": "DoesNotExist"}]), web)


def test_queries_are_checked_with_flaggers_renderer() -> None:
    query = 'rate(x{ns="{{ namespace }}",r="{{ variables.route }}"}[{{ interval }}]) {{ printf "%s" "{{ workload }}" }}'
    assert render_failure(query, {"route": "r"}) is None, "a string literal is not a call"
    missing = render_failure(query, {})
    assert missing is not None and missing.stage == "exec" and missing.missing_key == "route"
    undefined = render_failure("{{ workload }}", {})
    assert undefined is not None and undefined.undefined_function == "workload"
    broken = render_failure("{{ if }}", {})
    assert broken is not None and broken.stage == "parse" and broken.undefined_function is None
    assert broken.flagger_message.startswith("template parsing failed: ")


def test_a_more_specific_blueprint_breaks_a_tie() -> None:
    from supplychain.linting.selectors import implied

    web_or_server = requirements(None, [{"key": "type", "operator": "In", "values": ["web", "server"]}], None)
    image = requirements(None, None, [{"key": "spec.image", "operator": "Exists"}])
    package = requirements({"package": "true"}, [{"key": "type", "operator": "In", "values": ["server"]}], None)
    both = package + web_or_server + image
    assert implied(package + image, both)  # the package image chain matches every owner the two tie on
    assert not implied(package + image, web_or_server + image)


OOTB = __import__("pathlib").Path(__file__).parents[1] / "fixtures" / "ootb"
TAP_PACKAGES = {
    "basic": ["source-to-url", "basic-image-to-url"],
    "testing": ["source-test-to-url", "testing-image-to-url"],
    "testing_scanning": ["source-test-scan-to-url", "scanning-image-scan-to-url"],
}


def test_each_tap_supply_chain_package_selects_unambiguously() -> None:
    """The chains one TAP supply-chain package installs (and their carvel-package variants) never tie, except
    where TAP itself leaves a tie: in the testing packages an owner labelled has-tests that also sets spec.image
    matches the source chain (has-tests) and the image chain (spec.image) with as many requirements each."""
    from supplychain.linting.linter import lint_documents
    from supplychain.yamlio import load_documents

    for package, chains in TAP_PACKAGES.items():
        files = [str(OOTB / f"{c}{suffix}.yaml") for c in chains for suffix in ("", "-package")]
        result = lint_documents(load_documents(files), stamp=False)
        ties = [f for f in result.findings if f.rule == "wiring-selector-ambiguous"]
        if package == "basic":
            assert not ties, package
        for tie in ties:  # image chain vs source chain of the same flavour (package or not)
            assert "image" in str(tie.name) and "ClusterSupplyChain/source-test" in tie.message, tie
            assert str(tie.name).endswith("-package") == ("-package " in tie.message), tie
    both = [str(OOTB / f"{c}.yaml") for c in TAP_PACKAGES["testing"] + TAP_PACKAGES["testing_scanning"]]
    result = lint_documents(load_documents(both), stamp=False)
    assert [f for f in result.findings if f.rule == "wiring-selector-ambiguous"]  # never installed together
