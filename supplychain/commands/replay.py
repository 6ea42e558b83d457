"""`supplychain replay`: Flagger's analysis replayed offline from metric series, a recording or Prometheus."""

from __future__ import annotations

import datetime as dt
import json
import math
import sys
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..analysis import recording as rec_mod
from ..analysis import replay as R
from ..analysis.bundle import load_bundle
from ..analysis.constants import DEFAULT_MESH_PROVIDER
from ..analysis.durations import format_seconds, parse_go_duration
from ..analysis.model import CanarySpec
from ..analysis.series import ReplayInput, Series, gate_signals, load_input, webhook_overrides
from ..errors import InputError, Location, SupplychainError
from ..yamlio import read_text
from .params import FiniteFloat, prometheus_address

SERIES_HELP = """
\b
Series files (--series, JSON or CSV; t is seconds from the tick that detects the new revision; a tick
at time T reads the latest sample with t <= T + interval/2):
  JSON: {"metrics":  {"<metric>": [[t, value], ...]},
         "webhooks": {"<webhook>": [[t, true|false], ...] | true | false},
         "ready":    {"canary": [[t, true|false], ...], "primary": ...}}
        value: number; null or "NaN" = no values (a failed check); [v1, v2] = several series, the last
        present wins (null = that series absent)
  CSV:  t,<metric>,<metric>#2,webhook:<name>,ready:canary
        metric cell: number, NaN = no values, empty = no sample; webhook/ready cell: true/false
Metric names are the Canary's spec.analysis.metrics[].name; request-duration values are milliseconds.
Webhooks default to passing, `rollback` webhooks to not signalling (true = answered 2xx = roll back).

\b
Sweep model (--sweep): 5 s buckets of Poisson(20 rps) requests, metrics over a 1 minute window;
good version 0.1% errors and p99 220 ms, bad version 1.2% errors and p99 380 ms; 2% of buckets are
bursts (errors x10, latency x1.8); 0.5% of queries return no values (a failed check).
"""


