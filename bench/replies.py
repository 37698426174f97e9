"""When the bot's answer to one request is whole, whatever its length.

Answers are as long as what is worth showing (the relevance floors, indexing/relevance.py): a
photo gets its hashtags, then an album of similar photos or one line saying nothing fits yet;
/find an intro and an album, or one line saying nothing matches; a group photo with /hashtags its
hashtags (and the re-post flag). An album arrives whole: sendMediaGroup is one call.
"""
from __future__ import annotations

import time

FIND_INTRO = "Photos matching"  # English users: the intro that an album follows


def answer_complete(replies: list[dict], kind: str, minimum: int = 1) -> bool:
    texts = [r for r in replies if not r.get("photo")]
    photos = [r for r in replies if r.get("photo")]
    if kind == "photo":
        return bool(texts) and (bool(photos) or len(texts) >= 2)
    if kind == "find":
        return bool(photos) or any(not (r.get("text") or "").startswith(FIND_INTRO) for r in texts)
    return len(replies) >= minimum


def wait_answer(client, chat: int, message_id: int, kind: str, timeout: float, minimum: int = 1,
                reply_to: int | None = None) -> tuple[list[dict], bool]:
    """The bot's replies to a message once its answer is whole (True), or what came by the timeout (False)."""
    deadline = time.monotonic() + timeout
    need = 1
    while True:
        left = deadline - time.monotonic()
        replies = client.wait(chat, message_id, need, timeout=max(left, 0.05), reply_to=reply_to)
        if answer_complete(replies, kind, minimum):
            return replies, True
        if len(replies) < need or left <= 0:
            return replies, False
        need = len(replies) + 1
