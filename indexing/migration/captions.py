"""Caption vectors for a new text model, made in the background from the captions the store keeps.

When the service starts with another text model than the one its posts were stored with (the
default became multilingual in issue 15), every caption must be encoded again. The service answers
meanwhile: photos are found through their projected pixels at once, and each post's captions join
the caption index as soon as their batch is written. Batches are small, so a crash loses at most
one; a restart resumes with the posts still missing vectors. Migrated public posts count as new
for the scheduler, which then trains heads in the new text space.
"""
from __future__ import annotations

import logging
import threading
import time

log = logging.getLogger(__name__)

BATCH = 256  # posts per batch: one Redis transaction, about a second of encoding


def posts_to_migrate(engine, stop: threading.Event | None = None) -> list[int]:
    """Posts with captions but no caption vectors from the engine's text model, oldest first."""
    have = engine.store.vector_ids("captions", engine.text_model)
    missing = [pid for pid in sorted(engine.live_post_ids()) if pid not in have]
    out = []
    for start in range(0, len(missing), 2000):
        if stop is not None and stop.is_set():
            return []
        posts = engine.store.get_posts(missing[start:start + 2000])
        out += [p.id for p in posts if p is not None and p.captions]
    return out


def migrate_caption_vectors(engine, stop: threading.Event | None = None) -> int:
    """Encode and store the missing caption vectors, batch by batch; returns how many posts got them."""
    todo = posts_to_migrate(engine, stop)
    if not todo:
        return 0
    log.info("text model %s: encoding the captions of %d stored posts again", engine.text_model, len(todo))
    t0, done = time.monotonic(), 0
    for start in range(0, len(todo), BATCH):
        if stop is not None and stop.is_set():
            break
        done += engine.encode_stored_captions(todo[start:start + BATCH])
    log.info("text model %s: %d posts migrated in %.1f s", engine.text_model, done, time.monotonic() - t0)
    if done and engine.projector.cold_start:
        engine.refit_projector()  # the cold-start bridge's caption bank, in the new text space
    return done


def start_migration(engine) -> tuple[threading.Thread, threading.Event]:
    """Look for posts to migrate and migrate them in a daemon thread (the scan reads every post without
    caption vectors: never on the start-up path); (thread, stop event)."""
    stop = threading.Event()

    def run() -> None:
        try:
            migrate_caption_vectors(engine, stop)
        except Exception:  # noqa: BLE001 - a failed batch is retried at the next start; the service goes on
            log.exception("caption migration stopped; it resumes at the next start")

    thread = threading.Thread(target=run, name="caption-migration", daemon=True)
    thread.start()
    return thread, stop
