"""Running test case folders: cartotest-compatible cases (stamped together) and whole-chain cases."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..toolchain import tool
from ..yamlio import read_text
from . import gotypes as gt
from .blueprint import decode_blueprint, resolve_option
from .cases import Case, ChainCase, CompareOptions, discover
from .chain import realize
from .compare import diff, go_equal
from .errors import EvalError, InputError, SupplychainError
from .gojson import for_display, load_yaml_documents, to_interface, to_unstructured, yaml_to_json
from .loading import load_go_documents as load_documents
from .selector import SelectorError, best_matches
from .stamper import (
    BlueprintParam,
    Inputs,
    Owner,
    Source,
    Stamper,
    StampJob,
    build_context,
    decode_owner,
    merge_params,
    mock_labels,
    stamp_all,
    workload_labels,
)
from .templates import Template, check_unstructured, decode_template

CARTOTEST_TEMPLATE_KINDS = ("ClusterSourceTemplate", "ClusterImageTemplate", "ClusterConfigTemplate", "ClusterTemplate")


@dataclass
class Outcome:
    case: Case
    error: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.error is None


class _CaseFailure(Exception):
    pass


def _first_doc(path: str, what: str) -> Any:
    try:
        text = read_text(path)
    except InputError as err:
        raise _CaseFailure(f"could not read {what} file {path}: {err.message}") from None
    try:
        docs = load_yaml_documents(text)
    except yaml.YAMLError as err:
        raise _CaseFailure(f"{what} file {path} is not valid YAML: {getattr(err, 'problem', err)}") from None
    return docs[0] if docs else None


def _ytt_preprocess(files: list[str]) -> str:
    """cartotest's ytt pre-processing of a template or supply chain with a values file."""
    args = [tool("ytt"), "--ignore-unknown-comments"]
    for path in files:
        args += ["-f", path]
    proc = subprocess.run(args, capture_output=True, text=True, check=False, timeout=60)
    if proc.returncode != 0:
        raise _CaseFailure(f"failed to preprocess ytt: {proc.stderr.strip()}")
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False, encoding="utf-8") as handle:
        handle.write(proc.stdout)
        return handle.name


def _read_template(case: Case) -> Template:
    settings = case.settings
    assert settings is not None
    path = settings.template_path
    if not path:
        raise _CaseFailure("no template: add template.yaml or info.yaml given.template.path")
    if settings.template_ytt_files:
        path = _ytt_preprocess([path, *settings.template_ytt_files])
    raw = _first_doc(path, "template")
    kind = raw.get("kind") if isinstance(raw, dict) else None
    if kind not in CARTOTEST_TEMPLATE_KINDS:
        raise _CaseFailure(
            f"get populated template failed: template kind not found ({kind!r}; cartotest tests "
            f"{', '.join(CARTOTEST_TEMPLATE_KINDS)})"
        )
    try:
        return decode_template(raw)
    except EvalError as err:
        raise _CaseFailure(f"template validation failed: {err}") from None


def _blueprint_params(items: list[gt.StructVal] | None) -> list[BlueprintParam]:
    out = []
    for item in items or []:
        param = BlueprintParam(item.get("Name"), item.get("Value"), item.get("DefaultValue"))
        if param.value is None and param.default is None:
            raise _CaseFailure(
                f"mock blueprint param [{param.name}] sets neither value nor default "
                "(cartotest v0.8.11 crashes on this)"
            )
        out.append(param)
    return out


def _mock_job(case: Case, owner: Owner, template: Template) -> StampJob:
    settings = case.settings
    assert settings is not None
    params = merge_params(template.params, _blueprint_params(settings.mock.params), [], owner.params)
    raw_inputs = settings.mock.inputs
    if raw_inputs is None:
        inputs = Inputs(sources=None, images=None, configs=None)
    else:
        inputs = Inputs(
            sources=raw_inputs.get("Sources"), images=raw_inputs.get("Images"), configs=raw_inputs.get("Configs")
        )
    labels = mock_labels(owner, template)
    return StampJob(template, owner, build_context(owner, params, inputs, labels, mock=True), labels)


