"""At start: which image model serves, and whether a migration must move the store to another.

The store's model is the one it records (set when a migration switched); a store from before
that record: the image model its current release was built with (what was served, and what its
heads were trained on); a store without any release: the model most of its posts were embedded
with. Not the posts' vectors themselves: a migration that stored the new model's vectors for
every post but died before the switch has no heads for it yet, so the old model keeps serving
and the migration resumes at its last step. An empty store takes the configured model at once.
"""
from __future__ import annotations

import logging
from collections import Counter

from indexing.migration.records import MigrationRecords
from indexing.store import PostStore

log = logging.getLogger(__name__)


def serving_image_model(store: PostStore, configured: str) -> str:
    """The model to serve with now: the store's, or the configured one for an empty store (recorded)."""
    records = MigrationRecords(store)
    if store.count() == 0:
        records.set_store_model(configured)
        return configured
    model = records.store_model() or _release_model(store) or _most_posts_model(store) or configured
    if model != configured:
        log.warning("the store's photos were embedded by %s, the configured image model is %s: serving with %s "
                    "while a background job embeds them again (progress in /stats)", model, configured, model)
    return model


def _release_model(store: PostStore) -> str | None:
    version = store.releases.current_version()
    manifest = store.releases.manifest(version) if version else None
    return (manifest or {}).get("indexes", {}).get("image", {}).get("image_model")


def _most_posts_model(store: PostStore) -> str | None:
    ids, _, _ = store.all_meta()
    models = Counter(p.image_model for start in range(0, len(ids), 2000)
                     for p in store.get_posts([int(i) for i in ids[start:start + 2000]]) if p and p.image_model)
    return models.most_common(1)[0][0] if models else None
