"""PromQL syntax checks with the real `promtool` (one call for any number of queries).

Each query becomes a recording rule in its own group of a temporary rule file; `promtool check rules`
parses every `expr` with the Prometheus PromQL parser and names the failing group.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Sequence
from pathlib import Path

import yaml

from ..errors import ToolError
from ..toolchain import run_tool

_FAILURE = re.compile(r'group "q(\d+)", rule \d+, "[^"]*": (.*)$')


def check_promql(queries: Sequence[str]) -> list[str | None]:
    """promtool's message for each query, or None when it parses."""
    if not queries:
        return []
    groups = [
        {"name": f"q{i}", "rules": [{"record": f"supplychain_query_{i}", "expr": q}]} for i, q in enumerate(queries)
    ]
    with tempfile.TemporaryDirectory(prefix="supplychain-promql-") as tmp:
        path = Path(tmp) / "queries.rules.yml"
        path.write_text(yaml.safe_dump({"groups": groups}, sort_keys=False, width=1 << 20), encoding="utf-8")
        proc = run_tool("promtool", ["check", "rules", "--lint=none", str(path)])
    results: list[str | None] = [None] * len(queries)
    if proc.returncode == 0:
        return results
    found = False
    for line in (proc.stderr + "\n" + proc.stdout).splitlines():
        match = _FAILURE.search(line)
        if match:
            index = int(match.group(1))
            if 0 <= index < len(queries):
                results[index] = match.group(2).strip()
                found = True
    if not found:
        detail = (proc.stderr or proc.stdout).strip().splitlines()
        raise ToolError(f"promtool check rules failed unexpectedly: {' '.join(detail[-3:])}")
    return results
