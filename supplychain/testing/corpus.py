"""Synthetic cartotest-layout cases: many template/workload/param combinations for benchmarks and
differential runs against cartotest. Expected objects are written by our own stamping, so a run of
cartotest over the same folders checks that Cartographer stamps exactly the same thing."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import yaml

from ..stamping.cases import discover
from ..stamping.render import dump_object
from ..stamping.runner import stamp_cases

_YTT_BODIES = [
    """#@ load("@ytt:data", "data")
apiVersion: v1
kind: ConfigMap
metadata:
  name: #@ data.values.workload.metadata.name + "-{i}"
data:
  replicas: #@ str(data.values.params.replicas)
  env: #@ data.values.params.env
  source: #@ data.values.workload.spec.source.git.url
""",
    """#@ load("@ytt:data", "data")
#@ load("@ytt:json", "json")
apiVersion: apps/v1
kind: Deployment
metadata:
  name: #@ data.values.workload.metadata.name
  labels: #@ data.values.workload.metadata.labels
spec:
  replicas: #@ data.values.params.replicas
  template:
    metadata:
      annotations:
        everything: #@ json.encode(data.values)
    spec:
      containers:
      - name: app
        image: #@ data.values.image
        ports: #@ [{"containerPort": p} for p in data.values.params.ports]
""",
    """#@ load("@ytt:data", "data")
#@ def labels():
app: #@ data.values.workload.metadata.name
tier: #@ data.values.params.env
#@ end
apiVersion: v1
kind: Service
metadata:
  name: #@ data.values.workload.metadata.name + "-svc-{i}"
  labels: #@ labels()
spec:
  selector: #@ labels()
  ports:
  #@ for p in data.values.params.ports:
  - port: #@ p
    name: #@ "p-" + str(p)
  #@ end
""",
]

_TEMPLATE_BODY = {
    "apiVersion": "v1",
    "kind": "ConfigMap",
    "metadata": {"name": "$(workload.metadata.name)$-{i}"},
    "data": {
        "replicas": "$(params.replicas)$",
        "text": "env=$(params.env)$ ports=$(params.ports)$ app=$(workload.metadata.name)$",
        "ports": "$(params.ports)$",
        "labels": "$(workload.metadata.labels)$",
        "image": "$(image)$",
        "spec": "$(workload.spec)$",
        "dollar": "$$(params.env)$ and $( left open",
    },
}


def _workload(i: int, rng: random.Random) -> dict[str, Any]:
    params: list[dict[str, Any]] = [{"name": "replicas", "value": rng.choice([1, 2, 3, 5])}]
    if rng.random() < 0.5:
        params.append({"name": "env", "value": rng.choice(["dev", "prod", "a<b&c>d"])})
    return {
        "apiVersion": "carto.run/v1alpha1",
        "kind": "Workload",
        "metadata": {
            "name": f"app-{i}",
            "namespace": rng.choice(["default", "dev", "prod"]),
            "labels": {"app.kubernetes.io/part-of": f"app-{i}", "version": rng.choice(["1", "v2"])},
        },
        "spec": {
            "params": params,
            "source": {"git": {"url": f"https://git.example.com/app-{i}.git", "ref": {"branch": "main"}}},
            "env": [{"name": "A", "value": str(i)}],
        },
    }


def _template(i: int, rng: random.Random, use_ytt: bool) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "params": [
            {"name": "replicas", "default": 1},
            {"name": "env", "default": "dev"},
            {"name": "ports", "default": rng.choice([[8080], [8080, 9090]])},
        ]
    }
    if use_ytt:
        spec["ytt"] = rng.choice(_YTT_BODIES).replace("{i}", str(i))
    else:
        body = yaml.safe_load(yaml.safe_dump(_TEMPLATE_BODY).replace("{i}", str(i)))
        spec["template"] = body
    return {"apiVersion": "carto.run/v1alpha1", "kind": "ClusterTemplate", "metadata": {"name": f"t-{i}"}, "spec": spec}


def generate(root: Path, count: int, ytt_share: float = 0.75, seed: int = 7) -> list[Path]:
    """Write COUNT cases under ROOT (about YTT_SHARE of them ytt templates) with expected objects."""
    rng = random.Random(seed)
    dirs: list[Path] = []
    for i in range(count):
        case = root / f"case-{i:04d}"
        case.mkdir(parents=True, exist_ok=True)
        use_ytt = rng.random() < ytt_share
        (case / "template.yaml").write_text(yaml.safe_dump(_template(i, rng, use_ytt), sort_keys=False))
        (case / "workload.yaml").write_text(yaml.safe_dump(_workload(i, rng), sort_keys=False))
        info: dict[str, Any] = {
            "metadata": {"name": f"synthetic case {i}"},
            "given": {
                "mockSupplyChain": {
                    "blueprintParams": [{"name": "env", "default": "staging"}],
                    "blueprintInputs": {
                        "images": {"image": {"image": f"registry.example.com/app-{i}@sha256:{i:064x}", "name": "image"}}
                    },
                }
            },
        }
        if not use_ytt:  # template bodies hold float64 numbers; cartotest needs this option for them
            info["compareOptions"] = {"namedCMPOptionFuncs": ["ConvertNumbersToFloatsDuringComparison"]}
        (case / "info.yaml").write_text(yaml.safe_dump(info, sort_keys=False))
        (case / "expected.yaml").write_text("apiVersion: v1\nkind: Placeholder\n")
        dirs.append(case)
    write_expected(root)
    return dirs


def write_expected(root: Path) -> list[tuple[Path, str]]:
    """(Re)write expected.yaml of every cartotest-layout case under ROOT from our stamping; returns failures."""
    failures: list[tuple[Path, str]] = []
    for case, obj, error in stamp_cases([c for c in discover(root) if c.chain is None]):
        if obj is None:
            failures.append((case.path, error or "nothing stamped"))
            continue
        (case.path / "expected.yaml").write_text(dump_object(obj))
    return failures
