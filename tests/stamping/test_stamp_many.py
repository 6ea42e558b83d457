"""Many owners in one `supplychain stamp` run: the same objects as one run per owner, failures naming the owner,
and a failing template among many batched ones reported as its own error."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from supplychain.stamping import chain
from supplychain.stamping.errors import StampError
from supplychain.stamping.loading import load_go_documents
from supplychain.stamping.render import prerender, render_many
from supplychain.stamping.ytt import YttJob
from supplychain.stamping.ytt import render_many as render_ytt
from supplychain.testing.scale import Corpus, generate

from .helpers import SUPPLYCHAIN


def _stamp(
    corpus_dir: Path, owners: Path, templates: list[Path], outputs: Path, chains: Path
) -> subprocess.CompletedProcess[str]:
    argv = [SUPPLYCHAIN, "stamp", "--blueprint", str(chains), "--owner", str(owners), "--outputs", str(outputs)]
    for path in templates:
        argv += ["--templates", str(path)]
    return subprocess.run(argv, capture_output=True, text=True, cwd=corpus_dir, check=False)


def _objects(text: str) -> list[str]:
    """Each stamped object's YAML, without the comment lines that head it."""
    return [
        "\n".join(line for line in part.splitlines() if not line.startswith("# "))
        for part in text.split("---\n")
        if part.strip()
    ]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return generate(tmp_path_factory.mktemp("scale"), 10)


def test_many_owners_stamp_as_each_alone(corpus, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    together = _stamp(corpus.root, corpus.owners, corpus.templates, corpus.outputs, corpus.chains)
    assert together.returncode == 0, together.stderr
    owners = list(yaml.safe_load_all(corpus.owners.read_text()))
    headers = [line for line in together.stdout.splitlines() if line.startswith("# owner: ")]
    named = {h.split(" (")[0].removeprefix("# owner: ") for h in headers}
    assert named == {f"{o['kind']} {o['metadata']['namespace']}/{o['metadata']['name']}" for o in owners}
    alone: list[str] = []
    for index in (0, 3, 4, 6):  # a source chain, an image chain, a Deliverable, a package chain
        single = tmp_path / f"owner-{index}.yaml"
        single.write_text(yaml.safe_dump(owners[index], sort_keys=False))
        meta = owners[index]["metadata"]
        mine = f"# owner: {owners[index]['kind']} {meta['namespace']}/{meta['name']} ("
        lines = together.stdout.splitlines()
        resources = {lines[i + 1].split()[2] for i, line in enumerate(lines) if line.startswith(mine)}
        outputs = tmp_path / f"outputs-{index}.yaml"  # one owner: only its chain's resources may be given
        outputs.write_text(
            yaml.safe_dump({k: v for k, v in yaml.safe_load(corpus.outputs.read_text()).items() if k in resources})
        )
        proc = _stamp(corpus.root, single, corpus.templates, outputs, corpus.chains)
        assert proc.returncode == 0, proc.stderr
        assert "# owner: " not in proc.stdout  # one owner: the output is as before
        alone += _objects(proc.stdout)
    together_objects = _objects(together.stdout)
    for obj in alone:
        assert obj in together_objects


def test_a_failing_owner_is_named(corpus, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    owners = list(yaml.safe_load_all(corpus.owners.read_text()))
    del owners[1]["metadata"]["uid"]  # TAP's deliverable-template reads metadata.uid (owner 1: source-test-to-url)
    broken = tmp_path / "owners.yaml"
    broken.write_text(yaml.safe_dump_all(owners, sort_keys=False))
    proc = _stamp(corpus.root, broken, corpus.templates, corpus.outputs, corpus.chains)
    assert proc.returncode == 2
    name = owners[1]["metadata"]["name"]
    assert f"Workload {owners[1]['metadata']['namespace']}/{name}" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


def test_one_bad_template_among_many_gets_its_own_error() -> None:
    good = '#@ load("@ytt:data", "data")\nname: #@ data.values.workload.metadata.name\n'
    bad = '#@ load("@ytt:data", "data")\nname: #@ data.values.workload.nope\n'
    jobs = [YttJob(bad if i == 37 else good, {"workload": f'{{"metadata": {{"name": "w{i}"}}}}'}) for i in range(64)]
    results = render_ytt(jobs)
    assert [r.document for i, r in enumerate(results) if i != 37] == [{"name": f"w{i}"} for i in range(64) if i != 37]
    assert results[37].error is not None and "nope" in results[37].error


def _realize(corpus: Corpus, owners: Path, groups: int, monkeypatch: pytest.MonkeyPatch) -> str:
    """Stamp OWNERS in-process, the owners split in GROUPS interleaved groups; the printed objects."""
    monkeypatch.setattr(chain, "GROUP_MIN_OWNERS", 1)
    monkeypatch.setattr("os.cpu_count", lambda: groups)
    results = chain.realize_many(
        load_go_documents([str(corpus.chains)]),
        load_go_documents([str(path) for path in corpus.templates]),
        load_go_documents([str(owners)]),
        load_go_documents([str(corpus.outputs)])[0],
        on_wave=prerender,
    )
    return render_many(results)


def test_interleaved_groups_stamp_and_fail_as_one_lockstep(
    corpus: Corpus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _realize(corpus, corpus.owners, 4, monkeypatch) == _realize(corpus, corpus.owners, 1, monkeypatch)
    owners = list(yaml.safe_load_all(corpus.owners.read_text()))
    owners[4]["spec"]["params"][0]["value"] = "many"  # a Deliverable's canary_iterations: fails at its canary
    del owners[8]["spec"]["source"]  # fails earlier, at the first resource (source-provider)
    broken = tmp_path / "owners.yaml"
    broken.write_text(yaml.safe_dump_all(owners, sort_keys=False))
    errors = []
    for groups in (1, 4):  # 4 groups: owners 0-2, 3-5, 6-8, 9; owner 4's group fails last
        with pytest.raises(StampError) as failure:
            _realize(corpus, broken, groups, monkeypatch)
        errors.append(failure.value.message)
    assert errors[0] == errors[1]
    assert f"Workload {owners[8]['metadata']['namespace']}/{owners[8]['metadata']['name']}" in errors[0]
