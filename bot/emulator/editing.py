"""Bot API methods that change messages already sent: edits, deletions, and answers to button presses."""
from __future__ import annotations

import time

from bot.emulator.formatting import text_field
from bot.emulator.keyboards import checked_markup
from bot.emulator.world import MAX_CALLBACK_ANSWER, MAX_CAPTION, MAX_TEXT, ApiError

CAPTIONED = ("photo", "document", "video", "animation")  # the messages that have a caption (a video note has none)
NOT_MODIFIED = ("Bad Request: message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message")
QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"


class EditMethods:
    """Mixed into BotApi: `self.world` is the emulated Telegram."""

    def _own_message(self, p) -> dict:
        if p.get("inline_message_id"):
            raise ApiError(400, "Bad Request: inline messages are not modelled by the emulator")
        chat = self.world.chat(p.get("chat_id"))
        message = self.world.find_message(chat, p.get("message_id"))
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if message["from"]["id"] != self.world.bot_id:
            raise ApiError(400, "Bad Request: message can't be edited")
        return message

    @staticmethod
    def _apply(message: dict, changes: dict) -> dict:
        """The edit, unless it changes nothing (Telegram refuses that). A reply_markup left out of an
        edit removes the message's inline keyboard, as in Telegram."""
        if all(message.get(k) == v for k, v in changes.items()):
            raise ApiError(400, NOT_MODIFIED)
        for key, value in changes.items():
            if value is None:
                message.pop(key, None)
            else:
                message[key] = value
        message["edit_date"] = int(time.time())
        return message

    async def m_editmessagetext(self, p, u):
        message = self._own_message(p)
        if "text" not in message:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        text, html_source, found = text_field(p, "text", MAX_TEXT, required=True)
        return self._apply(message, {"text": text, "entities": found, "html": html_source,
                                     "reply_markup": checked_markup(p.get("reply_markup"))})

    async def m_editmessagecaption(self, p, u):
        message = self._own_message(p)
        if not any(k in message for k in CAPTIONED):
            raise ApiError(400, "Bad Request: there is no caption in the message to edit")
        caption, html_source, found = text_field(p, "caption", MAX_CAPTION, required=False)
        return self._apply(message, {"caption": caption, "caption_entities": found, "html": html_source,
                                     "reply_markup": checked_markup(p.get("reply_markup"))})

    async def m_editmessagereplymarkup(self, p, u):
        message = self._own_message(p)
        return self._apply(message, {"reply_markup": checked_markup(p.get("reply_markup"))})

    async def m_deletemessage(self, p, u):
        """Bots delete their own messages, any message in a private chat, and others' messages in a
        group only with the right to (https://core.telegram.org/bots/api#deletemessage)."""
        chat = self.world.chat(p.get("chat_id"))
        message = self.world.find_message(chat, p.get("message_id"))
        if message is None:
            raise ApiError(400, "Bad Request: message to delete not found")
        own = message["from"]["id"] == self.world.bot_id
        if not own and chat.type != "private" and not chat.bot_may_delete():
            raise ApiError(400, "Bad Request: message can't be deleted")
        message["deleted"] = True
        return True

    async def m_answercallbackquery(self, p, u):
        """Once per query: the text (0-200 characters) the presser sees, as a toast or an alert."""
        query_id = str(p.get("callback_query_id") or "")
        if self.world.callback_answers.get(query_id, True) is not None:  # unknown, or answered already
            raise ApiError(400, QUERY_INVALID)
        text = str(p.get("text") or "")
        if len(text) > MAX_CALLBACK_ANSWER:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self.world.callback_answers[query_id] = {"text": text, "show_alert": p.get("show_alert") in (True, "true"),
                                                 "url": p.get("url"), "cache_time": int(p.get("cache_time") or 0)}
        return True
