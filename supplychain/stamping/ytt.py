"""Rendering ytt templates the way Cartographer does, one at a time or many in one ytt process.

Cartographer runs ``ytt -f - --data-value-yaml <key>=<json>…`` per stamp, with a 4 s limit, and
keeps the first YAML document of the output. A batch gives every template a private ytt library
holding the template and a data-values file with the same values, so one ytt process renders them
all; a sentinel document separates the results. A failing batch is re-run template by template so
each error is reported as Cartographer would report it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import yaml

from ..toolchain import tool
from .errors import EvalError, StampError
from .gojson import load_yaml_documents, yaml_to_json

TIMEOUT_SECONDS = 4.0
_SENTINEL = "__supplychain_ytt_batch_case__"
_UNBATCHABLE = ("@data/values", "@schema/", "@library/", "@ytt:library")


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
    return not any(marker in job.template for marker in _UNBATCHABLE)


def _values_file(values: dict[str, str]) -> str:
    lines = ["#@data/values", "---"]
    for key, raw in values.items():
        lines.append(f"{key}: {raw}")
    return "\n".join(lines) + "\n"


def _render_batch(jobs: Sequence[YttJob]) -> list[YttResult] | None:
    """All JOBS in one ytt process; None when ytt fails (an error in any template)."""
    workdir = Path(tempfile.mkdtemp(prefix="supplychain-ytt-"))
    try:
        root = ['#@ load("@ytt:library", "library")', '#@ load("@ytt:template", "template")']
        for index, job in enumerate(jobs):
            lib = workdir / "_ytt_lib" / f"c{index}"
            lib.mkdir(parents=True)
            (lib / "template.yml").write_text(job.template, encoding="utf-8")
            (lib / "values.yml").write_text(_values_file(job.values), encoding="utf-8")
            root.append(f"--- {{\"{_SENTINEL}\": {index}}}")
            root.append(f'--- #@ template.replace(library.get("c{index}").eval())')
        (workdir / "batch.yml").write_text("\n".join(root) + "\n", encoding="utf-8")
        timeout = TIMEOUT_SECONDS + 0.05 * len(jobs)
        try:
            proc = subprocess.run([tool("ytt"), "-f", str(workdir)], capture_output=True, text=True,
                                  timeout=timeout, check=False)
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


def render_many(jobs: Sequence[YttJob], workers: int | None = None) -> list[YttResult]:
    """Render every job; batched into as few ytt processes as the machine's cores allow."""
    if not jobs:
        return []
    results: list[YttResult | None] = [None] * len(jobs)
    batchable = [i for i, job in enumerate(jobs) if _batchable(job)]
    singles = [i for i, job in enumerate(jobs) if not _batchable(job)]
    if len(batchable) == 1:
        singles.append(batchable.pop())
    if batchable:
        workers = workers or max(1, min(os.cpu_count() or 1, len(batchable) // 25 or 1))
        chunks = [batchable[k::workers] for k in range(workers)]
        outcomes = _parallel([lambda c=chunk: _render_batch([jobs[i] for i in c]) for chunk in chunks])
        for chunk, outcome in zip(chunks, outcomes):
            if outcome is None:
                singles.extend(chunk)
            else:
                for i, result in zip(chunk, outcome):
                    results[i] = result
    if singles:
        outcomes_single = _parallel([lambda i=i: render_one(jobs[i]) for i in singles])
        for i, result in zip(singles, outcomes_single):
            results[i] = result
    return [r if r is not None else YttResult(error="internal: ytt result missing") for r in results]


def _parallel(calls: list[Any]) -> list[Any]:
    if len(calls) == 1:
        return [calls[0]()]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(len(calls), os.cpu_count() or 1)) as pool:
        return list(pool.map(lambda call: call(), calls))
