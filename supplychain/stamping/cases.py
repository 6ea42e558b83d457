"""Test case folders: cartotest's layout (with its inheritance rules) and whole-chain cases.

cartotest layout: every leaf directory is a case; ``info.yaml``, ``template.yaml``, ``workload.yaml``,
``expected.yaml``, ``template-ytt-values.yaml``, ``supply-chain*.yaml`` and ``supply-chain-ytt-values.yaml``
are read per directory, and template, workload, expected, focus and compare options are inherited by
sub-directories (the mock or real supply chain is not, exactly as in cartotest v0.8.11).

Whole-chain layout: a leaf directory with ``blueprint.yaml`` (or ``info.yaml`` key ``chain``) holds
``blueprint.yaml``, ``templates/`` (or ``templates.yaml``), ``owner.yaml``, optional ``outputs.yaml``, and
``expected.yaml`` (what ``supplychain stamp`` prints) or ``info.yaml`` ``chain.expectedError`` (a fragment
of the error it must fail with).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from ..yamlio import read_text
from . import gotypes as gt
from .errors import EvalError, InputError, Location
from .gojson import load_yaml_documents
from .stamper import BLUEPRINT_PARAM

_f = gt.Field


def _ptr(t: gt.GoType) -> gt.Ptr:
    return gt.Ptr(t)


_SOURCE = gt.Struct("templates.Source", (_f("URL", "url", gt.INTERFACE), _f("Revision", "revision", gt.INTERFACE)))
INFO_TYPE = gt.Struct(
    "testing.testInfo",
    (
        _f(
            "Metadata",
            "Metadata",
            gt.Struct(
                "testInfoMetadata",
                (_f("Name", "Name", _ptr(gt.STRING)), _f("Description", "Description", _ptr(gt.STRING))),
            ),
        ),
        _f(
            "Given",
            "Given",
            gt.Struct(
                "testInfoGiven",
                (
                    _f(
                        "Template",
                        "Template",
                        gt.Struct(
                            "testInfoTemplate",
                            (_f("Path", "Path", _ptr(gt.STRING)), _f("YttPath", "YttPath", _ptr(gt.STRING))),
                        ),
                    ),
                    _f("Workload", "Workload", _ptr(gt.STRING)),
                    _f(
                        "MockSupplyChain",
                        "MockSupplyChain",
                        gt.Struct(
                            "testInfoMockSC",
                            (
                                _f(
                                    "BlueprintInputs",
                                    "BlueprintInputs",
                                    _ptr(
                                        gt.Struct(
                                            "testing.Inputs",
                                            (
                                                _f("Sources", "Sources", gt.Map(gt.SOURCE_INPUT)),
                                                _f("Images", "Images", gt.Map(gt.IMAGE_INPUT)),
                                                _f("Configs", "Configs", gt.Map(gt.CONFIG_INPUT)),
                                                _f("Deployment", "Deployment", _ptr(gt.SOURCE_INPUT)),
                                            ),
                                        )
                                    ),
                                ),
                                _f("BlueprintParams", "BlueprintParams", gt.Slice(BLUEPRINT_PARAM)),
                            ),
                        ),
                    ),
                    _f(
                        "SupplyChain",
                        "SupplyChain",
                        gt.Struct(
                            "testInfoSupplyChain",
                            (
                                _f("Paths", "Paths", gt.Slice(gt.STRING)),
                                _f("YttPath", "YttPath", _ptr(gt.STRING)),
                                _f("TargetResourceName", "TargetResourceName", _ptr(gt.STRING)),
                                _f(
                                    "PreviousOutputs",
                                    "PreviousOutputs",
                                    _ptr(
                                        gt.Map(
                                            _ptr(
                                                gt.Struct(
                                                    "templates.Output",
                                                    (
                                                        _f("Source", "Source", _ptr(_SOURCE)),
                                                        _f("Image", "Image", gt.INTERFACE),
                                                        _f("Config", "Config", gt.INTERFACE),
                                                    ),
                                                )
                                            )
                                        )
                                    ),
                                ),
                            ),
                        ),
                    ),
                ),
            ),
        ),
        _f("Expected", "Expected", _ptr(gt.STRING)),
        _f("Focus", "Focus", _ptr(gt.BOOL)),
        _f(
            "CompareOptions",
            "CompareOptions",
            gt.Struct(
                "testInfoCompareOptions",
                (
                    _f("IgnoreMetadata", "IgnoreMetadata", _ptr(gt.BOOL)),
                    _f("IgnoreOwnerRefs", "IgnoreOwnerRefs", _ptr(gt.BOOL)),
                    _f("IgnoreLabels", "IgnoreLabels", _ptr(gt.BOOL)),
                    _f("IgnoreMetadataFields", "IgnoreMetadataFields", gt.Slice(gt.STRING)),
                    _f("NamedCMPOptionFuncs", "NamedCMPOptionFuncs", gt.Slice(gt.STRING)),
                ),
            ),
        ),
    ),
)


@dataclass
class MockChain:
    """cartotest's mock supply chain: blueprint params and inputs given in info.yaml."""

    inputs: gt.StructVal | None = None
    params: list[gt.StructVal] | None = None


