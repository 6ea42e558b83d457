"""Realizing a whole blueprint offline: every resource in order, outputs feeding later inputs."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from ..yamlio import Document
from . import gotypes as gt
from .blueprint import Blueprint, BlueprintError, Resource, decode_blueprint, resolve_option, select_blueprint
from .errors import EvalError, Location, StampError
from .gojson import to_interface, to_unstructured, yaml_to_json
from .jsonpath import PathMissing, evaluate, syntax_error
from .stamper import (
    Inputs,
    Owner,
    Source,
    StampBatch,
    StampJob,
    build_context,
    decode_owner,
    merge_params,
    workload_labels,
)
from .templates import TEMPLATE_KINDS, Template, decode_template


@dataclass
class Output:
    """What a resource hands to later resources (Cartographer's templates.Output)."""

    source: Source | None = None
    image: Any = None
    config: Any = None
    has_image: bool = False
    has_config: bool = False


@dataclass
class Stamped:
    """One realized resource."""

    resource: Resource
    template_name: str | None
    template_kind: str
    obj: dict[str, Any] | None  # None for a pass-through option
    output: Output | None
    output_origin: str = ""  # "stamped object", "outputs file", "pass-through", ...
    rendered: str | None = field(default=None, repr=False)  # obj printed early (see realize_many's on_wave)


@dataclass
class ChainResult:
    blueprint: Blueprint
    blueprint_doc: Document
    owner: Owner
    stamped: list[Stamped] = field(default_factory=list)


class TemplateCatalog:
    """Templates by (kind, name), decoded on first use so unrelated documents never get in the way."""

    def __init__(self, docs: Sequence[Document]) -> None:
        self._docs: dict[tuple[str, str], Document] = {}
        self._decoded: dict[tuple[str, str], Template] = {}
        for doc in docs:
            kind = doc.kind
            if not isinstance(kind, str):
                continue
            if kind in TEMPLATE_KINDS:
                name = doc.name
                if not isinstance(name, str) or not name:
                    raise StampError("template has no metadata.name", doc.location("metadata.name"))
                key = (kind, name)
                previous = self._docs.get(key)
                if previous is not None and previous.body != doc.body:
                    raise StampError(
                        f"{kind} {name!r} is defined twice, differently (first at {previous.location()})",
                        doc.location(),
                    )
                self._docs[key] = doc
            elif _looks_like_template(doc) and kind != "ClusterRunTemplate":
                raise StampError(
                    f"unknown template kind {kind!r} (known: {', '.join(TEMPLATE_KINDS)})", doc.location("kind")
                )

    def names(self) -> list[tuple[str, str]]:
        return sorted(self._docs)

    def document(self, kind: str, name: str) -> Document | None:
        return self._docs.get((kind, name))

    def get(self, kind: str, name: str) -> tuple[Template, Document] | None:
        doc = self._docs.get((kind, name))
        if doc is None:
            return None
        key = (kind, name)
        if key not in self._decoded:
            try:
                self._decoded[key] = decode_template(doc.body)
            except EvalError as err:
                raise StampError(str(err), doc.location("spec")) from None
        return self._decoded[key], doc


def _looks_like_template(doc: Document) -> bool:
    api = doc.api_version or ""
    kind = doc.kind or ""
    return api.startswith("carto.run/") and kind.startswith("Cluster") and kind.endswith("Template")


# --- outputs file ----------------------------------------------------------------------------------


def parse_outputs(doc: Document | None) -> dict[str, Output]:
    """The ``--outputs`` file: ``<resource>: {source: {url, revision}} | {image: X} | {config: X}``.

    The shape is cartotest's ``previousOutputs``; values are read as Go reads interface{} values.
    """
    if doc is None:
        return {}
    try:
        body = yaml_to_json(doc.body)
    except EvalError as err:
        raise StampError(str(err), doc.location()) from None
    if not isinstance(body, dict):
        raise StampError("the outputs file must map resource names to outputs", doc.location())
    out: dict[str, Output] = {}
    for resource, value in body.items():
        where = doc.location(resource)
        if not isinstance(value, dict) or not value:
            raise StampError("expected a mapping with one of: source {url, revision}, image, config", where)
        unknown = sorted(set(value) - {"source", "image", "config"})
        if unknown:
            raise StampError(f"unknown output key(s) {', '.join(unknown)} (expected source, image or config)", where)
        output = Output()
        if "source" in value:
            src = value["source"]
            if not isinstance(src, dict) or not {"url", "revision"} & set(src):
                raise StampError("source must be a mapping with url and revision", doc.location(f"{resource}.source"))
            output.source = Source(to_interface(src.get("url")), to_interface(src.get("revision")))
        if "image" in value:
            output.image, output.has_image = to_interface(value["image"]), True
        if "config" in value:
            output.config, output.has_config = to_interface(value["config"]), True
        out[resource] = output
    return out


# --- realizing ---------------------------------------------------------------------------------------


@dataclass
class _Pending:
    resource: Resource
    template: Template | None
    template_doc: Document | None
    option_pass_through: str
    job: StampJob | None = None


class ChainError(StampError):
    """A failure while realizing a blueprint."""


def load_blueprints(docs: Sequence[Document]) -> list[tuple[Blueprint, Document]]:
    out = []
    for doc in docs:
        if doc.kind not in ("ClusterSupplyChain", "ClusterDelivery"):
            continue
        try:
            out.append((decode_blueprint(doc.body), doc))
        except BlueprintError as err:
            raise StampError(str(err), doc.location(err.field)) from None
        except EvalError as err:
            raise StampError(str(err), doc.location("spec")) from None
    return out


def load_owner(doc: Document) -> Owner:
    try:
        return decode_owner(doc.body)
    except EvalError as err:
        raise StampError(
            str(err), doc.location("spec" if doc.kind in ("Workload", "Deliverable") else "kind")
        ) from None


def realize(
    blueprint_docs: Sequence[Document],
    template_docs: Sequence[Document],
    owner_doc: Document,
    outputs_doc: Document | None = None,
    progress: Callable[[str], None] | None = None,
) -> ChainResult:
    """Stamp every resource of the blueprint the owner selects, in order, feeding outputs forward."""
    return realize_many(blueprint_docs, template_docs, [owner_doc], outputs_doc, progress)[0]


@dataclass
class _Run:
    """One owner's realization in progress."""

    owner_doc: Document
    result: ChainResult
    outputs: dict[str, Output | None] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)  # resource -> why its output is unknown
    done: set[str] = field(default_factory=set)
    pending: list[Resource] = field(default_factory=list)


