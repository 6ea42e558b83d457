"""Hostile documents for validate, lint, stamp and render: YAML bombs and deep nesting fail fast naming the
file and line; names, numbers and paths the API server or Cartographer would refuse are findings."""

from __future__ import annotations

from pathlib import Path

import pytest

from .runner import CANARY, cli

BOMB = 'l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' + "".join(
    f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 9)
)
DEEP = "- " * 20_000 + "1\n"


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def stamp_args(tmp_path: Path, owner: str) -> list[str]:
    blueprint = write(
        tmp_path,
        "blueprint.yaml",
        """\
apiVersion: carto.run/v1alpha1
kind: ClusterSupplyChain
metadata: {name: chain}
spec:
  selector: {app: x}
  resources: [{name: cm, templateRef: {kind: ClusterTemplate, name: cm}}]
""",
    )
    template = write(
        tmp_path,
        "template.yaml",
        """\
apiVersion: carto.run/v1alpha1
kind: ClusterTemplate
metadata: {name: cm}
spec:
  template: {apiVersion: v1, kind: ConfigMap, metadata: {name: $(workload.metadata.name)$}}
""",
    )
    return ["stamp", "--blueprint", blueprint, "--templates", template, "--owner", owner]


@pytest.mark.parametrize(
    ("text", "what"),
    [
        (BOMB, r"line \d+, column \d+: aliases expand the document beyond"),
        (DEEP, "nesting depth"),
        ("a: &a [1, *a]\n", "refers to the node that contains it"),
    ],
    ids=["alias-bomb", "deep-nesting", "recursive-alias"],
)
@pytest.mark.parametrize("command", ["validate", "lint", "stamp", "render"])
def test_hostile_yaml_fails_fast_naming_file_and_line(command: str, text: str, what: str, tmp_path: Path) -> None:
    import re

    path = write(tmp_path, "hostile.yaml", text if command != "render" else "#@data/values\n---\n" + text)
    args = {
        "validate": ["validate", path],
        "lint": ["lint", path],
        "render": ["render", "-f", path],
        "stamp": stamp_args(tmp_path, path),
    }[command]
    out = cli(*args, timeout=30)
    assert out.returncode == 2, out.stdout + out.stderr
    assert path in out.stderr and re.search(what, out.stderr), out.stderr
    assert out.elapsed < 10  # type: ignore[attr-defined]


@pytest.mark.parametrize("command", ["validate", "lint"])
def test_duplicate_keys_name_the_line(command: str, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "dup.yaml",
        CANARY.replace("  service: {port: 9898}\n", "  service: {port: 9898}\n  service: {port: 80}\n"),
    )
    out = cli(command, path)
    assert (
        out.returncode == 2
        and f"{path}: malformed YAML at line 8, column 3: found duplicate key 'service'" in out.stderr
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Bad_Name", "'Bad_Name' is not a valid name"),
        ("héllo-app", "'héllo-app' is not a valid name"),
        ("x" * 5_000_000, "is longer than 253 characters (dns-1123-subdomain)"),
    ],
    ids=["underscore", "non-ascii", "5MB"],
)
def test_names_the_api_server_refuses(name: str, message: str, tmp_path: Path) -> None:
    path = write(tmp_path, "c.yaml", CANARY.replace("metadata: {name: podinfo, ", f"metadata: {{name: {name}, "))
    out = cli("validate", path)
    assert out.returncode == 1 and "metadata.name: error [schema] " in out.stdout and message in out.stdout
    assert len(out.stdout) < 5000, "the message does not echo a huge name"


def test_a_service_name_is_a_dns_1035_label(tmp_path: Path) -> None:
    path = write(
        tmp_path, "svc.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: 1svc}\nspec: {ports: [{port: 80}]}\n"
    )
    out = cli("validate", path)
    assert out.returncode == 1 and "'1svc' is not a valid name" in out.stdout and "dns-1035-label" in out.stdout


@pytest.mark.parametrize(
    ("bounds", "shown"), [("{min: .nan}", "NaN"), ("{max: .inf}", "+Inf"), ("{min: -.inf}", "-Inf")]
)
def test_non_finite_thresholds_are_findings(bounds: str, shown: str, tmp_path: Path) -> None:
    path = write(tmp_path, "c.yaml", CANARY.replace("thresholdRange: {min: 99}", f"thresholdRange: {bounds}"))
    out = cli("validate", path)
    assert out.returncode == 1
    assert (
        f"spec.analysis.metrics[0].thresholdRange.{bounds[1:4]}: error [schema] {shown} is not a JSON number"
        in out.stdout
    )


def test_a_broken_output_path_is_blamed_on_the_template(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "t.yaml",
        """\
apiVersion: carto.run/v1alpha1
kind: ClusterSourceTemplate
metadata: {name: src}
spec:
  urlPath: .status.artifact[url
  revisionPath: .status.artifact.revision
  template: {apiVersion: v1, kind: ConfigMap, metadata: {name: x}}
""",
    )
    out = cli("validate", path)
    assert out.returncode == 1
    assert (
        f"{path}: document 0 (ClusterSourceTemplate/src): spec.urlPath: error [template-path] "
        "'.status.artifact[url' is not a JSONPath Cartographer can evaluate: unterminated array" in out.stdout
    )


def test_lint_refuses_negative_iterations(tmp_path: Path) -> None:
    path = write(tmp_path, "c.yaml", CANARY.replace("iterations: 10", "iterations: -4"))
    out = cli("lint", path)
    assert out.returncode == 1 and "spec.analysis.iterations: error [canary-iterations-min]" in out.stdout


