"""Drawing a blueprint: resources as boxes, inputs as arrows, the canary stage highlighted."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..extras import require
from .blueprint import Blueprint, Resource
from .chain import TemplateCatalog

KIND_COLOURS = {
    "ClusterSourceTemplate": "#dbeafe",
    "ClusterImageTemplate": "#ede9fe",
    "ClusterConfigTemplate": "#dcfce7",
    "ClusterTemplate": "#f1f5f9",
    "ClusterDeploymentTemplate": "#fef9c3",
}
CANARY_FILL, CANARY_EDGE = "#fed7aa", "#c2410c"
INPUT_COLOURS = {"source": "#2563eb", "image": "#7c3aed", "config": "#16a34a", "deployment": "#ca8a04"}


def template_names(resource: Resource) -> list[str]:
    """The template a resource uses, or every option's template (pass-through options shown as such)."""
    if resource.options:
        return [o.name or f"passThrough: {o.pass_through}" for o in resource.options]
    return [resource.template_name]


def is_canary(resource: Resource) -> bool:
    """Our canary stage: a resource whose template (or any option's template) is named canary*."""
    return any(name.startswith("canary") for name in template_names(resource))


COLUMNS = 4  # dependency depths per band; longer chains wrap onto the next band


@dataclass
class Layout:
    """Grid column and row of every resource: depth d sits in column d % COLUMNS of band d // COLUMNS."""

    column: dict[str, int]
    row: dict[str, int]


