"""Message text as Telegram shows it: HTML parse mode checked and stripped, Telegram's length limits."""
from __future__ import annotations

import html
from html.parser import HTMLParser

from bot.emulator.world import ApiError

ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "code", "pre", "a", "span",
                "tg-spoiler", "blockquote", "tg-emoji"}


class _HtmlText(HTMLParser):
    """Telegram's HTML parse mode: the text without tags; unsupported tags are an error."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            raise ApiError(400, f'Bad Request: can\'t parse entities: Unsupported start tag "{tag}"')

    def handle_data(self, data):
        self.parts.append(data)


def visible_text(text: str, parse_mode: str | None) -> str:
    if (parse_mode or "").upper() != "HTML":
        return text
    parser = _HtmlText()
    parser.feed(text)
    parser.close()
    return html.unescape("".join(parser.parts))


def text_field(params: dict, key: str, limit: int, required: bool) -> tuple[str | None, str | None]:
    raw = params.get(key)
    if raw is None or raw == "":
        if required:
            raise ApiError(400, "Bad Request: message text is empty")
        return None, None
    raw = str(raw)
    shown = visible_text(raw, params.get("parse_mode"))
    if required and not shown.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    if len(shown) > limit:
        raise ApiError(400, "Bad Request: message is too long" if key == "text"
                       else "Bad Request: message caption is too long")
    return shown, raw if (params.get("parse_mode") or "").upper() == "HTML" else None
