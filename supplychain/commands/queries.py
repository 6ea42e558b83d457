"""`supplychain queries`: each Canary metric's query as Flagger renders it, PromQL-checked by promtool."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from typing import Any

import click
from rich.console import Console
from rich.markup import escape

from ..analysis.bundle import load_bundle
from ..analysis.constants import DEFAULT_MESH_PROVIDER, MODEL_KEYS
from ..analysis.prometheus import QueryFailed, instant_query
from ..analysis.promql import check_promql
from ..analysis.render import BUILTIN_DURATION_SCALE, MetricQuery, builtin_observer, canary_queries
from ..analysis.replay import metric_passes
from ..errors import InputError, Location
from .params import prometheus_address


@dataclass
class _Row:
    canary: str
    query: MetricQuery
    promtool: str | None = None  # promtool's message (None: parses or not checked)
    checked: bool = False
    value: float | None = None
    run_error: str | None = None
    no_values: bool = False
    passed: bool | None = None

    @property
    def broken(self) -> bool:
        return self.query.error is not None or self.promtool is not None

    def to_json(self) -> dict[str, Any]:
        q = self.query
        out: dict[str, Any] = {
            "metric": q.metric.name,
            "source": q.source,
            "template": f"{q.template.namespace}/{q.template.name}" if q.template else None,
            "provider": (q.template.provider_type or "prometheus") if q.template else "prometheus",
            "address": q.address or None,
            "query": q.rendered,
            "sent": q.sent,
            "renderError": q.error,
            "promtool": None if not self.checked else {"ok": self.promtool is None, "message": self.promtool},
            "notes": list(q.notes),
        }
        if self.passed is not None or self.run_error is not None:
            out["prometheus"] = {
                "value": self.value,
                "noValues": self.no_values,
                "error": self.run_error,
                "passed": bool(self.passed),
            }
        return out


def _overrides(values: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or key not in MODEL_KEYS:
            raise InputError(
                f"expected KEY=VALUE with KEY one of {', '.join(MODEL_KEYS)}", Location("--set", field=item)
            )
        out[key] = value
    return out


@click.command("queries")
@click.argument("files", nargs=-1, required=True)
@click.option("--canary", "canary_name", help="Only this Canary (by name).")
@click.option(
    "--namespace",
    default="default",
    show_default=True,
    help="Namespace for documents that have none (stamped templates usually have none).",
)
@click.option(
    "--mesh-provider",
    default=DEFAULT_MESH_PROVIDER,
    show_default=True,
    help="Flagger's -mesh-provider, used when a Canary sets no spec.provider.",
)
@click.option(
    "--set",
    "sets",
    multiple=True,
    metavar="KEY=VALUE",
    help="Override a model value: name, namespace, target, service, ingress, route or interval "
    "(e.g. route=hello-00002 for Knative, where Flagger uses the latest revision).",
)
@click.option(
    "--prometheus",
    "prometheus_url",
    metavar="URL",
    callback=prometheus_address,
    help="Also run each PromQL query once against this Prometheus (instant query, 5s timeout); it "
    "replaces the MetricTemplates' provider addresses.",
)
@click.option("--no-promtool", is_flag=True, help="Skip the PromQL syntax check.")
@click.option("--output", "-o", type=click.Choice(["text", "json"]), default="text", show_default=True)
def command(
    files: tuple[str, ...],
    canary_name: str | None,
    namespace: str,
    mesh_provider: str,
    sets: tuple[str, ...],
    prometheus_url: str | None,
    no_promtool: bool,
    output: str,
) -> None:
    """Print each metric query of a Canary exactly as Flagger v1.44.0 renders it.

    FILES hold the Canary and its MetricTemplates (YAML files, directories, a rendered multi-document
    bundle, ConfigMaps holding such YAML; '-' reads standard input). Queries are Go text/template
    rendered with Flagger's functions ({{ name }}, {{ namespace }}, {{ target }}, {{ service }},
    {{ ingress }}, {{ route }}, {{ interval }}, {{ variables.KEY }}) and missingkey=error; builtin
    metrics (request-success-rate, request-duration) use Flagger's own queries for the kubernetes,
    gatewayapi and knative providers. Every PromQL query is syntax-checked by `promtool check rules`.

    With --prometheus each query runs once like Flagger runs it: the last series wins, and an empty
    result or NaN counts as a failed check ("no values found").

    Exit status: 0 all queries render and parse (and pass, with --prometheus); 1 a query does not
    render or parse (or a check would fail); 2 bad input.
    """
    bundle = load_bundle(files, namespace, mesh_provider, canary_name)
    overrides = _overrides(sets)
    rows: list[_Row] = []
    for canary in bundle.canaries:
        for query in canary_queries(canary, bundle.templates, overrides):
            rows.append(_Row(f"{canary.namespace}/{canary.name}", query))
    if not no_promtool:
        to_check = [r for r in rows if r.query.promql and r.query.rendered is not None]
        for row, message in zip(to_check, check_promql([r.query.sent or "" for r in to_check]), strict=True):
            row.checked = True
            row.promtool = message
    if prometheus_url:
        _run_queries(rows, prometheus_url, bundle)
    ok = not any(r.broken for r in rows) and not any(r.passed is False for r in rows)
    if output == "json":
        by_canary: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            by_canary.setdefault(row.canary, []).append(row.to_json())
        canaries = [
            {
                "canary": c.namespace + "/" + c.name,
                "provider": c.provider,
                "metrics": by_canary.get(f"{c.namespace}/{c.name}", []),
            }
            for c in bundle.canaries
        ]
        click.echo(json.dumps({"ok": ok, "canaries": canaries}, indent=2))
    else:
        _print_text(rows, prometheus_url is not None)
    for row in rows:
        if row.broken:
            what = row.query.label
            message = row.query.error if row.query.error else f"promtool: {row.promtool}"
            click.echo(f"error: {row.canary}: metric {row.query.metric.name!r} ({what}): {message}", err=True)
    sys.exit(0 if ok else 1)


def _run_queries(rows: list[_Row], url: str, bundle: Any) -> None:
    canaries = {f"{c.namespace}/{c.name}": c for c in bundle.canaries}
    for row in rows:
        q = row.query
        if not q.promql or q.sent is None or row.promtool is not None:
            continue
        headers = q.template.headers if q.template else None
        try:
            value = instant_query(url, q.sent, headers=headers)
        except QueryFailed as err:
            row.run_error = err.message
            row.no_values = err.no_values
            row.passed = False
            continue
        if q.source == "builtin" and q.metric.name == "request-duration":
            observer = builtin_observer(canaries[row.canary]) or "http"
            value = value * BUILTIN_DURATION_SCALE[observer]
        row.value = value
        row.passed = metric_passes(q.metric, value)


def _print_text(rows: list[_Row], ran: bool) -> None:
    console = _console(soft_wrap=True)
    current = None
    for row in rows:
        if row.canary != current:
            current = row.canary
            console.print(f"[bold]Canary {escape(row.canary)}[/bold]")
        q = row.query
        where = f"MetricTemplate {q.template.namespace}/{q.template.name}" if q.template else q.source
        interval = q.metric.interval or ("1m (default)" if q.source != "template" else '"" (unset)')
        console.print(f"  [bold]{escape(q.metric.name)}[/bold]  ({escape(where)}, interval {escape(interval)})")
        if q.rendered is not None:
            for line in q.rendered.strip().splitlines() or [""]:
                console.print("    " + escape(line))
        if q.error is not None:
            console.print(f"    [red]✗ {escape(q.error)}[/red]")
        elif row.checked:
            if row.promtool is None:
                console.print("    [green]✓ PromQL parses (promtool)[/green]")
            else:
                console.print(f"    [red]✗ promtool: {escape(row.promtool)}[/red]")
        elif not q.promql and q.template is not None:
            console.print(
                f"    [yellow]- provider {escape(q.template.provider_type)}: not PromQL, not checked[/yellow]"
            )
        if ran and row.passed is not None:
            if row.run_error is not None:
                label = "no values found: Flagger counts a failed check" if row.no_values else row.run_error
                console.print(f"    [red]✗ Prometheus: {escape(label)}[/red]")
            else:
                mark = "[green]✓" if row.passed else "[red]✗"
                verdict = "passes" if row.passed else "fails its threshold"
                console.print(f"    {mark} Prometheus: {row.value:g} {verdict}[/]")
        for note in q.notes:
            console.print(f"    [yellow]note: {escape(note)}[/yellow]")


def _console(soft_wrap: bool = False) -> Console:
    """Rich output; when not on a terminal, wide enough that tables are not squeezed."""
    return Console(highlight=False, soft_wrap=soft_wrap, width=None if sys.stdout.isatty() else 200)
