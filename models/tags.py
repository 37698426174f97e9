"""Hashtag normalisation: one canonical form per tag, so '#Beach', 'beach ' and '＃ｂｅａｃｈ' count as one."""
from __future__ import annotations

import re
import unicodedata

MAX_TAG_CHARS = 64
# English function words never become hashtags (content words of a caption can).
STOP_WORDS = frozenset("""
a about above across after again against all almost along also although am among an and another any are
around as at away back be because been before behind being below beside between both but by can could did
do does doing down during each either else even ever every few for from front further get gets getting go
goes going had has have having he her here hers herself him himself his how i if in into is it its itself
just like made make many me more most much my myself near next no nor not now of off on once one onto only
or other our ours out over own past per quite rather same several she should so some such than that the
their theirs them themselves then there these they this those through to together too toward towards two
under until up upon us very via was we were what when where which while who whom whose why will with
within without would yet you your yours three four five lot lots top side something someone others another
""".split())
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


def content_words(text: str, min_chars: int = 3) -> list[str]:
    """Lower-case words of a text that are not stop words, in order, without repeats."""
    seen: dict[str, None] = {}
    for word in re.findall(r"[^\W\d_]+", unicodedata.normalize("NFKC", text).casefold()):
        if len(word) >= min_chars and word not in STOP_WORDS:
            seen.setdefault(word, None)
    return list(seen)


def post_hashtags(tags, captions, words_as_tags: bool = False) -> list[str]:
    """A post's hashtags; with `words_as_tags`, an untagged post's caption content words stand in
    (how Flickr8k, which has captions only, trains and measures the hashtag head)."""
    if tags or not words_as_tags:
        return normalize_tags(tags)
    words: dict[str, None] = {}
    for caption in captions:
        words.update(dict.fromkeys(content_words(caption)))
    return normalize_tags(words)
