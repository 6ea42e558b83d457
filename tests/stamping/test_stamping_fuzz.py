"""Randomised differential test: seeded random `$(...)$` templates over typed owners and inputs, judged by
both `supplychain test` (which writes the expectations) and cartotest. Wherever we stamp an object,
cartotest must produce the identical one; wherever we fail, cartotest must fail too."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from supplychain.testing.corpus import write_expected

from .helpers import run_cartotest

HERE = Path(__file__).resolve().parent
OWNERS = [
    HERE / "cartotest" / "typed" / "full-metadata-and-status" / "workload.yaml",
    HERE / "cartotest" / "simple" / "strings" / "workload.yaml",
]
PATHS = [
    "workload.metadata.name",
    "workload.metadata",
    "workload.metadata.labels",
    "workload.metadata.generation",
    "workload.metadata.uid",
    "workload.metadata.creationTimestamp",
    "workload.metadata.ownerReferences[0]",
    "workload.metadata.ownerReferences[0].controller",
    "workload.metadata.managedFields[0].fieldsV1",
    "workload.spec",
    "workload.spec.image",
    "workload.spec.params",
    "workload.spec.params[0].value",
    "workload.spec.params[-1].value",
    'workload.spec.params[?(@.name=="ratio")].value',
    'workload.spec.params[?(@.name!="port")].name',
    "workload.spec.params[1:3]",
    "workload.spec.params[::2].name",
    "workload.spec.env[*].name",
    "workload.spec.env[2].valueFrom",
    "workload.spec.resources.limits",
    "workload.spec.resources.requests.memory",
    "workload.spec.build.env[0]",
    "workload.spec.serviceClaims[0].ref",
    "workload.spec.source.git",
    "workload.spec.source.git.ref.tag",
    "workload.spec.source.image",
    "workload.status",
    "workload.status.conditions[0].lastTransitionTime",
    "workload.status.observedGeneration",
    "workload.status.resources[0].stampedRef",
    "workload.status.supplyChainRef.name",
    "workload.kind",
    "workload.ObjectMeta.Name",
    "workload.Spec.Params[0].Name",
    "params.port",
    "params.nested",
    "params.tags",
    "params.html",
    "params.nothing",
    "params.ratio",
    "params",
    "sources",
    "source",
    "source.url",
    "images.img.image",
    "image",
    "configs",
    "config",
    "config.a",
    "workload.spec.params[*].value",
    "workload.metadata.annotations",
    "workload.spec.env[?(@.valueFrom.fieldRef)].name",
    'workload.spec.params[?(@.name<"p")].name',
    "workload.spec.params[10]",
    "workload.metadata.labels.*",
    "workload.spec.source.*",
]


def _value(rng: random.Random) -> str:
    path = rng.choice(PATHS)
    form = rng.random()
    if form < 0.45:
        return f"$({path})$"
    if form < 0.85:
        return f"x-$({path})$-y"
    return f"$({path})$$({rng.choice(PATHS)})$"


def _corpus(root: Path, count: int, seed: int) -> None:
    rng = random.Random(seed)
    for index in range(count):
        case = root / f"case-{index:03d}"
        case.mkdir(parents=True)
        template = {
            "apiVersion": "carto.run/v1alpha1",
            "kind": "ClusterTemplate",
            "metadata": {"name": "t"},
            "spec": {
                "params": [{"name": "port", "default": 1}],
                "template": {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {"name": "f"},
                    "data": {f"k{j}": _value(rng) for j in range(rng.choice([1, 1, 2]))},
                },
            },
        }
        (case / "template.yaml").write_text(yaml.safe_dump(template))
        (case / "workload.yaml").write_text(rng.choice(OWNERS).read_text())
        info: dict[str, Any] = {"compareOptions": {"namedCMPOptionFuncs": ["ConvertNumbersToFloatsDuringComparison"]}}
        if rng.random() < 0.6:
            inputs: dict[str, Any] = {
                "sources": {"s1": {"url": "u1", "revision": rng.choice(["r", 3, None]), "name": "s1"}}
            }
            if rng.random() < 0.5:
                inputs["sources"]["s2"] = {"url": "u2", "revision": "r2"}
            inputs["images"] = {"img": {"image": rng.choice(["reg/x", {"nested": [1, 2]}]), "name": "img"}}
            inputs["configs"] = {"c": {"config": rng.choice([{"a": 1}, "text", [1, "b"], {"a": None}]), "name": "c"}}
            info["given"] = {"mockSupplyChain": {"blueprintInputs": inputs}}
        (case / "info.yaml").write_text(yaml.safe_dump(info))
        (case / "expected.yaml").write_text("apiVersion: v1\nkind: Placeholder\n")


@pytest.mark.parametrize("seed", [1, 2])
def test_random_templates_agree_with_cartotest(
    tmp_path: Path, seed: int, cartotest: Path, cartotest_env: dict[str, str]
) -> None:
    root = tmp_path / "fuzz"
    _corpus(root, 120, seed)
    we_fail = {str(path) for path, _ in write_expected(root)}
    theirs = run_cartotest(cartotest, root, cartotest_env)
    assert len(theirs.verdicts) == 120, theirs.output
    ours = {path: ("FAIL" if path in we_fail else "PASS") for path in theirs.verdicts}
    mismatches = {p: (ours[p], v) for p, v in theirs.verdicts.items() if ours[p] != v}
    assert not mismatches, f"(ours, cartotest) differ: {mismatches}\n{theirs.output[:4000]}"
    assert 20 < len(we_fail) < 100  # both outcomes are exercised
