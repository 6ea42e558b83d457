"""Stamping one template: owners, params, the templating context, and the finished object."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from typing import Any

from . import gotypes as gt
from .errors import EvalError
from .gojson import dumps, to_interface
from .interpolate import stamp_tree
from .templates import Template, check_unstructured
from .ytt import YttJob, YttPool, YttResult, batch_size

OWNER_TYPES = {"Workload": gt.WORKLOAD, "Deliverable": gt.DELIVERABLE}


@dataclass
class Owner:
    """A Workload or Deliverable, decoded into Cartographer's Go type."""

    kind: str
    typed: gt.StructVal
    go_type: gt.Struct
    json: str | None = field(default=None, compare=False, repr=False)  # its data value, once computed

    @property
    def meta(self) -> gt.StructVal:
        meta = self.typed.get("ObjectMeta")
        assert isinstance(meta, gt.StructVal)
        return meta

    @property
    def name(self) -> str:
        return str(self.meta.get("Name"))

    @property
    def namespace(self) -> str:
        return str(self.meta.get("Namespace"))

    @property
    def labels(self) -> dict[str, str]:
        return dict(self.meta.get("Labels") or {})

    @property
    def params(self) -> list[tuple[str, gt.RawJSON]]:
        spec = self.typed.get("Spec")
        return [(p.get("Name"), p.get("Value")) for p in (spec.get("Params") or [])]

    @property
    def type_meta(self) -> tuple[str, str]:
        meta = self.typed.get("TypeMeta")
        return str(meta.get("APIVersion")), str(meta.get("Kind"))

    @property
    def uid(self) -> str:
        return str(self.meta.get("UID"))


def decode_owner(obj: Any, kind: str | None = None) -> Owner:
    """Decode OBJ (JSON data) as a Workload or Deliverable (KIND overrides the object's own kind)."""
    if not isinstance(obj, dict):
        raise EvalError("an owner must be a YAML mapping")
    kind = kind or obj.get("kind")
    if kind not in OWNER_TYPES:
        raise EvalError(f"owner kind must be Workload or Deliverable, not {obj.get('kind')!r}")
    go_type = OWNER_TYPES[kind]
    _check_owner_params(obj)
    typed = gt.decode(obj, go_type)
    return Owner(kind, typed, go_type)


def _check_owner_params(obj: dict[str, Any]) -> None:
    """The owner CRDs' rule on spec.params (the API server refuses anything else): each item is a mapping
    with a non-empty string name and a value."""
    spec = obj.get("spec")
    params = spec.get("params") if isinstance(spec, dict) else None
    if not isinstance(params, list):
        return
    for index, param in enumerate(params):
        where = f"spec.params[{index}]"
        if not isinstance(param, dict):
            raise EvalError(f"{where}: a param must be a mapping with name and value")
        if not isinstance(param.get("name"), str) or not param["name"]:
            raise EvalError(f"{where}.name: a param needs a name (the {obj.get('kind')} CRD requires name and value)")
        if "value" not in param:
            raise EvalError(
                f"{where}.value: param {param['name']!r} has no value (the {obj.get('kind')} CRD requires "
                "name and value)"
            )


@dataclass
class BlueprintParam:
    name: str
    value: gt.RawJSON | None = None
    default: gt.RawJSON | None = None


BLUEPRINT_PARAM = gt.Struct(
    "v1alpha1.BlueprintParam",
    (
        gt.Field("Name", "name", gt.STRING),
        gt.Field("Value", "value", gt.Ptr(gt.RAW_JSON), True),
        gt.Field("DefaultValue", "default", gt.Ptr(gt.RAW_JSON), True),
    ),
)


def blueprint_params(raw: Any, where: str) -> list[BlueprintParam]:
    """Decode a list of blueprint params ({name, value | default})."""
    decoded = gt.decode(raw, gt.Slice(BLUEPRINT_PARAM), where) or []
    out = []
    for index, item in enumerate(decoded):
        param = BlueprintParam(item.get("Name"), item.get("Value"), item.get("DefaultValue"))
        if (param.value is None) == (param.default is None):
            raise EvalError(
                f"{where}[{index}]: param [{param.name}] is invalid: must set exactly one of value and default"
            )
        out.append(param)
    return out


