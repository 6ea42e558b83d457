"""Bad input to `supplychain stamp`, `test` and `graph`: a clear error naming file, document and field,
exit code 2, no traceback, and no output file written."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from .helpers import SUPPLYCHAIN

HERE = Path(__file__).resolve().parent
CHAIN = HERE / "chains" / "supply-chain"


def _stamp(
    tmp: Path,
    *,
    blueprint: str | None = None,
    templates: str | None = None,
    owner: str | None = None,
    outputs: str | None = None,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    files = {"blueprint.yaml": blueprint, "owner.yaml": owner, "outputs.yaml": outputs}
    for name, text in files.items():
        target = tmp / name
        if text is None:
            shutil.copy(CHAIN / name, target)
        else:
            target.write_text(text)
    tdir = tmp / "templates"
    if not tdir.exists():
        shutil.copytree(CHAIN / "templates", tdir)
    if templates is not None:
        (tdir / "extra.yaml").write_text(templates)
    args = [
        SUPPLYCHAIN,
        "stamp",
        "--blueprint",
        str(tmp / "blueprint.yaml"),
        "--templates",
        str(tdir),
        "--owner",
        "-" if stdin is not None else str(tmp / "owner.yaml"),
        "--outputs",
        str(tmp / "outputs.yaml"),
        "-o",
        str(tmp / "out.yaml"),
    ]
    return subprocess.run(args, capture_output=True, text=True, input=stdin, check=False)


def _assert_error(proc: subprocess.CompletedProcess[str], tmp: Path, *fragments: str) -> None:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.startswith("error: "), proc.stderr
    assert "Traceback" not in proc.stderr
    for fragment in fragments:
        assert fragment in proc.stderr, proc.stderr
    assert not (tmp / "out.yaml").exists(), "nothing may be written on error"


def _owner(**spec_changes: object) -> str:
    owner = yaml.safe_load((CHAIN / "owner.yaml").read_text())
    owner["spec"].update(spec_changes)
    return yaml.safe_dump(owner)


def test_good_input_writes_the_file(tmp_path: Path) -> None:
    proc = _stamp(tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "out.yaml").read_text() == (CHAIN / "expected.yaml").read_text()


def test_malformed_owner_yaml(tmp_path: Path) -> None:
    _assert_error(
        _stamp(tmp_path, owner="kind: Workload\nmetadata: {name: [\n"),
        tmp_path,
        f"{tmp_path / 'owner.yaml'}: malformed YAML at line",
    )


def test_owner_with_a_wrong_field_type(tmp_path: Path) -> None:
    _assert_error(
        _stamp(tmp_path, owner=_owner(params="port=8080")),
        tmp_path,
        "owner.yaml: document 0 (Workload/shop): spec:",
        "cannot unmarshal string",
        "[]v1alpha1.OwnerParam at spec.params",
    )


def test_owner_of_the_wrong_kind(tmp_path: Path) -> None:
    _assert_error(
        _stamp(tmp_path, owner="apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"),
        tmp_path,
        "owner.yaml: document 0 (ConfigMap/x): kind: owner kind must be Workload or Deliverable",
    )


def test_owner_from_stdin_is_named(tmp_path: Path) -> None:
    _assert_error(_stamp(tmp_path, stdin="- just\n- a list\n"), tmp_path, "<stdin>: document 0", "YAML mapping")


def test_malformed_blueprint(tmp_path: Path) -> None:
    bp = yaml.safe_load((CHAIN / "blueprint.yaml").read_text())
    bp["spec"]["resources"] = {"not": "a list"}
    _assert_error(
        _stamp(tmp_path, blueprint=yaml.safe_dump(bp)),
        tmp_path,
        "blueprint.yaml: document 0 (ClusterSupplyChain/small): spec:",
        "cannot unmarshal object",
        "spec.resources",
    )


def test_blueprint_breaking_a_webhook_rule(tmp_path: Path) -> None:
    bp = yaml.safe_load((CHAIN / "blueprint.yaml").read_text())
    bp["spec"]["resources"][1]["name"] = "source-provider"
    _assert_error(
        _stamp(tmp_path, blueprint=yaml.safe_dump(bp)),
        tmp_path,
        "(ClusterSupplyChain/small): spec.resources[1].name: duplicate resource name [source-provider]",
    )


def test_blueprint_param_with_value_and_default(tmp_path: Path) -> None:
    bp = yaml.safe_load((CHAIN / "blueprint.yaml").read_text())
    bp["spec"]["params"][0]["default"] = "x"
    _assert_error(
        _stamp(tmp_path, blueprint=yaml.safe_dump(bp)),
        tmp_path,
        "spec.params[0]: param [registry] is invalid: must set exactly one of value and default",
    )


def test_no_blueprint_in_the_file(tmp_path: Path) -> None:
    _assert_error(
        _stamp(tmp_path, blueprint="apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"),
        tmp_path,
        "no ClusterSupplyChain or ClusterDelivery found",
    )


def test_unknown_template_kind_in_a_resource(tmp_path: Path) -> None:
    bp = yaml.safe_load((CHAIN / "blueprint.yaml").read_text())
    bp["spec"]["resources"][3]["templateRef"]["kind"] = "ClusterConfigurationTemplate"
    _assert_error(
        _stamp(tmp_path, blueprint=yaml.safe_dump(bp)),
        tmp_path,
        "spec.resources[3].templateRef.kind: unknown template kind 'ClusterConfigurationTemplate'",
    )


def test_unknown_template_kind_in_the_templates(tmp_path: Path) -> None:
    extra = "apiVersion: carto.run/v1alpha1\nkind: ClusterBuildTemplate\nmetadata: {name: b}\nspec: {}\n"
    _assert_error(
        _stamp(tmp_path, templates=extra),
        tmp_path,
        "extra.yaml: document 0 (ClusterBuildTemplate/b): kind: unknown template kind 'ClusterBuildTemplate'",
    )


def test_invalid_template(tmp_path: Path) -> None:
    extra = (
        "apiVersion: carto.run/v1alpha1\nkind: ClusterTemplate\nmetadata: {name: writer}\nspec:\n"
        "  ytt: 'a: b'\n  template: {kind: ConfigMap}\n"
    )
    (tmp_path / "templates").mkdir()
    shutil.copy(CHAIN / "templates" / "source.yaml", tmp_path / "templates")
    text = (CHAIN / "templates" / "build.yaml").read_text()
    (tmp_path / "templates" / "build.yaml").write_text(
        text[: text.index("---\napiVersion: carto.run/v1alpha1\nkind: ClusterTemplate")]
    )
    _assert_error(
        _stamp(tmp_path, templates=extra),
        tmp_path,
        "extra.yaml: document 0 (ClusterTemplate/writer): spec: invalid template: must specify one of "
        "template or ytt, found both",
    )


def test_missing_template(tmp_path: Path) -> None:
    bp = yaml.safe_load((CHAIN / "blueprint.yaml").read_text())
    bp["spec"]["resources"][4]["templateRef"]["name"] = "nope"
    _assert_error(
        _stamp(tmp_path, blueprint=yaml.safe_dump(bp)),
        tmp_path,
        "spec.resources[4].templateRef: ClusterTemplate 'nope' not found in the --templates given",
    )


@pytest.mark.parametrize(
    "change,fragment",
    [
        (
            lambda r: r[0].update(sources=[{"name": "loop", "resource": "tests"}]),
            "spec.resources[0].sources[0].resource: input [loop] of resource [source-provider] comes from [tests], which is "
            "realized later",
        ),
        (
            lambda r: r[4].update(configs=[{"name": "app", "resource": "nowhere"}]),
            "spec.resources[4].configs[0].resource: invalid configs for resource [writer]: [app] is provided by unknown "
            "resource [nowhere]",
        ),
    ],
    ids=["cycle", "dangling"],
)
def test_cycles_and_dangling_inputs(tmp_path: Path, change: object, fragment: str) -> None:
    bp = yaml.safe_load((CHAIN / "blueprint.yaml").read_text())
    change(bp["spec"]["resources"])  # type: ignore[operator]
    _assert_error(_stamp(tmp_path, blueprint=yaml.safe_dump(bp)), tmp_path, fragment)


def test_missing_controller_output(tmp_path: Path) -> None:
    _assert_error(
        _stamp(tmp_path, outputs="source-provider:\n  source: {url: u, revision: r}\n"),
        tmp_path,
        "spec.resources[3]: resource [app-config] needs input [app] from [image-provider]",
        "give it in --outputs as `image-provider: {image: ...}`",
    )


def test_outputs_for_an_unknown_resource(tmp_path: Path) -> None:
    _assert_error(
        _stamp(tmp_path, outputs="imagee-provider:\n  image: x\n"),
        tmp_path,
        "outputs.yaml: document 0: imagee-provider: outputs given for resource(s) not in ClusterSupplyChain small",
    )


def test_outputs_of_the_wrong_shape(tmp_path: Path) -> None:
    _assert_error(
        _stamp(tmp_path, outputs="image-provider:\n  img: x\n"),
        tmp_path,
        "outputs.yaml: document 0: image-provider: unknown output key(s) img",
    )


def test_a_failing_stamp_names_template_and_field(tmp_path: Path) -> None:
    owner = yaml.safe_load((CHAIN / "owner.yaml").read_text())
    del owner["spec"]["source"]
    _assert_error(
        _stamp(tmp_path, owner=yaml.safe_dump(owner)),
        tmp_path,
        "source.yaml: document 0 (ClusterSourceTemplate/git): spec.template: resource [source-provider]: "
        "failed to interpolate template at path [spec.url]: evaluate tag $(workload.spec.source.git.url)$: "
        "jsonpath returned empty list",
    )


HOSTILE = {
    "yaml": "x\nkind: Secret\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: stolen}",
    "template": "$(workload.metadata.name)$ and $(params.registry)$",
    "ytt": '#@ data.values.workload\n#@ load("@ytt:data", "data")',
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_params_cannot_inject_yaml_or_template_syntax(tmp_path: Path, kind: str) -> None:
    """A param value reaches the stamped object verbatim: no new fields, documents or evaluation."""
    value = HOSTILE[kind]
    templates = tmp_path / "templates"
    shutil.copytree(CHAIN / "templates", templates)
    build = (templates / "build.yaml").read_text()
    build = build.replace(
        '      revisions: #@ data.values.sources.code.revision + " " + data.values.sources.tested.revision',
        '      revisions: #@ data.values.sources.code.revision + " " + data.values.sources.tested.revision\n'
        "      note: #@ data.values.params.note",
    )
    build = build.replace(
        '        message: "deploy $(workload.metadata.name)$ with $(configs.app.config)$"',
        '        message: "deploy $(workload.metadata.name)$ with $(configs.app.config)$"\n'
        '        note: $(params.note)$\n        spliced: "note=$(params.note)$"',
    )
    (templates / "build.yaml").write_text(build)
    owner = yaml.safe_load((CHAIN / "owner.yaml").read_text())
    owner["spec"]["params"].append({"name": "note", "value": value})
    proc = _stamp(tmp_path, owner=yaml.safe_dump(owner))
    assert proc.returncode == 0, proc.stderr
    docs = [d for d in yaml.safe_load_all((tmp_path / "out.yaml").read_text()) if d]
    assert [d["kind"] for d in docs] == ["GitRepository", "Image", "ConfigMap", "Runnable"]
    config, runnable = docs[2], docs[3]
    assert config["data"]["note"] == value
    assert runnable["spec"]["inputs"]["note"] == value
    assert runnable["spec"]["inputs"]["spliced"] == "note=" + value
    assert sorted(runnable["spec"]["inputs"]) == ["files", "message", "note", "spliced"]


def test_test_command_on_a_missing_directory(tmp_path: Path) -> None:
    proc = subprocess.run([SUPPLYCHAIN, "test", str(tmp_path / "nope")], capture_output=True, text=True, check=False)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"{tmp_path / 'nope'}: not a directory" in proc.stderr


def test_test_command_with_a_broken_info_file(tmp_path: Path) -> None:
    case = tmp_path / "cases" / "one"
    case.mkdir(parents=True)
    (case / "info.yaml").write_text("given:\n  workload: [1, 2]\n")
    proc = subprocess.run([SUPPLYCHAIN, "test", str(tmp_path / "cases")], capture_output=True, text=True, check=False)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"{case / 'info.yaml'}: document 0: unmarshal failed" in proc.stderr


def test_graph_rejects_other_formats(tmp_path: Path) -> None:
    proc = subprocess.run(
        [SUPPLYCHAIN, "graph", "--blueprint", str(CHAIN / "blueprint.yaml"), "-o", str(tmp_path / "g.jpg")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2 and "must end in .svg or .png" in proc.stderr
    assert not (tmp_path / "g.jpg").exists()
