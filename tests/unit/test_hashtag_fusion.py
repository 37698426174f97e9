"""Hashtag scoring with fakes for the engine (no Redis, no encoders): the fusion weights, photo and
caption fused, the vote aggregator, the reasons, what is shown under the floor."""
from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pytest

from indexing.errors import EmptyQueryError
from indexing.relevance import Floors, Relevance
from indexing.search import REASONS, PhotoVectors
from indexing.search.hashtags import (FusionWeights, HashtagScorer, PhotoWeights, TagSources, TextWeights,
                                      named_by_words, tag_votes)
from indexing.store import Post

DIM = 4
NO_CLASSES = Relevance(class_weight=0.0)  # ImageNet classes out, so each test sees the sources it sets
AT_REF = Relevance().vote_ref  # a neighbour this close weighs as much as the prior: share 1/2


class FakeIndex:
    """Answers every search with the given (label, similarity) pairs, best first."""

    def __init__(self, found=(), vectors=None) -> None:
        self.found = list(found)
        self.vectors = vectors or {}
        self.dim = DIM
        self.asked = 0

    def search(self, query, k, allowed=None):
        self.asked += 1
        return self.found[:k]

    def get_or_zero(self, labels):
        return np.array([self.vectors.get(label, np.zeros(DIM)) for label in labels], np.float32)


class FakeHead:
    """A hashtag head: `top` gives fixed probabilities for a photo, `predict` one row per photo."""

    def __init__(self, probs: dict[str, float]) -> None:
        self.tags = list(probs)
        self.probs = probs

    def top(self, features, n):
        return dict(list(self.probs.items())[:n])

    def predict(self, features):
        return np.tile(np.array(list(self.probs.values()), np.float32), (len(features), 1))


class Identity:
    def adapt_text(self, x):
        return np.asarray(x, np.float32)


def view(neighbours=(), head=None, near_text=()):
    return SimpleNamespace(image=FakeIndex(neighbours), text=FakeIndex(near_text), hashtag_head=head,
                           projector=Identity(), projector_version="p1")


def photo(text=np.zeros(DIM), class_probs=None):
    """A query photo; a zero text vector has no zero-shot match."""
    return PhotoVectors(features=np.ones(DIM, np.float32), class_probs=class_probs,
                        text=np.asarray(text, np.float32), phash=0, phash_mirror=0, sha256="", width=1, height=1)


class Engine:
    """The engine as hashtag scoring sees it: posts by id, canned caption matches, words as vectors."""

    def __init__(self, posts, relevance=NO_CLASSES, caption_matches=(), visible_posts=100,
                 query=np.zeros(DIM), words=None) -> None:
        self.posts = {p.id: p for p in posts}
        self.relevance = relevance
        self.caption_labels = list(caption_matches)
        self.visible_posts = visible_posts
        self.query = np.asarray(query, np.float32)
        self.words = words or {}  # tag words -> vector (default: orthogonal to every query here)
        self.generation = 0

    def tag_counts(self, scopes, min_count=1):
        counts = {}
        for post in self.posts.values():
            for tag in post.tags:
                counts[tag] = counts.get(tag, 0) + 1
        return {t: c for t, c in counts.items() if c >= min_count}

    def sources(self) -> TagSources:
        return TagSources(
            photo_vectors=lambda p, v: (p, None), text_of=lambda vec, v: vec.text,
            encode_query=lambda text, v, language: self.query,
            caption_matches=lambda query, k, visible, v: self.caption_labels[:k],
            visible=lambda scope: None, visible_count=lambda scope: self.visible_posts,
            posts=lambda ids: [self.posts.get(i) for i in ids], tag_counts=self.tag_counts,
            posts_in=lambda scopes: self.visible_posts, tags_generation=lambda: self.generation,
            encode_words=lambda texts: np.array([self.words.get(t, [0, 0, 0, 1.0]) for t in texts], np.float32),
            relevance=lambda: self.relevance, relevance_for=lambda v: self.relevance)

    def scorer(self, **kwargs) -> HashtagScorer:
        return HashtagScorer(self.sources(), **kwargs)


def post(pid, *tags):
    return Post(id=pid, scope="public", sha256=str(pid), phash=0, tags=list(tags))


def by_tag(suggestions):
    return {s.tag: s for s in suggestions}


# -- the vote aggregator and the softmax -------------------------------------------------------
def test_votes_sum_each_posts_weight_and_count_its_carriers():
    votes, voters = tag_votes([post(1, "cat", "pet"), post(2, "cat"), post(3, "dog")], [0.5, 0.25, 0.25])
    assert votes == {"cat": 0.75, "pet": 0.5, "dog": 0.25}
    assert voters == {"cat": 2, "pet": 1, "dog": 1}


