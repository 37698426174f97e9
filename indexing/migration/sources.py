"""Where a stored post's photo comes from again, for re-embedding it with another image model.

The store keeps vectors and a small thumbnail, not the photo: imports and demo photos name their
file (`Post.source`); photos sent on Telegram are fetched through the Bot API's getFile by the
bot, which registers its source with the engine (`engine.add_photo_source`).
"""
from __future__ import annotations

from typing import Protocol

from indexing.errors import BadImageError
from indexing.store import Post
from models.imaging import read_bytes


class PhotoUnavailable(Exception):
    """The photo could not be had this time (the reason is logged and recorded; it is tried again)."""


class PhotoSource(Protocol):
    def can_fetch(self, post: Post) -> bool:
        """Whether this source knows where the post's photo is (not whether it is still there)."""

    def fetch(self, post: Post) -> bytes:
        """The photo's bytes; PhotoUnavailable with the reason when they cannot be had now. Called
        from a background thread."""


BOT_SOURCE = "telegram"  # the `source` of a post the bot stored: no file, a Telegram file id


class LocalFiles:
    """Posts imported from disk: their `source` path."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes

    def can_fetch(self, post: Post) -> bool:
        return bool(post.source) and post.source != BOT_SOURCE

    def fetch(self, post: Post) -> bytes:
        try:
            return read_bytes(post.source, self.max_bytes)
        except BadImageError as exc:
            raise PhotoUnavailable(f"{post.source}: {exc}") from exc
