"""The error handler: what the user is told when handling their update failed, in their language, and
what is logged (a chat that kicked the bot is told nothing)."""
from __future__ import annotations

import html
import logging
import re

from telegram import Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import ContextTypes

from bot.clips import UnreadableVideoError
from bot.i18n import bad_photo_reason, megabytes, t
from bot.telegram_io import PhotoTooBigError, is_private, reply, user_language
from indexing.search import BadImageError, EmptyQueryError, NotAnImageError, StorageUnavailableError

log = logging.getLogger(__name__)


def error_text(lang: str, error: BaseException | None, max_photo_bytes: int) -> str | None:
    """The reply for an error (None for one logged as unexpected: the caller says "something went wrong")."""
    if isinstance(error, PhotoTooBigError):
        return t(lang, "too_big", size=megabytes(error.size, lang), limit=megabytes(max_photo_bytes, lang))
    if isinstance(error, UnreadableVideoError):
        return t(lang, "bad_video", reason=t(lang, bad_photo_reason(error.cause)))
    if isinstance(error, NotAnImageError):  # an image file by its name or type, but not by its bytes
        return t(lang, "not_an_image_file")
    if isinstance(error, BadImageError):
        return t(lang, "bad_photo", reason=t(lang, bad_photo_reason(error)))
    if isinstance(error, EmptyQueryError):
        return t(lang, "find_usage")
    if isinstance(error, StorageUnavailableError):
        return t(lang, "storage_down")
    return None


class ErrorReplies:
    def __init__(self, max_photo_bytes: int) -> None:
        self.max_photo_bytes = max_photo_bytes

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE,
                       error: Exception | None = None) -> None:
        error = error or context.error
        if not isinstance(update, Update):
            log.error("error outside an update: %r", error, exc_info=error)
            return
        chat_id = update.effective_chat.id if update.effective_chat else None
        if isinstance(error, Forbidden):  # kicked from the group, or blocked by the user: nobody to tell
            log.info("chat %s no longer lets me write (update %s): %s", chat_id, update.update_id, error)
            return
        if isinstance(error, UnreadableVideoError) and not is_private(update):
            log.warning("a video in chat %s (update %s) does not decode: %s", chat_id, update.update_id, error)
            return  # a group is not told about a member's video the bot cannot read
        if isinstance(error, NotAnImageError) and not is_private(update):
            return  # a group's file that is no photo is none of the bot's business (as bot.commands.not_a_photo)
        text = error_text(user_language(update), error, self.max_photo_bytes)
        if isinstance(error, StorageUnavailableError):
            log.error("storage unavailable (update %s, chat %s): %s", update.update_id, chat_id, error)
        elif text is None:
            log.error("error handling update %s (chat %s, user %s)", update.update_id, chat_id,
                      update.effective_user.id if update.effective_user else None, exc_info=error)
            text = t(user_language(update), "error")
        if update.callback_query is not None:  # a button: the answer pops up over it
            try:
                await update.callback_query.answer(html.unescape(re.sub(r"<[^>]+>", "", text))[:200])
            except TelegramError as exc:
                log.warning("could not answer the button press: %s", exc)
        elif update.effective_message is not None:
            try:
                await reply(update, text)
            except TelegramError as exc:  # Forbidden here too: kicked while answering
                log.warning("could not send the error reply: %s", exc)