def _chain_job(case: Case, owner: Owner, template: Template) -> StampJob:
    settings = case.settings
    assert settings is not None and settings.chain is not None
    chain = settings.chain
    files: list[str] = []
    for path in chain.paths:
        p = Path(path)
        if p.is_dir():
            files += [str(e) for e in sorted(p.iterdir())]
        elif p.exists():
            files.append(path)
        else:
            raise _CaseFailure(f"get supplychain: could not get fileinfo for path: {path}")
    blueprints = []
    for path in files:
        source = _ytt_preprocess([path, *chain.ytt_files]) if chain.ytt_files else path
        try:
            blueprints.append(
                decode_blueprint(_first_doc(source, "supply chain"), force_kind="ClusterSupplyChain", validate=False)
            )
        except EvalError as err:
            raise _CaseFailure(f"get supplychain: could not read supply chain file {path}: {err}") from None
    boxed = gt.Boxed(owner.typed, owner.go_type)
    try:
        best = best_matches(boxed, owner.labels, [b.selector for b in blueprints])
    except SelectorError as err:
        raise _CaseFailure(f"get supplychain: evaluating supply chain selectors failed: {err}") from None
    if not best:
        raise _CaseFailure(
            f"get supplychain: no supply chain [{owner.namespace}/{owner.name}] found where full "
            f"selector is satisfied by labels: {owner.labels}"
        )
    if len(best) > 1:
        names = [blueprints[i].name for i in best]
        raise _CaseFailure(
            f"get supplychain: more than one supply chain selected for workload "
            f"[{owner.namespace}/{owner.name}]: {names}"
        )
    blueprint = blueprints[best[0]]
    resource = next((r for r in blueprint.resources if r.name == chain.target), None)
    if resource is None:
        raise _CaseFailure(
            f"get target resource: did not find a supply chain resource with target name: {chain.target}"
        )
    try:
        option = resolve_option(owner, resource, "")
    except EvalError as err:
        raise _CaseFailure(f"template matches resource: {err}") from None
    selected = option.name if option is not None else resource.template_name
    if selected != template.name or template.kind != resource.template_kind:
        raise _CaseFailure(
            f"template '{template.name}' is not selected by resource/stage '{resource.name}' in supply "
            f"chain '{blueprint.name}'"
        )
    previous = chain.previous_outputs or {}
    inputs = Inputs()
    assert inputs.sources is not None and inputs.images is not None and inputs.configs is not None
    for ref in resource.sources:
        out = previous.get(ref.resource)
        if out is not None and out.get("Source") is not None:
            src = out.get("Source")
            inputs.sources[ref.name] = Source(src.get("URL"), src.get("Revision"))
    for ref in resource.images:
        out = previous.get(ref.resource)
        if out is not None and out.get("Image") is not None:
            inputs.images[ref.name] = out.get("Image")
    for ref in resource.configs:
        out = previous.get(ref.resource)
        if out is not None and out.get("Config") is not None:
            inputs.configs[ref.name] = out.get("Config")
    params = merge_params(template.params, blueprint.params, resource.params, owner.params)
    labels = workload_labels(
        owner,
        blueprint.name,
        resource.name,
        resource.template_kind,
        resource.template_name,
        template.effective_lifecycle,
    )
    return StampJob(template, owner, build_context(owner, params, inputs, labels), labels)


def _strip(obj: Any, options: CompareOptions | None) -> Any:
    if not isinstance(obj, dict):
        return obj
    obj = dict(obj)
    obj.pop("status", None)
    if options is None:
        return obj
    meta = obj.get("metadata")
    if isinstance(meta, dict):
        meta = dict(meta)
        obj["metadata"] = meta
        if options.ignore_labels:
            meta.pop("labels", None)
    if options.ignore_metadata:
        obj.pop("metadata", None)
        meta = None
    if isinstance(meta, dict):
        if options.ignore_owner_refs:
            meta.pop("ownerReferences", None)
        for name in options.ignore_metadata_fields:
            meta.pop(name, None)
    return obj


@dataclass
class _Prepared:
    case: Case
    expected: Any = None
    job: StampJob | None = None
    error: str | None = None


def _prepare(case: Case) -> _Prepared:
    prepared = _Prepared(case)
    settings = case.settings
    assert settings is not None
    try:
        if case.problem:
            raise _CaseFailure(case.problem)
        if not settings.expected:
            raise _CaseFailure("no expected object: add expected.yaml or info.yaml expected")
        try:
            expected = to_unstructured(yaml_to_json(_first_doc(settings.expected, "expected")))
        except EvalError as err:
            raise _CaseFailure(f"failed to get expected object: {err}") from None
        try:
            check_unstructured(expected)
        except EvalError as err:
            raise _CaseFailure(f"failed to get expected object: {err}") from None
        prepared.expected = expected
        if not settings.workload:
            raise _CaseFailure("no workload: add workload.yaml or info.yaml given.workload")
        try:
            owner = decode_owner(_first_doc(settings.workload, "workload"), kind="Workload")
        except EvalError as err:
            raise _CaseFailure(f"get workload failed: {err}") from None
        template = _read_template(case)
        prepared.job = (
            _chain_job(case, owner, template) if settings.chain is not None else _mock_job(case, owner, template)
        )
    except _CaseFailure as err:
        prepared.error = str(err)
    return prepared