def layout(blueprint: Blueprint) -> Layout:
    index = {r.name: r for r in blueprint.resources}
    column: dict[str, int] = {}

    def depth(name: str, seen: tuple[str, ...] = ()) -> int:
        if name in column:
            return column[name]
        if name in seen or name not in index:
            return 0
        producers = [ref.resource for _, ref in index[name].inputs() if ref.resource in index]
        column[name] = 1 + max((depth(p, seen + (name,)) for p in producers), default=-1)
        return column[name]

    for res in blueprint.resources:
        depth(res.name)
    per_depth: dict[int, int] = {}
    slot: dict[str, int] = {}
    for res in blueprint.resources:
        d = column[res.name]
        slot[res.name] = per_depth.get(d, 0)
        per_depth[d] = slot[res.name] + 1
    band_height: dict[int, int] = {}
    for d, count in per_depth.items():
        band_height[d // COLUMNS] = max(band_height.get(d // COLUMNS, 0), count)
    band_top: dict[int, int] = {}
    top = 0
    for band in sorted(band_height):
        band_top[band] = top
        top += band_height[band]
    # bands alternate direction (a snake), so a chain that wraps continues straight down
    grid_col = {
        name: d % COLUMNS if (d // COLUMNS) % 2 == 0 else COLUMNS - 1 - d % COLUMNS for name, d in column.items()
    }
    grid_row = {name: band_top[column[name] // COLUMNS] + slot[name] for name in column}
    return Layout(grid_col, grid_row)


def draw(blueprints: Sequence[Blueprint], output: Path, catalog: TemplateCatalog | None = None) -> None:
    """Write a picture of BLUEPRINTS to OUTPUT (.svg or .png)."""
    matplotlib = require("matplotlib", "supplychain graph")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch, Patch

    layouts = [layout(bp) for bp in blueprints]
    widths = [max(lay.column.values(), default=0) + 1 for lay in layouts]
    heights = [max(lay.row.values(), default=0) + 1 for lay in layouts]
    box_w, box_h, gap_x, gap_y = 3.4, 1.25, 1.3, 0.6
    fig_w = max(max(widths, default=1) * (box_w + gap_x) + 0.6, 7.0)
    panel_h = [h * (box_h + gap_y) + 1.2 for h in heights]
    fig, axes = plt.subplots(
        len(blueprints), 1, figsize=(fig_w, sum(panel_h) + 0.8), gridspec_kw={"height_ratios": panel_h}, squeeze=False
    )
    for ax, bp, lay, height in zip(axes[:, 0], blueprints, layouts, heights, strict=True):
        ax.set_axis_off()
        ax.set_xlim(-0.3, max(widths) * (box_w + gap_x))
        ax.set_ylim(-(height * (box_h + gap_y)) - 0.2, 0.9)
        ax.set_title(f"{bp.kind} {bp.name}", loc="left", fontsize=12, fontweight="bold")
        centres: dict[str, tuple[float, float]] = {}
        for res in bp.resources:
            x = lay.column[res.name] * (box_w + gap_x)
            y = -lay.row[res.name] * (box_h + gap_y) - box_h
            centres[res.name] = (x, y)
            canary = is_canary(res)
            missing = (
                catalog is not None and not res.options and catalog.get(res.template_kind, res.template_name) is None
            )
            ax.add_patch(
                FancyBboxPatch(
                    (x, y),
                    box_w,
                    box_h,
                    boxstyle="round,pad=0.02,rounding_size=0.12",
                    facecolor=CANARY_FILL if canary else KIND_COLOURS.get(res.template_kind, "#ffffff"),
                    edgecolor=CANARY_EDGE if canary else ("#dc2626" if missing else "#475569"),
                    linewidth=2.4 if canary else 1.0,
                    linestyle="--" if missing else "-",
                )
            )
            names = template_names(res)
            short = res.template_kind.replace("Cluster", "").replace("Template", "") or "Template"
            lines = [f"{short}: {names[0]}" + ("  (not found)" if missing else "")]
            lines += [f"or {n}" for n in names[1:3]] + ([f"(+{len(names) - 3} more)"] if len(names) > 3 else [])
            ax.text(
                x + box_w / 2, y + box_h * 0.74, res.name, ha="center", va="center", fontsize=9.5, fontweight="bold"
            )
            ax.text(
                x + box_w / 2,
                y + box_h * 0.36,
                "\n".join(lines),
                ha="center",
                va="center",
                fontsize=7 if len(lines) > 1 else 7.5,
                color="#334155",
                linespacing=1.25,
            )
        for res in bp.resources:
            for kind, ref in res.inputs():
                if ref.resource not in centres:
                    continue
                (px, py), (cx, cy) = centres[ref.resource], centres[res.name]
                if abs(px - cx) < 1e-6:  # straight down (a wrapped chain) or up
                    start, end = (
                        ((px + box_w / 2, py), (cx + box_w / 2, cy + box_h))
                        if py > cy
                        else ((px + box_w / 2, py + box_h), (cx + box_w / 2, cy))
                    )
                elif px < cx:
                    start, end = (px + box_w, py + box_h / 2), (cx, cy + box_h / 2)
                else:
                    start, end = (px, py + box_h / 2), (cx + box_w, cy + box_h / 2)
                ax.annotate(
                    "",
                    xy=end,
                    xytext=start,
                    arrowprops=dict(
                        arrowstyle="-|>",
                        color=INPUT_COLOURS.get(kind, "#334155"),
                        lw=1.4,
                        connectionstyle="arc3,rad=0.08",
                    ),
                )
                mx, my = (start[0] + end[0]) / 2, (start[1] + end[1]) / 2
                ax.text(
                    mx,
                    my + 0.08,
                    f"{kind}: {ref.name}",
                    fontsize=6.5,
                    ha="center",
                    va="bottom",
                    color=INPUT_COLOURS.get(kind, "#334155"),
                    bbox=dict(boxstyle="round,pad=0.1", facecolor="white", edgecolor="none", alpha=0.8),
                )
    legend = [Patch(facecolor=CANARY_FILL, edgecolor=CANARY_EDGE, linewidth=2, label="canary stage")]
    legend += [Patch(facecolor=c, edgecolor="#475569", label=k) for k, c in KIND_COLOURS.items()]
    if catalog is not None:
        legend.append(
            Patch(facecolor="white", edgecolor="#dc2626", linestyle="--", label="template not in --templates")
        )
    fig.legend(handles=legend, loc="lower center", ncol=3, fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    output.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(output, format=output.suffix.lstrip(".").lower(), dpi=110)
    plt.close(fig)
