"""/forget: in reply to a photo, that photo forgotten (by its poster or an admin); alone, every photo of
the chat (a private chat's at once; a group's by an admin, after a confirmation button)."""
from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot.admins import author_of, is_admin, is_chat_admin
from bot.config import scope_of
from bot.i18n import count_of, t, written_in
from bot.clips import video_of
from bot.telegram_io import is_private, replied_to, reply, user_language, working
from bot.workers import Workers
from indexing.search import SearchEngine

YES, NO = "fg:yes", "fg:no"
PATTERN = r"^fg:"


def has_photo(message: Message | None) -> bool:
    """A photo, image file, or video (GIF, video note: stored as one post each) to forget."""
    return message is not None and bool(message.photo or (message.document and (
        message.document.mime_type or "").startswith("image/")) or video_of(message) is not None)


class Forgetting:
    def __init__(self, engine: SearchEngine, workers: Workers) -> None:
        self.engine = engine
        self.workers = workers

    async def forget(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, lang = update.effective_message, user_language(update)
        replied = replied_to(message)
        if has_photo(replied):
            await self._forget_one(update, context, replied)
            return
        if replied is not None:  # in reply to a text, a flag...: never taken for "forget everything"
            await reply(update, t(lang, "forget_not_a_photo"))
            return
        private = is_private(update)
        if not private and not await is_admin(update, context):
            await reply(update, t(lang, "forget_all_admins_only"))
            return
        scope = scope_of(update.effective_chat.id)
        if private:
            await working(update, context)
            n = await self.workers.run(self.engine.forget_scope, scope)
            await reply(update, count_of(lang, "forgot_private", n))
            return
        n = await self.workers.run(self.engine.post_count, scope)
        if n == 0:
            await reply(update, t(lang, "forget_nothing"))
            return
        await reply(update, count_of(lang, "forget_confirm", n), reply_markup=InlineKeyboardMarkup([[
            InlineKeyboardButton(t(lang, "button_forget_yes"), callback_data=YES),
            InlineKeyboardButton(t(lang, "button_forget_no"), callback_data=NO)]]))

    async def _forget_one(self, update: Update, context, photo_message: Message) -> None:
        """/forget in reply to a photo: its poster (the same person, or an anonymous admin for a photo
        posted as the group) or an admin."""
        lang, message = user_language(update), update.effective_message
        own = author_of(photo_message)[0] == author_of(message)[0]  # (an anonymous admin's: the group's id)
        if not (is_private(update) or own or await is_admin(update, context)):
            await reply(update, t(lang, "forget_not_yours"))
            return
        post = await self.workers.run(self.engine.post_by_message, scope_of(update.effective_chat.id),
                                      photo_message.message_id)
        if post is None or not await self.workers.run(self.engine.forget_post, post.id):
            await reply(update, t(lang, "forget_unknown"))
            return
        await reply(update, t(lang, "forgot_this_photo"))

    async def confirm(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The confirmation's buttons, pressed by an admin of the group."""
        query, chat_id = update.callback_query, update.effective_chat.id
        markup = query.message.reply_markup if query.message else None
        # the message is edited in the confirmation's language (the admin who asked), whoever presses;
        # a refusal pops up for the presser alone, in theirs
        lang = written_in((b.text for row in (markup.inline_keyboard if markup else ()) for b in row),
                          ("button_forget_yes", "button_forget_no"), user_language(update))
        if not await is_chat_admin(context.bot, chat_id, query.from_user.id):
            await query.answer(t(user_language(update), "button_admins_only"))
            return
        if query.data == YES:
            n = await self.workers.run(self.engine.forget_scope, scope_of(chat_id))
            text = count_of(lang, "forgot", n) if n else t(lang, "forget_nothing")  # (an older confirmation)
        else:
            text = t(lang, "forget_kept")
        await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=None)
        await query.answer()
