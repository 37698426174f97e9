"""A `milvus-lite server` in its own process, as several workers (or one bot beside its vector engine) use it.

The bot process then holds no index: what it grows by is the client's share, the server's resident
memory is the engine's. Used by the benchmarks; a deployment runs Milvus Standalone instead.
"""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from indexing.processes import free_port, listening, stop_process


def resident_bytes(pid: int | str = "self") -> int:
    """A process's resident memory now (VmRSS), not its peak."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


class LiteServer:
    """`milvus-lite server --data-dir D` on a free loopback port; `uri` for MilvusBackend; stopped on exit."""

    def __init__(self, data_dir: Path, start_timeout_s: float = 60.0) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.uri = f"http://127.0.0.1:{self.port}"
        self.start_timeout_s = start_timeout_s
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "LiteServer":
        exe = Path(sys.executable).with_name("milvus-lite")
        self.process = subprocess.Popen([str(exe), "server", "--data-dir", str(self.data_dir), "--host", "127.0.0.1",
                                         "--port", str(self.port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + self.start_timeout_s
        while not listening(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.__exit__(None, None, None)
                raise RuntimeError(f"milvus-lite server did not start on port {self.port}")
            time.sleep(0.2)
        return self

    def resident_bytes(self) -> int:
        return resident_bytes(self.process.pid) if self.process and self.process.poll() is None else 0

    def __exit__(self, *exc) -> None:
        if self.process is not None:
            stop_process(self.process, timeout_s=30)
