"""The re-post policy of a chat, one for the bot (a group's photos) and the CLI (`python -m indexing dupes`).

A new photo re-posts a stored one when they pass the chat's duplicate thresholds (the engine's
calibrated ones scaled by the chat's sensitivity). Every stored copy records the first post of the
photo in the chat (`Post.repost_of`), so a photo posted many times has one original: the earliest
post among the copies it matches and the originals they record. That original is the link target:

- never a re-post (a third copy links to the first post, not to the second);
- never a message the bot deleted (a re-post in delete mode is marked `message_deleted`); a copy
  whose original is gone from the store and whose own message was deleted has nothing to link to,
  so the new photo is taken as a new original;
- the window (`window_days`) runs from the original: a photo first posted 40 days ago is no
  re-post in a 30-day window, however recently a copy of it was posted;
- never the photo itself (the same message handled twice, e.g. an update delivered again).

When the original's author deletes it, Telegram tells the bot nothing (the Bot API sends no update
for deleted messages), so the original stays the link target until the window ends: the link then
opens Telegram's "message not found". Taking a later copy instead would need knowledge we do not
have, and would make two different "originals" for one photo.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from indexing.chats import ChatSettings
from indexing.store import Post

MAX_CHAIN = 16  # `repost_of` always names a root; this only bounds a damaged chain


@dataclass(frozen=True)
class Repost:
    original: Post  # the first post of the photo in the chat: the link target
    copy_id: int  # the stored post the new photo matched most closely
    cosine: float
    hamming: int


@dataclass(frozen=True)
class Verdict:
    original_id: int | None  # what the new photo's post records as `repost_of` (even outside the window)
    repost: Repost | None  # set when the chat is to be told: the original is within the window


NOT_A_REPOST = Verdict(None, None)


def check(engine, photo, scope: str, settings: ChatSettings, message_id: int | None = None,
          now: float | None = None) -> Verdict:
    """Whether `photo` (bytes, a stored post id or PhotoVectors) re-posts a photo of `scope`, and which
    original; `message_id` is the new photo's own message (never its own original)."""
    thresholds = engine.thresholds.scaled(settings.sensitivity)
    matches = sorted((c for c in engine.duplicate_candidates(photo, scope) if thresholds.matches(c[1], c[2])),
                     key=lambda c: -c[1])
    if not matches:
        return NOT_A_REPOST
    copies = {p.id: p for p in engine.store.get_posts([pid for pid, _, _ in matches]) if p is not None}
    if message_id is not None and any(p.message_id == message_id for p in copies.values()):
        return NOT_A_REPOST  # this very message, seen again (an update delivered twice): handled already
    originals = {}
    for post in copies.values():
        original = _original_of(engine, post)
        if original is not None:
            originals[original.id] = original
    if not originals:
        return NOT_A_REPOST
    original = min(originals.values(), key=lambda p: (p.created_s, p.id))
    closest = next(c for c in matches if c[0] in copies)
    now = time.time() if now is None else now
    if original.created_s < now - settings.window_days * 86400:
        return Verdict(original.id, None)
    return Verdict(original.id, Repost(original, closest[0], round(closest[1], 4), closest[2]))


def _original_of(engine, post: Post) -> Post | None:
    """The first post of `post`'s photo that can be linked to (None: nothing left to link to)."""
    seen = {post.id}
    while post.repost_of is not None and post.repost_of not in seen and len(seen) < MAX_CHAIN:
        earlier = engine.store.get_post(post.repost_of)
        if earlier is None:  # the original was deleted from the store: the copy stands in for it
            break
        seen.add(earlier.id)
        post = earlier
    return None if post.message_deleted else post
