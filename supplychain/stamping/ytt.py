"""Rendering ytt templates the way Cartographer does, one at a time or many in one ytt process.

Cartographer runs ``ytt -f - --data-value-yaml <key>=<json>…`` per stamp, with a 4 s limit, and
keeps the first YAML document of the output. A batch gives every template a private ytt library and
evaluates it with the same values as plain data (``with_data_values({key: V[i], …}, plain=True)``, where
``V`` is every distinct value text of the batch read once by ytt's own YAML reader, as the flags are),
so one ytt process renders them all; a sentinel document separates the results. A failing batch is
split in halves down to single templates run exactly as Cartographer runs them, so each error is
reported as Cartographer would report it."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from ..toolchain import tool
from .errors import EvalError, StampError
from .gojson import load_yaml_documents, yaml_to_json

TIMEOUT_SECONDS = 4.0
_SENTINEL = "__supplychain_ytt_batch_case__"
# templates whose output could depend on being the single stdin file of their own ytt process
_UNBATCHABLE = ("@data/values", "@schema/", "@library/", "@ytt:library", "data.list", "data.read")
# a batch process allocates much and lives briefly: Go's collector at a 4x heap target (instead of 2x) costs a
# third less CPU for ~100 MB per process; the output does not depend on it (a GOGC set by the user wins)
_BATCH_GOGC = "400"


@dataclass
class YttJob:
    """One template and the data values Cartographer would pass for it (key -> JSON text)."""

    template: str
    values: dict[str, str]


@dataclass
class YttResult:
    document: Any = None  # the first output document as JSON data (unstructured numbers)
    error: str | None = None


def _first_document(output: str) -> Any:
    try:
        docs = load_yaml_documents(output)
    except yaml.YAMLError as err:
        raise EvalError(f"ytt output is not YAML: {err}") from None
    return yaml_to_json(docs[0] if docs else None)


def render_one(job: YttJob, timeout: float = TIMEOUT_SECONDS) -> YttResult:
    """A single ytt process, exactly as Cartographer's applyYtt runs it."""
    args = [tool("ytt"), "-f", "-"]
    for key, raw in job.values.items():
        args += ["--data-value-yaml", f"{key}={raw}"]
    try:
        proc = subprocess.run(args, input=job.template, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return YttResult(error=f"unable to apply ytt template: ytt did not finish within {timeout:g}s")
    except OSError as err:
        raise StampError(f"cannot run ytt: {err}") from None
    if proc.returncode != 0:
        message = proc.stderr.strip() or f"exit status {proc.returncode}"
        return YttResult(error=f"unable to apply ytt template: {message}")
    try:
        return YttResult(document=_first_document(proc.stdout))
    except EvalError as err:
        return YttResult(error=str(err))


def _batchable(job: YttJob) -> bool:
    return _batchable_text(job.template)


@lru_cache(maxsize=256)
def _batchable_text(template: str) -> bool:  # many jobs share a template (of up to ~30 KB): scan it once
    return not any(marker in template for marker in _UNBATCHABLE)


def _scratch_dir() -> str | None:
    """Where batches write their files: memory (/dev/shm) when there is one and no TMPDIR says otherwise."""
    if "TMPDIR" not in os.environ and os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK):
        return "/dev/shm"
    return None


def _render_batch(jobs: Sequence[YttJob]) -> list[YttResult] | None:
    """All JOBS in one ytt process; None when ytt fails (an error in any template)."""
    workdir = Path(tempfile.mkdtemp(prefix="supplychain-ytt-", dir=_scratch_dir()))
    try:
        root = [
            '#@ load("@ytt:library", "library")',
            '#@ load("@ytt:template", "template")',
            '#@ load("@ytt:data", "data")',
            '#@ load("@ytt:yaml", "yaml")',
            '#@ V = yaml.decode(data.read("values.json"))',
        ]
        libraries: dict[str, str] = {}  # template text -> library: each distinct template is parsed once
        raws: dict[str, int] = {}  # value text -> index in values.json: each distinct value is decoded once
        for index, job in enumerate(jobs):
            name = libraries.get(job.template)
            if name is None:
                name = libraries[job.template] = f"t{len(libraries)}"
                lib = workdir / "_ytt_lib" / name
                lib.mkdir(parents=True)
                (lib / "template.yml").write_text(job.template, encoding="utf-8")
            values = ", ".join(f'"{key}": V[{raws.setdefault(raw, len(raws))}]' for key, raw in job.values.items())
            root.append(f'--- {{"{_SENTINEL}": {index}}}')
            root.append(
                f'--- #@ template.replace(library.get("{name}").with_data_values({{{values}}}, plain=True).eval())'
            )
        # plain data, parsed by ytt's YAML reader like --data-value-yaml (a values.yml would be templated)
        (workdir / "values.json").write_text("[" + ",".join(raws) + "]\n", encoding="utf-8")
        (workdir / "batch.yml").write_text("\n".join(root) + "\n", encoding="utf-8")
        timeout = TIMEOUT_SECONDS + 0.05 * len(jobs)
        try:
            proc = subprocess.run(
                [tool("ytt"), "-f", str(workdir)],
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
                env={"GOGC": _BATCH_GOGC, **os.environ},
            )
        except subprocess.TimeoutExpired:
            return None
        if proc.returncode != 0:
            return None
        try:
            docs = load_yaml_documents(proc.stdout)
        except yaml.YAMLError:
            return None
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    firsts: dict[int, Any] = {}
    current: int | None = None
    for doc in docs:
        if isinstance(doc, dict) and len(doc) == 1 and _SENTINEL in doc:
            current = int(doc[_SENTINEL])
            continue
        if current is not None and current not in firsts:
            firsts[current] = doc
    results: list[YttResult] = []
    for index in range(len(jobs)):
        try:
            results.append(YttResult(document=yaml_to_json(firsts.get(index))))
        except EvalError as err:
            results.append(YttResult(error=str(err)))
    return results


