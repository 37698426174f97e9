"""The hashtag vocabulary with fakes for the engine: bounded caches, what invalidates them, and which
tags a text names."""
from types import SimpleNamespace

import numpy as np
import pytest

from indexing.search.vocabulary import LruCache, TagVocabulary

PUBLIC = frozenset({"public"})


class Tags:
    """Tag counts per scope set, text-encoder calls counted, a tag generation the test moves."""

    def __init__(self, counts: dict[frozenset, dict[str, int]], posts: int = 10) -> None:
        self.counts = counts
        self.posts = posts
        self.generation = 0
        self.count_reads = 0
        self.encoded: list[str] = []

    def tag_counts(self, scopes, min_count=1):
        self.count_reads += 1
        return {t: c for t, c in self.counts.get(scopes, {}).items() if c >= min_count}

    def encode_words(self, texts):
        self.encoded += texts
        return np.array([[len(t), 1.0, 0.0] for t in texts], np.float32)

    def vocabulary(self, **bounds) -> TagVocabulary:
        return TagVocabulary(self.tag_counts, self.encode_words, lambda: self.generation, lambda scopes: self.posts,
                             **bounds)


def space(version: str, scale: float = 1.0):
    """A view's text space: the projector scales tag vectors (so two versions give two matrices)."""
    return SimpleNamespace(projector_version=version, text=SimpleNamespace(dim=3),
                           projector=SimpleNamespace(adapt_text=lambda x: np.asarray(x, np.float32) * scale))


def test_lru_cache_keeps_the_entries_used_last():
    cache = LruCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # used: "b" is now the oldest
    cache.put("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3) and len(cache) == 2
    with pytest.raises(ValueError):
        LruCache(0)


def test_vocabulary_is_the_most_used_tags_and_is_cached_until_tags_change():
    tags = Tags({PUBLIC: {"cat": 5, "dog": 9, "ant": 5}})
    vocabulary = tags.vocabulary()
    names, matrix = vocabulary.tags_and_vectors(PUBLIC, space("p1"))
    assert names == ["dog", "ant", "cat"] and matrix.shape == (3, 3)  # ties: alphabetical
    assert vocabulary.tags_and_vectors(PUBLIC, space("p1"))[0] == names and tags.count_reads == 1
    tags.counts[PUBLIC]["emu"] = 20
    assert vocabulary.tags_and_vectors(PUBLIC, space("p1"))[0] == names  # nobody said tags changed
    tags.generation += 1
    assert vocabulary.tags_and_vectors(PUBLIC, space("p1"))[0] == ["emu", "dog", "ant", "cat"]
    assert tags.encoded == ["dog", "ant", "cat", "emu"]  # each tag's words encoded once


def test_new_heads_get_their_own_vocabulary_without_encoding_the_words_again():
    tags = Tags({PUBLIC: {"cat": 1, "golden_retriever": 1}})
    vocabulary = tags.vocabulary()
    _, old = vocabulary.tags_and_vectors(PUBLIC, space("p1"))
    _, new = vocabulary.tags_and_vectors(PUBLIC, space("p2", scale=2.0))
    assert np.allclose(new, 2 * old) and tags.encoded == ["cat", "golden retriever"]
    vocabulary.forget_spaces()
    assert np.allclose(vocabulary.tags_and_vectors(PUBLIC, space("p1"))[1], old) and tags.count_reads == 3


def test_the_caches_are_bounded():
    chats = [frozenset({"public", f"chat:{i}"}) for i in range(3)]
    tags = Tags({scopes: {f"tag{i}_{j}": 1 for j in range(4)} for i, scopes in enumerate(chats)})
    vocabulary = tags.vocabulary(max_tag_vectors=6, max_vocabularies=2)
    for scopes in chats:
        names, matrix = vocabulary.tags_and_vectors(scopes, space("p1"))
        assert len(names) == len(matrix) == 4  # a vocabulary larger than the vector cache is still whole
    reads = tags.count_reads
    vocabulary.tags_and_vectors(chats[2], space("p1"))
    assert tags.count_reads == reads  # asked last: kept
    vocabulary.tags_and_vectors(chats[0], space("p1"))
    assert tags.count_reads == reads + 1  # the oldest vocabulary was dropped...
    assert tags.encoded[-4:] == ["tag0 0", "tag0 1", "tag0 2", "tag0 3"]  # ...and its tags' vectors
    tags.generation += 1
    encoded = len(tags.encoded)
    vocabulary.tags_and_vectors(chats[0], space("p1"))
    assert len(tags.encoded) == encoded  # the 6 vectors used last are kept


def test_prior_is_the_share_of_posts_carrying_the_most_used_tags():
    tags = Tags({PUBLIC: {f"t{i}": 30 - i for i in range(25)} | {"everywhere": 40}}, posts=20)
    vocabulary = tags.vocabulary()
    prior = vocabulary.prior(PUBLIC)
    assert len(prior) == 20 and prior["everywhere"] == 1.0 and prior["t10"] == 1.0 and prior["t15"] == 15 / 20
    tags.posts = 40
    assert vocabulary.prior(PUBLIC) == prior  # cached
    tags.generation += 1
    assert vocabulary.prior(PUBLIC)["t15"] == 15 / 40


@pytest.mark.parametrize("text, known, expected", [
    ("sunset over the sea #GoldenHour #golden_hour", {"sea"}, ["goldenhour", "golden_hour", "sea"]),
    ("driving to New York then new york again", {"newyork", "new_york"}, ["newyork", "new_york"]),
    ("the cat and THE dog", {"the", "cat", "and"}, ["cat"]),  # stop words never qualify from words
    ("in 2024 with route66", {"2024", "route66"}, ["route66"]),
    ("夜の東京の街", {"東京", "街", "大阪"}, ["東京"]),  # CJK: known tags inside the text, two characters at least
    ("Ｃａｆé au lait", {"café", "lait"}, ["café", "lait"]),  # NFKC and case folded
    ("#the cat", {"cat"}, ["the", "cat"]),  # written #tags are the user's: kept here, ranked out later
])
def test_the_tags_a_text_names(text, known, expected):
    vocabulary = Tags({PUBLIC: dict.fromkeys(known, 1)}).vocabulary()
    assert vocabulary.named_in(text, PUBLIC, space("p1")) == expected
