"""Validation speed: 5,000 rendered documents through `supplychain validate --no-stamp` and through kubeconform
(built from its pinned Go module by hack/install-kubeconform.sh), both against the same schemas.

The documents are what the product renders and stamps: the bundle (templates, RBAC, the overlay Secret), the
Carvel Package, TAP's supply chains and delivery patched by the overlay, and the objects stamped for the demo
Deliverable (Canary, MetricTemplates, ...; all of a kind with a pinned schema), repeated under distinct names
up to the count. The schemas are
the ones `validate` uses (pinned CRDs and Kubernetes OpenAPI, unknown fields refused), written out as one
JSON Schema file per kind in kubeconform's naming. `validate --no-stamp` also applies Cartographer's
webhook-only rules and the Package API rules; stamping templates for sample owners (which kubeconform cannot
do) is left out. Both must accept every document. Printed: the wall time of each and the ratio
supplychain / kubeconform (target <= 1.5), from the fastest of the runs, and the CPU time of each.

usage: python benchmarks/validate_bench.py [--documents N] [--runs N]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from supplychain.toolchain import bin_dir, versions
from supplychain.validation.schemas import SchemaRegistry

SUPPLYCHAIN = str(Path(sys.executable).parent / "supplychain")
TARGET = 1.5
CHAINS = sorted((REPO / "tests" / "fixtures" / "ootb").glob("*.yaml"))


def _kubeconform() -> str:
    binary = bin_dir() / "kubeconform"
    if not binary.exists():
        print("==> building kubeconform (hack/install-kubeconform.sh)", file=sys.stderr, flush=True)
        subprocess.run(["nice", "bash", str(REPO / "hack" / "install-kubeconform.sh")], check=True)
    return str(binary)


def _cli(*args: str) -> list[dict[str, Any]]:
    proc = subprocess.run([SUPPLYCHAIN, *args], capture_output=True, text=True, check=False, cwd=REPO)
    if proc.returncode != 0:
        raise SystemExit(f"supplychain {' '.join(args)} failed:\n{proc.stderr}")
    return [d for d in yaml.safe_load_all(proc.stdout) if isinstance(d, dict)]


def rendered_documents(work: Path) -> list[dict[str, Any]]:
    """One copy of everything the product renders and stamps."""
    bundle = _cli("render", "--package")
    chains = _cli("render", "--only", "chains", *[a for c in CHAINS for a in ("--chains", str(c))])
    (work / "bundle.yaml").write_text(yaml.safe_dump_all(bundle))
    (work / "delivery.yaml").write_text(yaml.safe_dump_all([c for c in chains if c["kind"] == "ClusterDelivery"]))
    stamped = _cli(
        "stamp",
        "--blueprint",
        str(work / "delivery.yaml"),
        "--templates",
        str(work / "bundle.yaml"),
        "--templates",
        str(REPO / "tests" / "fixtures" / "ootb-templates" / "delivery.yaml"),
        "--owner",
        str(REPO / "examples" / "demo" / "deliverable.yaml"),
        "--outputs",
        str(REPO / "examples" / "demo" / "outputs.yaml"),
    )
    registry = SchemaRegistry()  # (the delivery also stamps a Flux GitRepository, which has no pinned schema)
    return [d for d in bundle + chains + stamped if registry.lookup(d["apiVersion"], d["kind"]) is not None]


def repeated(documents: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    """COUNT documents: copies of DOCUMENTS, each copy's names made distinct."""
    out: list[dict[str, Any]] = []
    copy = 0
    while len(out) < count:
        for doc in documents:
            if len(out) == count:
                break
            clone = json.loads(json.dumps(doc))
            meta = clone.setdefault("metadata", {})
            if copy and meta.get("name"):
                suffix = f"-{copy}"
                if clone.get("kind") == "Package":  # a Package's name is <refName>.<version>
                    clone["spec"]["refName"] = f"c{copy}.{clone['spec']['refName']}"
                    meta["name"] = f"{clone['spec']['refName']}.{clone['spec']['version']}"
                elif clone.get("kind") == "PackageMetadata":
                    meta["name"] = f"c{copy}.{meta['name']}"
                else:
                    meta["name"] = meta["name"][: 63 - len(suffix)] + suffix
            out.append(clone)
        copy += 1
    return out


