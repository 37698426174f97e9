"""Small stores beside the posts on the same Redis connection: the /map cache and a bot's update inbox."""
from __future__ import annotations

import redis

from indexing.keys import Keys
from indexing.storage_errors import public_methods_raise_storage_errors


@public_methods_raise_storage_errors
class MapCache:
    """/map's cache (indexing/maps.py): a layout per chat and query, its pictures for a while."""

    def __init__(self, client: redis.Redis, keys: Keys) -> None:
        self.r = client
        self.keys = keys

    def entry(self, scope: str, query_hash: str) -> dict[str, bytes]:
        return {k.decode(): v for k, v in self.r.hgetall(self.keys.map_cache(scope, query_hash)).items()}

    def put_layout(self, scope: str, query_hash: str, fingerprint: str, layout_json: str, ttl_s: int) -> None:
        """A new layout replaces the old one and its pictures (they showed other photos)."""
        key = self.keys.map_cache(scope, query_hash)
        pipe = self.r.pipeline(transaction=True)
        pipe.delete(key, self.keys.map_images(scope, query_hash))
        pipe.hset(key, mapping={"fingerprint": fingerprint, "layout": layout_json})
        pipe.expire(key, ttl_s)
        pipe.execute()

    def images(self, scope: str, query_hash: str, fingerprint: str) -> tuple[bytes, bytes] | None:
        """(photo, document) drawn for this fingerprint, if still kept."""
        got = self.r.hmget(self.keys.map_images(scope, query_hash), ["fingerprint", "photo", "document"])
        return (got[1], got[2]) if got[0] is not None and got[0].decode() == fingerprint else None

    def put_images(self, scope: str, query_hash: str, fingerprint: str, photo: bytes, document: bytes,
                       ttl_s: int) -> None:
        key = self.keys.map_images(scope, query_hash)
        pipe = self.r.pipeline(transaction=True)
        pipe.hset(key, mapping={"fingerprint": fingerprint, "photo": photo, "document": document})
        pipe.expire(key, ttl_s)
        pipe.execute()

    def put_files(self, scope: str, query_hash: str, fingerprint: str, file_ids: dict[str, str]) -> None:
        """Telegram's file ids of the pictures, kept with the layout they show (then the bytes can go)."""
        key = self.keys.map_cache(scope, query_hash)
        if not file_ids:
            return
        with self.r.pipeline(transaction=True) as pipe:
            try:
                # Watched: a new layout written between the check and the write must not get these ids.
                pipe.watch(key)
                if pipe.hget(key, "fingerprint") != fingerprint.encode():
                    return
                pipe.multi()
                pipe.hset(key, mapping=file_ids)
                pipe.delete(self.keys.map_images(scope, query_hash))
                pipe.execute()
            except redis.WatchError:
                return  # replaced meanwhile: these ids show the old pictures

@public_methods_raise_storage_errors
class UpdateInbox:
    """A bot's updates kept until handled (bot/inbox.py), as update id -> JSON in one Redis hash."""

    def __init__(self, client: redis.Redis, keys: Keys, bot_id: str) -> None:
        self.r = client
        self.key = keys.inbox(bot_id)

    def put(self, update_id: int, payload: str) -> None:
        self.r.hset(self.key, str(update_id), payload)

    def remove(self, *update_ids: int) -> None:
        if update_ids:
            self.r.hdel(self.key, *(str(u) for u in update_ids))

    def pending(self) -> dict[int, str]:
        return {int(k): v.decode() for k, v in self.r.hgetall(self.key).items()}
