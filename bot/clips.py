"""A message's video, animation (GIF) or video note, and its bytes: the file itself when the Bot API lets
the bot download it (20 MB at most), else the thumbnail Telegram sends with it (a still is one keyframe
to engine.embed_video), said in the logs."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram import Animation, Message, Video, VideoNote
from telegram.error import BadRequest

from indexing.search import ANIMATION, VIDEO, VIDEO_NOTE

log = logging.getLogger(__name__)

MAX_DOWNLOAD = 20 * 1024 * 1024  # getFile refuses larger files ("file is too big")


@dataclass(frozen=True)
class Clip:
    data: bytes  # the video's bytes, or its thumbnail's (`from_thumbnail`)
    media: str  # VIDEO, ANIMATION or VIDEO_NOTE (Post.media)
    item: Video | Animation | VideoNote
    from_thumbnail: bool = False

    @property
    def size(self) -> tuple[int, int] | None:
        """The video's (width, height) as posted (a thumbnail is smaller): what /dupes minsize compares;
        None when Telegram does not say (the decoded frames' size is used then)."""
        if isinstance(self.item, VideoNote):
            side = self.item.length
            return (side, side) if side else None
        return (self.item.width, self.item.height) if self.item.width and self.item.height else None


def video_of(message: Message | None) -> tuple[str, Video | Animation | VideoNote] | None:
    """(media kind, Telegram object) of the message's video, animation or video note; None without one.
    (An animation arrives as `document` too: it is asked for first.)"""
    if message is None:
        return None
    for media, item in ((ANIMATION, message.animation), (VIDEO, message.video), (VIDEO_NOTE, message.video_note)):
        if item is not None:
            return media, item
    return None


async def clip_of(message: Message | None) -> Clip | None:
    """The message's video and its bytes; None without one, or when it is too big to download and has
    no thumbnail (logged: nothing the user could do about it)."""
    found = video_of(message)
    if found is None:
        return None
    media, item = found
    if not item.file_size or item.file_size <= MAX_DOWNLOAD:
        try:
            file = await item.get_file()
            return Clip(bytes(await file.download_as_bytearray()), media, item)
        except BadRequest as exc:  # a file_size missing or wrong: Telegram still says no
            if "too big" not in str(exc).lower():
                raise
    if item.thumbnail is None:
        log.warning("%s %s in chat %s is %s bytes, over the 20 MB download limit, and has no thumbnail: skipped",
                    media, item.file_unique_id, message.chat.id, item.file_size)
        return None
    log.info("%s %s in chat %s is %s bytes, over the 20 MB download limit: using its thumbnail (%dx%d)",
             media, item.file_unique_id, message.chat.id, item.file_size, item.thumbnail.width, item.thumbnail.height)
    file = await item.thumbnail.get_file()
    return Clip(bytes(await file.download_as_bytearray()), media, item, from_thumbnail=True)


class UnreadableVideoError(Exception):
    """A video (GIF, video note) that does not decode: told in a private chat in video words
    (bot.errors), only logged in a group. `cause` is the engine's BadImageError."""

    def __init__(self, cause: Exception) -> None:
        super().__init__(str(cause))
        self.cause = cause
