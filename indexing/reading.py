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
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable

import redis

from indexing.errors import StorageUnavailableError
from indexing.priority import background_priority
from indexing.storage_errors import public_methods_raise_storage_errors
from indexing.store import PostStore
from models.ocr import ReadText, decode

log = logging.getLogger(__name__)

GROUP = "readers"
READ_SIDE = 1600  # the copy queued: larger photos are shrunk (models.ocr reads at most this size anyway)
KEEP_AS_IS_BYTES = 1_500_000  # a photo this small and within READ_SIDE is queued as sent (a Telegram photo)
MAX_SHRINKING = 8  # large photos waiting for the background thread; more are shrunk by their caller
CLAIM_IDLE_MS = 5 * 60_000  # an entry taken this long ago and never finished: its reader died
MAX_ATTEMPTS = 3
OUTCOMES = ("text", "none", "unreadable", "error")
DONE = """
if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 1 then redis.call('HINCRBY', KEYS[3], ARGV[3], -1) end
redis.call('XDEL', KEYS[1], ARGV[2])
redis.call('HDEL', KEYS[2], ARGV[2])
"""


@dataclass(frozen=True)
class ReadingJob:
    entry_id: str
    post_id: int
    scope: str
    image: bytes


def queued_as_sent(data: bytes, width: int, height: int) -> bool:
    """Whether a photo is small enough to be queued as it was sent (no shrinking)."""
    return max(width, height) <= READ_SIDE and len(data) <= KEEP_AS_IS_BYTES


def reading_copy(data: bytes, width: int, height: int) -> bytes:
    """The photo as queued: its own bytes when small, else a JPEG of at most READ_SIDE px."""
    if queued_as_sent(data, width, height):
        return data
    out = io.BytesIO()
    decode(data, READ_SIDE).save(out, "JPEG", quality=90)
    return out.getvalue()