@dataclass
class ChainFileSet:
    """cartotest's real supply chain: files, optional ytt values, target resource, previous outputs."""

    paths: list[str] = field(default_factory=list)
    ytt_files: list[str] = field(default_factory=list)
    target: str = ""
    previous_outputs: dict[str, Any] | None = None


@dataclass(eq=False)
class CompareOptions:
    """cartotest's CompareOptions; one object may be shared by a subtree of cases (see _compare_options)."""

    ignore_metadata: bool = False
    ignore_owner_refs: bool = False
    ignore_labels: bool = False
    ignore_metadata_fields: list[str] = field(default_factory=list)
    numbers_as_floats: bool = False
    set_by: dict[str, Path] = field(default_factory=dict)  # option -> folder whose info.yaml set it last

    def set(self, option: str, value: object, directory: Path) -> None:
        setattr(self, option, value)
        self.set_by[option] = directory

    def borrowed(self, case: Path) -> list[str]:
        """Options that apply to CASE although neither it nor an ancestor folder set them (the sharing quirk)."""
        notes = []
        for option, source in sorted(self.set_by.items()):
            if source != case and source not in case.parents:
                notes.append(
                    f"compareOptions {_INFO_NAMES[option]} = {_show(getattr(self, option))} comes from "
                    f"{source / 'info.yaml'} (cartotest shares compare options across sibling folders)"
                )
        return notes


_INFO_NAMES = {
    "ignore_metadata": "ignoreMetadata",
    "ignore_owner_refs": "ignoreOwnerRefs",
    "ignore_labels": "ignoreLabels",
    "ignore_metadata_fields": "ignoreMetadataFields",
    "numbers_as_floats": "namedCMPOptionFuncs ConvertNumbersToFloatsDuringComparison",
}


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass
class CaseSettings:
    template_path: str = ""
    template_ytt_files: list[str] = field(default_factory=list)
    workload: str | None = None
    expected: str | None = None
    focus: bool = False
    compare: CompareOptions | None = None
    mock: MockChain = field(default_factory=MockChain)
    chain: ChainFileSet | None = None


@dataclass
class ChainCase:
    blueprints: list[str]
    templates: list[str]
    owner: str
    outputs: str | None
    expected: str | None
    expected_error: str | None


@dataclass
class Case:
    path: Path
    name: str | None = None
    description: str | None = None
    settings: CaseSettings | None = None
    chain: ChainCase | None = None
    problem: str | None = None  # a settings error that fails this case only

    @property
    def focus(self) -> bool:
        return bool(self.settings and self.settings.focus)


def read_info(directory: Path) -> tuple[gt.StructVal, dict[str, Any]]:
    """info.yaml decoded as cartotest decodes it, plus its raw mapping (for our own keys)."""
    path = directory / "info.yaml"
    if not path.exists():
        return gt.zero(INFO_TYPE), {}
    try:
        docs = load_yaml_documents(read_text(str(path)))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise InputError(f"malformed YAML{where}: {getattr(err, 'problem', err)}", Location(str(path))) from None
    raw = docs[0] if docs else None
    try:
        typed = gt.decode(raw, INFO_TYPE)
    except EvalError as err:
        raise InputError(f"unmarshal failed: {err}", Location(str(path), 0)) from None
    return typed, raw if isinstance(raw, dict) else {}


def _local(directory: Path, default: str, priority: str | None) -> str:
    """cartotest's getLocallySpecifiedPath."""
    if priority is not None:
        return str(directory / priority)
    candidate = directory / default
    return str(candidate) if candidate.exists() else ""