class YttPool:
    """Renders jobs in background ytt processes as they arrive, a chunk at a time, so ytt works while the
    caller prepares more. ``close()`` waits and returns every result in submission order. Given an EXECUTOR
    (shared by several pools), the pool runs its processes there and leaves it open."""

    def __init__(self, chunk: int = 32, workers: int | None = None, executor: Executor | None = None) -> None:
        self._chunk = chunk
        self._own = executor is None
        self._pool = executor or ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 1)
        self._jobs: list[YttJob] = []
        self._buffer: list[int] = []
        self._futures: list[tuple[list[int], Future[list[YttResult]]]] = []

    def submit(self, job: YttJob) -> int:
        """Queue JOB; returns its index in the results."""
        index = len(self._jobs)
        self._jobs.append(job)
        if not _batchable(job):
            self._futures.append(([index], self._pool.submit(lambda: [render_one(job)])))
            return index
        self._buffer.append(index)
        if len(self._buffer) >= self._chunk:
            self._flush()
        return index

    def _flush(self) -> None:
        if not self._buffer:
            return
        chunk, self._buffer = self._buffer, []
        jobs = [self._jobs[i] for i in chunk]
        if len(jobs) == 1:
            self._futures.append((chunk, self._pool.submit(lambda: [render_one(jobs[0])])))
        else:
            self._futures.append((chunk, self._pool.submit(_render_batch_or_singly, jobs)))

    def flush(self) -> list[Future[list[YttResult]]]:
        """Hand over what is buffered; returns every process's future (all done: ``close()`` will not wait)."""
        self._flush()
        return [future for _, future in self._futures]

    def close(self) -> list[YttResult]:
        self._flush()
        results: list[YttResult] = [YttResult(error="internal: ytt result missing")] * len(self._jobs)
        for chunk, future in self._futures:
            for i, result in zip(chunk, future.result(), strict=False):  # a missing result stays an error
                results[i] = result
        if self._own:
            self._pool.shutdown()
        return results


def _render_batch_or_singly(jobs: Sequence[YttJob]) -> list[YttResult]:
    """One ytt process for JOBS; when it fails, each half again, down to single jobs run exactly as Cartographer
    runs them (so every error is the template's own). A few failing jobs among many cost a few ytt processes
    per failure, not one per job."""
    if len(jobs) == 1:
        return [render_one(jobs[0])]
    batch = _render_batch(jobs)
    if batch is not None:
        return batch
    if len(jobs) <= 4:
        return [render_one(job) for job in jobs]
    half = len(jobs) // 2
    return _render_batch_or_singly(jobs[:half]) + _render_batch_or_singly(jobs[half:])


BATCH_MAX = 256


def batch_size(count: int, spread: bool = True) -> int:
    """Jobs per ytt process for COUNT jobs: batches of at most 256 jobs (ytt's start-up and libraries cost
    ~30 ms a process: a batch of 256 small templates is a quarter cheaper than four of 64) and at least 8;
    SPREAD: the same number of batches for every CPU (when nothing else keeps the CPUs busy)."""
    workers = (os.cpu_count() or 1) if spread else 1
    batches = workers * -(-count // (workers * BATCH_MAX))
    return max(8, -(-count // batches)) if count else 8


def render_many(jobs: Sequence[YttJob]) -> list[YttResult]:
    """Render every job, batched into a few ytt processes running in parallel."""
    if not jobs:
        return []
    pool = YttPool(chunk=batch_size(len(jobs)))
    for job in jobs:
        pool.submit(job)
    return pool.close()
