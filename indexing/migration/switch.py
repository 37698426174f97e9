"""The end of an image-model migration: heads for the new model, its indexes, and the engine
swapped to them while it answers queries.

Here (the process that migrated): heads are trained on the new model's features when the old
model had learned ones (else its answers would fall back to the cold start), the new parts are
built and filled beside the serving ones, then under the engine's write gate the posts stored
meanwhile are embedded too and the parts swapped in; the release is published and the store's
model recorded. Elsewhere (followers): the published release is loaded with the new model's parts
and swapped in the same way.
"""
from __future__ import annotations

import logging
import time

from indexing.holdout import trainable_post_ids
from indexing.migration.records import MigrationRecords
from indexing.search.views import HASHTAG_HEAD_ARTIFACT, PROJECTOR_ARTIFACT
from models.training import fit_caption_bridge, train_heads

log = logging.getLogger(__name__)


def switch(engine, migration, embedder) -> str:
    """Serve the migration's target model from now on; returns the new release's version."""
    t0 = time.monotonic()
    old = engine.parts
    parts = engine.make_parts(migration.target_encoder(), engine.relevance)
    parts.projection.load()
    parts.writes.vector_models = [migration.target, migration.source_model]  # a deleted post loses both
    migration.records.set_state(progress="training heads on the new model's features")
    heads = parts.views.heads(_heads_for(engine, parts, old.serving.view, migration.members))
    migration.records.set_state(progress="building the new indexes")
    filled_at = engine.store.changes_position()  # captions edited while the indexes fill are indexed again
    ids = sorted(engine.live_post_ids())
    view = parts.views.empty(*heads, image=parts.views.fitted_image(ids),  # bases of the new model's features
                             text_basis=parts.views.fit_text_basis(ids, heads[0]))
    parts.views.fill(view, ids, image=True, text=True)
    with engine.gate.exclusive():  # writes wait: nothing is stored between the last pass and the swap
        held = time.monotonic()
        stragglers = migration.missing()
        for start in range(0, len(stragglers), migration.batch):
            migration.embed(stragglers[start:start + migration.batch], embedder, last_chance=True)
        parts.serving.view = parts.views.caught_up(view, engine.catalogue.live_ids())
        parts.writes.apply_captions_changed(_captions_changed_since(engine.store, filled_at))
        parts.lifecycle.position, parts.lifecycle.origin = old.lifecycle.position, old.lifecycle.origin
        engine.parts = parts
        held = time.monotonic() - held
    version = parts.lifecycle.publish_release({"job": "image-migration", "from_model": migration.source_model})
    MigrationRecords(engine.store).set_store_model(migration.target)
    migration.records.set_state(state="done", finished_s=round(time.time()), progress="", eta_s=0)
    log.info("image model %s now serves (release %s, %d posts; switched in %.1f s after the last batch, "
             "writes held back %.0f ms)", migration.target, version, len(view.image), time.monotonic() - t0,
             held * 1000)
    return version


def _captions_changed_since(store, position: str) -> list[int]:
    """Posts whose captions changed after change-log entry `position` (deletions and additions the
    catch-up handles; a caption edit it cannot see)."""
    ids = []
    for entry_id, fields in store.r.xrange(store.keys.changes(), min=position, max="+"):
        if entry_id.decode() != position and fields.get(b"op") == b"captions":
            ids += [int(x) for x in fields[b"ids"].decode().split(",") if x]
    return ids


def _heads_for(engine, parts, old_view, members: int | None) -> dict[str, str]:
    """Artifact versions of heads for the new model, made like the ones serving: learned heads
    trained again (as the retrain job does), a fitted cold-start bridge fitted again; "none" else."""
    learned = not old_view.projector.cold_start or old_view.hashtag_head is not None
    bridge = old_view.projector.cold_start and old_view.projector.fitted
    if not (learned or bridge):
        return {PROJECTOR_ARTIFACT: "none", HASHTAG_HEAD_ARTIFACT: "none"}
    data = parts.lifecycle.training_data(ids=trainable_post_ids(engine.store))  # never the held-out tenth
    if learned:
        heads = train_heads(data, members=members, blocklist=engine.blocklist)
        projector, head = heads.projector, heads.hashtag_head
    else:
        projector, head = (fit_caption_bridge(data) if data.captioned else None), None
    store = engine.store
    return {PROJECTOR_ARTIFACT: store.put_artifact(PROJECTOR_ARTIFACT, projector.to_bytes()) if projector else "none",
            HASHTAG_HEAD_ARTIFACT: store.put_artifact(HASHTAG_HEAD_ARTIFACT, head.to_bytes()) if head else "none"}


def adopt(engine, migration, version: str) -> bool:
    """Serve a release another process published for the migration's target model (a follower)."""
    release = engine.store.releases.load(version)
    if release is None:
        return False
    parts = engine.make_parts(migration.target_encoder(), engine.relevance)
    parts.projection.load()
    parts.writes.vector_models = [migration.target, migration.source_model]
    view = parts.views.from_release(release)
    if view is None:
        return False
    view = parts.views.caught_up(view, engine.catalogue.live_ids())  # the bulk outside the gate
    with engine.gate.exclusive():
        parts.serving.view = parts.views.caught_up(view, engine.catalogue.live_ids())
        parts.lifecycle.position, parts.lifecycle.origin = engine.lifecycle.position, engine.lifecycle.origin
        engine.parts = parts
    migration.finished.set()
    migration.stopping.set()  # this process's job, waiting for its next run, has nothing left to do
    log.info("image model %s now serves (release %s, published by the process that migrated)", migration.target,
             version)
    return True
