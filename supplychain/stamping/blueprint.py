"""ClusterSupplyChain and ClusterDelivery: decoding, the webhook's rules, and blueprint selection."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from . import gotypes as gt
from .errors import EvalError
from .selector import (
    FIELD_REQUIREMENT,
    LABEL_SELECTOR_REQUIREMENT,
    VALID_DELIVERABLE_PATHS,
    VALID_DELIVERABLE_PREFIXES,
    VALID_WORKLOAD_PATHS,
    VALID_WORKLOAD_PREFIXES,
    Requirement,
    Selector,
    SelectorError,
    best_matches,
    requirements,
    validate_field_requirements,
    validate_label_selector,
)
from .stamper import BLUEPRINT_PARAM, BlueprintParam, Owner

_f = gt.Field
BLUEPRINT_KINDS = {"ClusterSupplyChain": "Workload", "ClusterDelivery": "Deliverable"}
ALLOWED_TEMPLATE_KINDS = {
    "ClusterSupplyChain": ("ClusterSourceTemplate", "ClusterImageTemplate", "ClusterTemplate", "ClusterConfigTemplate"),
    "ClusterDelivery": (
        "ClusterSourceTemplate",
        "ClusterDeploymentTemplate",
        "ClusterTemplate",
        "ClusterConfigTemplate",
    ),
}

_REF = gt.Struct("v1alpha1.ResourceReference", (_f("Name", "name", gt.STRING), _f("Resource", "resource", gt.STRING)))
_SELECTOR = gt.Struct(
    "v1alpha1.Selector",
    (
        _f(
            "LabelSelector",
            "",
            gt.Struct(
                "v1.LabelSelector",
                (
                    _f("MatchLabels", "matchLabels", gt.Map(gt.STRING), True),
                    _f("MatchExpressions", "matchExpressions", gt.Slice(LABEL_SELECTOR_REQUIREMENT), True),
                ),
            ),
            inline=True,
        ),
        _f("MatchFields", "matchFields", gt.Slice(FIELD_REQUIREMENT), True),
    ),
)
_RESOURCE = gt.Struct(
    "v1alpha1.Resource",
    (
        _f("Name", "name", gt.STRING),
        _f(
            "TemplateRef",
            "templateRef",
            gt.Struct(
                "v1alpha1.TemplateReference",
                (
                    _f("Kind", "kind", gt.STRING),
                    _f("Name", "name", gt.STRING, True),
                    _f(
                        "Options",
                        "options",
                        gt.Slice(
                            gt.Struct(
                                "v1alpha1.TemplateOption",
                                (
                                    _f("Name", "name", gt.STRING, True),
                                    _f("PassThrough", "passThrough", gt.STRING, True),
                                    _f("Selector", "selector", _SELECTOR),
                                ),
                            )
                        ),
                        True,
                    ),
                ),
            ),
        ),
        _f("Params", "params", gt.Slice(BLUEPRINT_PARAM), True),
        _f("Sources", "sources", gt.Slice(_REF), True),
        _f("Images", "images", gt.Slice(_REF), True),
        _f("Configs", "configs", gt.Slice(_REF), True),
        _f(
            "Deployment",
            "deployment",
            gt.Ptr(gt.Struct("v1alpha1.DeploymentReference", (_f("Resource", "resource", gt.STRING),))),
            True,
        ),
    ),
)
BLUEPRINT_TYPE = gt.Struct(
    "v1alpha1.Blueprint",
    (
        _f("TypeMeta", "", gt.TYPE_META, inline=True),
        _f("ObjectMeta", "metadata", gt.OBJECT_META),
        _f(
            "Spec",
            "spec",
            gt.Struct(
                "v1alpha1.BlueprintSpec",
                (
                    _f("Selector", "selector", gt.Map(gt.STRING), True),
                    _f(
                        "SelectorMatchExpressions",
                        "selectorMatchExpressions",
                        gt.Slice(LABEL_SELECTOR_REQUIREMENT),
                        True,
                    ),
                    _f("SelectorMatchFields", "selectorMatchFields", gt.Slice(FIELD_REQUIREMENT), True),
                    _f("Resources", "resources", gt.Slice(_RESOURCE)),
                    _f("Params", "params", gt.Slice(BLUEPRINT_PARAM), True),
                ),
            ),
        ),
    ),
)


@dataclass
class Ref:
    name: str
    resource: str


@dataclass
class Option:
    name: str
    pass_through: str
    selector: Selector


@dataclass
class Resource:
    """One blueprint resource (supply chain or delivery)."""

    index: int
    name: str
    template_kind: str
    template_name: str
    options: list[Option]
    params: list[BlueprintParam]
    sources: list[Ref]
    images: list[Ref]
    configs: list[Ref]
    deployment: str | None

    @property
    def field(self) -> str:
        return f"spec.resources[{self.index}]"

    def inputs(self) -> list[tuple[str, Ref]]:
        """Every input as (kind, reference), in Cartographer's order."""
        out = [("source", r) for r in self.sources] + [("image", r) for r in self.images]
        if self.deployment is not None:
            out.append(("deployment", Ref("deployment", self.deployment)))
        out += [("config", r) for r in self.configs]
        return out


