"""Albums: Telegram delivers an album as one update per photo (or video: albums may mix them), maybe in
different batches; the parts are collected until a short quiet, then answered as one (a group's are
collected, a private chat's answered)."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from telegram import Message, Update

from bot import render
from bot.answers import Answers, photo_input
from bot.clips import Clip, UnreadableVideoError, clip_of, video_of
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
        parts = await self._parts(messages)
        bad = next((v for _, _, v, _ in parts if isinstance(v, Exception)), None)
        readable = [part for part in parts if not isinstance(part[2], Exception)]
        if not is_private(update):
            for message, data, vec, clip in readable:
                await self.moderation.collect(update, context, message, data, vec, size=clip.size if clip else None)
        elif readable:
            await self._answer_private(update, context, *map(list, list(zip(*readable))[:3]))
        if bad is not None:
            raise bad

    async def _parts(self, messages: list[Message]) -> list[tuple[Message, bytes, PhotoVectors | Exception,
                                                                  Clip | None]]:
        """Each part's bytes and vectors (the error in their place when it does not decode): photos embedded
        in one batch, videos one by one from their keyframes (a video too big that has no thumbnail is left
        out: bot.clips)."""
        parts = []
        for message in messages:
            clip = await clip_of(message) if video_of(message) else None
            if clip is not None or video_of(message) is None:
                parts.append([message, clip.data if clip else await photo_of(message, self.config.max_photo_bytes),
                              None, clip])
        photos = [part for part in parts if part[3] is None]
        for part, vec in zip(photos, await self.workers.run(self.engine.embed_photos, [p[1] for p in photos],
                                                            return_errors=True)):
            part[2] = vec
        for part in parts:
            if part[3] is not None:
                part[2] = await self.workers.run(_video_vectors, self.engine, part[1])
        return [tuple(part) for part in parts]

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


def _video_vectors(engine: SearchEngine, data: bytes) -> PhotoVectors | Exception:
    """A video part's vectors, or the error saying it does not decode (in video words: bot.errors)."""
    try:
        return engine.embed_video(data)
    except BadImageError as exc:
        return UnreadableVideoError(exc)
