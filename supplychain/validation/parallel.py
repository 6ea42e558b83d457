"""`validate` over many files on every CPU.

Validation looks at one document at a time (its schema, webhook rules, what a template stamps), so files can
be read and checked in separate processes and the results merged: the findings are sorted into input order
as in a single run, and the counts add up. Small inputs and standard input run in this process.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from ..checking.core import CheckResult
from ..checking.findings import sort_findings
from ..checking.inputs import read_inputs
from ..errors import InputError, Location, SupplychainError
from ..k8slists import expand_lists
from ..yamlio import expand_paths, load_documents
from .validator import validate_documents

PARALLEL_BYTES = 4 * 1024 * 1024  # below this, starting processes costs more than it saves
MAX_WORKERS = 4


def _workers() -> int:
    return max(
        1, min(MAX_WORKERS, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
    )


def _size(path: str) -> int:
    try:
        return Path(path).stat().st_size
    except OSError:
        return 0


def _chunks(files: list[str], count: int) -> list[list[str]]:
    """COUNT lists of files of about equal total size, each in input order."""
    sizes = {f: _size(f) for f in files}
    buckets: list[list[str]] = [[] for _ in range(count)]
    totals = [0] * count
    for f in sorted(files, key=lambda name: -sizes[name]):
        smallest = totals.index(min(totals))
        buckets[smallest].append(f)
        totals[smallest] += sizes[f]
    order = {f: i for i, f in enumerate(files)}
    return [sorted(b, key=order.__getitem__) for b in buckets if b]


def _validate_files(files: list[str], stamp: bool) -> CheckResult:
    docs = expand_lists(load_documents(files))
    if not docs:
        return CheckResult([], 0, 0)
    return validate_documents(docs, stamp=stamp)


def validate_paths(paths: tuple[str, ...], stamp: bool = True) -> CheckResult:
    """Read and validate PATHS (files, directories, '-'), in several processes when the input is large."""
    workers = _workers()
    files = list(expand_paths(paths)) if "-" not in paths else []
    if workers < 2 or len(files) < 2 or sum(_size(f) for f in files) < PARALLEL_BYTES:
        return validate_documents(read_inputs(paths), stamp=stamp)
    chunks = _chunks(files, workers)
    try:
        with ProcessPoolExecutor(len(chunks), mp_context=get_context("fork")) as pool:
            results = list(pool.map(_validate_files, chunks, [stamp] * len(chunks)))
    except SupplychainError:
        # an unreadable file: the single run reports the first one in input order, exactly as without workers
        return validate_documents(read_inputs(paths), stamp=stamp)
    if not any(r.documents for r in results):
        raise InputError("no YAML documents found", Location(", ".join(paths)))
    return CheckResult(
        sort_findings(f for r in results for f in r.findings),
        sum(r.documents for r in results),
        sum(r.checked for r in results),
    )