def test_softmax_sums_to_one_keeps_the_order_and_sharpens_as_the_temperature_falls():
    from models.encoders.base import softmax

    sims = np.array([0.30, 0.25, 0.10], np.float32)
    warm, cold = softmax(sims, 0.5), softmax(sims, 0.05)
    assert warm.sum() == pytest.approx(1.0) and cold.sum() == pytest.approx(1.0)
    assert list(np.argsort(-cold)) == [0, 1, 2] and cold[0] > warm[0]
    assert softmax(sims + 7.0, 0.05) == pytest.approx(cold, rel=1e-5)  # only the differences count
    rows = softmax(np.array([[0.1, 0.2], [0.5, 0.5]]), 0.1, axis=1)
    assert rows.sum(axis=1) == pytest.approx([1.0, 1.0]) and rows[1] == pytest.approx([0.5, 0.5])


# -- a photo's fusion ------------------------------------------------------------------------------
def test_without_a_head_the_neighbours_votes_lead_and_the_zero_shot_weight_still_counts():
    engine = Engine([post(1, "cat", "kitten"), post(2, "mug")], caption_matches=[(2 << 3, 0.9)])
    tags = by_tag(engine.scorer().for_photo(photo(), "public", view([(1, AT_REF)]), min_score=0))
    # votes: share 1/2 (one neighbour against the prior mass); weights 1 (votes) + 1/2 (zero-shot)
    assert tags["cat"].score == tags["kitten"].score == pytest.approx(0.5 / 1.5, abs=1e-4)
    assert (tags["cat"].reason, tags["cat"].count) == ("neighbours", 1)
    assert "mug" not in tags  # caption votes need a learned head


def test_with_a_head_votes_head_and_caption_votes_count_equally():
    engine = Engine([post(1, "cat"), post(2, "mug")], caption_matches=[(2 << 3, 0.9), (2 << 3 | 1, 0.8)])
    v = view([(1, AT_REF)], head=FakeHead({"cat": 0.9, "dog": 0.6}))
    tags = by_tag(engine.scorer().for_photo(photo(), "public", v, min_score=0))
    total = 1 / 3 + 1 / 3 + 1 / 3 + 1 / 6
    assert tags["cat"].score == pytest.approx((0.5 + 0.9) / 3 / total, abs=1e-4)
    assert tags["dog"].score == pytest.approx(0.6 / 3 / total, abs=1e-4) and tags["dog"].reason == "learned"
    # one post's two captions are one vote
    assert tags["mug"].score == pytest.approx(1.0 / 3 / total, abs=1e-4)
    assert (tags["mug"].reason, tags["mug"].count) == ("caption_neighbours", 1)
    assert tags["cat"].reason == "neighbours"  # the first source that brought it


def test_the_fusion_weights_are_the_one_knob():
    engine = Engine([post(1, "cat")])
    votes_only = FusionWeights(photo_cold=PhotoWeights(votes=1.0, head=0.0, captions=0.0, zero_shot=0.0))
    tags = by_tag(engine.scorer(weights=votes_only).for_photo(photo(), "public", view([(1, AT_REF)]), min_score=0))
    assert tags["cat"].score == pytest.approx(0.5, abs=1e-4)


def test_imagenet_classes_lead_while_no_neighbour_is_close_and_fade_with_evidence():
    probs = np.zeros(1000, np.float32)
    probs[967] = 0.8  # espresso
    engine = Engine([post(1, "coffee")], relevance=Relevance())
    alone = engine.scorer().for_photo(photo(class_probs=probs), "public", view(), min_score=0)
    assert alone[0].tag == "espresso" and alone[0].reason == "imagenet"
    assert alone[0].score == pytest.approx(0.8 / (1.5 + 1.0), abs=1e-4)
    close = by_tag(engine.scorer().for_photo(photo(class_probs=probs), "public", view([(1, 0.95)]), min_score=0))
    assert close["coffee"].score > close["espresso"].score and close["espresso"].score < alone[0].score / 100


def test_scores_are_calibrated_and_the_floor_applies():
    engine = Engine([post(1, "cat")], relevance=replace(NO_CLASSES, floors=Floors(hashtags=0.5)))
    v = view([(1, AT_REF)])
    assert engine.scorer().for_photo(photo(), "public", v) == []  # 1/3 is under the floor
    assert [t.tag for t in engine.scorer().for_photo(photo(), "public", v, min_score=0.3)] == ["cat"]


