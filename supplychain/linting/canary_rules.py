"""Rules on a Flagger Canary's analysis: strategy, weights, interval and deadline.

progressDeadlineSeconds (Flagger v1.44 pkg/canary/deployment_ready.go, pkg/controller/scheduler.go) bounds
Deployment readiness, not the analysis: on each tick Flagger asks whether the canary (and primary) Deployment
is ready, and a Deployment whose Available condition has been False (MinimumReplicasUnavailable) for longer
than the deadline, or that Kubernetes marks ProgressDeadlineExceeded, is a non-retriable failure that rolls the
canary back. A healthy analysis lasting interval x (iterations + 1) plus promotion is therefore never cut
short by a smaller deadline, so that comparison would only produce false alarms. What does matter is the
tick granularity: readiness is only looked at once per interval, so a deadline shorter than one interval
acts as one interval and rolls back a canary still starting at the first check after scale-up. The rule
warns about that, and errors on a non-positive deadline.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from ..analysis.constants import DEFAULT_ANALYSIS_INTERVAL, DEFAULT_PROGRESS_DEADLINE, MIN_ANALYSIS_INTERVAL
from ..checking.findings import Severity
from ..validation import Subject
from .context import LintContext
from .durations import format_seconds, parse_duration
from .rules import Check, Hit, Rule, as_dict, as_list, number, rule

MIN_INTERVAL = MIN_ANALYSIS_INTERVAL
DEFAULT_INTERVAL = DEFAULT_ANALYSIS_INTERVAL
DEFAULT_DEADLINE = DEFAULT_PROGRESS_DEADLINE
KNATIVE_SERVICE = ("serving.knative.dev/v1", "Service")


def analysis(subject: Subject) -> dict[str, Any]:
    return as_dict(as_dict(subject.body.get("spec")).get("analysis"))


def interval_seconds(subject: Subject) -> float:
    parsed = parse_duration(analysis(subject).get("interval"))
    return DEFAULT_INTERVAL if parsed is None else max(parsed, MIN_INTERVAL)


def is_blue_green(subject: Subject) -> bool:
    a = analysis(subject)
    return a.get("iterations") is not None and not a.get("match")


def _canary(rule_id: str, severity: Severity, summary: str) -> Callable[[Check], Rule]:
    return rule(rule_id, severity, "flagger.app", ["Canary"], summary)


@_canary(
    "canary-interval-min", Severity.ERROR, "analysis.interval is at least 10s (Flagger silently raises shorter ones)"
)
def interval_min(s: Subject, ctx: LintContext) -> Iterator[Hit]:
    raw = analysis(s).get("interval")
    seconds = parse_duration(raw)
    if raw is not None and seconds is None:
        yield Hit("spec.analysis.interval", f"{raw!r} is not a duration such as 30s or 1m")
    elif seconds is not None and seconds < MIN_INTERVAL:
        yield Hit(
            "spec.analysis.interval",
            f"interval {raw} is below Flagger's minimum of 10s; Flagger would run every 10s instead",
        )


@_canary(
    "canary-bluegreen-iterations",
    Severity.ERROR,
    "provider kubernetes only does blue/green, which needs analysis.iterations",
)
def bluegreen_iterations(s: Subject, ctx: LintContext) -> Iterator[Hit]:
    spec = as_dict(s.body.get("spec"))
    if spec.get("provider") == "kubernetes" and analysis(s).get("iterations") is None:
        yield Hit(
            "spec.analysis.iterations",
            "provider kubernetes cannot shift traffic, so only blue/green works: set analysis.iterations",
        )


@_canary(
    "canary-bluegreen-step-weight",
    Severity.ERROR,
    "blue/green (iterations) takes no stepWeight, stepWeights or maxWeight",
)
def bluegreen_step_weight(s: Subject, ctx: LintContext) -> Iterator[Hit]:
    a = analysis(s)
    if a.get("iterations") is None:
        return
    for key in ("stepWeight", "stepWeights"):
        if a.get(key) is not None:
            yield Hit(
                f"spec.analysis.{key}",
                f"{key} cannot be combined with iterations: iterations means blue/green (or A/B with match), "
                f"{key} means a progressive canary; remove one",
            )
    if a.get("maxWeight") is not None:
        yield Hit(
            "spec.analysis.maxWeight",
            "maxWeight has no effect with iterations (blue/green); remove it",
            Severity.WARNING,
        )


@_canary("canary-weights", Severity.ERROR, "0 < stepWeight <= maxWeight <= 100; stepWeights increase up to 100")
def weights(s: Subject, ctx: LintContext) -> Iterator[Hit]:
    a = analysis(s)
    max_weight, step = number(a.get("maxWeight")), number(a.get("stepWeight"))
    if max_weight is not None and not 0 < max_weight <= 100:
        yield Hit("spec.analysis.maxWeight", f"maxWeight must be between 1 and 100; got {a.get('maxWeight')}")
    if step is not None:
        limit = max_weight if max_weight is not None else 100.0
        if step <= 0:
            yield Hit("spec.analysis.stepWeight", f"stepWeight must be positive; got {a.get('stepWeight')}")
        elif step > limit:
            yield Hit(
                "spec.analysis.stepWeight",
                f"stepWeight {a.get('stepWeight')} exceeds maxWeight {limit:g}; the canary would jump past it",
            )
    previous = 0.0
    for i, value in enumerate(as_list(a.get("stepWeights"))):
        w = number(value)
        if w is None:
            continue
        if not previous < w <= 100:
            yield Hit(
                f"spec.analysis.stepWeights[{i}]",
                f"stepWeights must increase and stay within 1..100; got {value} after {previous:g}",
            )
        previous = max(previous, w)
    promotion = number(a.get("stepWeightPromotion"))
    if promotion is not None and not 0 < promotion <= 100:
        yield Hit(
            "spec.analysis.stepWeightPromotion", f"stepWeightPromotion must be between 1 and 100; got {promotion:g}"
        )


@_canary("canary-match-iterations", Severity.ERROR, "analysis.match (A/B testing) needs analysis.iterations")
def match_iterations(s: Subject, ctx: LintContext) -> Iterator[Hit]:
    a = analysis(s)
    if a.get("match") and a.get("iterations") is None:
        yield Hit("spec.analysis.match", "match routes by header/cookie (A/B testing), which needs analysis.iterations")


@_canary(
    "canary-progress-deadline",
    Severity.WARNING,
    "progressDeadlineSeconds is at least one analysis interval (readiness is only checked once per interval)",
)
def progress_deadline(s: Subject, ctx: LintContext) -> Iterator[Hit]:
    spec = as_dict(s.body.get("spec"))
    deadline = number(spec.get("progressDeadlineSeconds"))
    if deadline is None:
        return
    interval = interval_seconds(s)
    if deadline <= 0:
        yield Hit(
            "spec.progressDeadlineSeconds",
            f"progressDeadlineSeconds must be positive; got {deadline:g}",
            Severity.ERROR,
        )
    elif deadline < interval:
        yield Hit(
            "spec.progressDeadlineSeconds",
            f"progressDeadlineSeconds {deadline:g} is shorter than the analysis interval "
            f"({format_seconds(interval)}): Flagger checks Deployment readiness once per interval, so the "
            f"effective deadline is {format_seconds(interval)}, and a canary still starting at the first check "
            f"after scale-up is rolled back; use at least {format_seconds(2 * interval)}",
        )


@_canary(
    "canary-provider-target",
    Severity.ERROR,
    "provider knative exactly when targetRef is a Knative Service, and then no autoscalerRef",
)
def provider_target(s: Subject, ctx: LintContext) -> Iterator[Hit]:
    spec = as_dict(s.body.get("spec"))
    target = as_dict(spec.get("targetRef"))
    knative_target = (target.get("apiVersion"), target.get("kind")) == KNATIVE_SERVICE
    provider = spec.get("provider")
    if knative_target and provider != "knative":
        yield Hit("spec.provider", f"a Knative Service target needs provider knative; got {provider!r}")
    if provider == "knative" and not knative_target:
        yield Hit("spec.targetRef", "provider knative needs targetRef apiVersion serving.knative.dev/v1, kind Service")
    if provider == "knative" and spec.get("autoscalerRef") is not None:
        yield Hit("spec.autoscalerRef", "autoscalerRef is not supported with provider knative (Knative scales itself)")


RULES: list[Rule] = [
    interval_min,
    bluegreen_iterations,
    bluegreen_step_weight,
    weights,
    match_iterations,
    progress_deadline,
    provider_target,
]
