"""`validate` split over processes gives what one process gives: the same findings in the same order."""

from __future__ import annotations

from pathlib import Path

import pytest

from supplychain.checking.inputs import read_inputs
from supplychain.errors import InputError
from supplychain.validation import parallel
from supplychain.validation.validator import validate_documents

CONFIG_MAP = """\
apiVersion: v1
kind: ConfigMap
metadata: {{name: cm-{i}, namespace: team}}
data: {{key: value}}
{extra}
"""


@pytest.fixture
def files(tmp_path: Path) -> list[str]:
    """Six files of ConfigMaps; some with an unknown field, a bad name or a NaN."""
    out = []
    for n in range(6):
        docs = []
        for i in range(5):
            extra = {0: "unknown: 1", 1: "", 2: "binaryData: {k: .nan}", 3: "", 4: ""}[(n + i) % 5]
            doc = CONFIG_MAP.format(i=f"{n}-{i}", extra=extra)
            if (n, i) == (3, 1):
                doc = doc.replace(f"cm-{n}-{i}", "Bad_Name")
            docs.append(doc)
        path = tmp_path / f"part-{n}.yaml"
        path.write_text("---\n".join(docs))
        out.append(str(path))
    return out


def test_same_findings_as_one_process(files: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(parallel, "_workers", lambda: 3)
    single = validate_documents(read_inputs(tuple(files)), stamp=False)
    split = parallel.validate_paths(tuple(files), stamp=False)
    assert len(single.findings) >= 10
    assert split.findings == single.findings
    assert (split.documents, split.checked) == (single.documents, single.checked) == (30, 30)


def test_an_unreadable_file_is_reported_as_without_workers(
    files: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parallel, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(parallel, "_workers", lambda: 3)
    broken = tmp_path / "part-2.yaml"
    broken.write_text("a: [unclosed\n")
    with pytest.raises(InputError) as single:
        read_inputs(tuple(files))
    with pytest.raises(InputError) as split:
        parallel.validate_paths(tuple(files), stamp=False)
    assert str(split.value) == str(single.value)
    assert str(broken) in str(split.value)


def test_chunks_keep_input_order_and_cover_every_file(files: list[str]) -> None:
    chunks = parallel._chunks(files, 4)
    assert sorted(f for chunk in chunks for f in chunk) == sorted(files)
    for chunk in chunks:
        assert chunk == sorted(chunk, key=files.index)