# -- a photo with a caption --------------------------------------------------------------------
def test_words_weigh_as_much_as_the_pixels_and_win_the_reason_where_they_say_more():
    # post 3 (paris) is far from the photo: its vote is a whisper; post 1 is close
    engine = Engine([post(1, "cat", "kitten"), post(2, "dog"), post(3, "paris")], visible_posts=3)
    v = view([(1, AT_REF), (3, -1.0)])
    alone = by_tag(engine.scorer().for_photo(photo(), "public", v, min_score=0))
    fused = by_tag(engine.scorer().for_photo(photo(), "public", v, min_score=0, caption="my cat in Paris"))
    prior = 0.3 * 1 / 3  # each tag is on 1 post of 3
    assert fused["cat"].score == pytest.approx(0.5 * alone["cat"].score + 0.5 * (0.5 + prior), abs=1e-4)
    assert (fused["cat"].reason, fused["cat"].from_words) == ("in_your_words", True)
    assert (fused["paris"].reason, fused["paris"].from_words) == ("in_your_words", True)
    assert fused["paris"].score > alone["paris"].score
    # the pixels say more about kitten than the words' prior: its reason stays the neighbours'
    assert fused["kitten"].score == pytest.approx(0.5 * alone["kitten"].score + 0.5 * prior, abs=1e-4)
    assert (fused["kitten"].reason, fused["kitten"].count, fused["kitten"].from_words) == ("neighbours", 1, False)
    assert fused["dog"].reason == "often_here" and fused["dog"].from_words


def test_a_tag_only_the_words_bring_at_zero_is_theirs():
    # the zero-shot match keeps its best tags even when no match is close (trust 0): score 0
    engine = Engine([post(1, "cat"), post(2, "car")], query=np.array([1.0, 0, 0, 0]))
    tags = by_tag(engine.scorer(weights=FusionWeights(prior=0.0)).for_photo(
        photo(), "public", view([(1, AT_REF)]), min_score=0, caption="something else"))
    assert (tags["car"].score, tags["car"].reason, tags["car"].from_words) == (0.0, "means", True)
    assert tags["cat"].reason == "neighbours"


def test_tags_in_your_words_are_shown_under_the_floor_and_nothing_else_is():
    engine = Engine([post(1, "cat", "kitten"), post(2, "paris")], visible_posts=2)
    shown = engine.scorer().for_photo(photo(), "public", view([(1, AT_REF)]), min_score=0.9,
                                      caption="my cat in Paris #NoFilter")
    assert {t.tag for t in shown} == {"cat", "paris", "nofilter"}
    assert all(t.reason == "in_your_words" and t.score < 0.9 for t in shown)


def test_a_caption_without_words_is_ignored():
    engine = Engine([post(1, "cat")])
    v = view([(1, AT_REF)])
    assert engine.scorer().for_photo(photo(), "public", v, caption="🙂 !?") == \
        engine.scorer().for_photo(photo(), "public", v)


# -- a text alone ------------------------------------------------------------------------------------
def test_text_weights_with_and_without_a_head():
    posts = [post(1, "cat"), post(2, "dog")]
    cold = Engine(posts, caption_matches=[(1 << 3, 0.7)], visible_posts=10)  # a query no tag's words match
    tags = by_tag(cold.scorer().for_text("a sleepy animal", "public", view(), min_score=0))
    assert tags["cat"].score == pytest.approx(0.6 * 1.0 + 0.3 * 0.1, abs=1e-4)  # votes + prior (1 of 10)
    assert (tags["cat"].reason, tags["cat"].count) == ("similar_caption", 1)
    assert tags["dog"].score == pytest.approx(0.3 * 0.1, abs=1e-4) and tags["dog"].reason == "often_here"
    with_head = view(head=FakeHead({"cat": 0.2, "dog": 0.8}), near_text=[(2, 0.6)])
    tags = by_tag(cold.scorer().for_text("a sleepy animal", "public", with_head, min_score=0))
    assert tags["cat"].score == pytest.approx(0.4 * 1.0 + 0.3 * 0.2 + 0.3 * 0.1, abs=1e-4)
    assert tags["dog"].score == pytest.approx(0.3 * 0.8 + 0.3 * 0.1, abs=1e-4) and tags["dog"].reason == "learned"


