"""The held-out tenth: public posts that nothing fits on, kept as the yardstick of promotions.

A post is held out when its id hashes (crc32) below HOLDOUT_PERCENT: fixed per post, so the
yardstick stays the same across retrains and grows with the collection. Every path that fits a
projector or a head on stored posts (the scheduled retrain, `python -m models train
--from-redis`, the cold-start bridge's refit) takes its posts from `trainable_post_ids`, so the
serving heads and a candidate are compared on posts neither has seen (docs/DESIGN-NOTES.md).
"""
from __future__ import annotations

import zlib

from indexing.scopes import PUBLIC

HOLDOUT_PERCENT = 10


def held_out(post_id: int) -> bool:
    return zlib.crc32(post_id.to_bytes(8, "little")) % 100 < HOLDOUT_PERCENT


def trainable_post_ids(store) -> list[int]:
    """Public posts a projector or head may be fitted on: all but the held-out tenth (sorted)."""
    return sorted(i for i in store.scope_post_ids(PUBLIC) if not held_out(i))


def held_out_post_ids(store) -> list[int]:
    """The public posts of the yardstick (sorted)."""
    return sorted(i for i in store.scope_post_ids(PUBLIC) if held_out(i))
