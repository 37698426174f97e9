"""The buttons under a flag (bot.flags): "Not a re-post" and "Delete", for the group's admins only.

The press comes from the real person (anonymous admins press as themselves), in the group or in
an admin's private alert; the group is the one the post was stored for. Every press is answered
(Telegram shows the answer over the button), after the done flag was edited to say who did what
(and lost its buttons), and so was every private alert of the same flag (engine.moderation.alerts_of), each in
its own language: no other admin is left with buttons on a flag already done. "Not a re-post" is kept by the engine (engine.moderation.clear_repost: it survives restarts and
rebuilds, and a second press learns who cleared it first); "Delete" is done once by Telegram
itself (a deleted message cannot be deleted again), and never on a flag cleared already (a stale alert).
"""
from __future__ import annotations

import contextlib
import logging

from telegram import Message, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot.admins import can_delete, is_chat_admin, name_of
from bot.config import scope_of
from bot.flags import CLEAR
from bot.i18n import t, written_in
from bot.render import flag_done, repost_text
from bot.telegram_io import replied_to, user_language
from bot.workers import Workers
from indexing.search import Post, SearchEngine, SentAlert

log = logging.getLogger(__name__)
PATTERN = r"^rp:"
FLAG_BUTTONS = ("button_not_repost", "button_delete")  # the labels a flag's buttons carry


def parse(data: str) -> tuple[str, int, int] | None:
    """'rp:clear:12:7' -> ('clear', 12, 7); None for anything else."""
    parts = (data or "").split(":")
    if len(parts) != 4 or not parts[2].isdigit() or not parts[3].isdigit():
        return None
    return parts[1], int(parts[2]), int(parts[3])


def reposted_message(flag: Message, post: Post | None) -> int | None:
    """The re-post a flag is about: the message it replies to in the group, else (a private alert) the
    one its link button opens, else the message the post was stored from."""
    replied, markup = replied_to(flag), getattr(flag, "reply_markup", None)
    if replied is not None:
        return replied.message_id
    for row in markup.inline_keyboard if markup else ():
        for button in row:
            if button.url and button.url.rsplit("/", 1)[-1].isdigit():
                return int(button.url.rsplit("/", 1)[-1])
    return post.message_id if post is not None else None