def merge_params(
    template_params: Sequence[Any],
    blueprint: Sequence[BlueprintParam],
    resource: Sequence[BlueprintParam],
    owner: Sequence[tuple[str, gt.RawJSON]],
) -> dict[str, gt.RawJSON]:
    """Cartographer's ParamMerger: template default < blueprint < resource < owner (unless `value` locks)."""
    merged: dict[str, gt.RawJSON] = {}
    for param in template_params:
        merged[param.name] = param.default
    protected: dict[str, bool] = {}
    for layer in (blueprint, resource):
        for bp in layer:
            if bp.value is not None:
                merged[bp.name] = bp.value
                protected[bp.name] = True
            else:
                assert bp.default is not None
                merged[bp.name] = bp.default
                protected[bp.name] = False
    for name, value in owner:
        if not protected.get(name, False):
            merged[name] = value
    return merged


@dataclass
class Source:
    url: Any
    revision: Any


@dataclass
class Inputs:
    """Resolved inputs by input name; None means a nil map (cartotest's mock supply chain).

    A value may also be a ready-made ``SourceInput``/``ImageInput``/``ConfigInput`` struct (whose
    ``name`` field then comes from the test case rather than the map key).
    """

    sources: dict[str, Any] | None = field(default_factory=dict)
    images: dict[str, Any] | None = field(default_factory=dict)
    configs: dict[str, Any] | None = field(default_factory=dict)
    deployment: Source | None = None


def _source_input(name: str, source: Source) -> gt.StructVal:
    return gt.StructVal(gt.SOURCE_INPUT, {"URL": source.url, "Revision": source.revision, "Name": name})


def build_context(
    owner: Owner, params: dict[str, gt.RawJSON], inputs: Inputs, labels: dict[str, str], mock: bool = False
) -> dict[str, gt.Boxed]:
    """The templating context (Cartographer's contextGenerator, or cartotest's mock supply chain)."""
    sources = (
        None
        if inputs.sources is None
        else {n: s if isinstance(s, gt.StructVal) else _source_input(n, s) for n, s in inputs.sources.items()}
    )
    images = (
        None
        if inputs.images is None
        else {
            n: v if isinstance(v, gt.StructVal) else gt.StructVal(gt.IMAGE_INPUT, {"Image": v, "Name": n})
            for n, v in inputs.images.items()
        }
    )
    configs = (
        None
        if inputs.configs is None
        else {
            n: v if isinstance(v, gt.StructVal) else gt.StructVal(gt.CONFIG_INPUT, {"Config": v, "Name": n})
            for n, v in inputs.configs.items()
        }
    )
    ctx: dict[str, gt.Boxed] = {
        "workload": gt.Boxed(owner.typed, owner.go_type),
        "params": gt.Boxed(params, gt.PARAMS),
        "sources": gt.Boxed(sources, gt.Map(gt.SOURCE_INPUT)),
        "images": gt.Boxed(images, gt.Map(gt.IMAGE_INPUT)),
        "configs": gt.Boxed(configs, gt.Map(gt.CONFIG_INPUT)),
    }
    if not mock:
        ctx["deliverable"] = gt.Boxed(owner.typed, owner.go_type)
        deployment = None
        if inputs.deployment is not None:
            deployment = gt.StructVal(
                gt.SOURCE_INPUT, {"URL": inputs.deployment.url, "Revision": inputs.deployment.revision, "Name": ""}
            )
        ctx["deployment"] = gt.Boxed(deployment, gt.Ptr(gt.SOURCE_INPUT))
        ctx["labels"] = gt.Boxed(labels, gt.LABELS)
    if sources is not None and len(sources) == 1:
        ctx["source"] = gt.Boxed(next(iter(sources.values())), gt.Ptr(gt.SOURCE_INPUT))
    if images is not None and len(images) == 1:
        ctx["image"] = gt.Boxed(next(iter(images.values())).get("Image"), gt.INTERFACE)
    if configs is not None and len(configs) == 1:
        ctx["config"] = gt.Boxed(next(iter(configs.values())).get("Config"), gt.INTERFACE)
    return ctx