def test_stamp_refuses_a_param_without_a_name(tmp_path: Path) -> None:
    owner = write(
        tmp_path,
        "owner.yaml",
        """\
apiVersion: carto.run/v1alpha1
kind: Workload
metadata: {name: w, namespace: n1, labels: {app: x}}
spec:
  params: [{value: 1}]
""",
    )
    out = cli(*stamp_args(tmp_path, owner))
    assert out.returncode == 2, out.stdout + out.stderr
    assert owner in out.stderr and "spec.params[0].name" in out.stderr


def test_stamp_blames_a_broken_output_path_on_the_template(tmp_path: Path) -> None:
    chain = write(
        tmp_path,
        "chain.yaml",
        """\
apiVersion: carto.run/v1alpha1
kind: ClusterSupplyChain
metadata: {name: chain}
spec:
  selector: {app: x}
  resources:
  - name: source-provider
    templateRef: {kind: ClusterSourceTemplate, name: src}
  - name: consumer
    templateRef: {kind: ClusterTemplate, name: cm}
    sources: [{resource: source-provider, name: source}]
---
apiVersion: carto.run/v1alpha1
kind: ClusterSourceTemplate
metadata: {name: src}
spec:
  urlPath: .status.artifact[url
  revisionPath: .status.artifact.revision
  template: {apiVersion: v1, kind: ConfigMap, metadata: {name: $(workload.metadata.name)$-src}}
---
apiVersion: carto.run/v1alpha1
kind: ClusterTemplate
metadata: {name: cm}
spec:
  template: {apiVersion: v1, kind: ConfigMap, metadata: {name: $(workload.metadata.name)$}, data: {url: $(source.url)$}}
""",
    )
    owner = write(
        tmp_path,
        "owner.yaml",
        "apiVersion: carto.run/v1alpha1\nkind: Workload\n"
        "metadata: {name: w, namespace: n1, labels: {app: x}}\nspec: {}\n",
    )
    out = cli("stamp", "--blueprint", chain, "--templates", chain, "--owner", owner)
    assert out.returncode == 2, out.stdout + out.stderr
    assert f"{chain}: document 1 (ClusterSourceTemplate/src): spec.urlPath: " in out.stderr
    assert "'.status.artifact[url' is not a JSONPath Cartographer can evaluate" in out.stderr


def test_a_webhook_url_that_is_not_a_url_breaks_no_rule(tmp_path: Path) -> None:
    path = write(
        tmp_path, "c.yaml", CANARY + "    webhooks: [{name: gate, type: confirm-promotion, url: 'http://[::1'}]\n"
    )
    out = cli("lint", path)
    assert out.returncode in (0, 1) and "could not check" not in out.stdout


def test_a_rule_that_crashes_is_a_finding_not_a_traceback() -> None:
    import dataclasses

    from supplychain.linting import linter
    from supplychain.linting.context import LintContext
    from supplychain.linting.registry import RULES
    from supplychain.linting.rules import Hit
    from supplychain.validation.subjects import Subject
    from supplychain.yamlio import parse_documents

    def broken(subject: Subject, ctx: LintContext) -> list[Hit]:
        raise KeyError("boom")

    rule = dataclasses.replace(next(r for r in RULES if r.id == "canary-interval-min"), check=broken)
    result = linter.lint_documents(parse_documents(CANARY, "c.yaml"), stamp=False, rules=[rule])
    assert [f.message for f in result.findings] == [
        "rule canary-interval-min could not check this object (KeyError: 'boom'); this is a bug in the rule, "
        "please report it"
    ]


def test_stamp_outputs_with_a_number_json_cannot_hold(tmp_path: Path) -> None:
    owner = write(
        tmp_path,
        "owner.yaml",
        "apiVersion: carto.run/v1alpha1\nkind: Workload\n"
        "metadata: {name: w, namespace: n1, labels: {app: x}}\nspec: {}\n",
    )
    outputs = write(tmp_path, "outputs.yaml", "cm: {config: .inf}\n")
    out = cli(*stamp_args(tmp_path, owner), "--outputs", outputs)
    assert (
        out.returncode == 2 and f"{outputs}: document 0" in out.stderr and "JSON has no NaN or infinity" in out.stderr
    )


@pytest.mark.parametrize("command", ["validate", "lint"])
def test_an_endless_input_is_cut_off_not_a_hang(command: str) -> None:
    out = cli(command, "/dev/zero", timeout=60)
    assert out.returncode == 2 and "/dev/zero: larger than 67,108,864 bytes" in out.stderr


def test_reading_is_bounded(tmp_path: Path) -> None:
    from supplychain.errors import InputError
    from supplychain.yamlio import read_text

    path = write(tmp_path, "big.yaml", "a: " + "x" * 100)
    with pytest.raises(InputError, match=r"big.yaml: larger than 50 bytes"):
        read_text(path, limit=50)
    assert read_text(path, limit=200).startswith("a: x")


def test_a_case_folder_with_an_endless_file_fails_that_case(tmp_path: Path) -> None:
    case = tmp_path / "cases" / "endless"
    case.mkdir(parents=True)
    (case / "template.yaml").symlink_to("/dev/zero")
    (case / "workload.yaml").write_text("apiVersion: carto.run/v1alpha1\nkind: Workload\nmetadata: {name: w}\n")
    (case / "expected.yaml").symlink_to("/dev/zero")
    out = cli("test", str(tmp_path / "cases"), timeout=60)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "larger than 67,108,864 bytes" in out.stdout + out.stderr
