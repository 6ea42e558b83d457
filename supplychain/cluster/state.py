"""The environment's state file (run_dir/state.json): what runs where.

Written atomically after every change so that `supplychain cluster status` and
`down` work from any process, including after the one that ran `up` has exited.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from ..outputs import write_text_atomic
from .errors import ClusterError

STATE_FILE = "state.json"


@dataclass
class State:
    """Everything needed to reach and stop a running environment."""

    provider: str
    cluster_name: str
    kubeconfig: str
    ports: dict[str, int] = field(default_factory=dict)
    pids: dict[str, list[int]] = field(default_factory=dict)
    created_at: float = 0.0

    @staticmethod
    def path(run_dir: Path) -> Path:
        return run_dir / STATE_FILE

    @classmethod
    def load(cls, run_dir: Path) -> State:
        path = cls.path(run_dir)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ClusterError(
                f"no environment in {run_dir} ({path} not found); run `supplychain cluster up`"
            ) from None
        except (OSError, ValueError) as err:
            raise ClusterError(f"cannot read {path}: {err}") from None
        return cls(**_checked(data, path))

    def save(self, run_dir: Path) -> None:
        write_text_atomic(self.path(run_dir), json.dumps(asdict(self), indent=2, sort_keys=True) + "\n")


def _checked(data: Any, path: Path) -> dict[str, Any]:
    """DATA as State's fields, or a ClusterError naming the file and the field that is wrong."""

    def bad(where: str, what: str) -> ClusterError:
        return ClusterError(
            f"{path}: {where}: {what}; the file is corrupt (run `supplychain cluster down`, or "
            "delete the folder if nothing runs)"
        )

    if not isinstance(data, dict):
        raise bad("(top)", f"expected a JSON object, got {type(data).__name__}")
    known = {f.name for f in fields(State)}
    for key in data:
        if key not in known:
            raise bad(str(key), "unknown field")
    for key in ("provider", "cluster_name", "kubeconfig"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise bad(key, f"must be a non-empty string, got {data.get(key)!r}")
    ports = data.get("ports", {})
    if not isinstance(ports, dict) or not all(
        isinstance(v, int) and not isinstance(v, bool) and 0 < v < 65536 for v in ports.values()
    ):
        raise bad("ports", f"must map names to port numbers, got {ports!r}")
    pids = data.get("pids", {})
    if not isinstance(pids, dict) or not all(
        isinstance(v, list) and all(isinstance(p, int) and not isinstance(p, bool) and p > 0 for p in v)
        for v in pids.values()
    ):
        raise bad("pids", f"must map names to lists of process ids, got {pids!r}")
    created = data.get("created_at", 0.0)
    if isinstance(created, bool) or not isinstance(created, (int, float)):
        raise bad("created_at", f"must be a number, got {created!r}")
    return data