@dataclass
class Blueprint:
    kind: str
    name: str
    selector: Selector
    resources: list[Resource]
    params: list[BlueprintParam]
    owner_kind: str = field(init=False)

    def __post_init__(self) -> None:
        self.owner_kind = BLUEPRINT_KINDS[self.kind]


def _params(raw: Any) -> list[BlueprintParam]:
    return [BlueprintParam(p.get("Name"), p.get("Value"), p.get("DefaultValue")) for p in (raw or [])]


def _selector(labels: Any, exprs: Any, fields: Any) -> Selector:
    return Selector(
        dict(labels or {}), requirements(exprs, LABEL_SELECTOR_REQUIREMENT), requirements(fields, FIELD_REQUIREMENT)
    )


def decode_blueprint(obj: Any, force_kind: str | None = None, validate: bool = True) -> Blueprint:
    """Decode and validate (as the webhook would) a ClusterSupplyChain or ClusterDelivery.

    FORCE_KIND decodes the object as that kind whatever it says (cartotest reads every supply-chain
    file as a ClusterSupplyChain); VALIDATE=False skips the webhook rules (cartotest does not apply them).
    """
    if not isinstance(obj, dict):
        raise EvalError("a blueprint must be a YAML mapping")
    kind = force_kind or obj.get("kind")
    if kind not in BLUEPRINT_KINDS:
        raise EvalError(f"kind must be ClusterSupplyChain or ClusterDelivery, not {kind!r}")
    typed = gt.decode(obj, BLUEPRINT_TYPE)
    spec = typed.get("Spec")
    resources = []
    for index, raw in enumerate(spec.get("Resources") or []):
        ref = raw.get("TemplateRef")
        deployment = raw.get("Deployment")
        options = [
            Option(
                o.get("Name"),
                o.get("PassThrough"),
                _selector(
                    o.get("Selector").get("LabelSelector").get("MatchLabels"),
                    o.get("Selector").get("LabelSelector").get("MatchExpressions"),
                    o.get("Selector").get("MatchFields"),
                ),
            )
            for o in (ref.get("Options") or [])
        ]
        resources.append(
            Resource(
                index=index,
                name=raw.get("Name"),
                template_kind=ref.get("Kind"),
                template_name=ref.get("Name"),
                options=options,
                params=_params(raw.get("Params")),
                sources=[Ref(r.get("Name"), r.get("Resource")) for r in (raw.get("Sources") or [])],
                images=[Ref(r.get("Name"), r.get("Resource")) for r in (raw.get("Images") or [])],
                configs=[Ref(r.get("Name"), r.get("Resource")) for r in (raw.get("Configs") or [])],
                deployment=deployment.get("Resource") if deployment is not None else None,
            )
        )
    blueprint = Blueprint(
        kind=kind,
        name=typed.get("ObjectMeta").get("Name"),
        selector=_selector(spec.get("Selector"), spec.get("SelectorMatchExpressions"), spec.get("SelectorMatchFields")),
        resources=resources,
        params=_params(spec.get("Params")),
    )
    if (
        validate
        and kind == "ClusterSupplyChain"
        and any(r.get("Deployment") is not None for r in (spec.get("Resources") or []))
    ):
        index = next(i for i, r in enumerate(spec.get("Resources")) if r.get("Deployment") is not None)
        raise BlueprintError(
            f"spec.resources[{index}].deployment",
            "a ClusterSupplyChain resource has no `deployment` input (only ClusterDelivery resources do)",
        )
    if validate:
        validate_blueprint(blueprint, spec)
    return blueprint


class BlueprintError(EvalError):
    """A webhook rule the blueprint breaks, with the field it is about."""

    def __init__(self, field_path: str, message: str) -> None:
        super().__init__(message)
        self.field = field_path


