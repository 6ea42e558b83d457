"""The built wheel works alone: installed into a fresh virtualenv, `supplychain render` run from another folder
prints what the checkout renders, with no checkout in sight."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SOURCES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "supplychain", "templates", "ytt")
TEST_ONLY = ("supplychain/stamping/corpus.py", "supplychain/appfleet/harness.py", "supplychain/appfleet/example.py")


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 600) -> str:
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    assert proc.returncode == 0, f"{' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built (PEP 517, isolated) from a copy of the sources, so the checkout gets no build/ folder."""
    src = tmp_path_factory.mktemp("src")
    for name in SOURCES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy2(source, src / name)
    dist = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(src)], cwd=src)
    wheels = list(dist.glob("supplychain-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv with the wheel installed (its dependencies from the package index)."""
    env_dir = tmp_path_factory.mktemp("venv")
    venv.create(env_dir, with_pip=True, clear=True)
    _run(
        [str(env_dir / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)],
        cwd=env_dir,
    )
    return env_dir


def test_wheel_carries_the_templates_and_overlay_as_package_data(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    for rel in [
        p.relative_to(REPO).as_posix()
        for top in ("templates", "ytt")
        for p in (REPO / top).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    ]:
        assert f"supplychain/bundle/{rel}" in names, rel
    assert "supplychain/versions.env" in names
    assert not [n for n in names if n.startswith(("tests/", "examples/", "hack/", "benchmarks/"))]
    assert not [n for n in TEST_ONLY if n in names]


def test_installed_wheel_renders_from_another_folder(installed: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("SUPPLYCHAIN_ROOT", "PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{installed / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    where = _run(
        [str(installed / "bin" / "python"), "-c", "import supplychain.project as p; print(p.product_root())"],
        cwd=elsewhere,
        env=env,
    )
    assert Path(where.strip()).is_relative_to(installed), where
    ours = Path(sys.executable).parent / "supplychain"  # the checkout's (editable) install
    for args in (["render"], ["render", "--package"]):
        _run([str(installed / "bin" / "supplychain"), *args, "-o", "wheel.yaml"], cwd=elsewhere, env=env)
        _run([str(ours), *args, "-o", str(tmp_path / "checkout.yaml")], cwd=REPO)
        assert (elsewhere / "wheel.yaml").read_text() == (tmp_path / "checkout.yaml").read_text(), args
    _run([str(installed / "bin" / "supplychain"), "validate", "wheel.yaml"], cwd=elsewhere, env=env)


def test_optional_extras_are_named_when_missing(installed: Path, tmp_path: Path) -> None:
    """Without the `plot` extra, `graph` says what to install instead of failing on an import."""
    blueprint = REPO / "tests" / "fixtures" / "ootb" / "source-to-url.yaml"
    proc = subprocess.run(
        [str(installed / "bin" / "supplychain"), "graph", "--blueprint", str(blueprint), "-o", str(tmp_path / "g.svg")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "pip install 'supplychain[plot]'" in proc.stderr
    assert "Traceback" not in proc.stderr