class RepostButtons:
    def __init__(self, engine: SearchEngine, workers: Workers) -> None:
        self.engine = engine
        self.workers = workers

    async def press(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query, lang = update.callback_query, user_language(update)
        parsed = parse(query.data)
        if parsed is None:
            await query.answer()
            return
        action, post_id, original_id = parsed
        post, original = await self.workers.run(self.engine.posts, [post_id, original_id])
        if original is None or original.chat_id is None:  # forgotten since (/forget): the buttons go too
            with contextlib.suppress(TelegramError):
                await query.edit_message_reply_markup(reply_markup=None)
            await query.answer(t(lang, "button_gone"))
            return
        chat_id = original.chat_id
        if not await is_chat_admin(context.bot, chat_id, query.from_user.id):
            await query.answer(t(lang, "button_admins_only"))
            return
        name = name_of(query.from_user)
        if action == CLEAR:
            await self._clear(query, lang, post_id, original, name)
        else:
            await self._delete(query, lang, context.bot, chat_id, post_id, post, original, name)

    async def _clear(self, query, lang: str, post_id: int, original: Post, name: str) -> None:
        scope, original_id = scope_of(original.chat_id), original.id
        if await self.workers.run(self.engine.moderation.clear_repost, scope, post_id, original_id, query.from_user.id, name):
            await self._mark_all(query, lang, "clear", name, post_id, original)
            await query.answer(t(lang, "button_cleared"))
        else:
            await self._already_cleared(query, lang, post_id, original)

    async def _already_cleared(self, query, lang: str, post_id: int, original: Post) -> bool:
        """Answer a press on a flag cleared already (False when it is not) with who cleared it."""
        by = await self.workers.run(self.engine.moderation.cleared_by, scope_of(original.chat_id), post_id, original.id)
        if by is None:
            return False
        await self._mark_all(query, lang, "clear", by or "?", post_id, original)
        await query.answer(t(lang, "button_already_cleared", name=by or "?"))
        return True

    async def _delete(self, query, lang: str, bot, chat_id: int, post_id: int, post: Post | None, original: Post,
                      name: str) -> None:
        if await self._already_cleared(query, lang, post_id, original):  # a stale alert: never delete it now
            return
        message_id = reposted_message(query.message, post)
        if message_id is None or message_id == original.message_id:  # never the original
            await query.answer(t(lang, "button_gone"))
            return
        if not await can_delete(bot, chat_id):
            await query.answer(t(lang, "button_cannot_delete"), show_alert=True)
            return
        try:
            await bot.delete_message(chat_id, message_id)
        except BadRequest as exc:  # deleted already (by another admin's press, or by its author)
            log.info("re-post %s of chat %s not deleted: %s", message_id, chat_id, exc)
            await self._mark_all(query, lang, "delete", None, post_id, original)
            await query.answer(t(lang, "button_already_deleted"))
            return
        if post is not None and post.message_id == message_id:
            await self.workers.run(self.engine.mark_message_deleted, post.id)
        await self._mark_all(query, lang, "delete", name, post_id, original)
        await query.answer(t(lang, "button_deleted"))

    async def _mark_all(self, query, lang: str, action: str, name: str | None, post_id: int, original: Post) -> None:
        """Every private alert of the flag marked done, then the pressed flag if it is not one of them
        (a public flag, or an alert older than the engine keeps them)."""
        alerts = await self.workers.run(self.engine.moderation.alerts_of, scope_of(original.chat_id), post_id, original.id)
        for alert in alerts:
            await self._mark_alert(query.get_bot(), alert, action, name)
        pressed = (query.message.chat.id, query.message.message_id) if query.message else None
        if pressed not in {(a.chat_id, a.message_id) for a in alerts}:
            await self._mark_done(query, lang, action, name, original)

    @staticmethod
    async def _mark_alert(bot, alert: SentAlert, action: str, name: str | None) -> None:
        """One admin's private alert says who did what, in its own language, and loses its buttons."""
        where = {"chat_id": alert.chat_id, "message_id": alert.message_id, "reply_markup": None}
        try:
            if name is None:
                await bot.edit_message_reply_markup(**where)
            elif alert.photo:
                await bot.edit_message_caption(caption=flag_done(alert.lang, alert.html, action, name),
                                               parse_mode=ParseMode.HTML, **where)
            else:
                await bot.edit_message_text(flag_done(alert.lang, alert.html, action, name),
                                            parse_mode=ParseMode.HTML, **where)
        except TelegramError as exc:  # marked already (a second press), or deleted by the admin
            log.info("alert %s of admin %s not edited: %s", alert.message_id, alert.chat_id, exc)

    @staticmethod
    async def _mark_done(query, lang: str, action: str, name: str | None, original: Post) -> None:
        """The flag says who cleared or deleted it (when known), and loses its buttons. A flag in the
        group is written again from the stored original; an admin's private alert keeps its text."""
        flag = query.message
        if not getattr(flag, "reply_markup", None):
            return  # marked already (or too old to be read)
        # the flag keeps its own language (the re-poster's, or the admin's for an alert), whoever pressed
        lang = written_in((b.text for row in flag.reply_markup.inline_keyboard for b in row), FLAG_BUTTONS, lang)
        try:
            if name is None:
                await query.edit_message_reply_markup(reply_markup=None)
                return
            if flag.chat.type == ChatType.PRIVATE:
                said = flag.caption_html if shows_media(flag) else flag.text_html
                deleted = False
            else:  # a reply to the re-post, or (delete mode) a notice after deleting it
                deleted = replied_to(flag) is None
                said = repost_text(lang, original.chat_id, original.message_id, original.created_s, deleted,
                                   media=original.media)
            text = flag_done(lang, said or "", action, name, still_deleted=deleted)
            if shows_media(flag):
                await query.edit_message_caption(text, parse_mode=ParseMode.HTML, reply_markup=None)
            else:
                await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=None)
        except TelegramError as exc:  # e.g. edited meanwhile by the other press: nothing to add
            log.info("flag not edited: %s", exc)


def shows_media(message) -> bool:
    """A private alert sent with the re-post's photo, video or GIF (bot.flags): its text is a caption."""
    return bool(message.photo or message.video or message.animation)