def test_text_zero_shot_means_what_the_words_say():
    query = np.array([1.0, 0, 0, 0])
    engine = Engine([post(1, "kitty"), post(2, "car")], visible_posts=1000, query=query,
                    words={"kitty": [1.0, 0, 0, 0], "car": [0, 1.0, 0, 0]})
    tags = by_tag(engine.scorer(weights=FusionWeights(prior=0.0)).for_text("a small cat", "public", view(),
                                                                             min_score=0))
    assert tags["kitty"].reason == "means" and tags["kitty"].score == pytest.approx(0.4, abs=1e-3)
    assert tags["car"].score == 0.0  # a cosine of 0 is no match at all


def test_text_answers_carry_reason_codes_only_and_drop_stop_words_and_blocked_tags():
    engine = Engine([post(1, "cat", "the", "spam")], caption_matches=[(1 << 3, 0.7)])
    tags = engine.scorer(blocklist={"spam"}).for_text("the cat #the #spam", "public", view(), min_score=0)
    assert {t.tag for t in tags} == {"cat"} and all(t.reason in REASONS for t in tags)
    assert tags[0].from_words  # everything a text suggests comes from words


def test_a_text_without_words_is_refused():
    with pytest.raises(EmptyQueryError):
        Engine([]).scorer().for_text("🙂 …", "public", view())


def test_named_by_words_reads_the_first_reason():
    assert named_by_words({"a": ("in_your_words", 0), "b": ("similar_caption", 2)}) == {"a"}


def test_the_weights_are_one_frozen_documented_object():
    w = FusionWeights()
    assert w.photo(True).total == pytest.approx(7 / 6) and w.photo(False).total == pytest.approx(1.5)
    assert w.text(True) == TextWeights(votes=0.4, head=0.3, zero_shot=0.3)
    with pytest.raises(AttributeError):
        w.prior = 1.0


# -- words written in the photo (its text, read in the background) -------------------------------
def test_hashtags_the_photos_text_names_are_shown_marked_as_written_in_the_photo():
    engine = Engine([post(1, "cat", "kitten"), post(2, "paris"), post(3, "monday")], visible_posts=3)
    v = view([(1, AT_REF)])
    alone = by_tag(engine.scorer().for_photo(photo(), "public", v, min_score=0))
    shown = by_tag(engine.scorer().for_photo(photo(), "public", v, min_score=0.9,
                                             photo_text="I HATE MONDAYS\nsee you in PARIS"))
    assert set(shown) == {"paris"}  # "mondays" is not the known #monday; nothing else clears 0.9
    assert (shown["paris"].reason, shown["paris"].from_photo_text, shown["paris"].from_words) == (
        "in_the_photo", True, False)
    assert "paris" not in alone and shown["paris"].score == pytest.approx(0.25, abs=1e-4)  # only the text brings it
    cat = by_tag(engine.scorer().for_photo(photo(), "public", v, min_score=0, photo_text="a cat"))["cat"]
    assert cat.score == pytest.approx(alone["cat"].score + 0.25, abs=1e-4) and cat.reason == "in_the_photo"


def test_the_photos_text_comes_from_its_sources_and_adds_to_a_caption_without_repeating_it():
    engine = Engine([post(1, "cat"), post(2, "paris"), post(3, "coffee")], visible_posts=3)
    sources = replace(engine.sources(), photo_text=lambda vec, own_id, scope: "Coffee in Paris")
    scorer = HashtagScorer(sources)
    tags = by_tag(scorer.for_photo(photo(), "public", view([(1, AT_REF)]), min_score=0.9, caption="Paris!"))
    assert (tags["paris"].reason, tags["paris"].from_words, tags["paris"].from_photo_text) == (
        "in_your_words", True, False)  # the caption named it first
    assert (tags["coffee"].reason, tags["coffee"].from_photo_text) == ("in_the_photo", True)
    assert "in_the_photo" in REASONS
    nothing = by_tag(scorer.for_photo(photo(), "public", view([(1, AT_REF)]), min_score=0.9, photo_text=""))
    assert not any(t.from_photo_text for t in nothing.values())  # an explicit "" overrides the stored text


def test_a_screenshot_full_of_known_words_brings_a_few_of_them():
    from indexing.search.hashtags import MAX_PHOTO_TEXT_TAGS

    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"]
    engine = Engine([post(i, w) for i, w in enumerate(words)], visible_posts=6)
    shown = engine.scorer().for_photo(photo(), "public", view(), min_score=0.99, photo_text=" ".join(words))
    assert [t.tag for t in shown if t.from_photo_text] == words[:MAX_PHOTO_TEXT_TAGS]