def _populate(settings: CaseSettings, directory: Path, info: gt.StructVal) -> tuple[CaseSettings, str | None]:
    settings = replace(settings, template_ytt_files=list(settings.template_ytt_files))
    given = info.get("Given")
    template = given.get("Template")
    path = _local(directory, "template.yaml", template.get("Path"))
    if path:
        settings.template_path = path
    ytt = _local(directory, "template-ytt-values.yaml", template.get("YttPath"))
    if ytt:
        settings.template_ytt_files = [ytt]
    workload = _local(directory, "workload.yaml", given.get("Workload"))
    if workload:
        settings.workload = workload
    expected = _local(directory, "expected.yaml", info.get("Expected"))
    if expected:
        settings.expected = expected
    if info.get("Focus") is not None:
        settings.focus = bool(info.get("Focus"))
    settings.compare = _compare_options(settings.compare, info.get("CompareOptions"), directory)
    mock_info = given.get("MockSupplyChain")
    settings.mock = MockChain(mock_info.get("BlueprintInputs"), mock_info.get("BlueprintParams"))
    mock_specified = settings.mock.inputs is not None or settings.mock.params is not None
    chain_info = given.get("SupplyChain")
    chain = ChainFileSet()
    if chain_info.get("TargetResourceName") is not None:
        chain.target = chain_info.get("TargetResourceName")
    if chain_info.get("PreviousOutputs") is not None:
        chain.previous_outputs = chain_info.get("PreviousOutputs")
    chain_ytt = _local(directory, "supply-chain-ytt-values.yaml", chain_info.get("YttPath"))
    if chain_ytt:
        chain.ytt_files = [chain_ytt]
    chain_specified = False
    if chain_info.get("Paths"):
        chain.paths = list(chain_info.get("Paths"))
        chain_specified = True
    else:
        found = sorted(
            str(directory / n) for n in os.listdir(directory) if n.startswith("supply-chain") and n.endswith(".yaml")
        )
        if found:
            chain.paths = found
            chain_specified = True
    problem = None
    if mock_specified and chain_specified:  # cartotest refuses the whole suite
        raise InputError(
            "only one of mock supply chain (given.mockSupplyChain) and real supply chain "
            "(given.supplyChain or supply-chain*.yaml) may be specified",
            Location(str(directory)),
        )
    settings.chain = (
        chain if (chain.ytt_files or chain.paths or chain.target or chain.previous_outputs is not None) else None
    )
    return settings, problem


def _compare_options(previous: CompareOptions | None, raw: gt.StructVal, directory: Path) -> CompareOptions | None:
    """cartotest's populateCompareOptions, sharing included.

    cartotest copies a folder's settings into each sub-folder by value, but the compare options are a
    pointer: once a folder has any, its whole subtree shares one object, and a sub-folder that sets an
    option changes it for its siblings too (for those judged earlier as well, since every case is judged
    after the whole tree is read). We copy that, so verdicts agree, and note where an option came from.
    """
    options = previous

    def ensure() -> CompareOptions:
        nonlocal options
        if options is None:
            options = CompareOptions()
        return options

    for key, attr in (
        ("IgnoreMetadata", "ignore_metadata"),
        ("IgnoreOwnerRefs", "ignore_owner_refs"),
        ("IgnoreLabels", "ignore_labels"),
    ):
        if raw.get(key) is not None:
            ensure().set(attr, bool(raw.get(key)), directory)
    if raw.get("IgnoreMetadataFields") is not None:
        ensure().set("ignore_metadata_fields", list(raw.get("IgnoreMetadataFields")), directory)
    for name in raw.get("NamedCMPOptionFuncs") or []:
        if name == "ConvertNumbersToFloatsDuringComparison":
            ensure().set("numbers_as_floats", True, directory)
    return options


def _chain_case(directory: Path, raw_info: dict[str, Any]) -> ChainCase | None:
    spec = raw_info.get("chain")
    if spec is None and not (directory / "blueprint.yaml").exists():
        return None
    spec = spec if isinstance(spec, dict) else {}

    def paths(key: str, default: str) -> list[str]:
        value = spec.get(key)
        if value is None:
            return [str(directory / default)] if (directory / default).exists() else []
        items = value if isinstance(value, list) else [value]
        return [str(directory / str(v)) for v in items]

    templates = paths("templates", "templates")
    if not templates:
        templates = paths("templates", "templates.yaml")
    owner = paths("owner", "owner.yaml")
    outputs = paths("outputs", "outputs.yaml")
    expected = paths("expected", "expected.yaml")
    error = spec.get("expectedError")
    return ChainCase(
        blueprints=paths("blueprint", "blueprint.yaml"),
        templates=templates,
        owner=owner[0] if owner else "",
        outputs=outputs[0] if outputs else None,
        expected=expected[0] if expected else None,
        expected_error=str(error) if error else None,
    )


def discover(root: Path) -> list[Case]:
    """Every case under ROOT (leaf directories), with inherited cartotest settings."""
    if not root.is_dir():
        raise InputError("not a directory", Location(str(root)))
    cases: list[Case] = []
    _walk(root, CaseSettings(), cases)
    return sorted(cases, key=lambda c: str(c.path))


def _walk(directory: Path, inherited: CaseSettings, out: list[Case]) -> None:
    info, raw = read_info(directory)
    settings, problem = _populate(inherited, directory, info)
    chain = _chain_case(directory, raw)
    subdirs = sorted(p for p in directory.iterdir() if p.is_dir())
    if subdirs and chain is None:  # a whole-chain case keeps its templates/ folder
        for sub in subdirs:
            _walk(sub, settings, out)
        return
    meta = info.get("Metadata")
    case = Case(directory, meta.get("Name"), meta.get("Description"), settings, chain, problem)
    out.append(case)