def _parse_time(text: str, option: str) -> float:
    """Unix seconds, RFC 3339, or now / now-30m."""
    value = text.strip()
    now = dt.datetime.now(dt.UTC).timestamp()
    if value == "now":
        return now
    if value.startswith("now-"):
        seconds = parse_go_duration(value[4:])
        if seconds is None:
            raise InputError(f"cannot read {text!r} (now-<duration>, e.g. now-30m)", Location(option))
        return now - seconds
    try:
        return float(value)
    except ValueError:
        pass
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(
            f"cannot read {text!r} as unix seconds, RFC 3339 or now-<duration>", Location(option)
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.timestamp()


def _from_prometheus(url: str, canary: CanarySpec, templates: Any, start: float, end: float) -> ReplayInput:
    from ..analysis.prometheus import QueryFailed, range_query
    from ..analysis.render import BUILTIN_DURATION_SCALE, builtin_observer, canary_queries

    if end <= start:
        raise InputError("--to must be after --from", Location("--to"))
    if (end - start) / canary.interval > 11_000:
        raise InputError(
            f"the range holds more than 11000 analysis intervals of {canary.interval:g}s", Location("--from")
        )
    inputs = ReplayInput(source=url)
    for query in canary_queries(canary, templates):
        if query.rendered is None:
            raise InputError(
                f"metric {query.metric.name!r} cannot be read from Prometheus: {query.error or '; '.join(query.notes)}",
                Location(url),
            )
        if not query.promql:
            raise InputError(
                f"metric {query.metric.name!r} uses provider "
                f"{query.template.provider_type if query.template else '?'}, not Prometheus",
                Location(url),
            )
        headers = query.template.headers if query.template else None
        try:
            result = range_query(url, query.sent or "", start, end, canary.interval, headers=headers)
        except QueryFailed as err:
            raise SupplychainError(f"metric {query.metric.name!r}: {err.message}", Location(url)) from None
        scale = 1.0
        if query.source == "builtin" and query.metric.name == "request-duration":
            scale = BUILTIN_DURATION_SCALE[builtin_observer(canary) or "http"]
        inputs.metrics[query.metric.name] = Series(
            tuple(t - start for t in result.times), tuple(None if v is None else v * scale for v in result.values)
        )
    return inputs


@click.command("replay", epilog=SERIES_HELP)
@click.argument("files", nargs=-1)
@click.option(
    "--series",
    "series_files",
    multiple=True,
    metavar="FILE",
    help="Metric series / webhook outcomes / readiness (JSON or CSV, '-' = stdin); repeatable.",
)
@click.option(
    "--recording",
    "recording_file",
    metavar="FILE",
    help="Replay a recording of a real Flagger run and compare the outcome with it.",
)
@click.option(
    "--prometheus",
    "prometheus_url",
    metavar="URL",
    callback=prometheus_address,
    help="Read the metrics from Prometheus: each query evaluated at every analysis tick.",
)
@click.option("--from", "time_from", metavar="TIME", help="With --prometheus: t=0 (unix s, RFC 3339, now-30m).")
@click.option("--to", "time_to", metavar="TIME", help="With --prometheus: the end of the range (default now).")
@click.option(
    "--webhook",
    "webhooks",
    multiple=True,
    metavar="NAME=pass|fail",
    help="A webhook's outcome for the whole replay; repeatable.",
)
@click.option(
    "--gate-opens-at",
    type=click.FloatRange(min=0),
    metavar="SECONDS",
    help="When `supplychain gate open` opens the confirm-promotion gate (default: never; a "
    "flagger-loadtester gate starts closed). With --sweep too.",
)
@click.option("--canary", "canary_name", help="The Canary to replay when FILES hold several.")
@click.option("--namespace", default="default", show_default=True, help="Namespace for documents that have none.")
@click.option(
    "--mesh-provider",
    default=DEFAULT_MESH_PROVIDER,
    show_default=True,
    help="Flagger's -mesh-provider, used when the Canary sets no spec.provider.",
)
@click.option(
    "--until",
    type=FiniteFloat(minimum=0),
    metavar="SECONDS",
    help="Stop the replay at this t (default: the input's end).",
)
@click.option("--output", "-o", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--plot", "plot_file", metavar="FILE", help="Draw the replay to FILE (.png or .svg).")
@click.option(
    "--sweep",
    is_flag=True,
    help="Instead of one replay: sweep --intervals x --thresholds x --iterations over seeded noisy good "
    "and bad versions (at most 400 settings x 5000 runs).",
)
@click.option("--intervals", default="10s,30s,60s", show_default=True, help="--sweep: analysis intervals.")
@click.option("--thresholds", default="1,2,3,5,10", show_default=True, help="--sweep: thresholds.")
@click.option("--iterations", "iterations_list", default="5,10,20", show_default=True, help="--sweep: iterations.")
@click.option("--runs", default=200, show_default=True, help="--sweep: good and bad runs per setting (max 5000).")
@click.option("--seed", default=1, show_default=True, help="--sweep: random seed.")
def command(
    files: tuple[str, ...],
    series_files: tuple[str, ...],
    recording_file: str | None,
    prometheus_url: str | None,
    time_from: str | None,
    time_to: str | None,
    webhooks: tuple[str, ...],
    canary_name: str | None,
    namespace: str,
    mesh_provider: str,
    until: float | None,
    output: str,
    plot_file: str | None,
    sweep: bool,
    intervals: str,
    thresholds: str,
    iterations_list: str,
    runs: int,
    seed: int,
    gate_opens_at: float | None,
) -> None:
    """Replay Flagger v1.44.0's canary analysis tick by tick and print the timeline and verdict.

    FILES hold the Canary (and, with --prometheus, its MetricTemplates). The metric values come from
    --series files, from --prometheus (a range query per metric at the analysis interval, the last
    series winning at each step, as Flagger reads instant queries), or from a --recording of a real
    run, which is then compared with what Flagger did (exit 1 when they disagree).

    Blue/green (iterations), A/B (iterations + match) and progressive canary (stepWeight(s)/maxWeight)
    follow Flagger's scheduler: pre-rollout on the first tick, rollout hooks and metrics after, one failed
    check per failing tick, rollback at the threshold, promotion through Promoting and Finalising, the
    progress deadline when the canary is not ready, and the analysis interval clamped to at least 10s.

    --sweep replays noisy good and bad versions for every interval x threshold x iterations and reports
    time-to-rollback against false rollbacks (thresholds from the Canary's metrics when FILES are given).

    A confirm-promotion or rollback webhook on flagger-loadtester's gate (/gate/check, /rollback/check)
    answers as a closed gate unless the series say otherwise: the Canary waits in WaitingPromotion (the
    analysis goes on, and failed checks still roll it back) until --gate-opens-at.
    """
    if sweep:
        _sweep(
            files,
            canary_name,
            namespace,
            mesh_provider,
            intervals,
            thresholds,
            iterations_list,
            runs,
            seed,
            output,
            gate_opens_at,
        )
        return
    recording = None
    if recording_file is not None:
        recording = rec_mod.load(recording_file)
        if files or series_files or prometheus_url:
            raise InputError(
                "--recording carries the Canary and the series; give no FILES, --series or --prometheus",
                Location(recording_file),
            )
        canary = rec_mod.canary_of(recording)
        inputs, start = rec_mod.replay_input(recording, canary)
    else:
        if not files:
            raise InputError(
                "give the Canary's files (or --recording FILE, or --sweep)", Location("supplychain replay")
            )
        bundle = load_bundle(files, namespace, mesh_provider, canary_name)
        if len(bundle.canaries) > 1:
            names = ", ".join(c.name for c in bundle.canaries)
            raise InputError(f"several Canaries ({names}); choose one with --canary", Location(", ".join(files)))
        canary = bundle.canaries[0]
        start = 0.0
        inputs = ReplayInput(source=", ".join(series_files) or "<no series>")
        if prometheus_url:
            if series_files:
                raise InputError("use either --series or --prometheus", Location("--prometheus"))
            if time_from is None:
                raise InputError("--prometheus needs --from", Location("--from"))
            t0 = _parse_time(time_from, "--from")
            t1 = _parse_time(time_to, "--to") if time_to else dt.datetime.now(dt.UTC).timestamp()
            inputs = _from_prometheus(prometheus_url, canary, bundle.templates, t0, t1)
        for path in series_files:
            source = "<stdin>" if path == "-" else path
            inputs = inputs.merge(load_input(read_text(path), source))
    known = {w.name: w.type for w in canary.webhooks}
    if gate_opens_at is not None:
        inputs.webhooks.update(gate_signals({w.name: (w.type, w.url) for w in canary.webhooks}, gate_opens_at))
    inputs.webhooks.update(webhook_overrides(list(webhooks), known))
    result = R.run(R.compile_plan(canary, inputs, start=start, until=until))
    agreement = rec_mod.compare(recording, result) if recording is not None else None
    if plot_file:
        from ..analysis.plot import plot_replay

        plot_replay(result, plot_file, title=f"{recording.scenario}" if recording else None)
    if output == "json":
        payload: dict[str, Any] = {
            "canary": f"{canary.namespace}/{canary.name}",
            "strategy": canary.effective_strategy,
            "interval": canary.interval,
            "threshold": canary.threshold,
            "iterations": canary.effective_iterations,
            "verdict": result.verdict.to_json(),
            "timeline": R.timeline_json(result),
            "statusChanges": R.status_changes(result),
        }
        if agreement is not None:
            payload["agreement"] = agreement.to_json()
        click.echo(json.dumps(payload, indent=2))
    else:
        _print_text(canary, result, agreement)
    if agreement is not None and not agreement.agrees:
        sys.exit(1)


def _print_text(canary: CanarySpec, result: R.ReplayResult, agreement: rec_mod.Agreement | None) -> None:
    console = _console()
    plan = result.plan
    console.print(
        f"[bold]Canary {escape(canary.namespace)}/{escape(canary.name)}[/bold]: {plan.strategy}, "
        f"interval {format_seconds(plan.interval)}, threshold {plan.threshold}"
        + (f", iterations {plan.iterations}" if plan.strategy != "canary" else f", maxWeight {plan.max_weight}")
    )
    table = Table(show_edge=False, pad_edge=False, box=None, header_style="bold")
    for name, justify in (
        ("t", "right"),
        ("phase", "left"),
        ("failed", "right"),
        ("iter", "right"),
        ("weight", "right"),
        ("what happened", "left"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    colours = {
        "Failed": "red",
        "Succeeded": "green",
        "Promoting": "green",
        "Finalising": "green",
        "Waiting": "yellow",
        "WaitingPromotion": "yellow",
    }
    for record in result.records:
        phase = R.PHASES[record[1]]
        style = colours.get(phase, "")
        table.add_row(
            format_seconds(record[0]),
            f"[{style}]{phase}[/]" if style else phase,
            str(record[2]),
            str(record[3]),
            str(record[4]),
            escape(R.describe(result, record)),
        )
    console.print(table)
    verdict = result.verdict
    colour = "green" if verdict.outcome == "Succeeded" else ("red" if verdict.outcome == "Failed" else "yellow")
    console.print(
        f"[bold {colour}]{escape(R.summary(verdict))}[/]  (max failedChecks {verdict.failed_checks}, "
        f"max iterations {verdict.iterations})"
    )
    if agreement is not None:
        agree = Table(
            title=f"agreement with the recording ({escape(agreement.scenario)})",
            box=None,
            header_style="bold",
            title_justify="left",
        )
        for col in ("", "recorded", "replayed", ""):
            agree.add_column(col)
        for what, recorded, replayed, ok in agreement.rows:
            agree.add_row(what, recorded, replayed, "[green]✓[/]" if ok else "[red]✗[/]")
        console.print(agree)


def _list(text: str, option: str, parse: Any) -> list[Any]:
    out = []
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        value = parse(item)
        if value is None:
            raise InputError(f"cannot read {item!r}", Location(option))
        out.append(value)
    if not out:
        raise InputError("needs at least one value", Location(option))
    return out


def _positive_int(text: str) -> int | None:
    return int(text) if text.isdigit() and int(text) > 0 else None


def _interval(text: str) -> float | None:
    seconds = parse_go_duration(text)
    return None if seconds is None or seconds <= 0 else max(seconds, 10.0)


def _sweep(
    files: tuple[str, ...],
    canary_name: str | None,
    namespace: str,
    mesh_provider: str,
    intervals: str,
    thresholds: str,
    iterations_list: str,
    runs: int,
    seed: int,
    output: str,
    gate_opens_at: float | None = None,
) -> None:
    from rich.progress import Progress

    from ..analysis import sweep as S

    success_min, latency_max = 99.0, 500.0
    gated = gate_opens_at is not None
    if files:
        bundle = load_bundle(files, namespace, mesh_provider, canary_name)
        success_min, latency_max = S.thresholds_from(bundle.canaries[0])
        gated = gated or S.has_promotion_gate(bundle.canaries[0])
    settings = [
        S.Setting(i, t, n)
        for i in sorted(set(_list(intervals, "--intervals", _interval)))
        for t in _list(thresholds, "--thresholds", _positive_int)
        for n in _list(iterations_list, "--iterations", _positive_int)
    ]
    err_console = Console(stderr=True)
    with Progress(console=err_console, transient=True, disable=not err_console.is_terminal) as progress:
        task = progress.add_task("sweeping", total=len(settings))
        outcomes = S.run_sweep(
            settings,
            runs,
            seed,
            success_min,
            latency_max,
            progress=lambda n: progress.advance(task, n),
            gate=gated,
            gate_opens_at=gate_opens_at,
        )
    best = S.recommend(outcomes)
    if output == "json":
        click.echo(
            json.dumps(
                {
                    "model": {
                        "successRateMin": success_min,
                        "latencyMaxMs": latency_max,
                        "runs": runs,
                        "seed": seed,
                        "promotionGate": gated,
                        "gateOpensAt": gate_opens_at,
                        "good": vars(S.Model().good),
                        "bad": vars(S.Model().bad),
                        "burstRate": S.Model().burst_rate,
                        "noDataRate": S.Model().no_data_rate,
                    },
                    "settings": [o.to_json() for o in outcomes],
                    "recommended": best.to_json() if best else None,
                },
                indent=2,
            )
        )
        return
    console = _console()
    console.print(
        f"[bold]Sweep[/bold]: {runs} good and {runs} bad versions per setting, seed {seed}, "
        f"success rate >= {success_min:g}%, p99 latency <= {latency_max:g} ms"
        + (
            f", promotion gate opened at {_secs(gate_opens_at)}"
            if gated and gate_opens_at is not None
            else (", promotion gate never opened" if gated else "")
        )
    )
    table = Table(box=None, header_style="bold", show_edge=False)
    for col in (
        "interval",
        "threshold",
        "iterations",
        "bad rolled back",
        "time to rollback (median / p90)",
        "good rolled back (false)",
        "good: time to promote",
    ):
        table.add_column(col, justify="right")
    for o in outcomes:
        s = o.setting
        marker = " ◀" if o is best else ""
        table.add_row(
            format_seconds(s.interval),
            str(s.threshold),
            str(s.iterations),
            f"{o.bad_rollback_rate:.0%}",
            f"{_secs(o.bad_rollback_median)} / {_secs(o.bad_rollback_p90)}",
            f"{o.good_false_rollback_rate:.1%}",
            _secs(o.good_promotion_median) + marker,
        )
    console.print(table)
    if best:
        s = best.setting
        console.print(
            f"fastest rollback with at most 1% false rollbacks: interval {format_seconds(s.interval)}, "
            f"threshold {s.threshold}, iterations {s.iterations} (◀)"
        )
    else:
        console.print("[yellow]no setting rolls back every bad version with at most 1% false rollbacks[/yellow]")


def _secs(value: float | None) -> str:
    return "-" if value is None or math.isnan(value) else format_seconds(value)


def _console(soft_wrap: bool = False) -> Console:
    """Rich output; when not on a terminal, wide enough that tables are not squeezed."""
    return Console(highlight=False, soft_wrap=soft_wrap, width=None if sys.stdout.isatty() else 200)