def _judge(prepared: _Prepared) -> Outcome:
    if prepared.error is not None:
        return Outcome(prepared.case, prepared.error)
    job = prepared.job
    assert job is not None and prepared.case.settings is not None
    if job.error is not None or job.result is None:
        return Outcome(prepared.case, f"could not stamp: {job.error}")
    options = prepared.case.settings.compare
    notes = options.borrowed(prepared.case.path) if options is not None else []
    expected = _strip(prepared.expected, options)
    actual = _strip(job.result, options)
    if go_equal(expected, actual, bool(options and options.numbers_as_floats)):
        return Outcome(prepared.case, notes=notes)
    return Outcome(
        prepared.case, "expected does not equal actual: (-expected +actual):\n" + diff(expected, actual), notes
    )


def _run_chain(case: Case, spec: ChainCase) -> Outcome:
    try:
        if not spec.owner:
            raise _CaseFailure("no owner.yaml")
        if not spec.blueprints:
            raise _CaseFailure("no blueprint.yaml")
        owner_docs = load_documents([spec.owner])
        outputs_docs = load_documents([spec.outputs]) if spec.outputs else []
        if not owner_docs:
            raise _CaseFailure(f"{spec.owner} holds no document")
        result = realize(
            load_documents(spec.blueprints),
            load_documents(spec.templates),
            owner_docs[0],
            outputs_docs[0] if outputs_docs else None,
        )
    except _CaseFailure as err:
        return Outcome(case, str(err))
    except SupplychainError as err:
        if spec.expected_error and spec.expected_error in str(err):
            return Outcome(case)
        return Outcome(case, f"stamping failed: {err}")
    if spec.expected_error:
        return Outcome(case, f"expected an error containing {spec.expected_error!r}, but stamping succeeded")
    if not spec.expected:
        return Outcome(case, "no expected.yaml (or info.yaml chain.expectedError)")
    try:
        expected = [
            to_unstructured(yaml_to_json(d))
            for d in load_yaml_documents(read_text(str(spec.expected)))
            if d is not None
        ]
    except InputError as err:
        return Outcome(case, f"cannot read {spec.expected}: {err.message}")
    except (yaml.YAMLError, EvalError) as err:
        return Outcome(case, f"cannot read {spec.expected}: {err}")
    actual = [to_unstructured(for_display(s.obj)) for s in result.stamped if s.obj is not None]
    if go_equal(expected, actual):
        return Outcome(case)
    return Outcome(case, "stamped objects differ: (-expected +actual):\n" + diff(expected, actual))


def stamp_cases(cases: list[Case]) -> list[tuple[Case, Any, str | None]]:
    """Stamp cartotest-layout CASES without judging them: (case, stamped object or None, error)."""
    prepared = [_prepare(c) for c in cases]
    stamp_all([p.job for p in prepared if p.job is not None and p.error is None])
    out: list[tuple[Case, Any, str | None]] = []
    for p in prepared:
        if p.error is not None or p.job is None:
            out.append((p.case, None, p.error))
        else:
            out.append((p.case, p.job.result, p.job.error))
    return out


def run_directory(root: Path, progress: Callable[[str], None] | None = None) -> tuple[list[Outcome], bool]:
    """Run every case under ROOT; returns the outcomes (in path order) and whether any case is focused."""
    cases = discover(root)
    focused = [c for c in cases if c.focus]
    selected = focused or cases
    template_cases = [c for c in selected if c.chain is None]
    chain_cases = [c for c in selected if c.chain is not None]
    if progress:
        progress(f"{len(template_cases)} template case(s), {len(chain_cases)} whole-chain case(s)")
    stamper = Stamper()
    prepared = []
    for case in template_cases:
        item = _prepare(case)
        if item.job is not None and item.error is None:
            stamper.submit(item.job)
        prepared.append(item)
    stamper.close()
    outcomes = [_judge(p) for p in prepared]
    for case in chain_cases:
        assert case.chain is not None
        outcomes.append(_run_chain(case, case.chain))
    outcomes.sort(key=lambda o: str(o.case.path))
    return outcomes, bool(focused)


__all__ = ["Outcome", "run_directory", "to_interface"]
