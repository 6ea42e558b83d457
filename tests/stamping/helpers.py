"""Running the `supplychain` CLI (test, render, stamp) and `cartotest` from the stamping tests."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

SUPPLYCHAIN = str(Path(sys.executable).parent / "supplychain")
HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
TAP = HERE / "tap"
VERDICT = re.compile(r"^(PASS|FAIL): (\S+)", re.MULTILINE)


@dataclass
class Run:
    code: int
    output: str
    verdicts: dict[str, str]


def _verdicts(text: str) -> dict[str, str]:
    return {str(Path(path)): verdict for verdict, path in VERDICT.findall(text)}


def run_ours(directory: Path) -> Run:
    proc = subprocess.run([SUPPLYCHAIN, "test", str(directory)], capture_output=True, text=True, check=False)
    return Run(proc.returncode, proc.stdout + proc.stderr, _verdicts(proc.stdout))


def run_cartotest(binary: Path, directory: Path, env: dict[str, str]) -> Run:
    proc = subprocess.run([str(binary), str(directory)], capture_output=True, text=True, check=False, env=env)
    return Run(proc.returncode, proc.stdout + proc.stderr, _verdicts(proc.stderr + proc.stdout))


def run_cli(*args: str, stdin: str | None = None) -> str:
    """`supplychain ARGS` run from the repository root: its stdout, after asserting it succeeded."""
    proc = subprocess.run([SUPPLYCHAIN, *args], capture_output=True, text=True, cwd=REPO, input=stdin, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def yaml_docs(text: str) -> list[dict[str, Any]]:
    """The non-empty YAML documents of TEXT."""
    return [d for d in yaml.safe_load_all(text) if d]


def render_tap_chains(out: Path) -> Path:
    """The product templates and TAP's source-to-url-package and delivery-basic, patched by the overlay,
    rendered into OUT (templates.yaml, source-to-url-package.yaml, delivery-basic.yaml)."""
    run_cli("render", "--only", "templates", "-o", str(out / "templates.yaml"))
    for chain in ("source-to-url-package", "delivery-basic"):
        run_cli(
            "render",
            "--only",
            "chains",
            "--chains",
            f"tests/fixtures/ootb/{chain}.yaml",
            "-o",
            str(out / f"{chain}.yaml"),
        )
    return out


def stamp_tap_supply_chain(
    rendered: Path, owner: str, outputs: Path = TAP / "outputs.yaml", stdin: str | None = None
) -> str:
    """`supplychain stamp` of the rendered source-to-url-package (see render_tap_chains) with TAP's stages
    stood in for by tap/ootb-supply-chain-templates.yaml; OWNER is a path, or - to read STDIN."""
    return run_cli(
        "stamp",
        "--blueprint",
        str(rendered / "source-to-url-package.yaml"),
        "--templates",
        str(rendered / "templates.yaml"),
        "--templates",
        str(TAP / "ootb-supply-chain-templates.yaml"),
        "--owner",
        owner,
        "--outputs",
        str(outputs),
        stdin=stdin,
    )


def stamp_tap_delivery(rendered: Path, owner: str, outputs: Path, stdin: str | None = None) -> str:
    """`supplychain stamp` of the rendered delivery-basic with TAP's delivery templates."""
    return run_cli(
        "stamp",
        "--blueprint",
        str(rendered / "delivery-basic.yaml"),
        "--templates",
        str(rendered / "templates.yaml"),
        "--templates",
        "tests/fixtures/ootb-templates/delivery.yaml",
        "--owner",
        owner,
        "--outputs",
        str(outputs),
        stdin=stdin,
    )
