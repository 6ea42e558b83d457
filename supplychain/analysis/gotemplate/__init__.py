"""A Go text/template engine for metric queries, matching Flagger's rendering.

Flagger renders a MetricTemplate query with `template.New("tmpl").Option("missingkey=error")`, the
model exposed as *functions* (`{{ name }}`, `{{ variables.key }}`) and nil data, so `{{ .name }}` fails
with "nil data; no entry for key". This package implements the part of text/template such queries can
use: text, comments, trim markers, pipelines, function calls, field chains, literals, parentheses,
variables, `if`/`else`/`with`/`range`/`end` and the builtins `and or not len index slice print printf
println urlquery html js eq ne lt le gt ge`. Error messages have Go's wording and positions.
`define`, `template`, `block`, `break`, `continue` and `call` raise UnsupportedTemplate.

Modules: ``lexer``, ``parser`` (into ``nodes``), ``execute`` (with ``builtins`` and ``formatting``, Go's fmt),
``template`` (``parse`` and ``Template``), ``errors``.
"""

from __future__ import annotations

from .errors import MISSING, TEMPLATE_NAME, GoMap, TemplateError, UnsupportedTemplate
from .template import Template, parse

__all__ = ["MISSING", "TEMPLATE_NAME", "GoMap", "Template", "TemplateError", "UnsupportedTemplate", "parse"]
