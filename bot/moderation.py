"""Group moderation: /dupes (the chat's re-post settings), a group's photos collected into its scope,
and a re-post flagged (or deleted) as the chat's settings say (the policy: engine.check_repost)."""
from __future__ import annotations

import logging
from dataclasses import replace

from telegram import Message, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.answers import photo_input
from bot.config import scope_of
from bot.i18n import t
from bot.render import dupes_text, repost_text, setting_error_text
from bot.telegram_io import is_admin, is_private, reply, user_language
from bot.workers import Workers
from indexing.search import (AUTOMATIC, FORWARD, NOT_A_REPOST, PhotoVectors, Repost, SearchEngine, SettingError,
                             window_days)

log = logging.getLogger(__name__)
TURN_ON = "on"  # `/dupes on`: back to the default mode


class Moderation:
    def __init__(self, engine: SearchEngine, workers: Workers) -> None:
        self.engine = engine
        self.workers = workers

    async def dupes(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/dupes shows the settings; admins change them: /dupes reply|delete|off, /dupes sensitivity
        low|normal|high, /dupes window DAYS."""
        if is_private(update):
            await reply(update, t(user_language(update), "groups_only"))
            return
        scope = scope_of(update.effective_chat.id)
        settings = await self.workers.run(self.engine.chat_settings, scope)
        args = [a.lower() for a in context.args or []]
        if args:
            if not await is_admin(update, context):
                await reply(update, t(user_language(update), "admins_only"))
                return
            value = " ".join(args[1:])
            try:
                if args[0] == "sensitivity":
                    settings = settings.changed(sensitivity=value)
                elif args[0] == "window":
                    settings = settings.changed(window_days=window_days(value))
                else:
                    settings = settings.changed(dupes="reply" if args[0] == TURN_ON else args[0])
            except SettingError as error:
                await reply(update, setting_error_text(user_language(update), error))
                return
            await self.workers.run(self.engine.save_chat_settings, scope, settings)
        await reply(update, dupes_text(user_language(update), settings))

    async def collect(self, update: Update, context, message: Message, photo: bytes, vec: PhotoVectors) -> None:
        """Store a group's photo (embedded as `vec`) in the group's scope, recording the photo's first post
        there; flag it if it re-posts one within the chat's window."""
        scope, run = scope_of(message.chat.id), self.workers.run
        settings = await run(self.engine.chat_settings, scope)
        poster = message.sender_chat or message.from_user  # a chat posting as itself, or a member
        author = poster.id if poster else None
        origin = AUTOMATIC if message.is_automatic_forward else FORWARD if message.forward_origin else ""
        verdict = NOT_A_REPOST
        if settings.dupes != "off":  # checked before storing, so the photo cannot match itself
            verdict = await run(self.engine.check_repost, vec, scope, settings, message.message_id,
                                author_id=author, origin=origin, size=(vec.width, vec.height))
        stored = await run(self.engine.add_photos, [replace(photo_input(message, photo), repost_of=verdict.original_id,
                                                            user_id=author, origin=origin)], [vec])
        if verdict.repost is not None:
            # (not created: the same bytes were stored from an earlier message, which stays)
            await self.flag(update, context, message, verdict.repost, settings.dupes,
                            stored[0].post_id if stored[0].created else None)

    async def flag(self, update: Update, context, message: Message, repost: Repost, mode: str,
                   post_id: int | None = None) -> None:
        """Tell the chat a photo re-posts `repost.original`; in delete mode delete it, and mark the post it
        stored (`post_id`) so its message is never linked to."""
        original = repost.original
        if mode == "delete":
            try:
                await message.delete()
            except TelegramError as exc:  # not allowed to delete: fall back to replying
                log.warning("could not delete a re-post in chat %s: %s", message.chat.id, exc)
            else:
                if post_id is not None:
                    await self.workers.run(self.engine.mark_message_deleted, post_id)
                await context.bot.send_message(message.chat.id, repost_text(
                    user_language(update), message.chat.id, original.message_id, original.created_s, deleted=True),
                    parse_mode=ParseMode.HTML)
                return
        await message.reply_html(repost_text(user_language(update), message.chat.id, original.message_id,
                                             original.created_s, deleted=False), do_quote=True)
