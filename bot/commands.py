"""The text commands: /start, /help, /find, /stats, unknown commands, plain text and files that are not
photos. (Photo commands: bot.photos; /dupes: bot.dupes; /forget: bot.forgetting; /map, /clusters: bot.maps.)"""
from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.answers import Answers
from bot.clips import clip_of
from bot.config import scope_of
from bot.i18n import t
from bot.parsing import query_of
from bot.admins import sees_members_photos
from bot.render import blind_warning, moderation_text, stats_text
from bot.telegram_io import is_private, photo_of, reply, user_language
from bot.workers import Workers
from indexing.search import PUBLIC, WORD, SearchEngine


class Commands:
    def __init__(self, engine: SearchEngine, workers: Workers, answers: Answers, max_photo_bytes: int) -> None:
        self.engine = engine
        self.workers = workers
        self.answers = answers
        self.max_photo_bytes = max_photo_bytes

    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await reply(update, t(user_language(update), "start", name=update.effective_user.first_name or ""))

    async def help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await reply(update, t(user_language(update), "help", bot=context.bot.username or "bot"))

    async def find(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/find words; in reply to a photo (or video: its keyframes), words + that photo ("at night")."""
        query = query_of(context.args)
        replied = update.effective_message.reply_to_message
        photo = await photo_of(replied, self.max_photo_bytes) if query else None
        clip = await clip_of(replied) if query and photo is None else None
        if clip is not None:
            photo = await self.workers.run(self.engine.embed_video, clip.data)
        await self.answers.find(update, context, query, photo)

    async def stats(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/stats: the chat's photos, the library and the index; in a group, its re-posts too (and a
        warning when privacy mode keeps members' photos from the bot)."""
        chat_id, run, lang = update.effective_chat.id, self.workers.run, user_language(update)
        scope, private = scope_of(chat_id), is_private(update)
        chat, public = await run(self.engine.stats, scope), await run(self.engine.stats, PUBLIC)
        settings = await run(self.engine.chat_settings, scope)
        text = stats_text(lang, private, chat, public, settings)
        if not private:
            text += "\n" + moderation_text(lang, chat_id, await run(self.engine.moderation.stats, scope))
            if not await sees_members_photos(context.bot, chat_id):
                text = blind_warning(lang) + text
        await reply(update, text)

    async def unknown(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A command the bot does not have: said in a private chat, or in a group when addressed to us."""
        first_word = (update.effective_message.text or "").split(" ")[0].lower()
        if is_private(update) or f"@{(context.bot.username or '').lower()}" in first_word:
            await reply(update, t(user_language(update), "unknown_command"))

    async def text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Plain text in a private chat: a caption someone is drafting (words), or a hint (no words)."""
        text = update.effective_message.text or ""
        if WORD.search(text):
            await self.answers.text(update, context, text)
        else:
            await reply(update, t(user_language(update), "text_hint"))

    async def not_a_photo(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if is_private(update):
            await reply(update, t(user_language(update), "not_a_photo"))
