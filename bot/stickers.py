"""Stickers sent to the bot. A still one (.webp) is answered in a private chat like a photo (hashtags,
similar photos) but never stored: a sticker is a reaction picked from a set, not a photo of the user's.
In a group the bot leaves stickers alone: sending the same sticker again and again is what stickers are
for, never a re-post (so they are neither stored nor checked; /hashtags or /similar in reply to one
still works). An animated (.tgs) or video (.webm) sticker is told apart in a private chat."""
from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.answers import Answers
from bot.i18n import t
from bot.telegram_io import photo_of, reply, user_language

PRIVATE_STICKER_ANSWERS = {"hashtags", "similar"}


class Stickers:
    def __init__(self, answers: Answers, max_photo_bytes: int) -> None:
        self.answers = answers
        self.max_photo_bytes = max_photo_bytes

    async def still(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A still sticker in a private chat: its hashtags and similar photos, like a photo's (not stored)."""
        sticker = await photo_of(update.effective_message, self.max_photo_bytes)
        await self.answers.photo(update, context, sticker, PRIVATE_STICKER_ANSWERS)

    async def moving(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """An animated or video sticker in a private chat: said plainly that only still ones are read."""
        await reply(update, t(user_language(update), "sticker_moving"))
