"""Background work at a lower CPU priority than the queries served beside it."""
from __future__ import annotations

import os
import threading


def background_priority(niceness: int = 10) -> None:
    """Lower the calling thread's priority (Linux: a thread is a task with its own nice value)."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), niceness)
    except (OSError, AttributeError):
        pass
