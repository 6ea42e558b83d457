"""What rules may look up across documents: MetricTemplates, templates and blueprints of the input."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..validation import BLUEPRINT_KINDS, INPUT_GROUP, TEMPLATE_KINDS, Subject, is_carto


def _is_flagger(subject: Subject, kind: str) -> bool:
    return str(subject.api_version or "").split("/")[0] == "flagger.app" and subject.kind == kind


@dataclass
class LintContext:
    """Indexes over every subject (input documents and stamped output)."""

    subjects: list[Subject]
    strict: bool = False
    metric_templates: dict[str, list[Subject]] = field(default_factory=dict)
    templates: dict[tuple[str, str], Subject] = field(default_factory=dict)
    blueprints: list[Subject] = field(default_factory=list)

    def __post_init__(self) -> None:
        for s in self.subjects:
            if _is_flagger(s, "MetricTemplate") and s.name:
                self.metric_templates.setdefault(s.group, []).append(s)
            if not s.embedded and is_carto(s, TEMPLATE_KINDS) and s.kind and s.name:
                self.templates[(s.kind, s.name)] = s
            if not s.embedded and is_carto(s, BLUEPRINT_KINDS):
                self.blueprints.append(s)

    def find_metric_template(self, canary: Subject, name: str, namespace: str | None) -> Subject | None:
        """The MetricTemplate a Canary's templateRef names: in the input, or stamped alongside the Canary."""
        want_ns = namespace or canary.namespace
        for mt in self.metric_templates.get(INPUT_GROUP, []):
            if mt.name == name and (want_ns is None or mt.namespace is None or mt.namespace == want_ns):
                return mt
        if canary.embedded:
            for mt in self.metric_templates.get(canary.group, []):
                if mt.name == name:
                    return mt
        return None

    def templates_stamp_metric_templates(self) -> bool:
        """Whether some template of the input stamps a MetricTemplate (with params we cannot enumerate)."""
        return any(mt.embedded for group in self.metric_templates.values() for mt in group)
