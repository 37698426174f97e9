"""What a chat front-end needs besides search: posts, their photos and thumbnails, chat settings,
maps and the update inbox (a part of SearchEngine's API, indexing/search/engine.py)."""
from __future__ import annotations

import numpy as np

from indexing.chats import ChatSettings
from indexing.errors import BadImageError
from indexing.migration.sources import PhotoUnavailable
from indexing.scopes import PUBLIC, validate_scope
from indexing.store import Post
from models.imaging import read_bytes


class FrontEnd:
    """Mixed into SearchEngine: reads and small writes that need no index."""

    def chat_settings(self, scope: str) -> ChatSettings:
        return ChatSettings.from_redis(self.store.get_settings(validate_scope(scope)))

    def save_chat_settings(self, scope: str, settings: ChatSettings) -> None:
        self.store.set_settings(validate_scope(scope), settings.to_redis())

    def scope_ids(self, scope: str) -> list[int]:
        """Ids of the posts stored in one scope (from memory), sorted."""
        return self.catalogue.scope_ids(scope)

    def image_vectors(self, ids: list[int]) -> np.ndarray:
        """The photos' image vectors from the serving index (zeros for posts it does not hold)."""
        return self.view.image.get_or_zero(ids)

    def mark_message_deleted(self, post_id: int) -> None:
        """The bot deleted the post's message (a re-post in delete mode): it is never a link target."""
        self.store.set_fields(post_id, message_deleted="1")

    def remember_file_id(self, post_id: int, file_id: str) -> None:
        """Telegram's id of a photo the bot uploaded once, so it is sent by id afterwards."""
        self.store.set_fields(post_id, file_id=file_id)

    def photo_bytes(self, post: Post) -> bytes | None:
        """The stored photo's file, for posts imported from disk (None if it is gone)."""
        if not post.source:
            return None
        try:
            return read_bytes(post.source, self.max_photo_bytes)
        except BadImageError:
            return None

    def posts(self, ids: list[int]) -> list[Post | None]:
        """The stored posts (None where one is gone), in the order asked."""
        return self.store.get_posts(ids)

    def post(self, post_id: int) -> Post | None:
        return self.store.get_post(post_id)

    def thumbnails(self, ids: list[int]) -> list[bytes | None]:
        """The posts' small square JPEGs (the /map tiles), None where a post has none."""
        return self.store.get_thumbnails(ids)

    def post_count(self, scope: str | None = None) -> int:
        """Posts stored (in one scope, or everywhere), as Redis counts them."""
        return self.store.count(scope)

    def fetch_photo(self, post: Post) -> bytes:
        """A stored post's photo again, from the first source that has it (a file on disk, Telegram through
        a bot in this process); PhotoUnavailable when none can give it now."""
        reasons = []
        for source in list(self.photo_sources):
            if source.can_fetch(post):
                try:
                    return source.fetch(post)
                except PhotoUnavailable as exc:
                    reasons.append(str(exc))
        raise PhotoUnavailable("; ".join(reasons) or "no source in this process knows where the photo is")

    def photo_text(self, photo: bytes, sha256: str, scope: str):
        """The text in a photo (models.ocr.ReadText): as read from its stored post in this scope or the
        library, else read now (someone asked: the reply waits the ~0.1 s a photo takes)."""
        from indexing.reading import text_in_photo
        from models.ocr import shared_reader

        return text_in_photo(self.store, shared_reader, photo, sha256, sorted({validate_scope(scope), PUBLIC}),
                             self.put_read_text)

    def photo_maps(self, max_photos: int, cache_days: float, thumbnail_side: int):
        """The /map and /clusters service over this engine (indexing/maps.py)."""
        from indexing.maps import PhotoMaps

        return PhotoMaps(self, max_photos, cache_days, thumbnail_side)

    def update_inbox(self, bot_id: str):
        """Where a bot keeps its updates until handled (bot/inbox.py)."""
        return self.store.update_inbox(bot_id)

    def stats(self, scope: str | None = None) -> dict:
        """The store's and the serving view's numbers; with a scope, that chat's too (its posts, top
        hashtags, the reading of their text)."""
        per_scope = self.catalogue.scope_sizes()
        v = self.view
        out = {"posts": sum(per_scope.values()), "scopes": len(per_scope),
               "image_model": self.image_model, "text_model": self.text_model, "release": v.release,
               "projector": v.projector_version, "hashtag_head": v.hashtag_head_version,
               "captions_indexed": len(v.caption), "jobs": self.store.job_states()}
        migration = self.image_migration_status()
        if migration is not None and migration["state"] in ("running", "waiting"):
            out["image_migration"] = migration
        if scope is not None:
            out["posts_in_scope"] = per_scope.get(scope, 0)
            out["top_tags"] = sorted(self.store.tag_counts([scope]).items(), key=lambda kv: -kv[1])[:10]
            if self.reading is not None and scope != PUBLIC:  # a chat's /stats shows its photos' reading
                out["reading"] = {"waiting": self.reading.waiting(scope),
                                  **self.reading.outcomes(self.catalogue.scope_ids(scope))}
        return out
