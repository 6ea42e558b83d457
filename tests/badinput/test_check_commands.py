"""Bad input for `validate` and `lint`: clear messages naming file, document and field; exit 2 for unreadable
input, 1 for findings; never a traceback. Runs the real CLI in a subprocess (stdin, exit codes)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

COMMANDS = ["validate", "lint"]
CANARY = """\
apiVersion: flagger.app/v1beta1
kind: Canary
metadata: {name: podinfo}
spec:
  provider: kubernetes
  targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}
  service: {port: 9898}
  analysis:
    interval: 15s
    threshold: 5
    iterations: 10
    metrics: [{name: request-success-rate, thresholdRange: {min: 99}}]
"""


def run(*args: str, stdin: str | bytes | None = None) -> subprocess.CompletedProcess[str]:
    data = stdin.encode() if isinstance(stdin, str) else stdin
    proc = subprocess.run(
        [sys.executable, "-c", "from supplychain.cli import main; main()", *args],
        input=data,
        capture_output=True,
        timeout=120,
        check=False,
    )
    out = subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout.decode(), proc.stderr.decode())
    assert "Traceback" not in out.stderr + out.stdout, out.stderr
    return out


def write(tmp_path: Path, name: str, text: str | bytes) -> str:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return str(path)


@pytest.mark.parametrize("command", COMMANDS)
def test_malformed_yaml_names_file_and_line(command: str, tmp_path: Path) -> None:
    path = write(tmp_path, "bad.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x\n")
    out = run(command, path)
    assert out.returncode == 2
    assert f"error: {path}: malformed YAML at line" in out.stderr


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n---\n"])
def test_empty_input_is_an_error(command: str, text: str, tmp_path: Path) -> None:
    path = write(tmp_path, "empty.yaml", text)
    out = run(command, path)
    assert out.returncode == 2
    assert "no YAML documents found" in out.stderr and path in out.stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_an_empty_file_beside_a_good_one_is_fine(command: str, tmp_path: Path) -> None:
    empty = write(tmp_path, "empty.yaml", "")
    good = write(tmp_path, "good.yaml", CANARY)
    out = run(command, empty, good)
    assert out.returncode == 0, out.stdout + out.stderr


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(
    "doc,kind", [("- a\n- b\n", "list"), ("just text\n", "string"), ("42\n", "number"), ("true\n", "boolean")]
)
def test_non_mapping_documents_are_findings(command: str, doc: str, kind: str, tmp_path: Path) -> None:
    path = write(tmp_path, "odd.yaml", CANARY + "---\n" + doc)
    out = run(command, path)
    assert out.returncode == 1
    assert f"{path}: document 1 (?/?): error [document] a document must be a mapping" in out.stdout
    assert f"got a {kind}" in out.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_missing_path(command: str, tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.yaml")
    out = run(command, missing)
    assert out.returncode == 2
    assert f"error: {missing}: cannot read: No such file or directory" in out.stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_binary_file(command: str, tmp_path: Path) -> None:
    path = write(tmp_path, "blob.yaml", b"\xff\xfe\x00binary")
    out = run(command, path)
    assert out.returncode == 2
    assert f"error: {path}: cannot read" in out.stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_directory_without_yaml(command: str, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    out = run(command, str(tmp_path))
    assert out.returncode == 2
    assert "no YAML documents found" in out.stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_directory_is_walked(command: str, tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", CANARY)
    out = run(command, str(tmp_path))
    assert out.returncode == 0, out.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_stdin(command: str) -> None:
    assert run(command, "-", stdin=CANARY).returncode == 0
    empty = run(command, "-", stdin="")
    assert empty.returncode == 2 and "<stdin>: no YAML documents found" in empty.stderr
    broken = run(command, "-", stdin="a: [1, 2\n")
    assert broken.returncode == 2 and "error: <stdin>: malformed YAML" in broken.stderr
    twice = run(command, "-", "-", stdin=CANARY)
    assert twice.returncode == 2 and "only once" in twice.stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_usage_errors(command: str) -> None:
    assert run(command).returncode == 2
    assert run(command, "--output", "xml", "-", stdin=CANARY).returncode == 2


def test_validate_wrong_types_and_unknown_fields_name_the_field(tmp_path: Path) -> None:
    text = CANARY.replace("threshold: 5", "threshold: five").replace(
        "service: {port: 9898}", "service: {port: 9898, prot: 1}"
    )
    path = write(tmp_path, "c.yaml", text)
    out = run("validate", path)
    assert out.returncode == 1
    assert (
        f'{path}: document 0 (Canary/podinfo): spec.analysis.threshold: error [schema] must be a number, got string "five"'
        in out.stdout
    )
    assert (
        f"{path}: document 0 (Canary/podinfo): spec.service.prot: error [schema] unknown field 'prot'; did you mean 'port'?"
        in out.stdout
    )


HOSTILE = [
    "apiVersion: 5\nkind: [Canary]\nmetadata: []\n",
    "apiVersion: flagger.app/v1beta1\nkind: Canary\nmetadata: {name: x}\nspec: 7\n",
    "apiVersion: flagger.app/v1beta1\nkind: Canary\nmetadata: {name: x}\nspec: {analysis: [], targetRef: 1}\n",
    "apiVersion: flagger.app/v1beta1\nkind: Canary\nmetadata: {name: x}\nspec:\n  analysis: {interval: 5, iterations: '10', stepWeight: x, maxWeight: [1],"
    " metrics: [null, 1, {templateRef: x}, {templateRef: {name: [1]}}], webhooks: x, match: {a: b}}\n",
    "apiVersion: flagger.app/v1beta1\nkind: MetricTemplate\nmetadata: {name: m}\nspec: {provider: 1, query: [1]}\n",
    "apiVersion: flagger.app/v1beta1\nkind: MetricTemplate\nmetadata: {name: m}\nspec: {query: '{{ variables. }} {{'}\n",
    "apiVersion: carto.run/v1alpha1\nkind: ClusterSupplyChain\nmetadata: {name: s}\nspec: {resources: [null, 1, {templateRef: x, sources: 3}], selector: [1]}\n",
    "apiVersion: carto.run/v1alpha1\nkind: ClusterDelivery\nmetadata: {name: d}\nspec: {resources: [{name: a, templateRef: {kind: ClusterTemplate, options: [1, {selector: 2}]}, deployment: 1}]}\n",
    "apiVersion: carto.run/v1alpha1\nkind: ClusterTemplate\nmetadata: {name: t}\nspec: {template: 3, params: 1, healthRule: []}\n",
    "apiVersion: carto.run/v1alpha1\nkind: ClusterConfigTemplate\nmetadata: {name: t}\nspec: {configPath: 1, ytt: '#@ 1/0'}\n",
    "apiVersion: carto.run/v1alpha1\nkind: ClusterConfigTemplate\nmetadata: {name: t}\nspec: {configPath: .data, template: {apiVersion: v1, kind: ConfigMap, metadata: {name: x}, data: {a.yml: 'k: [1'}}}\n",
    "apiVersion: data.packaging.carvel.dev/v1alpha1\nkind: Package\nmetadata: {name: 1}\nspec: {refName: [], version: 1}\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: {b: c}}\n"
    + "---\n"
    + "x: "
    + "[" * 50
    + "]" * 50
    + "\n",
]


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("index", range(len(HOSTILE)))
def test_hostile_shapes_never_crash(command: str, index: int) -> None:
    out = run(command, "-", stdin=HOSTILE[index])
    assert out.returncode in (0, 1), out.stderr
    assert "<stdin>: document" in out.stdout or out.returncode == 0


@pytest.mark.parametrize("command", COMMANDS)
def test_json_output(command: str, tmp_path: Path) -> None:
    import json

    path = write(tmp_path, "c.yaml", CANARY.replace("interval: 15s", "interval: 5 s"))
    out = run(command, "-o", "json", path)
    report = json.loads(out.stdout)
    assert report["summary"]["errors"] >= 1 and out.returncode == 1
    first = report["findings"][0]
    assert first["file"] == path and first["document"] == {"index": 0, "kind": "Canary", "name": "podinfo"}
    assert first["path"] == "spec.analysis.interval" and first["severity"] == "error" and first["rule"]


HOSTILE_PARAM = "echo \")$ $(params.x)$ #@ load('x')\n--- 'single' \"double\" {{ name }}\""


def test_hostile_params_are_data_for_validate_and_lint(tmp_path: Path) -> None:
    """Params full of template syntax reach the stamped Canary verbatim and break nothing."""
    from supplychain.validation.stamper import default_stamper
    from supplychain.validation.subjects import expand
    from supplychain.yamlio import dump_documents, parse_documents

    bundle = run("render").stdout
    delivery = {
        "apiVersion": "carto.run/v1alpha1",
        "kind": "ClusterDelivery",
        "metadata": {"name": "hostile"},
        "spec": {
            "selector": {"app": "x"},
            "resources": [
                *(
                    {
                        "name": f"metric-{m}",
                        "templateRef": {"kind": "ClusterTemplate", "name": "canary-metric"},
                        "params": [{"name": "canary_metric", "value": m}],
                    }
                    for m in ("success-rate", "latency")
                ),
                {
                    "name": "canary",
                    "templateRef": {"kind": "ClusterTemplate", "name": "canary"},
                    "params": [{"name": "canary_conformance_cmd", "value": HOSTILE_PARAM}],
                },
            ],
        },
    }
    workload = {
        "apiVersion": "carto.run/v1alpha1",
        "kind": "Workload",
        "metadata": {"name": "w", "namespace": "n"},
        "spec": {"params": [{"name": "canary_load_cmd", "value": HOSTILE_PARAM}]},
    }
    text = bundle + dump_documents([delivery, workload])
    path = write(tmp_path, "hostile.yaml", text)
    for command in COMMANDS:
        out = run(command, path)
        assert out.returncode == 0, out.stdout + out.stderr
    subjects = expand(parse_documents(text, path), default_stamper()).subjects
    canaries = [s.body for s in subjects if s.kind == "Canary" and s.group == "ClusterDelivery/hostile"]
    assert len(canaries) == 1
    hooks = {h["name"]: h for h in canaries[0]["spec"]["analysis"]["webhooks"]}
    assert hooks["conformance"]["metadata"] == {"type": "bash", "cmd": HOSTILE_PARAM}
    assert set(canaries[0]) == {"apiVersion", "kind", "metadata", "spec"}


def test_lint_ignore(tmp_path: Path) -> None:
    path = write(tmp_path, "c.yaml", CANARY.replace("interval: 15s", "interval: 5s"))
    assert run("lint", path).returncode == 1
    assert run("lint", "--ignore", "canary-interval-min", path).returncode == 0
    unknown = run("lint", "--ignore", "no-such-rule", path)
    assert unknown.returncode == 2 and "unknown rule(s): no-such-rule" in unknown.stderr
