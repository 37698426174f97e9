"""What an image-model migration keeps in Redis: its state (shown by /stats and `python -m indexing
stats`), the posts it could not re-embed yet, and the image model the store serves with."""
from __future__ import annotations

import json
import time

from indexing.store import PostStore

STATE = "image-migration"  # its job-state hash: state, from_model, to_model, done, total, failed, ...


class MigrationRecords:
    def __init__(self, store: PostStore) -> None:
        self.store = store
        self.r, self.keys = store.r, store.keys

    # -- the store's image model -----------------------------------------------------------------
    def store_model(self) -> str | None:
        raw = self.r.get(self.keys.image_model())
        return raw.decode() if raw is not None else None

    def set_store_model(self, model: str) -> None:
        self.r.set(self.keys.image_model(), model)

    # -- state -------------------------------------------------------------------------------------
    def state(self) -> dict[str, str]:
        return self.store.job_state(STATE)

    def set_state(self, **fields) -> None:
        self.store.set_job_state(STATE, **fields)

    # -- posts that could not be re-embedded -------------------------------------------------------
    def failures(self, model: str) -> dict[int, dict]:
        """post id -> {"attempts", "reason", "outcome"} ("" while retried, "thumbnail" or "left_out" after)."""
        raw = self.r.hgetall(self.keys.migration_failures(model))
        return {int(pid): json.loads(value) for pid, value in raw.items()}

    def failed(self, model: str, post_id: int, reason: str, outcome: str = "") -> dict:
        """One more failed attempt at a post (outcome: what was done instead, when it is final)."""
        key = self.keys.migration_failures(model)
        before = self.r.hget(key, post_id)
        record = json.loads(before) if before else {"attempts": 0}
        record.update(attempts=record["attempts"] + 1, reason=reason[:200], outcome=outcome, last_s=round(time.time()))
        self.r.hset(key, post_id, json.dumps(record))
        return record

    def settle(self, model: str, post_id: int, outcome: str) -> None:
        """A failed post is dealt with for good: re-embedded from its thumbnail, or left out."""
        key = self.keys.migration_failures(model)
        before = self.r.hget(key, post_id)
        record = json.loads(before) if before else {"attempts": 0, "reason": ""}
        record["outcome"] = outcome
        self.r.hset(key, post_id, json.dumps(record))

    def forget_failures(self, model: str, post_ids: list[int]) -> None:
        """These posts got the model's vectors after all (a later attempt could fetch them)."""
        if post_ids:
            self.r.hdel(self.keys.migration_failures(model), *post_ids)
