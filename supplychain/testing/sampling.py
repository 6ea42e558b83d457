"""Reading the cluster in the background while a test acts: one bounded poll loop in a thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Sampler(Generic[T]):
    """Calls ``read(t)`` every EVERY seconds, at most MOST times, from entering the ``with`` block to leaving it;
    t is the seconds since it started. Results go to ``samples``; a failed read goes to ``errors`` with its t,
    so a gap in the samples never passes silently."""

    def __init__(self, read: Callable[[float], T], every: float, most: int) -> None:
        self.read = read
        self.every = every
        self.most = most
        self.samples: list[T] = []
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._start = 0.0

    def __enter__(self) -> Sampler[T]:
        self._start = time.monotonic()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(10)

    def elapsed(self) -> float:
        """Seconds since it started, on the clock of the samples' t."""
        return time.monotonic() - self._start

    def _run(self) -> None:
        for _ in range(self.most):
            if self._stop.is_set():
                return
            t = time.monotonic() - self._start
            try:
                self.samples.append(self.read(t))
            except Exception as err:
                self.errors.append(f"{t:.1f}s: {err}")
            self._stop.wait(self.every)
