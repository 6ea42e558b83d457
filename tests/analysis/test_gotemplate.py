"""The Go text/template engine against Go itself (tests/analysis/goref) and Flagger's known messages."""

from __future__ import annotations

import json
import random
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from supplychain.analysis import gotemplate as g
from supplychain.analysis.render import flagger_render_error, render

from .gotemplate_corpus import CORPUS, MODEL


def _constant(value: Any) -> Callable[[], Any]:
    return lambda: value


def _funcs(model: dict[str, Any]) -> dict[str, Callable[[], Any]]:
    return {k: _constant(v) for k, v in model.items()}


def _ours(template: str, model: dict[str, Any]) -> dict[str, str] | None:
    funcs = _funcs(model)
    try:
        return {"output": g.parse(template, set(funcs)).render(funcs), "error": "", "stage": ""}
    except g.TemplateError as err:
        return {"output": "", "error": err.message, "stage": err.stage}
    except g.UnsupportedTemplate:
        return None


def _go(goref: Path, templates: list[str], model: dict[str, Any]) -> list[dict[str, str]]:
    lines = "".join(json.dumps({"template": t, "model": model}) + "\n" for t in templates)
    proc = subprocess.run([str(goref)], input=lines, capture_output=True, text=True, timeout=120, check=True)
    return [json.loads(line) for line in proc.stdout.splitlines()]


def _random_templates(seed: int, count: int) -> list[str]:
    frags = [
        "{{",
        "}}",
        " ",
        "name",
        "variables",
        ".cluster",
        ".missing",
        "|",
        "printf",
        '"%s"',
        '"x"',
        "(",
        ")",
        "$x",
        ":=",
        "if",
        "end",
        "else",
        "with",
        "range",
        ".",
        "1",
        "2.5",
        "-",
        "{{-",
        "-}}",
        "len",
        "index",
        "eq",
        "not",
        "and",
        "or",
        "\n",
        "text",
        "interval",
        "/*",
        "*/",
        "nil",
        "true",
        "print",
        "$",
        ",",
        "=",
        "'a'",
        "`r`",
        "urlquery",
    ]
    rnd = random.Random(seed)
    out = []
    for _ in range(count):
        if rnd.random() < 0.5:
            out.append(
                "".join(rnd.choice(frags) + (" " if rnd.random() < 0.5 else "") for _ in range(rnd.randint(1, 12)))
            )
        else:
            parts = []
            for _ in range(rnd.randint(1, 4)):
                body = " ".join(rnd.choice(frags[3:]) for _ in range(rnd.randint(1, 4)))
                parts.append(
                    rnd.choice(["{{ ", "{{", "{{- "])
                    + body
                    + rnd.choice([" }}", "}}", " -}}"])
                    + rnd.choice(["", " x ", "\n"])
                )
            out.append("".join(parts))
    return out


@pytest.mark.parametrize("model", [MODEL, {**MODEL, "variables": None}], ids=["variables", "no-variables"])
def test_corpus_matches_go(goref: Path, model: dict[str, Any]) -> None:
    expected = _go(goref, CORPUS, model)
    mismatches, unsupported = [], []
    for template, want in zip(CORPUS, expected, strict=True):
        got = _ours(template, model)
        if got is None:
            unsupported.append(template)
        elif got != want:
            mismatches.append(f"{template!r}\n  go: {want}\n  py: {got}")
    assert len(CORPUS) >= 75, "the corpus lost templates"
    assert not unsupported, f"the engine no longer evaluates: {unsupported}"
    assert not mismatches, "\n".join(mismatches)


def test_random_templates_match_go(goref: Path) -> None:
    templates = _random_templates(seed=20260714, count=3000)
    expected = _go(goref, templates, MODEL)
    mismatches = []
    compared = 0
    for template, want in zip(templates, expected, strict=True):
        got = _ours(template, MODEL)
        if got is None:
            continue
        compared += 1
        if got != want:
            mismatches.append(f"{template!r}\n  go: {want}\n  py: {got}")
    assert compared > 2500
    assert not mismatches, f"{len(mismatches)} of {compared} differ:\n" + "\n".join(mismatches[:10])


MODEL_FUNCS = {
    "name": "podinfo",
    "namespace": "test",
    "target": "podinfo",
    "service": "podinfo",
    "ingress": "podinfo",
    "route": "podinfo",
    "interval": "1m",
    "variables": {"cluster": "dev"},
}


def test_flagger_missing_variable_message() -> None:
    with pytest.raises(g.TemplateError) as raised:
        render('sum(x{c="{{ variables.group }}"})', MODEL_FUNCS)
    assert flagger_render_error(raised.value) == (
        'template excution failed: template: tmpl:1:12: executing "tmpl" at <variables>: '
        'map has no entry for key "group"'
    )


def test_dot_fields_fail_because_flagger_passes_nil_data() -> None:
    with pytest.raises(g.TemplateError) as raised:
        render("{{ .name }}", MODEL_FUNCS)
    assert raised.value.message.endswith('nil data; no entry for key "name"')


def test_unknown_function_is_a_parse_error() -> None:
    with pytest.raises(g.TemplateError) as raised:
        render("{{ pod }}", MODEL_FUNCS)
    assert flagger_render_error(raised.value) == 'template parsing failed: template: tmpl:1: function "pod" not defined'


def test_model_functions_and_variables_render() -> None:
    text = 'rate(x{ns="{{ namespace }}",pod=~"{{ target }}-.*",c="{{ variables.cluster }}"}[{{ interval }}])'
    assert render(text, MODEL_FUNCS) == 'rate(x{ns="test",pod=~"podinfo-.*",c="dev"}[1m])'


def test_trim_markers_and_comments() -> None:
    assert render("a  {{- /* note */ -}}  b {{ name -}}\n  c", MODEL_FUNCS) == "ab podinfoc"


def test_unsupported_actions_are_reported() -> None:
    with pytest.raises(g.UnsupportedTemplate):
        render('{{ define "x" }}y{{ end }}', MODEL_FUNCS)
