"""Cross-process single-flight: a Redis lock with an expiry, renewed while its holder is alive.

A holder killed with SIGKILL stops renewing, so its lock expires after `ttl_s` and the job can run
again elsewhere; a holder that lost its lock (paused longer than the ttl) learns it on renewal.
"""
from __future__ import annotations

import logging
import threading

import redis
from redis.exceptions import LockError

from indexing.errors import IndexingError
from indexing.storage_errors import REDIS_DOWN, as_storage_error
from indexing.store import PostStore

log = logging.getLogger(__name__)


class LockBusy(IndexingError):
    """Another process holds the lock."""


class JobLock:
    def __init__(self, store: PostStore, name: str, ttl_s: float = 120, wait_s: float = 0) -> None:
        self.name = name
        self.ttl_s = ttl_s
        self.wait_s = wait_s
        self._lock = store.lock(name, ttl_s)
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None
        self.lost = False

    def __enter__(self) -> "JobLock":
        try:
            got = self._lock.acquire(blocking=self.wait_s > 0, blocking_timeout=self.wait_s or None)
        except REDIS_DOWN as exc:
            raise LockBusy(f"cannot take the {self.name} lock: Redis is unreachable ({exc})") from exc
        except redis.ResponseError as exc:  # e.g. LOADING after a restart: storage, not the lock, is the problem
            raise as_storage_error(exc) from exc
        if not got:
            raise LockBusy(f"another process is running {self.name}")
        self._renewer = threading.Thread(target=self._renew, name=f"lock-{self.name}", daemon=True)
        self._renewer.start()
        return self

    def _renew(self) -> None:
        while not self._stop.wait(self.ttl_s / 3):
            try:
                self._lock.extend(self.ttl_s, replace_ttl=True)
            except LockError:
                self.lost = True
                log.error("lost the %s lock (held past its expiry?)", self.name)
                return
            except redis.RedisError as exc:  # Redis away for a moment: try again next period
                log.warning("could not renew the %s lock: %s", self.name, exc)

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join()
        try:
            self._lock.release()
        except (LockError, redis.RedisError):
            pass  # expired or Redis away: it expires by itself
