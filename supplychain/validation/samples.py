"""Sample owners and inputs used to stamp templates offline, so their output can be checked like any object."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import yaml

SAMPLE_NAME = "sample-app"
SAMPLE_NAMESPACE = "sample-ns"
SAMPLE_REVISION = "main@sha1:0123456789abcdef0123456789abcdef01234567"
SAMPLE_URL = (
    "http://source-controller.flux-system.svc.cluster.local./gitrepository/sample-ns/sample-app/0123456789.tar.gz"
)
SAMPLE_IMAGE = "registry.example.com/apps/sample-app@sha256:" + "0" * 64

# The app config a previous config stage hands on (TAP's config stages pass {file name: YAML text}).
_APP_CONFIG_DOCS: list[dict[str, Any]] = [
    {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": SAMPLE_NAME, "labels": {"app.kubernetes.io/part-of": SAMPLE_NAME}},
        "spec": {
            "selector": {"matchLabels": {"app": SAMPLE_NAME}},
            "template": {
                "metadata": {"labels": {"app": SAMPLE_NAME}},
                "spec": {
                    "containers": [
                        {
                            "name": "workload",
                            "image": SAMPLE_IMAGE,
                            "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                        }
                    ]
                },
            },
        },
    },
    {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": SAMPLE_NAME},
        "spec": {"selector": {"app": SAMPLE_NAME}, "ports": [{"name": "http", "port": 8080, "targetPort": 8080}]},
    },
]
SAMPLE_CONFIG = {"delivery.yml": yaml.safe_dump_all(_APP_CONFIG_DOCS, sort_keys=False)}

# The config TAP's convention-template hands on (a PodTemplateSpec), for templates that read one (server-template).
SAMPLE_POD_TEMPLATE: dict[str, Any] = {
    "metadata": {
        "labels": {"app.kubernetes.io/part-of": SAMPLE_NAME, "carto.run/workload-name": SAMPLE_NAME},
        "annotations": {"developer.conventions/target-containers": "workload"},
    },
    "spec": {
        "containers": [
            {
                "name": "workload",
                "image": SAMPLE_IMAGE,
                "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                "securityContext": {"runAsUser": 1000},
            }
        ],
        "serviceAccountName": "default",
    },
}


def sample_owner(
    kind: str, labels: dict[str, str] | None = None, params: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """A Workload or Deliverable named sample-app in namespace sample-ns."""
    spec: dict[str, Any] = {
        "source": {"git": {"url": "https://git.example.com/sample-app.git", "ref": {"branch": "main"}}},
        "params": list(params or []),
    }
    if kind == "Workload":
        spec["serviceAccountName"] = "default"
    return {
        "apiVersion": "carto.run/v1alpha1",
        "kind": kind,
        "metadata": {
            "name": SAMPLE_NAME,
            "namespace": SAMPLE_NAMESPACE,
            "labels": {"app.kubernetes.io/part-of": SAMPLE_NAME, **(labels or {})},
            "generation": 1,
            "uid": "00000000-0000-0000-0000-000000000001",
        },
        "spec": spec,
    }


@dataclass
class SampleInputs:
    """Outputs of earlier stages, by input name, as a blueprint resource would receive them."""

    sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    images: dict[str, Any] = field(default_factory=dict)
    configs: dict[str, Any] = field(default_factory=dict)
    deployment: dict[str, Any] | None = None

    def describe(self) -> str:
        parts = [
            f"{kind}: {', '.join(sorted(names))}"
            for kind, names in (("sources", self.sources), ("images", self.images), ("configs", self.configs))
            if names
        ]
        if self.deployment is not None:
            parts.append("deployment")
        return "; ".join(parts) or "no inputs"


def source_value() -> dict[str, Any]:
    return {"url": SAMPLE_URL, "revision": SAMPLE_REVISION}


def inputs_for(sources: list[str], images: list[str], configs: list[str], deployment: bool) -> SampleInputs:
    """Sample values for the named inputs."""
    return SampleInputs(
        sources={n: source_value() for n in sources},
        images=dict.fromkeys(images, SAMPLE_IMAGE),
        configs={n: copy.deepcopy(SAMPLE_CONFIG) for n in configs},
        deployment=source_value() if deployment else None,
    )


def default_inputs(template_kind: str) -> SampleInputs:
    """Inputs for a template no blueprint in the input uses: one of each type (so singular accessors work)."""
    if template_kind == "ClusterDeploymentTemplate":
        return inputs_for(["source"], [], [], True)
    return inputs_for(["source"], ["image"], ["config"], False)
