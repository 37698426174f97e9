"""Reply markup as the Bot API checks it: inline keyboards (buttons, callback_data of 1-64 bytes)."""
from __future__ import annotations

from bot.emulator.world import MAX_CALLBACK_DATA, ApiError

# An inline button has its text and exactly one of these (https://core.telegram.org/bots/api#inlinekeyboardbutton)
BUTTON_ACTIONS = ("url", "callback_data", "web_app", "login_url", "switch_inline_query",
                  "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
                  "callback_game", "pay")


def checked_markup(markup) -> dict | None:
    """The reply_markup parameter, validated when it is an inline keyboard; None when absent."""
    if markup in (None, ""):
        return None
    if not isinstance(markup, dict):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        return markup  # a reply keyboard, force_reply or its removal: not modelled further
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise ApiError(400, "Bad Request: can't parse inline keyboard button: field \"inline_keyboard\" must be "
                            "an Array of Arrays")
    for row in rows:
        for button in row:
            _check_button(button)
    return {"inline_keyboard": rows}


def _check_button(button) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise ApiError(400, "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the "
                            "inline keyboard")
    if not button["text"].strip():
        raise ApiError(400, "Bad Request: BUTTON_TEXT_EMPTY")
    actions = [name for name in BUTTON_ACTIONS if name in button]
    if len(actions) != 1:
        raise ApiError(400, "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the "
                            "inline keyboard")
    if actions == ["callback_data"]:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
            raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")


def has_button(message: dict, data: str) -> bool:
    """Whether the message carries an inline button with this callback_data (what a user can press)."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return any(button.get("callback_data") == data for row in rows for button in row)
