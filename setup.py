"""Build step: the wheel carries templates/ and ytt/ as package data (supplychain/bundle/).

The folders stay at the top of the source tree, where ytt, kapp-controller and the tests read them; this
copies them into the built package. An editable install skips the copy and reads the checkout
(supplychain.project). Everything else is in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
PRODUCT_DIRS = ("templates", "ytt")


class BuildPyWithBundle(build_py):
    """build_py, then templates/ and ytt/ copied into <build_lib>/supplychain/bundle/."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        bundle = Path(self.build_lib) / "supplychain" / "bundle"
        for name in PRODUCT_DIRS:
            source = HERE / name
            if not source.is_dir():
                raise SystemExit(f"setup.py: {source} is missing; build from a checkout or an sdist")
            target = bundle / name
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", ".*"))


setup(cmdclass={"build_py": BuildPyWithBundle})
