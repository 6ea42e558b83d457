"""Small pieces of linting: Go durations, selector overlap, template query parsing."""

from __future__ import annotations

from supplychain.linting.durations import parse_duration
from supplychain.linting.metric_rules import query_identifiers
from supplychain.linting.selectors import compatible, requirements


def test_go_durations() -> None:
    assert parse_duration("30s") == 30
    assert parse_duration("1m30s") == 90
    assert parse_duration("1.5h") == 5400
    assert parse_duration("500ms") == 0.5
    assert parse_duration("0") == 0
    for bad in ("", "30", "s", "1x", "thirty", 30, None):
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


def test_query_identifiers() -> None:
    query = 'rate(x{ns="{{ namespace }}",pod=~"{{ target }}-.*",r="{{ variables.route }}"}[{{ interval }}]) {{ printf "%s" name }}'
    found = query_identifiers(query)
    assert ("namespace", "") in found and ("target", "") in found and ("interval", "") in found
    assert ("variables", ".route") in found and ("printf", "") in found and ("name", "") in found
    assert all(fn != "s" for fn, _ in found)  # string literals are skipped
