"""Child processes the service, the benchmarks and the tests start: a free loopback port for one, knowing
when it listens, and stopping it whatever state it is in (never left running)."""
from __future__ import annotations

import signal
import socket
import subprocess


def free_port() -> int:
    """A loopback TCP port nothing listens on now (the OS picks it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def listening(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        return sock.connect_ex((host, port)) == 0


def stop_process(proc: subprocess.Popen, timeout_s: float = 60, terminate: bool = True) -> bool:
    """SIGTERM (unless the caller already asked it to stop another way: terminate=False), then SIGKILL if
    it has not exited within timeout_s. True if it had to be killed."""
    if proc.poll() is not None:
        return False
    if terminate:
        proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout_s)
        return False
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return True
