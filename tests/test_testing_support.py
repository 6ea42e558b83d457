"""The test support itself: golden updates are refused on CI, a missing reference fails on CI."""

from __future__ import annotations

from pathlib import Path

import pytest

from supplychain.testing import references
from supplychain.testing.golden import UPDATE_ENV, golden_diff


def test_golden_updates_are_refused_on_ci(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    expected = tmp_path / "expected.txt"
    expected.write_text("old\n")
    monkeypatch.setenv(UPDATE_ENV, "1")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(AssertionError, match="refused on CI"):
        golden_diff("new\n", expected)
    assert expected.read_text() == "old\n"
    monkeypatch.delenv("CI")
    assert golden_diff("new\n", expected) is None and expected.read_text() == "new\n"


def test_golden_diff_reports_a_difference(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(UPDATE_ENV, raising=False)
    expected = tmp_path / "expected.txt"
    expected.write_text("old\n")
    diff = golden_diff("new\n", expected)
    assert diff is not None and "-old" in diff and "+new" in diff
    assert golden_diff("old\n", expected) is None


def test_a_missing_reference_skips_locally_and_fails_on_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        references.missing("no Go")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="on CI the reference must be available"):
        references.missing("no Go")
