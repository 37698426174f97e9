"""The hashtags in use where a viewer looks: the most used ones and their vectors in a view's text
space, how often each is used, and which of them a text names. Every cache here is bounded (least
recently used out) and keyed so that new tags (the engine's tag generation) or new heads (the
projector version) are never answered from stale entries."""
from __future__ import annotations

import re
import threading
import unicodedata
from collections import OrderedDict
from typing import Callable, Hashable

import numpy as np

from models.tags import STOP_WORDS, normalize_tags, tag_to_words

WRITTEN_HASHTAG = re.compile(r"(?<![\w#])#(\w+)")
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")  # scripts written without spaces

MAX_TAGS = 5000  # a vocabulary: the most used tags visible from a set of scopes
PRIOR_TAGS = 20  # the prior: the most used tags, with the share of posts carrying each
# Bounds: a tag vector is a few KB (one text-encoder vector), a vocabulary up to MAX_TAGS of them
# in the view's space (MBs). There is one vocabulary per set of visible scopes (each chat sees public
# and its own), so the chats asked last keep theirs.
MAX_TAG_VECTORS = 4 * MAX_TAGS  # a few vocabularies' worth: the public tags are in every chat's
MAX_VOCABULARIES = 16
MAX_PRIORS = 256


class LruCache:
    """A dict that keeps the `size` entries used last; safe to share between threads."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("an LRU cache holds at least one entry")
        self.size = size
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, default=None):
        with self._lock:
            if key not in self._entries:
                return default
            self._entries.move_to_end(key)
            return self._entries[key]

    def put(self, key: Hashable, value) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


class TagVocabulary:
    """The tags used in a set of scopes, read through the engine:
    `tag_counts(scopes, min_count)`: uses per tag (Redis); `encode_words(texts)`: text-encoder vectors;
    `tags_generation()`: a number that changes whenever any post's tags may have; `posts_in(scopes)`:
    how many posts the scopes hold."""

    def __init__(self, tag_counts: Callable[..., dict[str, int]], encode_words: Callable[[list[str]], np.ndarray],
                 tags_generation: Callable[[], int], posts_in: Callable[[frozenset[str]], int], *,
                 max_tag_vectors: int = MAX_TAG_VECTORS, max_vocabularies: int = MAX_VOCABULARIES,
                 max_priors: int = MAX_PRIORS) -> None:
        self._tag_counts = tag_counts
        self._encode_words = encode_words
        self._generation = tags_generation
        self._posts_in = posts_in
        self._tag_vectors = LruCache(max_tag_vectors)  # tag -> its words' text-encoder vector (any heads)
        self._vocabularies = LruCache(max_vocabularies)  # (scopes, projector version) -> (generation, tags, matrix)
        self._priors = LruCache(max_priors)  # scopes -> (generation, prior)

    def tags_and_vectors(self, scopes: frozenset[str], v) -> tuple[list[str], np.ndarray]:
        """The most used hashtags visible from these scopes and their vectors in view `v`'s text space."""
        key = (scopes, v.projector_version)
        generation = self._generation()
        cached = self._vocabularies.get(key)
        if cached is not None and cached[0] == generation:
            return cached[1], cached[2]
        counts = self._tag_counts(scopes, min_count=1)
        tags = sorted(counts, key=lambda t: (-counts[t], t))[:MAX_TAGS]
        vectors = {t: self._tag_vectors.get(t) for t in tags}
        missing = [t for t, vec in vectors.items() if vec is None]
        if missing:
            for tag, vec in zip(missing, self._encode_words([tag_to_words(t) for t in missing])):
                vectors[tag] = vec
                self._tag_vectors.put(tag, vec)
        matrix = (v.projector.adapt_text(np.array([vectors[t] for t in tags], np.float32)) if tags
                  else np.zeros((0, v.text.dim), np.float32))
        self._vocabularies.put(key, (generation, tags, matrix))
        return tags, matrix

    def prior(self, scopes: frozenset[str]) -> dict[str, float]:
        """Share of the visible posts carrying each of the most used tags."""
        generation = self._generation()
        cached = self._priors.get(scopes)
        if cached is not None and cached[0] == generation:
            return cached[1]
        posts = self._posts_in(scopes)
        counts = self._tag_counts(scopes)
        prior = {t: min(1.0, c / max(posts, 1))
                 for t, c in sorted(counts.items(), key=lambda kv: -kv[1])[:PRIOR_TAGS]}
        self._priors.put(scopes, (generation, prior))
        return prior

    def named_in(self, text: str, scopes: frozenset[str], v) -> list[str]:
        """Hashtags written in the text, and its words (and word pairs: 'new york' -> newyork /
        new_york) that are hashtags used in these scopes; in scripts written without spaces (CJK),
        known hashtags found inside the text. Stop words never qualify."""
        written = normalize_tags(WRITTEN_HASHTAG.findall(text))
        plain = unicodedata.normalize("NFKC", WRITTEN_HASHTAG.sub(" ", text)).casefold()
        words = [w for w in re.findall(r"\w+", plain) if w not in STOP_WORDS and not w.isdigit()]
        pairs = list(zip(words, words[1:]))
        candidates = words + [a + b for a, b in pairs] + [f"{a}_{b}" for a, b in pairs]
        vocabulary = self.tags_and_vectors(scopes, v)[0]
        known = set(vocabulary)
        found = [c for c in normalize_tags(candidates) if c in known]
        found += [tag for tag in vocabulary if len(tag) >= 2 and CJK.search(tag) and tag in plain]
        return list(dict.fromkeys(written + found))

    def forget_spaces(self) -> None:
        """Drop the vocabularies' vectors (new heads: they live in the projector's space)."""
        self._vocabularies.clear()