def validate_blueprint(bp: Blueprint, spec: gt.StructVal) -> None:
    """The validating webhook's rules for supply chains and deliveries."""
    workload = bp.kind == "ClusterSupplyChain"
    paths = VALID_WORKLOAD_PATHS if workload else VALID_DELIVERABLE_PATHS
    prefixes = VALID_WORKLOAD_PREFIXES if workload else VALID_DELIVERABLE_PREFIXES
    if bp.selector.size == 0:
        raise BlueprintError(
            "spec.selector", "at least one selector, selectorMatchExpression, selectorMatchField must be specified"
        )
    for index, param in enumerate(bp.params):
        if (param.value is None) == (param.default is None):
            raise BlueprintError(
                f"spec.params[{index}]", f"param [{param.name}] is invalid: must set exactly one of value and default"
            )
    for res in bp.resources:
        for index, param in enumerate(res.params):
            if (param.value is None) == (param.default is None):
                raise BlueprintError(
                    f"{res.field}.params[{index}]",
                    f"resource [{res.name}] is invalid: param "
                    f"[{param.name}] is invalid: must set exactly one of value and default",
                )
    try:
        validate_label_selector(bp.selector)
        if bp.selector.match_fields:
            validate_field_requirements(bp.selector.match_fields, paths, prefixes)
    except EvalError as err:
        raise BlueprintError("spec.selector", str(err)) from None
    seen: dict[str, int] = {}
    for res in bp.resources:
        if res.name in seen:
            raise BlueprintError(f"{res.field}.name", f"duplicate resource name [{res.name}] found")
        seen[res.name] = res.index
    allowed = ALLOWED_TEMPLATE_KINDS[bp.kind]
    for res in bp.resources:
        if res.template_kind not in allowed:
            raise BlueprintError(
                f"{res.field}.templateRef.kind",
                f"unknown template kind {res.template_kind!r} for a {bp.kind} resource (allowed: {', '.join(allowed)})",
            )
        names = [o.name for o in res.options]
        for option in res.options:
            if names.count(option.name) > 1:
                raise BlueprintError(
                    f"{res.field}.templateRef.options",
                    f"duplicate template name [{option.name}] found in options for resource [{res.name}]",
                )
        _validate_template_ref(res, paths, prefixes)
        for option in res.options:
            if option.pass_through:
                kinds = {
                    "ClusterSourceTemplate": res.sources,
                    "ClusterImageTemplate": res.images,
                    "ClusterConfigTemplate": res.configs,
                }
                if not workload:
                    kinds.pop("ClusterImageTemplate")
                refs = kinds.get(res.template_kind)
                if refs is None:
                    raise BlueprintError(
                        f"{res.field}.templateRef.options",
                        f"error validating resource [{res.name}]: "
                        f"TemplateRef.Kind [{res.template_kind}] is not a known type",
                    )
                if not any(r.name == option.pass_through for r in refs):
                    raise BlueprintError(
                        f"{res.field}.templateRef.options",
                        f"error validating resource [{res.name}]: "
                        f"pass through [{option.pass_through}] does not refer to a known input",
                    )
    if workload:
        by_name = {r.name: r for r in bp.resources}
        for res in bp.resources:
            for what, refs, target in (
                ("sources", res.sources, "ClusterSourceTemplate"),
                ("images", res.images, "ClusterImageTemplate"),
                ("configs", res.configs, "ClusterConfigTemplate"),
            ):
                for i, ref in enumerate(refs):
                    producer = by_name.get(ref.resource)
                    where = f"{res.field}.{what}[{i}].resource"
                    if producer is None:
                        raise BlueprintError(
                            where,
                            f"invalid {what} for resource [{res.name}]: [{ref.name}] is "
                            f"provided by unknown resource [{ref.resource}]",
                        )
                    if producer.template_kind != target:
                        raise BlueprintError(
                            where,
                            f"invalid {what} for resource [{res.name}]: resource "
                            f"[{producer.name}] providing [{ref.name}] must reference a {target}",
                        )
    else:
        for res in bp.resources:
            if res.template_kind == "ClusterDeploymentTemplate" and res.deployment is None:
                raise BlueprintError(
                    res.field,
                    f"spec.resources[{res.name}] is a ClusterDeploymentTemplate and must receive a deployment",
                )
            if res.deployment is not None and res.template_kind != "ClusterDeploymentTemplate":
                raise BlueprintError(
                    f"{res.field}.deployment",
                    f"spec.resources[{res.name}] receives a deployment but is not a ClusterDeploymentTemplate",
                )
        raw_resources = spec.get("Resources") or []
        for res, raw in zip(bp.resources, raw_resources, strict=False):
            if res.template_kind == "ClusterDeploymentTemplate" and raw.get("Configs") is not None:
                raise BlueprintError(
                    f"{res.field}.configs",
                    f"spec.resources[{res.name}] is a ClusterDeploymentTemplate and must not receive config",
                )


