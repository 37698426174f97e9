"""Message text as Telegram shows it: HTML parse mode checked and stripped, Telegram's length limits."""
from __future__ import annotations

from html.parser import HTMLParser

from bot.emulator.world import ApiError

ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "code", "pre", "a", "span",
                "tg-spoiler", "blockquote", "tg-emoji"}


# Telegram's HTML tags and the MessageEntity each one becomes
ENTITY_OF_TAG = {"b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline", "ins": "underline",
                 "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough", "code": "code",
                 "pre": "pre", "a": "text_link", "tg-spoiler": "spoiler", "blockquote": "blockquote"}


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class _HtmlText(HTMLParser):
    """Telegram's HTML parse mode: the text without tags, and the entities the tags make (offsets in
    UTF-16 code units, as the Bot API gives them); unsupported tags are an error."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.length = 0  # of the text so far, in UTF-16 code units
        self.open: list[tuple[str, int, dict]] = []
        self.entities: list[dict] = []

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            raise ApiError(400, f'Bad Request: can\'t parse entities: Unsupported start tag "{tag}"')
        self.open.append((tag, self.length, dict(attrs)))

    def handle_endtag(self, tag):
        while self.open:
            name, start, attrs = self.open.pop()
            kind = "spoiler" if name == "span" and attrs.get("class") == "tg-spoiler" else ENTITY_OF_TAG.get(name)
            if kind and self.length > start:
                entity = {"type": kind, "offset": start, "length": self.length - start}
                if kind == "text_link":
                    entity["url"] = attrs.get("href", "")
                self.entities.append(entity)
            if name == tag:
                return

    def handle_data(self, data):
        self.parts.append(data)
        self.length += utf16_len(data)


def parse_html(text: str) -> tuple[str, list[dict]]:
    """The text a reader sees and its entities."""
    parser = _HtmlText()
    parser.feed(text)
    parser.close()
    parser.handle_endtag("")  # tags left open end with the text
    return "".join(parser.parts), sorted(parser.entities, key=lambda e: (e["offset"], -e["length"]))


def text_field(params: dict, key: str, limit: int, required: bool) -> tuple[str | None, str | None, list | None]:
    """(the text shown, its HTML source if parse_mode is HTML, its entities) of a text or caption parameter."""
    raw = params.get(key)
    if raw is None or raw == "":
        if required:
            raise ApiError(400, "Bad Request: message text is empty")
        return None, None, None
    raw = str(raw)
    is_html = (params.get("parse_mode") or "").upper() == "HTML"
    shown, found = parse_html(raw) if is_html else (raw, [])
    if required and not shown.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    if len(shown) > limit:
        raise ApiError(400, "Bad Request: message is too long" if key == "text"
                       else "Bad Request: message caption is too long")
    return shown, raw if is_html else None, found or None
