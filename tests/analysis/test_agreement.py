"""The replay against recordings of real Flagger runs (tests/recordings/ and $SUPPLYCHAIN_RECORDINGS_DIR)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from supplychain.analysis import replay as R
from supplychain.analysis.recording import compare, find_recordings, load, replay_recording_result
from supplychain.testing.references import missing

REPO = Path(__file__).resolve().parents[2]
ENV = "SUPPLYCHAIN_RECORDINGS_DIR"
RECORDINGS = find_recordings(REPO / "tests" / "recordings", os.environ.get(ENV))
NO_RECORDINGS = (
    f"no recordings of real Flagger runs yet: tests/recordings/ holds none and ${ENV} is "
    f"{'unset' if not os.environ.get(ENV) else 'empty'}; run the e2e scenarios and copy "
    "<run_dir>/recordings/*.json to tests/recordings/ (see its README)"
)


@pytest.mark.parametrize("path", RECORDINGS or [None], ids=lambda p: p.stem if p else "none")
def test_replay_agrees_with_flagger(path: Path | None) -> None:
    if path is None:
        missing(NO_RECORDINGS)
    recording = load(path)
    if recording.outcome is None:
        pytest.skip(f"{path.name}: the recorded run ended before Flagger decided (outcome null)")
    result = replay_recording_result(recording)
    agreement = compare(recording, result)
    recorded = "\n".join(f"  {t.t:7.1f}s {t.phase:16} fc={t.failed_checks} it={t.iterations}" for t in recording.ticks)
    replayed = "\n".join(
        f"  {r[0]:7.1f}s {R.PHASES[r[1]]:16} fc={r[2]} it={r[3]}  {R.describe(result, r)}" for r in result.records
    )
    assert agreement.agrees, (
        f"{path}: {'; '.join(agreement.mismatches())}\nrecorded:\n{recorded}\nreplayed:\n{replayed}"
    )
