"""What a user wrote, read: a command's words, the request in a photo's caption, a caption's hashtags.

Commands sent as text reach their callback with `context.args` (python-telegram-bot splits them);
a photo's caption is no command to python-telegram-bot, so its `/find words` is read here.
"""
from __future__ import annotations

import re

QUOTES = "\"'“”«»‘’"
_HASHTAG = re.compile(r"(?<![\w#])#(\w+)")


def command_of(text: str | None) -> str | None:
    """'find' from '/find@hashlens_bot dogs'; None when the text is no command."""
    if not text or not text.startswith("/"):
        return None
    return text.partition(" ")[0][1:].split("@")[0].lower()


def unquoted(text: str) -> str:
    """'dogs on a beach' from '"dogs on a beach"' (people quote their queries)."""
    return text.strip().strip(QUOTES).strip()


def query_of(args: list[str] | None) -> str:
    """A command's words as one query, from python-telegram-bot's `context.args`."""
    return unquoted(" ".join(args or []))


def caption_request(caption: str | None) -> tuple[str | None, str]:
    """('find', 'dogs on a beach') from a photo's caption '/find@hashlens_bot "dogs on a beach"';
    (None, '') when the caption is words, not a command."""
    command = command_of(caption)
    if command is None:
        return None, ""
    return command, unquoted(caption.partition(" ")[2])


def caption_words(caption: str | None) -> str | None:
    """The caption when it is words someone wrote about the photo (not a command to the bot)."""
    return caption if caption and command_of(caption) is None else None


def caption_hashtags(caption: str | None) -> list[str]:
    """The hashtags written in a caption, as written (the engine normalises what it stores)."""
    return _HASHTAG.findall(caption or "")
