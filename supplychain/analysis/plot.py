"""A picture of a replay: metric values against their threshold ranges, phases as shaded bands."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import InputError, Location
from ..extras import require
from ..outputs import atomic_path
from . import replay as R
from .model import MetricSpec

PHASE_COLOURS = {
    "Waiting": "#f2e6c9",
    "Progressing": "#dbe9f6",
    "WaitingPromotion": "#efdcf2",
    "Promoting": "#d5f0dc",
    "Finalising": "#bfe6c8",
    "Succeeded": "#9fd9ad",
    "Failed": "#f4b6b6",
    "Initialized": "#eeeeee",
}
FORMATS = (".png", ".svg")


def _bands(result: R.ReplayResult) -> list[tuple[float, float, str]]:
    """(from, to, phase) spans: each tick's resulting phase holds until the next tick."""
    records = result.records
    interval = result.plan.interval
    spans: list[tuple[float, float, str]] = []
    for i, rec in enumerate(records):
        start = rec[0]
        end = records[i + 1][0] if i + 1 < len(records) else start + interval
        phase = R.PHASES[rec[1]]
        if spans and spans[-1][2] == phase and abs(spans[-1][1] - start) < 1e-9:
            spans[-1] = (spans[-1][0], end, phase)
        else:
            spans.append((start, end, phase))
    return spans


