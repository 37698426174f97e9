"""Hashtag normalisation: one canonical form per tag, so '#Beach', 'beach ' and '＃ｂｅａｃｈ' count as one."""
from __future__ import annotations

import re
import unicodedata

MAX_TAG_CHARS = 64
_NOT_TAG_CHARS = re.compile(r"[^\w]+", re.UNICODE)


def normalize_tag(raw: str) -> str | None:
    """Canonical hashtag text (no '#', lower case, NFKC, letters/digits/_ only) or None if nothing is left."""
    if not isinstance(raw, str):
        return None
    text = unicodedata.normalize("NFKC", raw).strip().lstrip("#").casefold()
    text = _NOT_TAG_CHARS.sub("", text.replace("-", "_"))
    text = text.strip("_")[:MAX_TAG_CHARS]
    if not text or text.isdigit():
        return None
    return text


def normalize_tags(raw_tags, blocklist: frozenset[str] = frozenset()) -> list[str]:
    """Normalised, de-duplicated tags in their first-seen order, blocklisted ones removed."""
    seen: dict[str, None] = {}
    for raw in raw_tags or ():
        tag = normalize_tag(raw)
        if tag and tag not in blocklist:
            seen.setdefault(tag, None)
    return list(seen)


def tag_to_words(tag: str) -> str:
    """Text a sentence encoder can read: 'golden_retriever' -> 'golden retriever'."""
    return tag.replace("_", " ")
