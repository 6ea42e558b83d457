"""The Carvel Package for the templates bundle, and the data-values schema it publishes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from supplychain.rendering import OVERLAY_MARK, RenderOptions, render_package, render_product
from supplychain.toolchain import run_tool


def _properties(schema: dict[str, Any], path: str = "") -> list[tuple[str, dict[str, Any]]]:
    found = []
    for name, prop in schema.get("properties", {}).items():
        found.append((f"{path}{name}", prop))
        found += _properties(prop, f"{path}{name}.")
    return found


def test_every_data_value_is_described() -> None:
    _, package = render_package()
    schema = package["spec"]["valuesSchema"]["openAPIv3"]
    props = _properties(schema)
    assert len(props) >= 20
    undescribed = [name for name, prop in props if not prop.get("description")]
    assert undescribed == []


def test_inline_package_renders_like_the_cli(tmp_path: Path) -> None:
    """kapp-controller runs ytt over the fetched files with the Package's paths and file marks."""
    _, package = render_package()
    spec = package["spec"]["template"]["spec"]
    for rel, content in spec["fetch"][0]["inline"]["paths"].items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(content)
    ytt = spec["template"][0]["ytt"]
    assert ytt["fileMarks"] == [OVERLAY_MARK]
    args = [a for p in ytt["paths"] for a in ("-f", str(tmp_path / p))]
    for mark in ytt["fileMarks"]:
        args += ["--file-mark", mark]
    result = run_tool("ytt", args)
    assert result.returncode == 0, result.stderr
    from_package = [d for d in yaml.safe_load_all(result.stdout) if d]
    from_cli = [d.body for d in render_product(RenderOptions())]
    assert from_package == from_cli
    kinds = sorted(d["kind"] for d in from_package)
    # canary, canary-knative, canary-metric, canary-off, and the four plain metric templates
    assert kinds == ["ClusterConfigTemplate"] * 4 + ["ClusterRole"] + ["ClusterTemplate"] * 8 + ["Secret"]


def test_image_package_fetches_the_bundle() -> None:
    metadata, package = render_package(image="registry.example.com/supplychain/canary-stage@sha256:" + "0" * 64)
    assert package["spec"]["refName"] == metadata["metadata"]["name"]
    assert package["metadata"]["name"] == f"{package['spec']['refName']}.{package['spec']['version']}"
    assert package["spec"]["template"]["spec"]["fetch"] == [
        {"imgpkgBundle": {"image": "registry.example.com/supplychain/canary-stage@sha256:" + "0" * 64}}
    ]
