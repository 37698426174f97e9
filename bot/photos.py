"""Photos: the pipeline for a photo (or image file) sent to the bot, its caption edited later, and
/hashtags, /similar, /captions in reply to a photo. Albums are collected by bot.albums."""
from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.albums import Albums
from bot.answers import PHOTO_COMMANDS, PRIVATE_ANSWERS, Answers, photo_input, store_edited_caption
from bot.clips import video_of
from bot.config import BotConfig
from bot.i18n import t
from bot.moderation import Moderation
from bot.parsing import caption_request, query_of
from bot.telegram_io import is_private, photo_of, reply, user_language
from bot.videos import Videos
from bot.workers import Workers
from indexing.search import WORD, SearchEngine


class Photos:
    def __init__(self, engine: SearchEngine, config: BotConfig, workers: Workers, answers: Answers,
                 moderation: Moderation, albums: Albums, videos: Videos) -> None:
        self.engine = engine
        self.config = config
        self.workers = workers
        self.answers = answers
        self.moderation = moderation
        self.albums = albums
        self.videos = videos

    async def photo(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A photo: in a private chat stored and answered; in a group collected (and checked for re-posts),
        answered only when its caption asks. A caption `/find words` searches with the words and the photo."""
        message = update.effective_message
        if message.media_group_id:
            self.albums.collect(update, context)
            return
        command, words = caption_request(message.caption)
        photo = await photo_of(message, self.config.max_photo_bytes)
        if command == "find":  # stored, then words + photo searched
            vec = await self.workers.run(self.engine.embed_photo, photo)
            if is_private(update):
                await self.workers.run(self.engine.add_photos, [photo_input(message, photo)], [vec])
            else:
                await self.moderation.collect(update, context, message, photo, vec)
            await self.answers.find(update, context, words, photo=vec)
        elif is_private(update):
            wanted = {command} if command in PHOTO_COMMANDS else PRIVATE_ANSWERS
            await self.answers.photo(update, context, photo, wanted, store=True)
        else:
            vec = await self.workers.run(self.engine.embed_photo, photo)
            await self.moderation.collect(update, context, message, photo, vec)
            if command in PHOTO_COMMANDS:
                await self.answers.photo(update, context, photo, {command}, vec=vec)

    async def edited(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A photo's caption was edited: the stored post takes the new caption and hashtags. A new
        command caption is answered as a request; in a private chat the photo is answered again."""
        message = update.effective_message
        # one part of an album: its caption is updated, the album not answered again
        command = caption_request(message.caption)[0] if message.media_group_id is None else None
        if not command:
            photo = await photo_of(message, self.config.max_photo_bytes)
            await store_edited_caption(self.engine, self.workers.run, update, photo, self.engine.embed_photo)
        if command or (is_private(update) and message.media_group_id is None):
            await self.photo(update, context)

    async def hashtags(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/hashtags in reply to a photo (or video); /hashtags <words>: hashtags for a caption being drafted."""
        words = query_of(context.args)
        photo = await self._replied_photo(update)
        about = photo is not None or video_of(update.effective_message.reply_to_message) is not None
        if not about and WORD.search(words):
            await self.answers.text(update, context, words)
        elif not about:
            await reply(update, t(user_language(update), "hashtags_usage"))
        else:
            await self._answer(update, context, photo, "hashtags")

    async def similar(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/similar in reply to a photo."""
        await self._answer(update, context, await self._replied_photo(update), "similar")

    async def captions(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/captions in reply to a photo."""
        await self._answer(update, context, await self._replied_photo(update), "captions")

    async def _replied_photo(self, update: Update) -> bytes | None:
        return await photo_of(update.effective_message.reply_to_message, self.config.max_photo_bytes)

    async def _answer(self, update: Update, context, photo: bytes | None, wanted: str) -> None:
        """The answer about the replied photo; a replied video's comes from its keyframes (bot.videos)."""
        video = await self.videos.replied(update)
        if video is not None:
            data, vec = video
            await self.answers.photo(update, context, data, {wanted}, vec=vec)
        elif photo is None:
            await reply(update, t(user_language(update), "need_photo"))
        else:
            await self.answers.photo(update, context, photo, {wanted})