def plot_replay(result: R.ReplayResult, path: str, title: str | None = None) -> None:
    """Draw RESULT to PATH (.png or .svg), written atomically."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"unsupported plot format {suffix or '(none)'!r}; use .png or .svg", Location(path))
    matplotlib = require("matplotlib", "--plot")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    checks = [c for c in result.plan.checks if c.metric is not None]
    rows = len(checks) + 1
    fig, axes = plt.subplots(
        rows,
        1,
        figsize=(11, 2.6 * rows + 1.0),
        sharex=True,
        squeeze=False,
        gridspec_kw={"height_ratios": [3] * len(checks) + [2]},
    )
    axs = [a[0] for a in axes]
    bands = _bands(result)
    for ax in axs:
        for start, end, phase in bands:
            ax.axvspan(start, end, color=PHASE_COLOURS.get(phase, "#eeeeee"), alpha=0.75, lw=0, zorder=0)
        ax.grid(True, color="#ffffff", lw=0.8, zorder=1)
    analysed = [(rec, R.checks_at(result, rec[0])) for rec in result.records if rec[5] == 2]
    for ax, check in zip(axs, checks, strict=False):
        _plot_check(ax, result, check, analysed)
    _plot_counters(axs[-1], result)
    verdict = result.verdict
    heading = title or f"Canary {result.plan.canary.namespace}/{result.plan.canary.name}"
    fig.suptitle(f"{heading}: {R.summary(verdict)}", fontsize=13, fontweight="bold", x=0.01, ha="left")
    seen = []
    for _, _, phase in bands:
        if phase not in seen:
            seen.append(phase)
    handles = [Patch(color=PHASE_COLOURS.get(p, "#eeeeee"), label=p) for p in seen]
    fig.legend(
        handles=handles, loc="upper right", ncol=len(handles), fontsize=9, frameon=False, bbox_to_anchor=(0.99, 0.995)
    )
    axs[-1].set_xlabel("seconds since the new revision was detected")
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    _save(fig, path, suffix)
    plt.close(fig)


def _plot_check(
    ax: Any, result: R.ReplayResult, check: R.Check, analysed: list[tuple[R.TickRecord, Sequence[int]]]
) -> None:
    import matplotlib.ticker as mticker

    metric = check.metric
    assert metric is not None
    times = [t for t, v in zip(check.times, check.values, strict=True) if v is not None and math.isfinite(t)]
    values = [v for v in check.values if v is not None]
    ax.plot(times, values, color="#555555", lw=1.2, marker=".", ms=4, zorder=3, label="value")
    lo, hi = _limits(metric)
    finite = values + [x for x in (lo, hi) if x is not None]
    if finite:
        top, bottom = max(finite), min(finite)
        pad = (top - bottom) * 0.15 or abs(top) * 0.05 or 1.0
        ymin, ymax = bottom - pad, top + pad
    else:
        ymin, ymax = 0.0, 1.0
    if lo is not None:
        ax.axhline(lo, color="#c0392b", ls="--", lw=1.2, zorder=2)
        ax.axhspan(
            ymin - 1e9,
            lo,
            facecolor="none",
            edgecolor="#c0392b",
            hatch="///",
            alpha=0.18,
            lw=0,
            zorder=1,
        )
        ax.annotate(
            f"min {lo:g}",
            (0.995, lo),
            xycoords=("axes fraction", "data"),
            ha="right",
            va="bottom",
            fontsize=8,
            color="#c0392b",
        )
    if hi is not None:
        ax.axhline(hi, color="#c0392b", ls="--", lw=1.2, zorder=2)
        ax.axhspan(
            hi,
            ymax + 1e9,
            facecolor="none",
            edgecolor="#c0392b",
            hatch="///",
            alpha=0.18,
            lw=0,
            zorder=1,
        )
        ax.annotate(
            f"max {hi:g}",
            (0.995, hi),
            xycoords=("axes fraction", "data"),
            ha="right",
            va="top",
            fontsize=8,
            color="#c0392b",
        )
    index = result.plan.checks.index(check)
    ok_x, ok_y, bad_x, bad_y, none_x = [], [], [], [], []
    for rec, positions in analysed:
        p = positions[index]
        evaluated = rec[6] != R.E_METRIC_FAILED or rec[7] >= index
        if rec[6] == R.E_HOOK_FAILED or not evaluated:
            continue
        value = check.values[p] if p >= 0 else None
        if value is None:
            none_x.append(rec[0])
        elif check.ok[p]:
            ok_x.append(rec[0])
            ok_y.append(value)
        else:
            bad_x.append(rec[0])
            bad_y.append(value)
    ax.scatter(ok_x, ok_y, s=42, color="#27ae60", zorder=4, label="check passed")
    ax.scatter(bad_x, bad_y, s=60, color="#c0392b", marker="X", zorder=4, label="check failed")
    if none_x:
        ax.scatter(
            none_x,
            [ymin + (ymax - ymin) * 0.06] * len(none_x),
            s=60,
            color="#c0392b",
            marker="v",
            zorder=4,
            label="no values (failed)",
        )
    ax.set_ylim(ymin, ymax)
    unit = " (ms)" if metric.name == "request-duration" else ""
    ax.set_ylabel(f"{metric.name}{unit}")
    ax.yaxis.set_major_formatter(mticker.FormatStrFormatter("%g"))
    ax.legend(loc="upper left", fontsize=8, framealpha=0.85)


def _limits(metric: MetricSpec) -> tuple[float | None, float | None]:
    tr = metric.threshold_range
    name = metric.name
    threshold = metric.threshold
    if tr is not None:
        return tr.min, tr.max
    if name == "request-success-rate":
        return threshold, None
    return None, threshold


def _plot_counters(ax: Any, result: R.ReplayResult) -> None:
    records = result.records
    if not records:
        return
    xs = [r[0] for r in records] + [records[-1][0] + result.plan.interval]
    fcs = [r[2] for r in records]
    its = [r[3] for r in records]
    fcs.append(fcs[-1])
    its.append(its[-1])
    ax.step(xs, its, where="post", color="#2c6fbb", lw=1.8, label="iterations")
    ax.step(xs, fcs, where="post", color="#c0392b", lw=1.8, label="failedChecks")
    ax.axhline(result.plan.threshold, color="#c0392b", ls=":", lw=1.2)
    ax.annotate(
        f"threshold {result.plan.threshold}",
        (0.995, result.plan.threshold),
        xycoords=("axes fraction", "data"),
        ha="right",
        va="bottom",
        fontsize=8,
        color="#c0392b",
    )
    top = max(max(its), max(fcs), result.plan.threshold) + 1
    ax.set_ylim(-0.3, top)
    ax.set_ylabel("status")
    ax.legend(loc="upper left", fontsize=8, framealpha=0.85)


def _save(fig: Any, path: str, suffix: str) -> None:
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise InputError("the directory does not exist", Location(path))
    with atomic_path(target, suffix) as tmp:
        fig.savefig(tmp, format=suffix[1:], dpi=110)