def write_schemas(documents: list[dict[str, Any]], directory: Path) -> int:
    """The schema `validate` uses for each kind, as <kind>-<group>-<version>.json (kubeconform's naming)."""
    registry = SchemaRegistry()
    kinds = {(d["apiVersion"], d["kind"]) for d in documents}
    for api_version, kind in sorted(kinds):
        schema = registry.lookup(api_version, kind)
        if schema is None:
            raise SystemExit(f"no pinned schema for {api_version} {kind}")
        group, _, version = api_version.rpartition("/")
        suffix = f"-{group.split('.')[0]}-{version}" if group else f"-{version}"
        body = {"$schema": "http://json-schema.org/draft-04/schema#", **schema.body}
        (directory / f"{kind.lower()}{suffix}.json").write_text(json.dumps(body))
    return len(kinds)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(argv: list[str], expect: str) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run, which must accept every document."""
    cpu = _children_cpu()
    started = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0 or expect not in proc.stdout + proc.stderr:
        raise SystemExit(
            f"{argv[0]} did not accept every document (wanted {expect!r}):\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}"
        )
    return elapsed, _children_cpu() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    kubeconform = _kubeconform()
    with tempfile.TemporaryDirectory(prefix="validate-bench-") as tmp:
        work = Path(tmp)
        print("==> rendering and stamping the product's documents", file=sys.stderr, flush=True)
        documents = repeated(rendered_documents(work), args.documents)
        data = work / "documents"  # files of 100 documents, as a repository of manifests would hold them
        data.mkdir()
        for start in range(0, len(documents), 100):
            part = data / f"part-{start // 100:03d}.yaml"
            part.write_text(yaml.safe_dump_all(documents[start : start + 100], sort_keys=False))
        schemas = work / "schemas"
        schemas.mkdir()
        kinds = write_schemas(documents, schemas)
        print(f"==> {len(documents)} documents of {kinds} kinds", file=sys.stderr, flush=True)
        ours_argv = [SUPPLYCHAIN, "validate", "--no-stamp", str(data)]
        theirs_argv = [
            kubeconform,
            "-summary",
            "-schema-location",
            str(schemas / "{{ .ResourceKind }}{{ .KindSuffix }}.json"),
            str(data),
        ]
        ours, theirs = [], []
        for run in range(1, args.runs + 1):
            print(f"==> run {run}/{args.runs}", file=sys.stderr, flush=True)
            ours.append(_timed(ours_argv, f"{len(documents)} document"))
            theirs.append(_timed(theirs_argv, f"Valid: {len(documents)}, Invalid: 0, Errors: 0"))
    # the fastest of the runs: the one least disturbed by other work on the machine
    ours_s, theirs_s = min(t for t, _ in ours), min(t for t, _ in theirs)
    ours_cpu, theirs_cpu = min(c for _, c in ours), min(c for _, c in theirs)
    print(f"documents: {len(documents)} ({kinds} kinds), runs: {args.runs} (fastest wall time; CPU time)")
    print(
        f"supplychain validate --no-stamp: {ours_s:.2f}s  CPU {ours_cpu:.2f}s  "
        f"(runs: {', '.join(f'{t:.2f}' for t, _ in ours)})"
    )
    print(
        f"kubeconform ({versions()['KUBECONFORM_VERSION']}):       {theirs_s:.2f}s  CPU {theirs_cpu:.2f}s  "
        f"(runs: {', '.join(f'{t:.2f}' for t, _ in theirs)})"
    )
    print(
        f"ratio supplychain / kubeconform: {ours_s / theirs_s:.2f}x wall, {ours_cpu / theirs_cpu:.2f}x CPU  "
        f"(target <= {TARGET})"
    )


if __name__ == "__main__":
    main()
