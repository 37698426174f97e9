"""Group moderation: a group's photos (and videos, GIFs, video notes) collected into its scope, each
checked against the chat's re-post policy (engine.check_repost: forwards, sizes, cleared pairs, own
photos) and flagged (bot.flags). The settings are /dupes (bot.dupes), the admins' buttons bot.buttons, /forget bot.forgetting."""
from __future__ import annotations

from dataclasses import replace

from telegram import Message, Update

from bot.answers import photo_input
from bot.config import scope_of
from bot.admins import author_of
from bot.flags import Flags
from bot.workers import Workers
from indexing.search import (ANIMATION, AUTOMATIC, FORWARD, NOT_A_REPOST, ChatSettings, PhotoVectors, SearchEngine,
                             VideoVectors)


def origin_of(message: Message) -> str:
    """Where a photo comes from: the linked channel's automatic forward, a forward, or the member."""
    if message.is_automatic_forward:
        return AUTOMATIC
    return FORWARD if message.forward_origin is not None else ""


def checked(media: str, settings: ChatSettings) -> bool:
    """Whether a post of this kind is checked for re-posts: GIFs only when the chat asked (`/dupes gifs
    on`: GIFs are re-posted like stickers, where repetition is normal); stored either way, for /find."""
    return media != ANIMATION or settings.gifs == "on"


class Moderation:
    def __init__(self, engine: SearchEngine, workers: Workers) -> None:
        self.engine = engine
        self.workers = workers
        self.flags = Flags(engine, workers)

    async def collect(self, update: Update, context, message: Message, photo: bytes, vec: PhotoVectors,
                      size: tuple[int, int] | None = None) -> None:
        """Store a group's photo or video (embedded as `vec`; `size` as posted, when `vec` was made from a
        smaller thumbnail) in the group's scope, recording its first post there; flag it if it re-posts
        one within the chat's window."""
        scope, run = scope_of(message.chat.id), self.workers.run
        settings = await run(self.engine.chat_settings, scope)
        author_id, author_name = author_of(message)
        origin = origin_of(message)
        item = photo_input(message, photo)
        verdict = NOT_A_REPOST
        if settings.dupes != "off" and checked(item.media, settings):  # before storing: it cannot match itself
            verdict = await run(self.engine.check_repost, vec, scope, settings, message.message_id,
                                author_id=author_id, origin=origin, size=size or (vec.width, vec.height),
                                image=vec.poster if isinstance(vec, VideoVectors) else photo,
                                # the same Telegram file re-sent is known at once (a video seen only
                                # through its thumbnail too)
                                file_unique_id=item.file_unique_id if isinstance(vec, VideoVectors) else None)
        stored = (await run(self.engine.add_photos, [replace(item, repost_of=verdict.original_id,
                                                             user_id=author_id, origin=origin)], [vec]))[0]
        # Each message of a group is a post of its own (the same file posted again too); one stored
        # already is this message delivered twice, handled the first time (check_repost knows it).
        if verdict.repost is None or not stored.created:
            return
        await run(self.engine.moderation.record_flag, scope, stored.post_id, verdict.original_id, author_id, author_name)
        await self.flags.flag(update, context, message, verdict.repost, settings, stored.post_id)
