"""Text in photos read in the background: a Redis Stream of photos to read, and the worker that reads them.

Every stored photo post is queued (XADD) with a copy of its photo, at most READ_SIDE px (the store keeps
only thumbnails). A worker thread in the bot takes entries through a consumer group (XREADGROUP), reads
them (models.ocr), stores the outcome with the post (PostStore.put_read_text) and acknowledges them
(XACK, and XDEL: the stream holds only what waits). An entry a dead process had taken is claimed again
once idle for `claim_idle_ms` (XAUTOCLAIM), so a restart loses nothing; each take counts an attempt, and
a photo that fails `max_attempts` times is stored as "error": the queue never sticks on one photo. A post
deleted meanwhile is acknowledged and skipped.

The worker runs at a lower CPU priority, one ORT thread, and waits while the bot's reply path is busy.
"""
from __future__ import annotations

import io
import logging
import socket
import threading
from dataclasses import dataclass
from typing import Callable

import redis
from PIL import Image

from indexing.errors import StorageUnavailableError
from indexing.priority import background_priority
from indexing.store import PostStore

log = logging.getLogger(__name__)

GROUP = "readers"
READ_SIDE = 1600  # the copy queued: larger photos are shrunk (models.ocr reads at most this size anyway)
KEEP_AS_IS_BYTES = 1_500_000  # a photo this small and within READ_SIDE is queued as sent: no work on the reply path
CLAIM_IDLE_MS = 5 * 60_000  # an entry taken this long ago and never finished: its reader died
MAX_ATTEMPTS = 3
OUTCOMES = ("text", "none", "unreadable", "error")


@dataclass(frozen=True)
class ReadingJob:
    entry_id: str
    post_id: int
    scope: str
    image: bytes


def reading_copy(data: bytes, width: int, height: int) -> bytes:
    """The photo as queued: its own bytes when small, else a JPEG of at most READ_SIDE px."""
    if max(width, height) <= READ_SIDE and len(data) <= KEEP_AS_IS_BYTES:
        return data
    from models.ocr import decode

    out = io.BytesIO()
    decode(data, READ_SIDE).save(out, "JPEG", quality=90)
    return out.getvalue()


