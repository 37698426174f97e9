"""Keeps one process's indexes in step with every other process sharing the Redis.

Reads the change log (a Redis stream written in the same transaction as each post) from the
position the engine loaded at: posts other processes stored are indexed, deleted ones dropped,
the text read from their photos made searchable,
and a release another process published (a rebuild, new heads, a rollback) is adopted: what
changed is built beside the serving view and swapped in. Entries are idempotent, so reading one twice is harmless. When
Redis was away, or the log was trimmed past our position, everything is re-read instead.
"""
from __future__ import annotations

import logging
import threading
import time

from indexing.errors import StorageUnavailableError
from indexing.priority import background_priority

log = logging.getLogger(__name__)


class ChangeFollower:
    def __init__(self, engine, block_ms: int = 1000) -> None:
        self.engine = engine
        self.block_ms = block_ms
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="change-follower", daemon=True)
        self.applied = 0

    def start(self) -> "ChangeFollower":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        background_priority()  # loading a release must not slow the queries served meanwhile
        store = self.engine.store
        resync = False
        while not self._stop.is_set():
            try:
                if resync or self._log_trimmed():
                    self._resync()
                    resync = False
                entries = store.read_changes(self.engine.change_position, block_ms=self.block_ms)
                for entry_id, fields in entries:
                    self._apply(fields)
                    self.engine.changes_applied(entry_id)
                    self.applied += 1
            except StorageUnavailableError as exc:
                if not resync:
                    log.warning("change log unreadable (%s); will re-read all posts when Redis is back", exc)
                resync = True
                self._stop.wait(1.0)
            except Exception:  # never let the follower die: log, wait, re-read everything
                log.exception("applying the change log failed; re-reading all posts")
                resync = True
                self._stop.wait(1.0)

    def _log_trimmed(self) -> bool:
        oldest = self.engine.store.oldest_change()
        position = self.engine.change_position
        return oldest is not None and position != "0-0" and _entry_key(oldest) > _entry_key(position)

    def _apply(self, fields: dict[str, str]) -> None:
        op = fields.get("op")
        if op == "add":
            self.engine.apply_added([int(x) for x in fields["ids"].split(",") if x])
        elif op == "del":
            self.engine.apply_deleted([int(x) for x in fields["ids"].split(",") if x])
        elif op == "captions":
            self.engine.apply_captions_changed([int(x) for x in fields["ids"].split(",") if x])
        elif op == "text":
            self.engine.apply_text_changed([int(x) for x in fields["ids"].split(",") if x])
        elif op == "release":
            self._release(fields["version"])

    def _release(self, version: str) -> None:
        engine = self.engine
        store = engine.store
        if engine.serves(version):
            return
        if store.releases.current_version() != version:
            return  # superseded already: a later entry names the current one
        t0 = time.monotonic()
        if engine.adopt_release(version):
            log.info("swapped to release %s in %.2f s", version, time.monotonic() - t0)

    def _resync(self) -> None:
        """Re-read every post and the current release (after an outage or a trimmed log)."""
        self.engine.resync()
        view = self.engine.view
        log.info("re-read all posts: %d indexed, release %s", len(view.image), view.release)


def _entry_key(entry_id: str) -> tuple[int, int]:
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)
