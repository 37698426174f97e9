"""Tests leave nothing running: a pytest plugin (registered by conftest.py) that fails the run, loudly,
when a process a test started is still alive once every fixture is torn down, and stops it.

A test's process is found three ways, so an orphan whose parent was killed is found too:
- a descendant of the pytest process;
- a process carrying this run's mark in its environment (children and grandchildren inherit it);
- a Redis/Valkey server whose socket or data dir lies in one of this run's temporary folders.
Each is reported with the test after which it was first seen alive. `stop_process` and `stop_redis_in`
are how tests and fixtures stop what they started, whatever state it is in.
"""
from __future__ import annotations

import os
import signal
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from indexing.processes import stop_process  # noqa: F401 (how tests stop what they started)

RUN_MARK = "HASHLENS_TEST_RUN"  # environment variable every process the tests start inherits

_run_dirs: list[str] = []


def watch_dir(path: str | os.PathLike) -> None:
    """A temporary folder of this run: servers with their socket or data under it are the tests'."""
    _run_dirs.append(str(path))


def stop_redis_in(data_dir: Path) -> None:
    """Stop the embedded Redis serving data_dir, whoever started it: a service's server outlives an owner
    killed with SIGKILL (by design: the other processes keep their storage), so it would outlive the
    test. Killed if SHUTDOWN does not end it (busy, or loading its files after a restart)."""
    import redis

    try:
        pid = int((data_dir / "redis.pid").read_text())
    except (OSError, ValueError):
        return  # none running: it removes its pid file when it exits
    try:
        redis.Redis(unix_socket_path=str(data_dir / "redis.sock"), socket_timeout=5).shutdown(nosave=True)
    except redis.RedisError:
        pass  # SHUTDOWN closes the connection; or it did not answer, and is killed below
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and _serves(pid, data_dir):
        time.sleep(0.1)
    if _serves(pid, data_dir):
        os.kill(pid, signal.SIGKILL)


def _serves(pid: int, data_dir: Path) -> bool:
    found = _read_proc(pid)
    return found is not None and str(data_dir) in found[0].cmdline


@dataclass(frozen=True)
class Proc:
    pid: int
    started: int  # clock ticks after boot: with the pid, names one process even if the pid is reused
    cmdline: str = field(compare=False)  # changes when a forked child execs


def _read_proc(pid: int) -> tuple[Proc, int] | None:
    """(the process, its parent pid), or None if it is gone or a zombie (dead, not yet reaped)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) ": state ppid ... starttime (22nd field)
    if fields[0] in "ZX":
        return None
    return Proc(pid, int(fields[19]), cmdline), int(fields[1])


def _marks(pid: int) -> list[str]:
    """The runs whose mark a process's environment carries."""
    prefix = f"{RUN_MARK}=".encode()
    try:
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except OSError:  # another user's process, or gone
        return []
    return next((v[len(prefix):].decode().split() for v in environ if v.startswith(prefix)), [])


class ProcessCheck:
    exit_grace_s = 15.0  # a process stopped at the very end (SIGTERM, SHUTDOWN) may take this long to go

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.me = os.getpid()
        self.mark = f"{self.me}-{uuid.uuid4().hex[:8]}"
        # Added to the marks of any run this one runs inside (a test of this plugin), never replacing them.
        os.environ[RUN_MARK] = f"{os.environ.get(RUN_MARK, '')} {self.mark}".strip()
        self.first_seen: dict[Proc, str] = {}
        self.left: list[tuple[Proc, str]] = []

    def _dirs(self) -> list[str]:
        factory = getattr(self.config, "_tmp_path_factory", None)  # tmp_path's base, once a test asked for one
        base = getattr(factory, "_basetemp", None)
        return _run_dirs + ([str(base)] if base is not None else [])

    def ours(self) -> list[Proc]:
        """Processes of this run other than pytest itself, alive now."""
        procs, parent = {}, {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and int(entry.name) != self.me:
                found = _read_proc(int(entry.name))
                if found is not None:
                    procs[found[0].pid], parent[found[0].pid] = found
        dirs = self._dirs()

        def descends(pid: int) -> bool:
            seen = set()
            while pid in parent and pid not in seen:
                seen.add(pid)
                pid = parent[pid]
                if pid == self.me:
                    return True
            return False

        def run_server(cmdline: str) -> bool:
            return ("valkey-server" in cmdline or "redis-server" in cmdline) and any(d in cmdline for d in dirs)

        return [p for pid, p in procs.items() if descends(pid) or self.mark in _marks(pid) or run_server(p.cmdline)]

    @pytest.hookimpl
    def pytest_runtest_logfinish(self, nodeid: str) -> None:
        for proc in self.ours():
            self.first_seen.setdefault(proc, nodeid)

    @pytest.hookimpl(trylast=True)  # after the session fixtures' teardown (runner's sessionfinish)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        deadline = time.monotonic() + self.exit_grace_s
        left = self.ours()
        while left and time.monotonic() < deadline:
            time.sleep(0.2)
            self._reap()
            left = self.ours()
        for proc in left:
            try:
                os.kill(proc.pid, signal.SIGKILL)  # a test's process: nothing of it is worth waiting for
            except OSError:
                pass
        self._reap()
        self.left = [(proc, self.first_seen.get(proc, "the session's end")) for proc in left]
        if self.left:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def _reap(self) -> None:
        """Collect the exit status of this process's dead children (the ones killed above) so they go."""
        while True:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return

    @pytest.hookimpl
    def pytest_terminal_summary(self, terminalreporter) -> None:
        if not self.left:
            return
        terminalreporter.section("processes left running by tests (now killed)", sep="!", red=True, bold=True)
        for proc, nodeid in self.left:
            terminalreporter.line(f"pid {proc.pid}, first seen after {nodeid}: {proc.cmdline[:300]}", red=True)
        terminalreporter.line("FAILED: every process a test starts must be stopped by that test or its fixture",
                              red=True, bold=True)
