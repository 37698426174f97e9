"""Albums: Telegram delivers an album as one update per photo, maybe in different batches; the parts are
collected until a short quiet, then answered as one (a group's are collected, a private chat's answered)."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from telegram import Message, Update

from bot import render
from bot.answers import Answers, photo_input
from bot.config import BotConfig, scope_of
from bot.moderation import Moderation
from bot.telegram_io import PostSender, is_private, photo_of, reply, user_language, working
from bot.workers import Workers
from indexing.search import BadImageError, PhotoVectors, SearchEngine

ALBUM_QUIET_S = 0.8  # wait this long after an album's last part for the rest


@dataclass
class _Album:
    messages: list[Message] = field(default_factory=list)
    update_ids: list[int] = field(default_factory=list)
    task: asyncio.Task | None = None


class Albums:
    def __init__(self, engine: SearchEngine, config: BotConfig, workers: Workers, answers: Answers,
                 sender: PostSender, moderation: Moderation, on_error) -> None:
        self.engine = engine
        self.config = config
        self.workers = workers
        self.answers = answers
        self.sender = sender
        self.moderation = moderation
        self.on_error = on_error  # bot.errors: an album is answered in a task of ours, not the application's
        self.inbox = None  # bot.inbox.Inbox: album updates are cleared from it once answered
        self.lanes = None  # bot.lanes.UserLanes: told when an album is collected and answered
        self._albums: dict[tuple[int, str], _Album] = {}

    def collect(self, update: Update, context) -> None:
        """One part of an album; the album is answered once no part came for ALBUM_QUIET_S."""
        message = update.effective_message
        key = (message.chat.id, message.media_group_id)
        album = self._albums.setdefault(key, _Album())
        if self.lanes is not None:
            self.lanes.hold_album(update)  # the album's other parts come before anything else of the user
        album.messages.append(message)
        album.update_ids.append(update.update_id)
        if album.task is not None:
            album.task.cancel()
        album.task = asyncio.create_task(self._after_quiet(key, update, context))

    async def _after_quiet(self, key, update: Update, context) -> None:
        await asyncio.sleep(ALBUM_QUIET_S)
        album = self._albums.pop(key, None)
        if album is None:
            return
        try:
            await self.answer(update, context, sorted(album.messages, key=lambda m: m.message_id))
        except Exception as exc:  # the task is ours: report like the application's error handler
            await self.on_error(update, context, exc)
        finally:
            if self.lanes is not None:
                self.lanes.album_done(update)
        if self.inbox is not None:
            self.inbox.done(*album.update_ids)

    async def answer(self, update: Update, context, messages: list[Message]) -> None:
        """The album's readable photos collected (a group) or answered (a private chat); an unreadable one
        is told about after."""
        photos = [await photo_of(m, self.config.max_photo_bytes) for m in messages]
        vectors = await self.workers.run(self.engine.embed_photos, photos, return_errors=True)
        bad = next((v for v in vectors if isinstance(v, BadImageError)), None)
        readable = [(m, p, v) for m, p, v in zip(messages, photos, vectors) if not isinstance(v, BadImageError)]
        if not is_private(update):
            for message, photo, vec in readable:
                await self.moderation.collect(update, context, message, photo, vec)
        elif readable:
            await self._answer_private(update, context, *map(list, zip(*readable)))
        if bad is not None:
            raise bad

    async def _answer_private(self, update: Update, context, messages: list[Message], photos: list[bytes],
                              vectors: list[PhotoVectors]) -> None:
        scope, run = scope_of(update.effective_chat.id), self.workers.run
        await working(update, context)
        tags = [await run(self.engine.hashtags, vec, scope, self.config.hashtags_k) for vec in vectors]
        # One album of similar photos for the whole request: none of the album's photos, one post per photo.
        best = await run(self.engine.similar_to_any, vectors, scope, max(self.config.similar_k, 2))
        await run(self.engine.add_photos, [photo_input(m, p) for m, p in zip(messages, photos)], vectors)
        await reply(update, render.album_text(user_language(update), tags))
        if not await self.sender.send_hits(update, context, best):
            await reply(update, self.answers.nothing_fits(update, "similar_none_album", best))
