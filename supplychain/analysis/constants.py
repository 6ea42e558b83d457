"""Names and defaults of Flagger's v1beta1 API (Flagger v1.44.0), in one place for replay, queries and lint."""

from __future__ import annotations

# Webhook types (HookType); an empty type is a `rollout` hook.
HOOK_TYPES = (
    "confirm-rollout",
    "pre-rollout",
    "rollout",
    "confirm-traffic-increase",
    "confirm-promotion",
    "post-rollout",
    "rollback",
    "event",
)
DEFAULT_HOOK_TYPE = "rollout"
DEFAULT_HOOK_TIMEOUT = "10s"

# Metric names Flagger queries itself (no templateRef or query needed).
BUILTIN_METRICS = ("request-success-rate", "request-duration")

# MetricTemplate spec.provider.type values Flagger's provider factory knows; anything else is prometheus.
PROMETHEUS_PROVIDER = "prometheus"
NON_PROMQL_PROVIDERS = (
    "datadog",
    "externalmetrics",
    "cloudwatch",
    "newrelic",
    "graphite",
    "stackdriver",
    "influxdb",
    "dynatrace",
    "keptn",
    "splunk",
)
METRIC_PROVIDERS = (PROMETHEUS_PROVIDER, *NON_PROMQL_PROVIDERS)

# What a MetricTemplate query may call: the fields of Flagger's MetricTemplateModel, as template functions.
MODEL_KEYS = ("name", "namespace", "target", "service", "ingress", "route", "interval")
QUERY_FUNCTIONS = (*MODEL_KEYS, "variables")

# flagger-loadtester task types (metadata.type of a webhook whose metadata has `cmd`).
LOADTESTER_TYPES = ("cmd", "bash", "helm", "helmv3", "kubectl", "concord", "ngrinder")

DEFAULT_ANALYSIS_INTERVAL = 60.0  # seconds, when analysis.interval is unset or not a duration
MIN_ANALYSIS_INTERVAL = 10.0  # GetAnalysisInterval raises anything shorter
DEFAULT_METRIC_INTERVAL = "1m"  # builtin and inline-query metrics only
DEFAULT_PROGRESS_DEADLINE = 600  # seconds
DEFAULT_MESH_PROVIDER = "istio"

STRATEGY_CANARY = "canary"
STRATEGY_BLUE_GREEN = "blue-green"
STRATEGY_AB = "ab-testing"
