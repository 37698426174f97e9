"""Posts and their vectors in Redis. The only module that writes post data (except the `repost_of`
an admin's "not a re-post" takes off, in the transaction that records it: moderation_records.py)."""
from __future__ import annotations

import json
from typing import Iterable, Iterator

import numpy as np
import redis

from indexing.changelog import append_change
from indexing.keys import Keys
from indexing.moderation_records import ModerationRecords
from indexing.post import AUTOMATIC, FORWARD, Post  # noqa: F401 - re-exported: a post is what the store holds
from indexing.redis_cluster import used_memory_by_master
from indexing.releases import ReleaseStore, new_version
from indexing.scopes import validate_scope
from indexing.sidestores import MapCache, UpdateInbox
from indexing.storage_errors import public_methods_raise_storage_errors
from indexing.vectorblobs import TOP_ONLY, from_blob, to_blob

# The sha index keeps the first post of some bytes per scope; later posts of the same bytes (a group's
# members posting one file, each message its own post) wait in a set, the earliest taking over when
# the first is deleted. Scripts, so that a check and its write are one step inside the transaction.
# SEEN_ADD is idempotent: a transaction run again after its reply was lost (a client retry, a
# failover) must not list a post as a copy of itself.
SEEN_ADD = """
local first = redis.call('HGET', KEYS[1], ARGV[1])
if not first then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
elseif first ~= ARGV[2] then redis.call('SADD', KEYS[2], ARGV[2]) end
"""
SEEN_DELETE = """
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then
  redis.call('SREM', KEYS[2], ARGV[2])
  return
end
local successor = nil
for _, id in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if successor == nil or tonumber(id) < tonumber(successor) then successor = id end
end
if successor == nil then
  redis.call('HDEL', KEYS[1], ARGV[1])
else
  redis.call('HSET', KEYS[1], ARGV[1], successor)
  redis.call('SREM', KEYS[2], successor)
end
"""
IF_EXISTS_HSET = "if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[2], ARGV[1], ARGV[2]) end"


def _script(pipe, script: str, keys: list[str], *args) -> None:
    """Queue EVAL on a transaction pipeline (redis-py's cluster pipeline has no `eval`, but routes EVAL by its keys)."""
    pipe.execute_command("EVAL", script, len(keys), *keys, *args)