def data_values(ctx: dict[str, gt.Boxed], owner: Owner | None = None) -> dict[str, str]:
    """The ``--data-value-yaml key=<json>`` pairs Cartographer passes to ytt.

    The owner (``workload``/``deliverable``) is the same for every resource of its blueprint: given OWNER, its
    JSON is computed once and kept on it."""
    out: dict[str, str] = {}
    for key, boxed in ctx.items():
        if owner is not None and boxed.value is owner.typed and boxed.type is owner.go_type:
            if owner.json is None:
                owner.json = dumps(to_interface(gt.encode(owner.typed, owner.go_type)))
            out[key] = owner.json
        else:
            out[key] = dumps(to_interface(gt.encode(boxed.value, boxed.type)))
    return out


def workload_labels(
    owner: Owner, blueprint: str, resource: str, template_kind: str, template_ref_name: str, lifecycle: str
) -> dict[str, str]:
    """The carto.run labels Cartographer puts on objects stamped for a Workload or Deliverable.

    TEMPLATE_REF_NAME is the resource's ``templateRef.name`` as written: empty for a resource that
    picks its template through ``options`` (Cartographer labels those with an empty template name).
    """
    if owner.kind == "Deliverable":
        return {
            "carto.run/deliverable-name": owner.name,
            "carto.run/deliverable-namespace": owner.namespace,
            "carto.run/delivery-name": blueprint,
            "carto.run/resource-name": resource,
            "carto.run/template-kind": template_kind,
            "carto.run/cluster-template-name": template_ref_name,
            "carto.run/template-lifecycle": lifecycle,
        }
    return {
        "carto.run/workload-name": owner.name,
        "carto.run/workload-namespace": owner.namespace,
        "carto.run/supply-chain-name": blueprint,
        "carto.run/resource-name": resource,
        "carto.run/template-kind": template_kind,
        "carto.run/cluster-template-name": template_ref_name,
        "carto.run/template-lifecycle": lifecycle,
    }


def mock_labels(owner: Owner, template: Template) -> dict[str, str]:
    """The labels cartotest's mock supply chain uses."""
    return {
        "carto.run/workload-name": owner.name,
        "carto.run/workload-namespace": owner.namespace,
        "carto.run/template-kind": template.kind,
        "carto.run/cluster-template-name": template.name,
    }


@dataclass
class StampJob:
    """One template to stamp with its context; ``result``/``error`` are filled by ``stamp_all``."""

    template: Template
    owner: Owner
    context: dict[str, gt.Boxed]
    labels: dict[str, str]
    result: dict[str, Any] | None = None
    error: str | None = None
    error_field: str | None = None


class Stamper:
    """Stamps jobs as they are submitted: ``template:`` bodies at once, ytt bodies in background ytt
    processes (many templates per process). ``close()`` waits for ytt and completes every job."""

    def __init__(self, chunk: int = 32) -> None:
        self._pool: YttPool | None = None
        self._chunk = chunk
        self._ytt_jobs: list[StampJob] = []

    def submit(self, job: StampJob) -> None:
        if job.template.body is not None:
            _stamp_body(job)
            return
        if self._pool is None:
            self._pool = YttPool(chunk=self._chunk)
        self._pool.submit(YttJob(job.template.ytt, data_values(job.context, job.owner)))
        self._ytt_jobs.append(job)

    def close(self) -> None:
        if self._pool is None:
            return
        _finish_ytt(self._ytt_jobs, self._pool.close())
        self._pool = None


