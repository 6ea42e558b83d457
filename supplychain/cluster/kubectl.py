"""A thin kubectl wrapper bound to one kubeconfig."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import ClusterError


@dataclass(frozen=True)
class Kubectl:
    """Runs the pinned kubectl against KUBECONFIG."""

    binary: Path
    kubeconfig: Path

    def run(self, *args: str, stdin: str | None = None, timeout: float = 60, check: bool = True) -> str:
        """Run kubectl ARGS; a non-zero exit is a ClusterError (unless CHECK is false)."""
        argv = [str(self.binary), "--kubeconfig", str(self.kubeconfig), *args]
        env = {**os.environ, "KUBECONFIG": str(self.kubeconfig)}
        try:
            done = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=timeout, env=env)
        except subprocess.TimeoutExpired:
            raise ClusterError(f"kubectl {' '.join(args)} timed out after {timeout:g}s") from None
        if check and done.returncode != 0:
            message = (done.stderr or done.stdout).strip().splitlines()
            raise ClusterError(f"kubectl {' '.join(args)} failed: {' '.join(message[-3:])}")
        return done.stdout

    def ok(self, *args: str, timeout: float = 30) -> bool:
        """Whether kubectl ARGS exits 0 (output discarded)."""
        argv = [str(self.binary), "--kubeconfig", str(self.kubeconfig), *args]
        try:
            return subprocess.run(argv, capture_output=True, timeout=timeout).returncode == 0
        except subprocess.TimeoutExpired:
            return False

    def get(self, *args: str, timeout: float = 30) -> Any:
        """`kubectl get ARGS -o json`, parsed."""
        return json.loads(self.run("get", *args, "-o", "json", timeout=timeout))

    def apply(self, documents: list[dict[str, Any]], server_side: bool = False, timeout: float = 120) -> None:
        """Apply DOCUMENTS (server-side when asked, which large CRDs need)."""
        text = yaml.safe_dump_all(documents, sort_keys=False)
        args = ["apply", "-f", "-"]
        if server_side:
            args += ["--server-side", "--force-conflicts", "--field-manager", "supplychain-env"]
        self.run(*args, stdin=text, timeout=timeout)

    def apply_files(self, paths: list[Path], server_side: bool = False, timeout: float = 180) -> None:
        """Apply manifest files."""
        args = ["apply"]
        for path in paths:
            args += ["-f", str(path)]
        if server_side:
            args += ["--server-side", "--force-conflicts", "--field-manager", "supplychain-env"]
        self.run(*args, timeout=timeout)