def _validate_template_ref(res: Resource, paths: frozenset[str], prefixes: tuple[str, ...]) -> None:
    where = f"{res.field}.templateRef"
    prefix = f"error validating resource [{res.name}]: "
    if res.template_name and res.options:
        raise BlueprintError(
            where, prefix + "exactly one of templateRef.Name or templateRef.Options must be specified, found both"
        )
    if not res.template_name and len(res.options) < 2:
        if len(res.options) == 1:
            raise BlueprintError(where, prefix + "templateRef.Options must have more than one option")
        raise BlueprintError(
            where, prefix + "exactly one of templateRef.Name or templateRef.Options must be specified, found neither"
        )
    if sum(1 for o in res.options if o.pass_through) > 1:
        raise BlueprintError(f"{where}.options", prefix + "cannot have more than one pass through option")
    for option in res.options:
        if option.name and option.pass_through:
            raise BlueprintError(
                f"{where}.options",
                prefix + "exactly one of option.Name or option.PassThrough must be specified, found both",
            )
        if not option.name and not option.pass_through:
            raise BlueprintError(
                f"{where}.options",
                prefix + "exactly one of option.Name or option.PassThrough must be specified, found neither",
            )
        label = option.name or "passThrough"
        if option.selector.size == 0:
            raise BlueprintError(
                f"{where}.options",
                prefix + f"error validating option [{label}] selector: at least "
                "one of matchLabels, matchExpressions or MatchFields must be specified",
            )
        try:
            validate_label_selector(option.selector)
            validate_field_requirements(option.selector.match_fields, paths, prefixes)
        except EvalError as err:
            raise BlueprintError(
                f"{where}.options", prefix + f"error validating option [{label}] selector: {err}"
            ) from None
    for a in res.options:
        for b in res.options:
            if a.name != b.name and a.selector == b.selector:
                raise BlueprintError(
                    f"{where}.options",
                    prefix + f"duplicate selector found in options "
                    f"[{a.name or 'passThrough'}, {b.name or 'passThrough'}]",
                )


def select_blueprint(owner: Owner, blueprints: Sequence[tuple[Blueprint, Any]]) -> tuple[Blueprint, Any]:
    """The blueprint the owner selects (most requirements wins; a tie selects none and is an error).

    BLUEPRINTS pairs each blueprint with an opaque tag (its location) that is returned with it.
    """
    candidates = [(bp, tag) for bp, tag in blueprints if bp.owner_kind == owner.kind]
    kind = "ClusterSupplyChain" if owner.kind == "Workload" else "ClusterDelivery"
    if not candidates:
        raise EvalError(f"no {kind} given (a {owner.kind} is realized by a {kind})")
    boxed = gt.Boxed(owner.typed, owner.go_type)
    try:
        best = best_matches(boxed, owner.labels, [bp.selector for bp, _ in candidates])
    except SelectorError as err:
        bad = candidates[err.index][0]
        raise EvalError(
            f"error handling selectors, selectorMatchExpressions or selectorMatchFields of "
            f"[{bad.kind}/{bad.name}]: {err}"
        ) from None
    who = f"{owner.kind} {owner.namespace}/{owner.name}"
    if not best:
        listing = "; ".join(f"{bp.name} [{bp.selector.describe()}]" for bp, _ in candidates)
        raise EvalError(f"no {kind} selects {who} (labels {owner.labels}); candidates: {listing}")
    if len(best) > 1:
        names = ", ".join(candidates[i][0].name for i in best)
        size = candidates[best[0]][0].selector.size
        raise EvalError(
            f"{who} is matched equally well ({size} requirements each) by more than one {kind}: {names}; "
            "Cartographer selects none of them (MultipleSupplyChainMatches) — make one selector more "
            "specific"
        )
    return candidates[best[0]]


def resolve_option(owner: Owner, resource: Resource, blueprint: str) -> Option | None:
    """The template option a resource picks for the owner (None when it names one template)."""
    if not resource.options:
        return None
    boxed = gt.Boxed(owner.typed, owner.go_type)
    try:
        best = best_matches(boxed, owner.labels, [o.selector for o in resource.options])
    except SelectorError as err:
        option = resource.options[err.index]
        raise EvalError(
            f"error matching option [{option.name or 'passThrough'}] of resource [{resource.name}] in "
            f"[{blueprint}]: {err}"
        ) from None
    if len(best) != 1:
        names = [resource.options[i].name or "passThrough" for i in best]
        what = "no option" if not names else f"more than one option ({', '.join(names)})"
        raise EvalError(
            f"{what} of resource [{resource.name}] in [{blueprint}] matches {owner.kind} "
            f"{owner.namespace}/{owner.name}; exactly one must"
        )
    return resource.options[best[0]]


__all__ = [
    "Blueprint",
    "BlueprintError",
    "Option",
    "Ref",
    "Requirement",
    "Resource",
    "decode_blueprint",
    "resolve_option",
    "select_blueprint",
]
