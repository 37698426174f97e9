"""Flags: telling a group (or only its admins) that a photo re-posts an earlier one, with the buttons
admins answer it with (bot.buttons), and the notices admins are given once (engine.moderation.first_time).

Where a flag goes (`/dupes notify`): `public` replies to the re-post in its topic; `admins` sends it
privately to each admin who started the bot (getChatAdministrators; people only, and a 403 means
they never did) and posts nothing in the group, unless nobody could be reached: then the group is
told so once and gets the flag after all. A flag's private alerts are remembered (engine.moderation.remember_alerts)
so that a press on any of them edits them all (bot.buttons).
"""
from __future__ import annotations

import logging
from functools import partial

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import Forbidden, TelegramError

from bot.admins import author_of, human_admins
from bot.config import scope_of
from bot.i18n import language, t
from bot.render import alert_text, repost_text
from bot.telegram_io import thread_of, user_language
from bot.workers import Workers
from indexing.search import ChatSettings, Repost, SearchEngine, SentAlert

log = logging.getLogger(__name__)
CLEAR, DELETE = "clear", "del"  # callback_data "rp:<action>:<post id>:<original id>"


def repost_keyboard(lang: str, post_id: int, original_id: int, deletable: bool = True,
                    open_url: str | None = None) -> InlineKeyboardMarkup:
    """"Not a re-post" and "Delete" (not once the re-post is deleted), and in a private alert a link
    to the re-post (which also says which message "Delete" deletes). Every flagged message has a post
    of its own, the very bytes of the original posted again too (engine.add_photos)."""
    pair = f"{post_id}:{original_id}"
    buttons = [InlineKeyboardButton(t(lang, "button_not_repost"), callback_data=f"rp:{CLEAR}:{pair}")]
    if deletable:
        buttons.append(InlineKeyboardButton(t(lang, "button_delete"), callback_data=f"rp:{DELETE}:{pair}"))
    rows = [buttons]
    if open_url:
        rows.append([InlineKeyboardButton(t(lang, "the_repost"), url=open_url)])
    return InlineKeyboardMarkup(rows)


def message_url(chat_id: int, message_id: int) -> str | None:
    """t.me link to a message (supergroups only)."""
    chat = str(chat_id)
    return f"https://t.me/c/{chat[4:]}/{message_id}" if chat.startswith("-100") else None


class Flags:
    def __init__(self, engine: SearchEngine, workers: Workers) -> None:
        self.engine = engine
        self.workers = workers

    async def flag(self, update: Update, context, message: Message, repost: Repost, settings: ChatSettings,
                   post_id: int) -> None:
        """Tell the chat (or its admins) that `message` re-posts `repost.original`; in delete mode delete it
        first. `post_id` is the post stored from it, which is marked deleted with its message."""
        original, lang = repost.original, user_language(update)
        if settings.dupes == "delete":
            try:
                await message.delete()
            except TelegramError as exc:  # no right to delete: say so once, and flag it instead
                log.warning("could not delete a re-post in chat %s: %s", message.chat.id, exc)
                await self.notice_once(context, message, settings, "cannot_delete")
            else:
                await self.workers.run(self.engine.mark_message_deleted, post_id)
                text = repost_text(lang, message.chat.id, original.message_id, original.created_s, deleted=True,
                                   media=original.media)
                if not await self._alert_admins(context, message, settings, post_id, original.id, lambda admin_lang, _: (
                        repost_text(admin_lang, message.chat.id, original.message_id, original.created_s, True,
                                    media=original.media),
                        repost_keyboard(admin_lang, post_id, original.id, deletable=False)), photo=False):
                    await context.bot.send_message(message.chat.id, text, parse_mode=ParseMode.HTML,
                                                   message_thread_id=thread_of(message),
                                                   reply_markup=repost_keyboard(lang, post_id, original.id, False))
                return
        author = author_of(message)[1]

        def alert(admin_lang: str, url: str | None):
            return (alert_text(admin_lang, message.chat.title or "", message.chat.id, message.message_id, author,
                               original.message_id, original.created_s),
                    repost_keyboard(admin_lang, post_id, original.id, open_url=url))

        if await self._alert_admins(context, message, settings, post_id, original.id, alert, photo=True):
            return
        await message.reply_html(repost_text(lang, message.chat.id, original.message_id, original.created_s,
                                             deleted=False, media=original.media), do_quote=True,
                                 reply_markup=repost_keyboard(lang, post_id, original.id))

    async def notice_once(self, context, message: Message, settings: ChatSettings, key: str) -> None:
        """Tell the admins something about the chat once ever (privately when the chat says so)."""
        if not await self.workers.run(self.engine.moderation.first_time, scope_of(message.chat.id), key):
            return
        bot = context.bot.username or "bot"
        if not await self._to_admins(context, message, settings, lambda lang, _: (t(lang, key, bot=bot), None),
                                     photo=False):
            lang = language(message.from_user.language_code if message.from_user else None)
            await context.bot.send_message(message.chat.id, t(lang, key, bot=bot), parse_mode=ParseMode.HTML,
                                           message_thread_id=thread_of(message))

    async def _alert_admins(self, context, message: Message, settings: ChatSettings, post_id: int, original_id: int,
                            compose, photo: bool) -> bool:
        """A flag sent privately to the admins (see _to_admins), its alerts remembered for the buttons."""
        sent = await self._to_admins(context, message, settings, compose, photo)
        if sent:
            await self.workers.run(self.engine.moderation.remember_alerts, scope_of(message.chat.id), post_id, original_id, sent)
        return bool(sent)

    async def _to_admins(self, context, message: Message, settings: ChatSettings, compose,
                         photo: bool) -> list[SentAlert]:
        """Send `compose(language, link to the message)` -> (HTML, keyboard) to each admin who can be
        reached, with the message's photo when `photo`: the alerts sent. None when the chat wants public
        flags or nobody was reached (then the group is told so, once)."""
        if settings.notify != "admins":
            return []
        sent = []
        url = message_url(message.chat.id, message.message_id)
        for admin in await human_admins(context.bot, message.chat.id):
            lang = language(admin.language_code)
            text, keyboard = compose(lang, url)
            try:
                send = shown_with(context.bot, message) if photo else None
                if send is not None:
                    alert = await send(admin.id, caption=text, parse_mode=ParseMode.HTML, reply_markup=keyboard)
                else:
                    alert = await context.bot.send_message(admin.id, text, parse_mode=ParseMode.HTML,
                                                           reply_markup=keyboard)
                sent.append(SentAlert(admin.id, alert.message_id, lang, send is not None, text))
            except Forbidden:  # never started the bot (or blocked it)
                continue
            except TelegramError as exc:
                log.warning("could not alert admin %s of chat %s: %s", admin.id, message.chat.id, exc)
        if not sent:
            await self.notice_once(context, message, ChatSettings(), "no_admin_reachable")
        return sent


def shown_with(bot, message: Message):
    """How an alert shows the flagged message's photo, video or GIF by its file id (a send taking the chat
    and the caption); None for what cannot carry a caption (a video note) or shows nothing."""
    if message.photo:
        return partial(bot.send_photo, photo=message.photo[-1].file_id)
    if message.animation:
        return partial(bot.send_animation, animation=message.animation.file_id)
    if message.video:
        return partial(bot.send_video, video=message.video.file_id)
    return None