def realize_many(
    blueprint_docs: Sequence[Document],
    template_docs: Sequence[Document],
    owner_docs: Sequence[Document],
    outputs_doc: Document | None = None,
    progress: Callable[[str], None] | None = None,
    on_wave: Callable[[list[Stamped]], None] | None = None,
) -> list[ChainResult]:
    """Realize each owner's blueprint; the owners advance in lockstep, so every owner's resources of one wave
    are stamped together (one batch of ytt processes per wave, not per owner and resource).

    Blueprints and templates are decoded once. A failure names the owner when there is more than one.
    ON_WAVE, if given, receives each wave's realized resources, while ytt renders the next wave (e.g. to
    print them meanwhile); nothing later changes them. Many owners advance in a few groups (see ``_split``);
    the objects and the error raised are the same as in one lockstep.
    """
    owners = [load_owner(owner_doc) for owner_doc in owner_docs]
    blueprints = load_blueprints(blueprint_docs)
    if not blueprints:
        sources = ", ".join(sorted({d.source for d in blueprint_docs})) or "the blueprint input"
        raise StampError("no ClusterSupplyChain or ClusterDelivery found", Location(sources))
    runs: list[_Run] = []
    for owner_doc, owner in zip(owner_docs, owners, strict=True):
        try:
            blueprint, bp_doc = select_blueprint(owner, blueprints)
        except EvalError as err:
            raise StampError(str(err), owner_doc.location("metadata.labels")) from None
        runs.append(_Run(owner_doc, ChainResult(blueprint, bp_doc, owner), pending=list(blueprint.resources)))
    catalog = TemplateCatalog(template_docs)
    given = parse_outputs(outputs_doc)
    known = {r.name for run in runs for r in run.result.blueprint.resources}
    unknown = sorted(set(given) - known)
    if unknown and outputs_doc is not None:
        chosen = ", ".join(sorted({f"{run.result.blueprint.kind} {run.result.blueprint.name}" for run in runs}))
        raise StampError(
            f"outputs given for resource(s) not in {chosen}: {', '.join(unknown)}", outputs_doc.location(unknown[0])
        )
    checked: set[int] = set()
    for run in runs:
        if id(run.result.blueprint_doc) not in checked:
            _check_order(run.result.blueprint, run.result.blueprint_doc)
            checked.add(id(run.result.blueprint_doc))
    groups = _split(runs)
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as executor:
        lockstep = _Lockstep(catalog, given, len(runs) > 1, progress, executor, spread=len(groups) == 1)
        for group in groups:
            lockstep.start_wave(group)
        while True:
            active = [group for group in groups if group.batch is not None]
            if not active:
                break
            done = [group for group in active if all(f.done() for f in group.futures)]
            if not done:
                wait([f for group in active for f in group.futures if not f.done()], return_when=FIRST_COMPLETED)
                continue
            for group in done:
                lockstep.end_wave(group)
                first = min((g.failure[0] for g in groups if g.failure is not None), default=None)
                if group.failure is None and (first is None or group.wave <= first[0]):  # could still fail first
                    lockstep.start_wave(group)  # ytt works on it while ON_WAVE runs
                    if on_wave is not None:
                        on_wave(group.finished)
    failures = [group.failure for group in groups if group.failure is not None]
    if failures:
        raise min(failures, key=lambda failure: failure[0])[1]
    for run in runs:
        run.result.stamped.sort(key=lambda s: s.resource.index)
    return [run.result for run in runs]