@public_methods_raise_storage_errors
class PostStore:
    """Redis-backed storage of posts, vectors and per-scope hashtag counts."""

    def __init__(self, client: redis.Redis, keys: Keys) -> None:
        if keys.cluster != Keys.for_client(client, keys.prefix).cluster:
            raise ValueError("a cluster client needs hash-tagged keys and a single server untagged ones: "
                             "build them with Keys.for_client")
        self.r = client
        self.keys = keys
        self.releases = ReleaseStore(client, keys)
        self.moderation = ModerationRecords(client, keys)

    def ping(self) -> None:
        self.r.ping()

    def used_memory(self) -> int:
        """Bytes the Redis server holds, on a cluster its masters together (bench scale measures a post's share)."""
        return sum(used_memory_by_master(self.r).values())

    # -- writes ----------------------------------------------------------------------------
    def find_by_sha(self, scope: str, sha256: str) -> int | None:
        """The first post of these bytes in the scope (the earliest one left, if it was deleted)."""
        raw = self.r.hget(self.keys.scope_seen(scope), sha256)
        return int(raw) if raw is not None else None

    def posts_by_sha(self, scope: str, sha256: str) -> list[int]:
        """Every post of these bytes in the scope, the first one first (several: a group's copies)."""
        return self._first_and_copies(self.keys.scope_seen(scope), self.keys.scope_copies(scope, sha256), sha256)

    def posts_by_file(self, scope: str, file_unique_id: str) -> list[int]:
        """Every post of this Telegram file (`file_unique_id`) in the scope, the first one first."""
        k = self.keys
        return self._first_and_copies(k.scope_files(scope), k.scope_file_copies(scope, file_unique_id), file_unique_id)

    def _first_and_copies(self, first_key: str, copies_key: str, field: str) -> list[int]:
        first = self.r.hget(first_key, field)
        return [] if first is None else [int(first)] + sorted(int(pid) for pid in self.r.smembers(copies_key))

    def allocate_id(self) -> int:
        return int(self.r.incr(self.keys.next_post_id()))

    def add(self, post: Post, vectors: dict[tuple[str, str], np.ndarray], thumbnail: bytes = b"") -> None:
        """Store a post, its vectors and thumbnail in one MULTI/EXEC: all of it is stored, or none."""
        validate_scope(post.scope)
        k = self.keys
        pipe = self.r.pipeline(transaction=True)
        pipe.hset(k.post(post.id), mapping=post.to_redis())
        pipe.hset(k.post_scopes(), post.id, post.scope)
        pipe.hset(k.post_phashes(), post.id, f"{post.phash:016x}")
        pipe.sadd(k.scopes(), post.scope)
        pipe.sadd(k.scope_posts(post.scope), post.id)
        _script(pipe, SEEN_ADD, [k.scope_seen(post.scope), k.scope_copies(post.scope, post.sha256)], post.sha256, post.id)
        if post.file_unique_id:  # the same Telegram file sent again (the video re-post rule's exact re-sends)
            _script(pipe, SEEN_ADD, [k.scope_files(post.scope), k.scope_file_copies(post.scope, post.file_unique_id)],
                    post.file_unique_id, post.id)
        if post.message_id is not None:
            pipe.hset(k.scope_messages(post.scope), post.message_id, post.id)
        for tag in set(post.tags):
            pipe.zincrby(k.scope_tags(post.scope), 1, tag)
        for (kind, model), vec in vectors.items():
            pipe.hset(k.vectors(kind, model), post.id, to_blob(vec, TOP_ONLY.get(kind)))
        if thumbnail:
            pipe.hset(k.thumbnails(), post.id, thumbnail)
        # In the same transaction: other processes learn of the post from the change log, and the
        # scheduler counts what it has not trained on yet (public posts only ever train heads).
        self._log_change(pipe, "add", [post.id])
        pipe.hincrby(k.counters(), "changes", 1)
        if post.scope == "public" and (post.captions or post.tags):
            pipe.hincrby(k.counters(), "labelled", 1)
        pipe.execute()

    def _log_change(self, pipe, op: str, ids: list[int]) -> None:
        append_change(pipe, self.keys, op=op, ids=",".join(str(i) for i in ids))

    def set_fields(self, post_id: int, **fields: str) -> None:
        self.r.hset(self.keys.post(post_id), mapping={k: str(v) for k, v in fields.items()})

    def put_read_text(self, post_id: int, status: str, text: str = "", lang: str = "") -> bool:
        """The text read from a post's photo (issue 19), logged so other processes' lexical indexes learn it.
        False, and nothing written, when the post is gone (deleted while its photo was read)."""
        key = self.keys.post(post_id)
        with self.r.pipeline(transaction=True) as pipe:
            while True:
                try:
                    pipe.watch(key)
                    if not pipe.exists(key):
                        return False
                    pipe.multi()
                    pipe.hset(key, mapping={"ocr_status": status, "ocr_text": text, "ocr_lang": lang})
                    self._log_change(pipe, "text", [post_id])
                    pipe.execute()
                    return True
                except redis.WatchError:
                    continue  # the post changed meanwhile (deleted, re-captioned): look again

    def replace_caption(self, post: Post, captions: list[str], tags: list[str], caption_vectors: np.ndarray,
                        text_model: str) -> None:
        """A post's captions, hashtags (with the scope's tag counts) and caption vectors, replaced at once."""
        k = self.keys
        pipe = self.r.pipeline(transaction=True)
        pipe.hset(k.post(post.id), mapping={"captions": json.dumps(captions, ensure_ascii=False),
                                            "tags": json.dumps(tags, ensure_ascii=False)})
        for tag in set(post.tags) - set(tags):
            pipe.zincrby(k.scope_tags(post.scope), -1, tag)
        for tag in set(tags) - set(post.tags):
            pipe.zincrby(k.scope_tags(post.scope), 1, tag)
        if len(caption_vectors):
            pipe.hset(k.vectors("captions", text_model), post.id, to_blob(caption_vectors))
        else:
            pipe.hdel(k.vectors("captions", text_model), post.id)
        self._log_change(pipe, "captions", [post.id])  # other processes re-index them (follower.py)
        pipe.execute()

    def put_caption_vectors(self, vectors: dict[int, np.ndarray], text_model: str, retrain_count: int) -> None:
        """Caption vectors made again by another text model (a migration): written, logged for the
        other processes, and `retrain_count` public posts counted as new for the scheduler (heads
        trained in the old text space must be trained again in the new one)."""
        if not vectors:
            return
        pipe = self.r.pipeline(transaction=True)
        pipe.hset(self.keys.vectors("captions", text_model),
                  mapping={pid: to_blob(vecs) for pid, vecs in vectors.items()})
        self._log_change(pipe, "captions", sorted(vectors))
        if retrain_count:
            pipe.hincrby(self.keys.counters(), "labelled", retrain_count)
        pipe.execute()

    def put_image_vectors(self, model: str, rows: dict[int, tuple[np.ndarray, ...]]) -> None:
        """Another image model's features, class probabilities (or None) and, for a video, keyframes'
        features of stored posts, one transaction (a migration, indexing/migration/photos.py); a post
        deleted meanwhile gets none."""
        pipe = self.r.pipeline(transaction=True)
        for pid, (features, probs, *keyframes) in rows.items():
            for kind, vectors in (("image", features), ("probs", probs), ("keyframes", keyframes[0] if keyframes else None)):
                if vectors is not None:
                    _script(pipe, IF_EXISTS_HSET, [self.keys.post(pid), self.keys.vectors(kind, model)], pid,
                            to_blob(vectors, TOP_ONLY.get(kind)))
        pipe.execute()

    def delete(self, post_ids: Iterable[int], vector_kinds: Iterable[tuple[str, str]]) -> int:
        """Delete posts with everything that points at them. Returns how many existed."""
        posts = [p for p in self.get_posts(list(post_ids)) if p is not None]
        if not posts:
            return 0
        k = self.keys
        kinds = list(vector_kinds)
        pipe = self.r.pipeline(transaction=True)
        for p in posts:
            pipe.delete(k.post(p.id))
            pipe.hdel(k.post_scopes(), p.id)
            pipe.hdel(k.post_phashes(), p.id)
            pipe.srem(k.scope_posts(p.scope), p.id)
            _script(pipe, SEEN_DELETE, [k.scope_seen(p.scope), k.scope_copies(p.scope, p.sha256)], p.sha256, p.id)
            if p.file_unique_id:
                _script(pipe, SEEN_DELETE, [k.scope_files(p.scope), k.scope_file_copies(p.scope, p.file_unique_id)],
                        p.file_unique_id, p.id)
            if p.message_id is not None:
                pipe.hdel(k.scope_messages(p.scope), p.message_id)
            for tag in set(p.tags):
                pipe.zincrby(k.scope_tags(p.scope), -1, tag)
            for kind, model in kinds:
                pipe.hdel(k.vectors(kind, model), p.id)
            pipe.hdel(k.thumbnails(), p.id)
        for scope in {p.scope for p in posts}:
            pipe.zremrangebyscore(k.scope_tags(scope), "-inf", 0)
        self._log_change(pipe, "del", [p.id for p in posts])
        pipe.hincrby(k.counters(), "changes", len(posts))
        pipe.hincrby(k.counters(), "deleted", len(posts))
        pipe.execute()
        return len(posts)

    # -- change log and counters -----------------------------------------------------------
    def changes_position(self) -> str:
        """Id of the newest change-log entry ("0-0" when empty): read from here to miss nothing after now."""
        last = self.r.xrevrange(self.keys.changes(), count=1)
        return last[0][0].decode() if last else "0-0"

    def oldest_change(self) -> str | None:
        first = self.r.xrange(self.keys.changes(), count=1)
        return first[0][0].decode() if first else None

    def read_changes(self, after: str, block_ms: int = 1000, count: int = 500) -> list[tuple[str, dict[str, str]]]:
        """Change-log entries after `after`, waiting up to block_ms for the first one."""
        found = self.r.xread({self.keys.changes(): after}, count=count, block=block_ms)
        if not found:
            return []
        return [(eid.decode(), {k.decode(): v.decode() for k, v in fields.items()}) for eid, fields in found[0][1]]

    def counters(self) -> dict[str, int]:
        return {k.decode(): int(v) for k, v in self.r.hgetall(self.keys.counters()).items()}

    def consume_counter(self, name: str, amount: int) -> None:
        """Subtract what a job has dealt with (what arrived meanwhile stays counted)."""
        if amount:
            self.r.hincrby(self.keys.counters(), name, -amount)

    # -- reads -----------------------------------------------------------------------------
    def get_posts(self, post_ids: list[int]) -> list[Post | None]:
        if not post_ids:
            return []
        pipe = self.r.pipeline(transaction=False)
        for pid in post_ids:
            pipe.hgetall(self.keys.post(int(pid)))
        return [Post.from_redis(raw) if raw else None for raw in pipe.execute()]

    def get_post(self, post_id: int) -> Post | None:
        return self.get_posts([post_id])[0]

    def all_meta(self) -> tuple[np.ndarray, list[str], np.ndarray]:
        """(ids, scopes, phashes) of every stored post, sorted by id."""
        scopes = self.r.hgetall(self.keys.post_scopes())
        phashes = self.r.hgetall(self.keys.post_phashes())
        ids = np.array(sorted(int(i) for i in scopes), dtype=np.int64)
        scope_list = [scopes[str(i).encode()].decode() for i in ids]
        ph = np.array([int(phashes.get(str(i).encode(), b"0"), 16) for i in ids], dtype=np.uint64)
        return ids, scope_list, ph

    def post_texts(self, post_ids: list[int]) -> list[tuple[list[str], str] | None]:
        """Each post's (captions, text read from its photo), None for a post that is gone: what words
        search matches, read without the rest of the post."""
        pipe = self.r.pipeline(transaction=False)
        for pid in post_ids:
            pipe.hmget(self.keys.post(int(pid)), ["captions", "ocr_text"])
        return [(json.loads(caps), text.decode() if text else "") if caps is not None else None
                for caps, text in pipe.execute()]

    def post_by_message(self, scope: str, message_id: int) -> Post | None:
        """The post stored from a message of the scope's chat. Posts stored before the message index
        existed are indexed the first time one is missed (the "*" field says it was done)."""
        key = self.keys.scope_messages(scope)
        found, indexed = self.r.hmget(key, [int(message_id), "*"])
        if found is None and indexed is None:
            ids = self.scope_post_ids(scope)
            pipe = self.r.pipeline(transaction=False)
            for pid in ids:
                pipe.hget(self.keys.post(pid), "message_id")
            older = {int(m): pid for pid, m in zip(ids, pipe.execute()) if m is not None}
            self.r.hset(key, mapping={**older, "*": "1"})
            found = older.get(int(message_id))
        post = self.get_post(int(found)) if found is not None else None
        # checked: an entry written by the indexing above can outlive a post deleted meanwhile
        return post if post is not None and post.scope == scope and post.message_id == message_id else None

    def scope_post_ids(self, scope: str) -> list[int]:
        return sorted(int(x) for x in self.r.smembers(self.keys.scope_posts(scope)))

    def scopes_of(self, post_ids: list[int]) -> list[str | None]:
        """Each post's scope, None for a post that is gone."""
        found = self.r.hmget(self.keys.post_scopes(), post_ids) if post_ids else []
        return [raw.decode() if raw is not None else None for raw in found]

    def count(self, scope: str | None = None) -> int:
        if scope is None:
            return int(self.r.hlen(self.keys.post_scopes()))
        return int(self.r.scard(self.keys.scope_posts(scope)))

    def get_vectors(self, kind: str, model: str, post_ids: list[int], dim: int) -> list[np.ndarray | None]:
        if not post_ids:
            return []
        blobs = self.r.hmget(self.keys.vectors(kind, model), [int(i) for i in post_ids])
        return [from_blob(b, dim, TOP_ONLY.get(kind)) if b is not None else None for b in blobs]

    def vector_ids(self, kind: str, model: str) -> set[int]:
        """The posts that have vectors of this kind made by this model."""
        return {int(pid) for pid in self.r.hkeys(self.keys.vectors(kind, model))}

    def iter_vectors(self, kind: str, model: str, dim: int, batch: int = 2000) -> Iterator[tuple[int, np.ndarray]]:
        for pid, blob in self.r.hscan_iter(self.keys.vectors(kind, model), count=batch):
            yield int(pid), from_blob(blob, dim, TOP_ONLY.get(kind))

    def get_thumbnails(self, post_ids: list[int]) -> list[bytes | None]:
        return self.r.hmget(self.keys.thumbnails(), post_ids) if post_ids else []

    def set_thumbnails(self, thumbnails: dict[int, bytes]) -> None:
        if thumbnails:
            self.r.hset(self.keys.thumbnails(), mapping=thumbnails)

    def tag_counts(self, scopes: Iterable[str], min_count: int = 1) -> dict[str, int]:
        counts: dict[str, int] = {}
        for scope in scopes:
            for tag, score in self.r.zrangebyscore(self.keys.scope_tags(scope), min_count, "+inf", withscores=True):
                counts[tag.decode()] = counts.get(tag.decode(), 0) + int(score)
        return counts

    # -- per-chat settings ---------------------------------------------------------------------
    def get_settings(self, scope: str) -> dict[str, str]:
        return {k.decode(): v.decode() for k, v in self.r.hgetall(self.keys.chat_settings(scope)).items()}

    def set_settings(self, scope: str, values: dict[str, str]) -> None:
        if values:
            self.r.hset(self.keys.chat_settings(scope), mapping=values)

    # -- artifacts (projector, heads) ------------------------------------------------------
    def put_artifact(self, name: str, blob: bytes, version: str | None = None) -> str:
        """Store an artifact version; it becomes current when a release naming it is published."""
        version = version or new_version()  # the releases' UTC clock
        self.r.set(self.keys.artifact(name, version), blob)
        return version

    def get_artifact(self, name: str, version: str | None = None) -> tuple[str, bytes] | None:
        """(version, bytes) of the current (or given) version of an artifact, or None."""
        if version is None:
            raw = self.r.get(self.keys.artifact_current(name))
            if raw is None:
                return None
            version = raw.decode()
        blob = self.r.get(self.keys.artifact(name, version))
        return (version, blob) if blob is not None else None

    # -- scheduled jobs' state ---------------------------------------------------------------
    def job_state(self, name: str) -> dict[str, str]:
        return {k.decode(): v.decode() for k, v in self.r.hgetall(self.keys.job(name)).items()}

    def job_states(self) -> dict[str, dict[str, str]]:
        names = (self.keys.job_name(key.decode()) for key in self.r.scan_iter(match=self.keys.job("*"), count=100))
        return {name: self.job_state(name) for name in names}

    def set_job_state(self, name: str, **fields) -> None:
        self.r.hset(self.keys.job(name), mapping={k: str(v) for k, v in fields.items()})

    def lock(self, name: str, ttl_s: float) -> redis.lock.Lock:
        """The cross-process lock of job `name`, not taken yet (indexing/locks.py takes, renews and
        releases it). thread_local=False: the renewing thread must see the token the taking thread got."""
        return self.r.lock(self.keys.lock(name), timeout=ttl_s, thread_local=False)

    def lock_held(self, name: str) -> bool:
        """Whether some process holds the lock of job `name` (an expired one is gone)."""
        return bool(self.r.exists(self.keys.lock(name)))

    # -- other stores on the same connection -----------------------------------------------
    def update_inbox(self, bot_id: str) -> UpdateInbox:
        return UpdateInbox(self.r, self.keys, bot_id)

    @property
    def map_cache(self) -> MapCache:
        return MapCache(self.r, self.keys)
