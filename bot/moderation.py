"""Group moderation: a group's photos collected into its scope, each checked against the chat's re-post
policy (engine.check_repost: forwards, sizes, cleared pairs, own photos) and flagged (bot.flags).
The settings are /dupes (bot.dupes), the admins' buttons bot.buttons, /forget bot.forgetting."""
from __future__ import annotations

from dataclasses import replace

from telegram import Message, Update

from bot.answers import photo_input
from bot.config import scope_of
from bot.admins import author_of
from bot.flags import Flags
from bot.workers import Workers
from indexing.search import AUTOMATIC, FORWARD, NOT_A_REPOST, PhotoVectors, SearchEngine


def origin_of(message: Message) -> str:
    """Where a photo comes from: the linked channel's automatic forward, a forward, or the member."""
    if message.is_automatic_forward:
        return AUTOMATIC
    return FORWARD if message.forward_origin is not None else ""


class Moderation:
    def __init__(self, engine: SearchEngine, workers: Workers) -> None:
        self.engine = engine
        self.workers = workers
        self.flags = Flags(engine, workers)

    async def collect(self, update: Update, context, message: Message, photo: bytes, vec: PhotoVectors) -> None:
        """Store a group's photo (embedded as `vec`) in the group's scope, recording the photo's first post
        there; flag it if it re-posts one within the chat's window."""
        scope, run = scope_of(message.chat.id), self.workers.run
        settings = await run(self.engine.chat_settings, scope)
        author_id, author_name = author_of(message)
        origin = origin_of(message)
        verdict = NOT_A_REPOST
        if settings.dupes != "off":  # checked before storing, so the photo cannot match itself
            verdict = await run(self.engine.check_repost, vec, scope, settings, message.message_id,
                                author_id=author_id, origin=origin, size=(vec.width, vec.height), image=photo)
        stored = (await run(self.engine.add_photos, [replace(photo_input(message, photo), repost_of=verdict.original_id,
                                                             user_id=author_id, origin=origin)], [vec]))[0]
        # Each message of a group is a post of its own (the same file posted again too); one stored
        # already is this message delivered twice, handled the first time (check_repost knows it).
        if verdict.repost is None or not stored.created:
            return
        await run(self.engine.moderation.record_flag, scope, stored.post_id, verdict.original_id, author_id, author_name)
        await self.flags.flag(update, context, message, verdict.repost, settings, stored.post_id)