GROUP_MIN_OWNERS = 32  # fewer owners per group would cost more ytt processes than the overlap saves


def _split(runs: list[_Run]) -> list[_Group]:
    """Owners in contiguous groups, one per CPU when there are many: each group advances in lockstep, and the
    groups interleave, so ytt renders one group's wave while another group's results are read."""
    count = max(1, min(os.cpu_count() or 1, len(runs) // GROUP_MIN_OWNERS))
    size = -(-len(runs) // count)
    return [_Group(list(enumerate(runs))[start : start + size]) for start in range(0, len(runs), size)]


@dataclass
class _Group:
    """Owners (with their index among all owners) advancing in lockstep."""

    runs: list[tuple[int, _Run]]
    wave: int = 0
    prepared: list[tuple[int, _Run, list[_Pending]]] = field(default_factory=list)
    batch: StampBatch | None = None  # the wave being stamped
    finished: list[Stamped] = field(default_factory=list)  # the last wave's
    failure: tuple[tuple[int, int, int], StampError] | None = None  # ((wave, phase, owner index), error)

    @property
    def futures(self) -> list[Future[Any]]:
        return self.batch.futures if self.batch is not None else []


@dataclass
class _Lockstep:
    """Preparing, stamping and reading back the waves of groups of owners.

    A failure stops its group and is kept with its place (wave, then preparing before reading back, then owner
    order); the first place among all groups is raised, as if every owner had advanced in one lockstep."""

    catalog: TemplateCatalog
    given: dict[str, Output]
    several: bool
    progress: Callable[[str], None] | None
    executor: Executor
    spread: bool

    def start_wave(self, group: _Group) -> None:
        """Prepare the group's next wave and hand its jobs to ytt (no batch: the group is done or failed)."""
        group.prepared, group.batch = [], None
        for index, run in group.runs:
            if not run.pending:
                continue
            wave = [r for r in run.pending if all(ref.resource in run.done for _, ref in r.inputs())]
            wave = wave or run.pending[:1]
            res = run.result
            try:
                with _naming(run, self.several):
                    ready = [
                        _prepare(r, res.owner, res.blueprint, res.blueprint_doc, self.catalog, run.outputs, run.missing)
                        for r in wave
                    ]
            except StampError as err:
                group.failure = ((group.wave, 0, index), err)
                return
            group.prepared.append((index, run, ready))
        if not group.prepared:
            return
        jobs = [p.job for _, _, ready in group.prepared for p in ready if p.job is not None]
        if self.progress is not None and jobs:
            names = dict.fromkeys(p.resource.name for _, _, ready in group.prepared for p in ready if p.job)
            owners = f" for {len(group.prepared)} owners" if self.several else ""
            self.progress(f"stamping {', '.join(names)}{owners}")
        group.batch = StampBatch(jobs, self.executor, self.spread)

    def end_wave(self, group: _Group) -> None:
        """Wait for the group's wave and read its results back."""
        assert group.batch is not None
        group.batch.finish()
        group.batch, group.finished = None, []
        for index, run, ready in group.prepared:
            try:
                with _naming(run, self.several):
                    for p in ready:
                        item = _collect(
                            p, run.result.owner, run.result.blueprint_doc, self.given, run.outputs, run.missing
                        )
                        group.finished.append(item)
                        run.result.stamped.append(item)
                        run.done.add(p.resource.name)
            except StampError as err:
                group.failure = ((group.wave, 1, index), err)
                return
            run.pending = [r for r in run.pending if r.name not in run.done]
        group.wave += 1


@contextmanager
def _naming(run: _Run, enabled: bool) -> Iterator[None]:
    """Prefixes a stamping failure with its owner (when there are several owners)."""
    try:
        yield
    except ChainError as err:
        if not enabled:
            raise
        owner = run.result.owner
        raise ChainError(f"{owner.kind} {owner.namespace}/{owner.name}: {err.message}", err.location) from None


def _check_order(blueprint: Blueprint, doc: Document) -> None:
    """Inputs must come from earlier resources: Cartographer realizes resources strictly in order."""
    index = {r.name: r.index for r in blueprint.resources}
    for res in blueprint.resources:
        for kind, ref in res.inputs():
            field_path = f"{res.field}.{_input_field(kind, res, ref)}"
            if ref.resource not in index:
                raise StampError(
                    f"input [{ref.name}] of resource [{res.name}] comes from unknown resource "
                    f"[{ref.resource}] (a dangling input)",
                    doc.location(field_path),
                )
            if ref.resource == res.name:
                raise StampError(
                    f"resource [{res.name}] takes its own output as input [{ref.name}] (a cycle)",
                    doc.location(field_path),
                )
            if index[ref.resource] > res.index:
                cycle = _find_cycle(blueprint, res.name)
                what = f"a cycle: {' -> '.join(cycle)}" if cycle else "a forward reference"
                raise StampError(
                    f"input [{ref.name}] of resource [{res.name}] comes from [{ref.resource}], which is "
                    f"realized later; Cartographer realizes resources in order, so it is never available "
                    f"({what})",
                    doc.location(field_path),
                )


def _input_field(kind: str, res: Resource, ref: Any) -> str:
    if kind == "deployment":
        return "deployment.resource"
    refs = {"source": res.sources, "image": res.images, "config": res.configs}[kind]
    plural = {"source": "sources", "image": "images", "config": "configs"}[kind]
    return f"{plural}[{refs.index(ref)}].resource"


def _find_cycle(blueprint: Blueprint, start: str) -> list[str]:
    deps = {r.name: [ref.resource for _, ref in r.inputs()] for r in blueprint.resources}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        if node in path:
            return path[path.index(node) :] + [node]
        path.append(node)
        for nxt in deps.get(node, []):
            found = visit(nxt)
            if found:
                return found
        path.pop()
        return None

    return visit(start) or []


def _prepare(
    res: Resource,
    owner: Owner,
    blueprint: Blueprint,
    bp_doc: Document,
    catalog: TemplateCatalog,
    outputs: dict[str, Output | None],
    missing: dict[str, str],
) -> _Pending:
    for _kind, ref in res.inputs():
        if ref.resource in missing:
            raise ChainError(
                f"resource [{res.name}] needs input [{ref.name}] from [{ref.resource}], whose output is "
                f"unknown: {missing[ref.resource]}",
                bp_doc.location(res.field),
            )
    try:
        option = resolve_option(owner, res, blueprint.name)
    except EvalError as err:
        raise ChainError(str(err), bp_doc.location(f"{res.field}.templateRef.options")) from None
    if option is not None and option.pass_through:
        return _Pending(res, None, None, option.pass_through)
    name = option.name if option is not None else res.template_name
    found = catalog.get(res.template_kind, name)
    if found is None:
        near = [n for k, n in catalog.names() if n == name]
        hint = f" (a template named {name!r} exists with another kind)" if near else ""
        raise ChainError(
            f"{res.template_kind} {name!r} not found in the --templates given{hint}",
            bp_doc.location(f"{res.field}.templateRef"),
        )
    template, doc = found
    inputs = _inputs(res, outputs)
    params = merge_params(template.params, blueprint.params, res.params, owner.params)
    labels = workload_labels(
        owner, blueprint.name, res.name, res.template_kind, res.template_name, template.effective_lifecycle
    )
    job = StampJob(template, owner, build_context(owner, params, inputs, labels), labels)
    return _Pending(res, template, doc, "", job)


def _inputs(res: Resource, outputs: dict[str, Output | None]) -> Inputs:
    inputs = Inputs()
    assert inputs.sources is not None and inputs.images is not None and inputs.configs is not None
    for kind, ref in res.inputs():
        out = outputs.get(ref.resource)
        if out is None:
            continue
        if kind == "source" and out.source is not None:
            inputs.sources[ref.name] = out.source
        elif kind == "image" and out.image is not None:
            inputs.images[ref.name] = out.image
        elif kind == "config" and out.config is not None:
            inputs.configs[ref.name] = out.config
        elif kind == "deployment" and out.source is not None:
            inputs.deployment = out.source
    return inputs


def _collect(
    p: _Pending,
    owner: Owner,
    bp_doc: Document,
    given: dict[str, Output],
    outputs: dict[str, Output | None],
    missing: dict[str, str],
) -> Stamped:
    res = p.resource
    if p.option_pass_through:
        inputs = _inputs(res, outputs)
        output = Output()
        origin = f"pass-through of input [{p.option_pass_through}]"
        if res.template_kind == "ClusterSourceTemplate":
            output.source = inputs.sources.get(p.option_pass_through) if inputs.sources else None
            ok = output.source is not None
        elif res.template_kind == "ClusterImageTemplate":
            ok = bool(inputs.images) and p.option_pass_through in (inputs.images or {})
            output.image, output.has_image = (inputs.images or {}).get(p.option_pass_through), ok
        elif res.template_kind == "ClusterConfigTemplate":
            ok = bool(inputs.configs) and p.option_pass_through in (inputs.configs or {})
            output.config, output.has_config = (inputs.configs or {}).get(p.option_pass_through), ok
        else:
            ok = True
        if not ok:
            missing[res.name] = f"input [{p.option_pass_through}] not found for the pass-through option"
        outputs[res.name] = output if ok else None
        return Stamped(res, None, res.template_kind, None, output if ok else None, origin)
    assert p.job is not None and p.template is not None and p.template_doc is not None
    if p.job.error is not None or p.job.result is None:
        field_path = p.job.error_field or "spec"
        raise ChainError(f"resource [{res.name}]: {p.job.error}", p.template_doc.location(field_path))
    obj = p.job.result
    broken = _broken_output_path(p.template)
    if broken is not None:
        key, path, why = broken
        raise ChainError(
            f"{p.template.kind} {p.template.name}: {key} {path!r} is not a JSONPath Cartographer can "
            f"evaluate ({why}), so resource [{res.name}] can never report its output",
            p.template_doc.location(f"spec.{key}"),
        )
    read, origin, why = _read_output(p.template, res, obj, given, outputs)
    if why:
        missing[res.name] = why
        outputs[res.name] = None
    else:
        outputs[res.name] = read
    return Stamped(res, p.template.name, p.template.kind, obj, read, origin)


def _broken_output_path(template: Template) -> tuple[str, str, str] | None:
    """(field, path, why) of the first output path of TEMPLATE that client-go cannot parse, or None."""
    for key, path in (
        ("urlPath", template.url_path),
        ("revisionPath", template.revision_path),
        ("imagePath", template.image_path),
        ("configPath", template.config_path),
    ):
        if isinstance(path, str) and path:
            why = syntax_error(path)
            if why is not None:
                return key, path, why
    return None


def _read_output(
    template: Template, res: Resource, obj: dict[str, Any], given: dict[str, Output], outputs: dict[str, Output | None]
) -> tuple[Output | None, str, str]:
    """The resource's output: from the outputs file, else read from the stamped object (or passed through)."""
    kind = template.output_kind
    supplied = given.get(res.name)
    hint = {
        "source": "source: {url: ..., revision: ...}",
        "image": "image: ...",
        "config": "config: ...",
        "deployment": "source: {url: ..., revision: ...}",
    }.get(kind, "")
    if kind == "template":
        return Output(), "none", ""
    if supplied is not None:
        ok = {
            "source": supplied.source is not None,
            "deployment": supplied.source is not None,
            "image": supplied.has_image,
            "config": supplied.has_config,
        }[kind]
        if not ok:
            return None, "", f"the outputs file gives [{res.name}] no {kind} output (expected `{res.name}: {{{hint}}}`)"
        return supplied, "outputs file", ""
    if kind == "deployment":
        deployment = _inputs(res, outputs).deployment
        if deployment is None:
            return None, "", "its deployment input is missing"
        return Output(source=deployment), "deployment pass-through", ""
    live = to_unstructured(obj)
    paths = {
        "source": [template.url_path, template.revision_path],
        "image": [template.image_path],
        "config": [template.config_path],
    }[kind]
    values = []
    for path in paths:
        try:
            values.append(evaluate(path, (live, None)))
        except PathMissing:
            return (
                None,
                "",
                (
                    f"{template.kind} {template.name} reads it from `{path}`, which the stamped object does "
                    f"not have (a controller sets it); give it in --outputs as `{res.name}: {{{hint}}}`"
                ),
            )
        except EvalError as err:
            return None, "", f"cannot read `{path}` from the stamped object: {err}"
    if kind == "source":
        return Output(source=Source(values[0], values[1])), "stamped object", ""
    if kind == "image":
        return Output(image=values[0], has_image=True), "stamped object", ""
    return Output(config=values[0], has_config=True), "stamped object", ""


__all__ = [
    "ChainResult",
    "Output",
    "Stamped",
    "TemplateCatalog",
    "gt",
    "load_blueprints",
    "parse_outputs",
    "realize",
    "realize_many",
]
