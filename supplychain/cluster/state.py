"""The environment's state file (run_dir/state.json): what runs where.

Written atomically after every change so that `supplychain cluster status` and
`down` work from any process, including after the one that ran `up` has exited.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .errors import ClusterError
from ..outputs import write_text_atomic

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
            raise ClusterError(f"no environment in {run_dir} ({path} not found); run `supplychain cluster up`") from None
        except (OSError, ValueError) as err:
            raise ClusterError(f"cannot read {path}: {err}") from None
        try:
            return cls(**data)
        except TypeError as err:
            raise ClusterError(f"{path}: unexpected content: {err}") from None

    def save(self, run_dir: Path) -> None:
        write_text_atomic(self.path(run_dir), json.dumps(asdict(self), indent=2, sort_keys=True) + "\n")
