"""The image-model migration: every stored photo embedded again by the configured model, in the
background, while the store's model keeps serving (docs/DESIGN-NOTES.md, "Migrating to another
image model").

One process at a time does the work (a Redis lock; the others serve and adopt its release). Each
batch of the new model's vectors is one Redis transaction, so a crash loses at most a batch and a
restart resumes with the posts still missing them. Posts stored meanwhile get the old model's
vectors from the write path and are picked up by the next pass. A photo that cannot be fetched is
recorded with the reason and tried again at the next run, `max_attempts` times in all; then (or
at once when nothing knows where the photo is) it is embedded from its /map thumbnail, or left out
of the new indexes when it has none. When no post is left, switch.py trains heads, builds the new
release and swaps the engine to it.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

from indexing.locks import JobLock, LockBusy
from indexing.migration.records import STATE, MigrationRecords
from indexing.migration.sources import PhotoUnavailable
from indexing.priority import background_priority
from indexing.store import Post
from models.embedding import EmbeddedPhoto, EmbeddedVideo, PhotoEmbedder
from models.errors import BadImageError
from models.encoders.base import ImageEncoder

log = logging.getLogger(__name__)

BATCH = 32  # photos fetched and embedded at once: one Redis transaction, about a second of work
MAX_ATTEMPTS = 3  # runs that try a photo that could not be fetched, before its thumbnail stands in
RETRY_S = 600.0  # between runs that retry such photos (a Telegram outage, a disk not mounted yet)
FETCHES = 4  # photos fetched at once (Telegram downloads take a round trip each)


class NoCopy(PhotoUnavailable):
    """No source knows where the photo is: trying again cannot help."""


class ImageMigration:
    def __init__(self, engine, target: str, load_encoder: Callable[[], ImageEncoder], *, retry_s: float = RETRY_S,
                 max_attempts: int = MAX_ATTEMPTS, batch: int = BATCH, members: int | None = None) -> None:
        self.engine = engine
        self.source_model = engine.image_model
        self.target = target
        self._load_encoder = load_encoder
        self.encoder: ImageEncoder | None = None  # loaded for the migration only; serves after the switch
        self.retry_s, self.max_attempts, self.batch = retry_s, max_attempts, batch
        self.members = members  # projection heads per text part, when heads are trained for the target
        self.records = MigrationRecords(engine.store)
        self.stopping = threading.Event()
        self.finished = threading.Event()  # switched, here or by another process
        self._thread: threading.Thread | None = None

    # -- the background thread ---------------------------------------------------------------------
    def start(self) -> "ImageMigration":
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="image-migration", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 60) -> None:
        """Stop between batches (a half-done migration resumes at the next start)."""
        self.stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=timeout)

    def _run(self) -> None:
        background_priority()  # queries served meanwhile keep their latency
        while not (self.stopping.is_set() or self.finished.is_set()):
            try:
                if self.run_locked():
                    return
            except LockBusy:
                pass  # another process migrates; this one adopts its release when it is published
            except Exception:  # noqa: BLE001 - a failed run is retried; the old model keeps serving
                log.exception("image migration to %s stopped; it runs again in %.0f s", self.target, self.retry_s)
            self.stopping.wait(self.retry_s)

    def run_locked(self) -> bool:
        """One run under the migration's Redis lock (LockBusy: another process runs it)."""
        with JobLock(self.engine.store, STATE, ttl_s=120):
            return self.run_once()

    def run_once(self) -> bool:
        """Embed every post still missing the target's vectors (a photo that fails is tried once per
        run); switch when none is left. False: stopped, or failed photos wait for the next run."""
        self._begin()  # shown at once: loading the new encoder takes a few seconds
        embedder = self.embedder()
        try:
            return self._run_with(embedder)
        finally:
            embedder.close()

    def _run_with(self, embedder: PhotoEmbedder) -> bool:
        from indexing.migration.switch import switch

        tried: set[int] = set()
        while not self.stopping.is_set():
            todo = [pid for pid in self.missing() if pid not in tried]
            if not todo:
                break
            for start in range(0, len(todo), self.batch):
                if self.stopping.is_set():
                    return False
                chunk = todo[start:start + self.batch]
                tried.update(chunk)
                self.embed(chunk, embedder)
                self._progress()
        if self.stopping.is_set():
            return False
        waiting = self.waiting()
        if waiting:
            log.warning("image migration to %s: %d photos could not be fetched; trying them again in %.0f s",
                        self.target, len(waiting), self.retry_s)
            self.records.set_state(state="waiting", progress=f"{len(waiting)} photos to fetch again")
            return False
        switch(self.engine, self, embedder)
        self.finished.set()
        return True

    # -- the work ------------------------------------------------------------------------------------
    def target_encoder(self) -> ImageEncoder:
        if self.encoder is None:
            self.encoder = self._load_encoder().load()
        return self.encoder

    def embedder(self) -> PhotoEmbedder:
        return PhotoEmbedder(self.target_encoder(), batch_size=self.batch, max_pixels=self.engine.max_photo_pixels,
                             thumbnail_side=0)

    def missing(self) -> list[int]:
        """Live posts without the target's image vectors (and not left out for good), oldest first."""
        have = self.engine.store.vector_ids("image", self.target)
        left_out = {pid for pid, r in self.records.failures(self.target).items() if r.get("outcome") == "left_out"}
        return sorted(self.engine.live_post_ids() - have - left_out)

    def waiting(self) -> list[int]:
        """Live posts whose photo failed and will be tried again."""
        live = self.engine.live_post_ids()
        return [pid for pid, r in self.records.failures(self.target).items() if not r.get("outcome") and pid in live]

    def embed(self, ids: list[int], embedder: PhotoEmbedder, last_chance: bool = False) -> int:
        """Fetch, embed and store the target's vectors of these posts (one transaction); returns how
        many got them. `last_chance`: a photo that cannot be fetched gets its thumbnail's at once."""
        posts = [p for p in self.engine.store.get_posts(ids) if p is not None]  # None: deleted meanwhile
        with ThreadPoolExecutor(FETCHES) as pool:  # downloads wait on the network, not the CPU
            fetched = list(pool.map(self._fetch_or_why, posts))
        kept, datas = [], []
        for post, got in zip(posts, fetched):
            if isinstance(got, PhotoUnavailable):
                self._failed(post, str(got), final=last_chance or isinstance(got, NoCopy), embedder=embedder)
            else:
                datas.append(got)
                kept.append(post)
        rows = {}
        for post, out in zip(kept, self._embedded(kept, datas, embedder)):
            if isinstance(out, EmbeddedPhoto):
                rows[post.id] = (out.features, out.class_probs)
            elif isinstance(out, EmbeddedVideo):
                rows[post.id] = (out.features, out.class_probs, out.keyframes)
            else:
                self._failed(post, f"not readable as an image: {out}", final=True, embedder=embedder)
        self.engine.store.put_image_vectors(self.target, rows)
        self.records.forget_failures(self.target, list(rows))
        return len(rows)

    @staticmethod
    def _embedded(posts: list[Post], datas: list[bytes], embedder: PhotoEmbedder) -> list:
        """Photos embedded in one batch, videos from their keyframes; an error in a bad one's place."""
        photos = [i for i, post in enumerate(posts) if not post.media]
        out: list = [None] * len(posts)
        for i, embedded in zip(photos, embedder.embed([datas[i] for i in photos], return_errors=True)):
            out[i] = embedded
        for i in set(range(len(posts))) - set(photos):
            try:
                out[i] = embedder.embed_video(datas[i])
            except BadImageError as exc:
                out[i] = exc
        return out

    def _fetch_or_why(self, post: Post) -> bytes | PhotoUnavailable:
        try:
            return self.fetch(post)
        except PhotoUnavailable as exc:
            return exc

    def fetch(self, post: Post) -> bytes:
        """The post's photo from the first source that has it (NoCopy when none knows where it is)."""
        reasons = []
        for source in list(self.engine.photo_sources):
            if source.can_fetch(post):
                try:
                    return source.fetch(post)
                except PhotoUnavailable as exc:
                    reasons.append(str(exc))
        if not reasons and (post.file_id or post.document_file_id):
            raise PhotoUnavailable("a Telegram file, and no bot in this process to fetch it (yet)")
        if not reasons:
            raise NoCopy("no file on disk and no Telegram file id")
        raise PhotoUnavailable("; ".join(reasons))

    def _failed(self, post: Post, reason: str, final: bool, embedder: PhotoEmbedder) -> None:
        record = self.records.failed(self.target, post.id, reason)
        if not final and record["attempts"] < self.max_attempts:
            log.warning("image migration: post %d not fetched (attempt %d of %d): %s", post.id, record["attempts"],
                        self.max_attempts, reason)
            return
        thumbnail = self.engine.store.get_thumbnails([post.id])[0]
        out = embedder.embed([thumbnail], return_errors=True)[0] if thumbnail else None
        if isinstance(out, EmbeddedPhoto):
            self.engine.store.put_image_vectors(self.target, {post.id: (out.features, out.class_probs)})
            self.records.settle(self.target, post.id, "thumbnail")
            log.warning("image migration: post %d embedded from its thumbnail (%s)", post.id, reason)
        else:
            self.records.settle(self.target, post.id, "left_out")
            log.error("image migration: post %d left out of the %s indexes, no photo and no thumbnail (%s)",
                      post.id, self.target, reason)

    # -- progress ------------------------------------------------------------------------------------
    def _begin(self) -> None:
        state = self.records.state()
        same = (state.get("from_model"), state.get("to_model")) == (self.source_model, self.target) and \
            state.get("state") != "done"
        self._run_t0, self._run_done0 = time.time(), self._done()
        self.records.set_state(state="running", from_model=self.source_model, to_model=self.target,
                               started_s=state["started_s"] if same and "started_s" in state else round(time.time()),
                               pid=os.getpid(), progress="", finished_s="")
        self._progress()

    def _done(self) -> int:
        return self.engine.store.r.hlen(self.engine.store.keys.vectors("image", self.target))

    def _progress(self) -> None:
        done, total = self._done(), len(self.engine.catalogue)
        outcomes = [r.get("outcome", "") for r in self.records.failures(self.target).values()]
        rate = (done - self._run_done0) / max(time.time() - self._run_t0, 1e-3)
        eta = round((total - done) / rate) if rate > 0 and total > done else 0
        self.records.set_state(done=min(done, total), total=total, failed=outcomes.count(""),
                               thumbnails=outcomes.count("thumbnail"), left_out=outcomes.count("left_out"), eta_s=eta)


def migration_status(records: MigrationRecords) -> dict | None:
    """{"state", "from_model", "to_model", "done", "total", "failed", "thumbnails", "left_out", "started_s",
    "eta_s"} of the last image-model migration, or None."""
    state = records.state()
    if not state.get("to_model"):
        return None
    out: dict = {k: state.get(k, "") for k in ("state", "from_model", "to_model", "progress")}
    for k in ("done", "total", "failed", "thumbnails", "left_out", "eta_s"):
        out[k] = int(state.get(k) or 0)
    for k in ("started_s", "finished_s"):
        out[k] = float(state[k]) if state.get(k) else None
    return out