class ReadingQueue:
    """The stream of photos waiting to be read, and how many wait per scope."""

    def __init__(self, store: PostStore) -> None:
        self.store = store
        self.r = store.r
        self.keys = store.keys
        self._group_ready = False

    def _ensure_group(self) -> None:
        try:
            self.r.xgroup_create(self.keys.reading_queue(), GROUP, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        self._group_ready = True

    def enqueue(self, post_id: int, scope: str, photo: bytes, width: int = 0, height: int = 0) -> str:
        """Queue a stored post's photo for reading (call after the post is stored). Returns the entry id."""
        if not self._group_ready:
            self._ensure_group()
        image = reading_copy(photo, width, height)
        pipe = self.r.pipeline(transaction=True)
        pipe.xadd(self.keys.reading_queue(), {"post": str(post_id), "scope": scope, "image": image})
        pipe.hincrby(self.keys.reading_waiting(), scope, 1)
        entry_id = pipe.execute()[0]
        return entry_id.decode() if isinstance(entry_id, bytes) else entry_id

    def take(self, consumer: str, block_ms: int = 1000, claim_idle_ms: int = CLAIM_IDLE_MS) -> ReadingJob | None:
        """The next entry for this consumer: one a dead reader left first, else a new one (waits block_ms)."""
        if not self._group_ready:
            self._ensure_group()
        key = self.keys.reading_queue()
        try:
            claimed = self.r.xautoclaim(key, GROUP, consumer, claim_idle_ms, start_id="0-0", count=1)[1]
            entries = claimed or [e for _, batch in (self.r.xreadgroup(GROUP, consumer, {key: ">"}, count=1,
                                                                         block=block_ms) or []) for e in batch]
        except redis.ResponseError as exc:
            if "NOGROUP" not in str(exc):
                raise
            self._ensure_group()  # the stream was removed (a flush): start again empty
            return None
        for entry_id, fields in entries:
            if fields:  # an entry deleted while pending comes back empty: nothing to read
                return _job(entry_id, fields)
        return None

    def attempt(self, job: ReadingJob) -> int:
        """Count one more try at this entry (before trying, so a reader that dies on it counts too)."""
        return int(self.r.hincrby(self.keys.reading_attempts(), job.entry_id, 1))

    def done(self, job: ReadingJob) -> None:
        pipe = self.r.pipeline(transaction=True)
        pipe.xack(self.keys.reading_queue(), GROUP, job.entry_id)
        pipe.xdel(self.keys.reading_queue(), job.entry_id)
        pipe.hdel(self.keys.reading_attempts(), job.entry_id)
        pipe.hincrby(self.keys.reading_waiting(), job.scope, -1)
        pipe.execute()

    def waiting(self, scope: str | None = None) -> int:
        """Photos queued and not read yet: in one scope, or in all (the stream's length)."""
        if scope is None:
            return int(self.r.xlen(self.keys.reading_queue()))
        return max(0, int(self.r.hget(self.keys.reading_waiting(), scope) or 0))

    def outcomes(self, post_ids: list[int]) -> dict[str, int]:
        """How many of these posts were read with each outcome (their stored ocr_status)."""
        counts = dict.fromkeys(OUTCOMES, 0)
        for start in range(0, len(post_ids), 1000):
            pipe = self.r.pipeline(transaction=False)
            for pid in post_ids[start:start + 1000]:
                pipe.hget(self.keys.post(pid), "ocr_status")
            for raw in pipe.execute():
                status = raw.decode() if raw else ""
                if status in counts:
                    counts[status] += 1
        return counts


def _job(entry_id, fields: dict) -> ReadingJob:
    def text(name: str) -> str:
        value = fields[name.encode()]
        return value.decode()

    entry = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
    return ReadingJob(entry, int(text("post")), text("scope"), fields[b"image"])


class ReadingWorker:
    """Reads queued photos one at a time in a background thread, after the reply path."""

    def __init__(self, queue: ReadingQueue, reader: Callable | None = None,
                 reply_busy: Callable[[], bool] = lambda: False, *, consumer: str | None = None,
                 claim_idle_ms: int = CLAIM_IDLE_MS, max_attempts: int = MAX_ATTEMPTS, block_ms: int = 1000) -> None:
        self.queue = queue
        self.store = queue.store
        self._reader = reader  # a callable giving the TextReader; the process's shared one by default
        self.reply_busy = reply_busy
        self.consumer = consumer or f"{socket.gethostname()}-{threading.get_native_id()}-{id(self):x}"
        self.claim_idle_ms = claim_idle_ms
        self.max_attempts = max_attempts
        self.block_ms = block_ms
        self.read = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="text-reader", daemon=True)

    def start(self) -> "ReadingWorker":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)

    def _run(self) -> None:
        background_priority()
        while not self._stop.is_set():
            try:
                if self.reply_busy():
                    self._stop.wait(0.05)  # a photo or a search is being answered: it has the cores
                    continue
                self.step()
            except StorageUnavailableError as exc:
                log.warning("reading queue unreachable (%s); retrying", exc)
                self._stop.wait(1.0)
            except Exception:  # the worker must outlive any one photo or outage
                log.exception("reading a queued photo failed")
                self._stop.wait(1.0)

    def reader(self):
        if self._reader is None:
            from models.ocr import shared_reader

            self._reader = shared_reader
        return self._reader()

    def step(self) -> bool:
        """Take and handle one entry; False when none came within block_ms."""
        job = self.queue.take(self.consumer, self.block_ms, self.claim_idle_ms)
        if job is None:
            return False
        self.handle(job)
        return True

    def handle(self, job: ReadingJob) -> None:
        attempts = self.queue.attempt(job)
        if self.store.get_post(job.post_id) is None:
            self.queue.done(job)  # deleted while it waited
            return
        if attempts > self.max_attempts:  # tried and lost with its reader (killed on this photo) too often
            self._finish(job, "error", "", "")
            return
        try:
            from models.ocr import decode

            result = self.reader().read(decode(job.image))
            status, text, lang = result.status, result.text, result.lang
        except Exception:
            log.exception("post %s: its photo could not be read", job.post_id)
            status, text, lang = "error", "", ""
        if status == "error" and attempts < self.max_attempts:
            log.info("post %s: reading failed (attempt %d of %d); retried later", job.post_id, attempts,
                     self.max_attempts)
            return  # left pending: claimed again once idle for claim_idle_ms
        self._finish(job, status, text, lang)

    def _finish(self, job: ReadingJob, status: str, text: str, lang: str) -> None:
        self.store.put_read_text(job.post_id, status, text, lang)  # writes nothing if the post is gone
        self.queue.done(job)
        self.read += 1
