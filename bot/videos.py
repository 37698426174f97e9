"""Videos, animations (GIFs) and video notes, seen through a few keyframes (engine.embed_video) and
then treated like photos: in a group collected and checked for re-posts (bot.moderation; GIFs only
after `/dupes gifs on`), in a private chat stored and answered with hashtags and similar posts; a
caption edited later; `/hashtags`, `/similar`, `/captions` in reply to one. Albums mixing photos and
videos are collected by bot.albums. One too big to download is seen through its thumbnail (bot.clips)."""
from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.albums import Albums
from bot.answers import PHOTO_COMMANDS, PRIVATE_ANSWERS, Answers, photo_input, store_edited_caption
from bot.clips import UnreadableVideoError, clip_of, video_of
from bot.config import BotConfig
from bot.moderation import Moderation
from bot.parsing import caption_request
from bot.telegram_io import is_private, replied_to
from bot.workers import Workers
from indexing.search import BadImageError, SearchEngine, VideoVectors


class Videos:
    def __init__(self, engine: SearchEngine, config: BotConfig, workers: Workers, answers: Answers,
                 moderation: Moderation, albums: Albums) -> None:
        self.engine = engine
        self.config = config
        self.workers = workers
        self.answers = answers
        self.moderation = moderation
        self.albums = albums

    async def video(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A video, GIF or video note: in a private chat stored and answered; in a group collected (and
        checked), answered only when its caption asks. A caption `/find words` searches with both."""
        message = update.effective_message
        if message.media_group_id:
            self.albums.collect(update, context)
            return
        clip = await clip_of(message)
        if clip is None:
            return
        vec = await self.workers.run(self.embed, clip.data)
        command, words = caption_request(message.caption)
        if not is_private(update):
            await self.moderation.collect(update, context, message, clip.data, vec, size=clip.size)
        elif command == "find":
            await self.workers.run(self.engine.add_photos, [photo_input(message, clip.data)], [vec])
        if command == "find":
            await self.answers.find(update, context, words, photo=vec)
        elif is_private(update):
            wanted = {command} if command in PHOTO_COMMANDS else PRIVATE_ANSWERS
            await self.answers.photo(update, context, clip.data, wanted, store=True, vec=vec)
        elif command in PHOTO_COMMANDS:
            await self.answers.photo(update, context, clip.data, {command}, vec=vec)

    async def edited(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A video's caption was edited: stored with the post; a new command caption is answered, and in
        a private chat the video is answered again (as a photo is: bot.photos)."""
        message = update.effective_message
        command = caption_request(message.caption)[0] if message.media_group_id is None else None
        if not command:
            clip = await clip_of(message)
            if clip is None:
                return
            await store_edited_caption(self.engine, self.workers.run, update, clip.data, self.embed)
        if command or (is_private(update) and message.media_group_id is None):
            await self.video(update, context)

    async def replied(self, update: Update) -> tuple[bytes, VideoVectors] | None:
        """The video the command replies to, with its vectors; None when it replies to no video."""
        replied = replied_to(update.effective_message)
        if video_of(replied) is None:
            return None
        clip = await clip_of(replied)
        if clip is None:
            return None
        return clip.data, await self.workers.run(self.embed, clip.data)

    def embed(self, data: bytes) -> VideoVectors:
        """engine.embed_video (in the workers), its BadImageError said in video words: told in a private
        chat, only logged in a group (bot.errors)."""
        try:
            return self.engine.embed_video(data)
        except BadImageError as exc:
            raise UnreadableVideoError(exc) from exc
