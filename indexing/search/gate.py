"""The write gate: writes pass it together, an image-model switch alone.

Switching the serving image model (indexing/migration/switch.py) replaces the engine's parts
as a whole; a write that embedded its photo with the old model and indexed it after the switch
would be lost from the new indexes. Writes hold the gate shared (many at once, as before); the
switch waits for those in flight, holds new ones back for the few milliseconds of the swap, and
lets them through onto the new parts.
"""
from __future__ import annotations

import functools
import threading
from contextlib import contextmanager
from typing import Iterator


class WriteGate:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._writers = 0
        self._closed = False  # a switch waits or runs: new writes wait (so a busy stream cannot starve it)
        self._mine = threading.local()  # this thread's depth: a write inside a write passes at once

    @contextmanager
    def shared(self) -> Iterator[None]:
        depth = getattr(self._mine, "depth", 0)
        if depth == 0:
            with self._cond:
                while self._closed:
                    self._cond.wait()
                self._writers += 1
        self._mine.depth = depth + 1
        try:
            yield
        finally:
            self._mine.depth = depth
            if depth == 0:
                with self._cond:
                    self._writers -= 1
                    self._cond.notify_all()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        with self._cond:
            while self._closed:
                self._cond.wait()
            self._closed = True
            while self._writers:
                self._cond.wait()
        try:
            yield
        finally:
            with self._cond:
                self._closed = False
                self._cond.notify_all()


def gated(method):
    """An engine method that writes: it holds the engine's gate shared (see WriteGate)."""
    @functools.wraps(method)
    def through_gate(self, *args, **kwargs):
        with self.gate.shared():
            return method(self, *args, **kwargs)
    return through_gate