def _stamp_body(job: StampJob) -> None:
    try:
        body = stamp_tree(job.template.body, (job.context, gt.Map(gt.INTERFACE)))
        if not isinstance(body, dict):
            raise EvalError(f"stamped resource is not a map[string]interface{{}}, stamped resource: {body!r}")
        job.result = finish(body, job.owner, job.labels)
    except EvalError as err:
        job.error, job.error_field = str(err), "spec.template"


class StampBatch:
    """Jobs handed over for stamping: ``template:`` bodies are stamped at once, ytt bodies in background ytt
    processes (on EXECUTOR when given, else on a pool of one process per CPU), each batch starting as soon as
    its data values are ready; ``finish()`` waits for ytt and completes every job. SPREAD: as many ytt
    batches for every CPU (when nothing else keeps the CPUs busy)."""

    def __init__(self, jobs: Sequence[StampJob], executor: Executor | None = None, spread: bool = True) -> None:
        self._ytt_jobs = [job for job in jobs if job.template.body is None]
        for job in jobs:
            if job.template.body is not None:
                _stamp_body(job)
        self._pool: YttPool | None = None
        self.futures: list[Future[list[YttResult]]] = []  # one per ytt process
        if self._ytt_jobs:
            self._pool = YttPool(chunk=batch_size(len(self._ytt_jobs), spread), executor=executor)
            for job in self._ytt_jobs:
                self._pool.submit(YttJob(job.template.ytt, data_values(job.context, job.owner)))
            self.futures = self._pool.flush()

    def finish(self) -> None:
        if self._pool is not None:
            _finish_ytt(self._ytt_jobs, self._pool.close())
            self._pool = None


def stamp_all(jobs: Sequence[StampJob], while_waiting: Callable[[], None] | None = None) -> None:
    """Stamp every job; ytt templates are rendered together in as few ytt processes as possible. WHILE_WAITING,
    if given, runs once every ytt job has been handed over, while the ytt processes work."""
    batch = StampBatch(jobs)
    if while_waiting is not None:
        while_waiting()
    batch.finish()


def _finish_ytt(ytt_jobs: Sequence[StampJob], results: Sequence[YttResult]) -> None:
    for job, outcome in zip(ytt_jobs, results, strict=False):
        if outcome.error is not None:
            job.error, job.error_field = outcome.error, "spec.ytt"
            continue
        try:
            check_unstructured(outcome.document, "ytt output: ")
            job.result = finish(outcome.document, job.owner, job.labels)
        except EvalError as err:
            job.error, job.error_field = str(err), "spec.ytt"


def finish(obj: dict[str, Any], owner: Owner, labels: dict[str, str]) -> dict[str, Any]:
    """Namespace forcing, the controller owner reference and the labels (Stamper.Stamp's tail)."""
    meta = obj.get("metadata")
    namespace = meta.get("namespace") if isinstance(meta, dict) else None
    if isinstance(namespace, str) and namespace != "" and namespace != owner.namespace:
        raise EvalError(
            f"cannot set namespace in resource template (it sets {namespace!r}; "
            f"the owner's namespace is {owner.namespace!r})"
        )
    if "metadata" not in obj:
        obj["metadata"] = {}
        meta = obj["metadata"]
    if not isinstance(meta, dict):
        return obj  # apimachinery silently fails to set fields under a non-map metadata
    if owner.namespace:
        meta["namespace"] = owner.namespace
    else:
        meta.pop("namespace", None)
    api_version, kind = owner.type_meta
    meta["ownerReferences"] = [
        {
            "apiVersion": api_version,
            "kind": kind,
            "name": owner.name,
            "uid": owner.uid,
            "controller": True,
            "blockOwnerDeletion": True,
        }
    ]
    existing = meta.get("labels")
    merged: dict[str, Any] = {}
    if isinstance(existing, dict) and all(isinstance(v, str) for v in existing.values()):
        merged.update(existing)
    merged.update(labels)
    meta["labels"] = merged
    return obj