@public_methods_raise_storage_errors
class ReadingQueue:
    """The stream of photos waiting to be read, and how many wait per scope."""

    def __init__(self, store: PostStore) -> None:
        self.store = store
        self.r = store.r
        self.keys = store.keys
        self._group_ready = False
        self._lock = threading.Lock()
        self._shrinker: ThreadPoolExecutor | None = None  # made on the first photo too large to queue as sent
        self._shrinking = threading.Semaphore(MAX_SHRINKING)  # photos held in memory for it, at most

    def _ensure_group(self) -> None:
        # When this store began queuing photos: posts older than this were never queued (backfill).
        self.r.set(self.keys.reading_since(), f"{time.time():.3f}", nx=True)
        try:
            self.r.xgroup_create(self.keys.reading_queue(), GROUP, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        self._group_ready = True

    def enqueue(self, post_id: int, scope: str, photo: bytes, width: int = 0, height: int = 0) -> None:
        """Queue a stored post's photo for reading (call after the post is stored). A photo to shrink first
        (an image file: ~0.3 s for 6000 px) is shrunk and queued on a background thread: never on the reply path."""
        if queued_as_sent(photo, width, height):
            self._add(post_id, scope, photo)
            return
        if not self._shrinking.acquire(blocking=False):  # a flood of large files (an import): the caller shrinks
            self._shrink_and_add(post_id, scope, photo, width, height)
            return
        with self._lock:
            if self._shrinker is None:
                self._shrinker = ThreadPoolExecutor(1, thread_name_prefix="reading-copy",
                                                    initializer=background_priority)
            self._shrinker.submit(self._shrink_and_add, post_id, scope, photo, width, height, self._shrinking)

    def _shrink_and_add(self, post_id: int, scope: str, photo: bytes, width: int, height: int,
                        slot: threading.Semaphore | None = None) -> None:
        try:
            self._add(post_id, scope, reading_copy(photo, width, height))
        except Exception:  # bytes the embedder took but PIL cannot shrink: the post stays unread
            log.exception("post %s: its photo could not be queued for reading", post_id)
        finally:
            if slot is not None:
                slot.release()

    def _add(self, post_id: int, scope: str, image: bytes) -> None:
        if not self._group_ready:
            self._ensure_group()
        pipe = self.r.pipeline(transaction=True)
        pipe.xadd(self.keys.reading_queue(), {"post": str(post_id), "scope": scope, "image": image})
        pipe.hincrby(self.keys.reading_waiting(), scope, 1)
        pipe.execute()

    def flush(self) -> None:
        """Wait until the photos being shrunk are queued (tests, a clean stop)."""
        with self._lock:
            shrinker, self._shrinker = self._shrinker, None
        if shrinker is not None:
            shrinker.shutdown(wait=True)

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
        """Acknowledged and removed; counted out of its scope's waiting photos once, even if two
        readers finished it (one was thought dead and its entry claimed)."""
        k = self.keys
        self.r.eval(DONE, 3, k.reading_queue(), k.reading_attempts(), k.reading_waiting(), GROUP, job.entry_id,
                    job.scope)

    def waiting(self, scope: str | None = None) -> int:
        """Photos queued and not read yet: in one scope, or in all (the stream's length)."""
        if scope is None:
            return int(self.r.xlen(self.keys.reading_queue()))
        return max(0, int(self.r.hget(self.keys.reading_waiting(), scope) or 0))

    def unread_before_queue(self) -> list[int]:
        """Posts stored before this store began queuing photos (so never queued) and never read, oldest first."""
        since = float(self.r.get(self.keys.reading_since()) or 0)
        ids = sorted(int(pid) for pid in self.r.hkeys(self.keys.post_scopes()))
        unread = []
        for start in range(0, len(ids), 1000):
            batch = ids[start:start + 1000]
            pipe = self.r.pipeline(transaction=False)
            for pid in batch:
                pipe.hmget(self.keys.post(pid), "created_s", "ocr_status")
            for pid, (created, status) in zip(batch, pipe.execute()):
                if not status and created is not None and float(created) < since:
                    unread.append(pid)
        return unread

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
    entry = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
    return ReadingJob(entry, int(fields[b"post"]), fields[b"scope"].decode(), fields[b"image"])


def posts_of_photo(store: PostStore, sha256: str, scopes: list[str], post_id: int | None = None) -> list:
    """The posts of a photo (its post, and those of its bytes) stored in one of `scopes`."""
    ids = [post_id] if post_id is not None else []
    ids += [pid for scope in scopes for pid in (store.posts_by_sha(scope, sha256) if sha256 else [])]
    return [p for p in store.get_posts(ids) if p is not None]


def stored_text(store: PostStore, sha256: str, post_id: int | None, scopes: list[str]) -> str:
    """The text read from a photo stored in one of `scopes` (by its post, or its bytes), "" if none yet."""
    for post in posts_of_photo(store, sha256, scopes, post_id):
        if post.ocr_status == "text":
            return post.ocr_text
    return ""


def text_in_photo(store: PostStore, reader: Callable, photo: bytes, sha256: str, scopes: list[str],
                  put_text: Callable | None = None):
    """The text of a photo someone asks about (/captions): what was read from its post when it is stored in
    one of `scopes` and read; else read now (and kept with the post through `put_text`, so the queue skips
    it and /find finds it at once; the store's own writer by default)."""
    put_text = put_text or store.put_read_text
    posts = posts_of_photo(store, sha256, scopes)
    for post in posts:
        if post.ocr_status and post.ocr_status != "error":
            lines = tuple(post.ocr_text.split("\n")) if post.ocr_text else ()
            return ReadText(post.ocr_status, post.ocr_text, post.ocr_lang, lines)
    try:
        result = reader().read(decode(photo))
    except Exception:  # bytes PIL cannot open: nothing to show, the answer goes on without it
        log.exception("reading a photo asked about failed")
        return ReadText("error", "", "")
    if result.status != "error":
        for post in posts:
            put_text(post.id, result.status, result.text, result.lang)
    return result


class ReadingWorker:
    """Reads queued photos one at a time in a background thread, after the reply path."""

    def __init__(self, queue: ReadingQueue, reader: Callable | None = None,
                 reply_busy: Callable[[], bool] = lambda: False, *, consumer: str | None = None,
                 claim_idle_ms: int = CLAIM_IDLE_MS, max_attempts: int = MAX_ATTEMPTS, block_ms: int = 1000,
                 put_text: Callable | None = None) -> None:
        self.queue = queue
        self.store = queue.store
        # Where a read text goes: the engine's put_read_text, so this process's /find finds its words at once
        # (other processes learn them from the change log); the store's own writer by default.
        self.put_text = put_text or queue.store.put_read_text
        self._reader = reader  # a callable giving the TextReader; the process's shared one by default
        self.reply_busy = reply_busy
        self.consumer = consumer or f"{socket.gethostname()}-{threading.get_native_id()}-{id(self):x}"
        self.claim_idle_ms = claim_idle_ms
        self.max_attempts = max_attempts
        self.block_ms = block_ms
        self.read = 0
        self._fetch: Callable | None = None  # post -> its photo again, for posts stored before the queue began
        self._backlog: list[int] | None = None
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

    def backfill_from(self, fetch: Callable) -> "ReadingWorker":
        """While the queue is empty, read the posts stored before it began, their photos fetched again
        with `fetch(post)` (a file on disk, Telegram: SearchEngine.fetch_photo), newest first."""
        self._fetch = fetch
        return self

    def step(self) -> bool:
        """Take and handle one entry, or when none came within block_ms read one older post; False: idle."""
        job = self.queue.take(self.consumer, self.block_ms, self.claim_idle_ms)
        if job is None:
            return self._fetch is not None and self.backfill_one()
        self.handle(job)
        return True

    def backfill_one(self) -> bool:
        """Read one post stored before the queue began; False when none is left (in this process's pass:
        a photo that cannot be fetched now is tried again at the next start)."""
        if self._backlog is None:
            self._backlog = self.queue.unread_before_queue()
        while self._backlog:
            post = self.store.get_post(self._backlog.pop())
            if post is None or post.ocr_status:
                continue
            try:
                result = self.reader().read(decode(self._fetch(post)))
            except Exception as exc:  # gone from Telegram or disk, not an image: left unread
                log.info("post %s (stored before reading began) not read: %s", post.id, exc)
                continue
            if result.status != "error":
                self.put_text(post.id, result.status, result.text, result.lang)
            return True
        return False

    def handle(self, job: ReadingJob) -> None:
        attempts = self.queue.attempt(job)
        post = self.store.get_post(job.post_id)
        if post is None or post.ocr_status not in ("", "error"):
            self.queue.done(job)  # deleted while it waited, or read already (someone asked /captions about it)
            return
        if attempts > self.max_attempts:  # tried and lost with its reader (killed on this photo) too often
            self._finish(job, "error", "", "")
            return
        try:
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
        self.put_text(job.post_id, status, text, lang)  # writes nothing if the post is gone
        self.queue.done(job)
        self.read += 1
