"""Hashtag suggestions for a photo or a text: the sources, how they add up, what is shown and why.

A photo's sources: the tags of its image neighbours (votes weighed by evidence, relevance.py), the
learned hashtag head, the tags of the posts whose captions fit the photo (learned heads only), the
vocabulary's tags whose words match its text-space vector (zero-shot) and, while the neighbours are
few or far, its ImageNet classes. A text's sources: the tags its words name, the tags of the posts
with similar captions, the head on the photos nearest the text, the vocabulary's tags that mean the
same, and the tags used most where the viewer looks. `FusionWeights` says how much each counts.
Every suggestion carries a reason code (REASONS) that the front-ends put in their users' words.

What the scorer reads from the rest of the engine is listed in `TagSources` (functions), so unit
tests pass fakes; every query reads one IndexView `v` (indexes and heads) throughout.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable, Sequence

import numpy as np

from indexing.errors import EmptyQueryError
from indexing.relevance import Answer, Relevance, why_empty
from indexing.scopes import visible_scopes
from indexing.search.vocabulary import TagVocabulary
from indexing.store import Post
from models import textspace
from models.encoders.base import softmax
from models.tags import STOP_WORDS
from models.zeroshot import class_hashtags

if TYPE_CHECKING:
    from indexing.search.types import IndexView, PhotoVectors

WORD = re.compile(r"\w", re.UNICODE)  # a text without one has nothing to suggest tags from

# Why a tag is suggested (TagSuggestion.reason); the bot words each with its i18n key why_<reason>.
REASONS = (
    "neighbours",  # carried by `count` similar-looking posts
    "learned",  # the hashtag head learned it from tagged posts
    "caption_neighbours",  # carried by `count` posts whose caption fits the photo
    "zero_shot",  # its words match what the photo shows
    "imagenet",  # one of the photo's ImageNet classes (what leads while nothing tagged is close)
    "in_your_words",  # the text names it: written as a #tag, or words that are a known hashtag
    "similar_caption",  # carried by `count` posts whose caption is like the text
    "means",  # its words mean what the text says
    "often_here",  # one of the tags used most where the viewer looks
    "in_the_photo",  # written in the photo itself (its text, read in the background: indexing/reading.py)
)
IMAGENET_REASON = "imagenet"
IN_YOUR_WORDS = "in_your_words"
IN_THE_PHOTO = "in_the_photo"
MAX_PHOTO_TEXT_TAGS = 3  # a screenshot names many words: the first few known hashtags it names are shown
Reason = tuple[str, int]  # (code, count)

NEIGHBOURS = 25  # the posts that vote: image neighbours of a photo, caption neighbours of a text
TEMPERATURE = 0.05  # of the softmax over text-space cosines
HEAD_PHOTOS = 10  # a text: the photos nearest it that the hashtag head reads
TOP = 20  # tags kept from the head on a text, and from a zero-shot match


@dataclass(frozen=True)
class TagSuggestion:
    tag: str
    score: float
    reason: str  # one of REASONS
    count: int = 0  # "neighbours", "caption_neighbours", "similar_caption": how many posts carry the tag
    from_words: bool = False  # it came from the text (a caption with the photo), not the pixels
    from_photo_text: bool = False  # it came from the words written in the photo (read from its pixels)


@dataclass(frozen=True)
class PhotoWeights:
    votes: float  # the image neighbours' tags
    head: float  # the learned hashtag head
    captions: float  # the tags of posts whose captions fit the photo
    zero_shot: float  # the vocabulary's tags whose words match the photo

    @property
    def total(self) -> float:
        return self.votes + self.head + self.captions + self.zero_shot


@dataclass(frozen=True)
class TextWeights:
    votes: float  # the tags of posts with similar captions
    head: float  # the learned head on the photos nearest the text
    zero_shot: float  # the vocabulary's tags that mean what the text says


@dataclass(frozen=True)
class FusionWeights:
    """How the hashtag sources add up, with and without a learned hashtag head.

    A photo's sources are probability-like scores in [0, 1] (the head is calibrated; votes are the
    evidence-weighted share of neighbours with the tag, small when they are few or far). With a head
    the three count equally and the zero-shot match only breaks ties; without, the votes lead. The
    ImageNet classes come on top (relevance.py's class_weight, fading as evidence grows); the sum is
    divided by all the weights, into [0, 1], and calibrated. Caption votes help on Flickr8k dev
    (P@1 74.9 -> 78.9) and are neutral on food (docs/BENCHMARKS.md).

    A text's scores are not calibrated: its sources plus a fixed score for each tag its words name
    and a prior, the share of posts carrying the tag (captions are short and often name one thing;
    the tags people add to every post of a kind, #food, are rarely in the words). A photo with a
    caption: the words weigh as much as the pixels, so "Paris" brings #paris when nothing in the
    photo could."""

    photo_with_head: PhotoWeights = PhotoWeights(votes=1 / 3, head=1 / 3, captions=1 / 3, zero_shot=1 / 6)
    photo_cold: PhotoWeights = PhotoWeights(votes=1.0, head=0.0, captions=0.0, zero_shot=0.5)
    text_with_head: TextWeights = TextWeights(votes=0.4, head=0.3, zero_shot=0.3)
    text_cold: TextWeights = TextWeights(votes=0.6, head=0.0, zero_shot=0.4)
    in_your_words: float = 0.5
    prior: float = 0.3
    photo_share: float = 0.5  # of a photo with a caption; the caption has the rest
    in_the_photo: float = 0.25  # added for each hashtag the photo's own text names (a caption's word: 0.5 x 0.5)

    def photo(self, learned: bool) -> PhotoWeights:
        return self.photo_with_head if learned else self.photo_cold

    def text(self, learned: bool) -> TextWeights:
        return self.text_with_head if learned else self.text_cold


@dataclass(frozen=True)
class TagSources:
    """What hashtag scoring reads from the rest of the engine: SearchEngine passes its own functions,
    unit tests pass fakes. `visible` is what the indexes take as a filter (None: every post)."""

    photo_vectors: Callable[[object, IndexView], tuple[PhotoVectors, int | None]]  # bytes/post id -> (vectors, post id)
    text_of: Callable[[PhotoVectors, IndexView], np.ndarray]  # a photo's text-space vector in the view
    encode_query: Callable[[str, IndexView, str | None], np.ndarray]  # (text, view, language) -> query
    caption_matches: Callable[[np.ndarray, int, object, IndexView], list[tuple[int, float]]]  # best first
    visible: Callable[[str], object]  # scope -> the posts visible from it
    visible_count: Callable[[str], int]
    posts: Callable[[list[int]], list[Post | None]]
    tag_counts: Callable[..., dict[str, int]]  # (scopes, min_count=1) -> uses per tag
    posts_in: Callable[[frozenset[str]], int]  # how many posts these scopes hold
    tags_generation: Callable[[], int]  # changes whenever any post's tags may have
    encode_words: Callable[[list[str]], np.ndarray]  # text-encoder vectors of a tag's words
    relevance: Callable[[], Relevance]  # the evidence weights: neighbours, ImageNet classes, zero-shot trust
    relevance_for: Callable[[IndexView], Relevance]  # the floors and calibration that hold for the view's heads
    # (vectors, post id, scope) -> the text read from that photo when it is stored and read, else ""
    photo_text: Callable[[PhotoVectors, int | None, str], str] = lambda vec, own_id, scope: ""


def tag_votes(posts: Sequence[Post], weights: Iterable[float]) -> tuple[dict[str, float], dict[str, int]]:
    """Each tag's summed weight over the posts carrying it, and how many posts carry it."""
    votes: dict[str, float] = {}
    voters: dict[str, int] = {}
    for post, w in zip(posts, weights):
        for tag in post.tags:
            votes[tag] = votes.get(tag, 0.0) + float(w)
            voters[tag] = voters.get(tag, 0) + 1
    return votes, voters


def named_by_words(reasons: dict[str, Reason]) -> set[str]:
    """The tags a text's own words name (the first reason a text's scoring gave them)."""
    return {tag for tag, (code, _) in reasons.items() if code == IN_YOUR_WORDS}


class HashtagScorer:
    def __init__(self, sources: TagSources, blocklist: Iterable[str] = (),
                 weights: FusionWeights = FusionWeights(), vocabulary: TagVocabulary | None = None) -> None:
        self.sources = sources
        self.blocklist = frozenset(blocklist)  # never suggested
        self.weights = weights
        self.vocabulary = vocabulary or TagVocabulary(sources.tag_counts, sources.encode_words,
                                                      sources.tags_generation, sources.posts_in)

    def for_photo(self, photo, scope: str, v: IndexView, k: int = 8, min_score: float | None = None,
                  caption: str | None = None, language: str | None = None, photo_text: str | None = None) -> Answer:
        """See SearchEngine.hashtags."""
        src = self.sources
        vec, own_id = src.photo_vectors(photo, v)
        raw, reasons = self._photo_scores(vec, own_id, scope, v, k)
        visible = src.visible_count(scope)
        rules = src.relevance_for(v)
        calibrated = rules.probability(np.array(list(raw.values()), np.float64), visible)
        # where the map is flat (below its first knot) the raw score still orders the tags
        scores = {tag: float(p) + 1e-6 * raw[tag] for tag, p in zip(raw, calibrated)}
        words: set[str] = set()
        written: set[str] = set()
        if caption and WORD.search(caption):
            text_scores, text_reasons = self._text_scores(caption, src.encode_query(caption, v, language), scope, v)
            written = named_by_words(text_reasons)
            share = self.weights.photo_share
            for tag in scores.keys() | text_scores.keys():
                photo_side, text_side = scores.get(tag, 0.0), text_scores.get(tag, 0.0)
                scores[tag] = share * photo_side + (1 - share) * text_side
                if text_side > photo_side or tag not in reasons:  # a tag only the words bring, even at 0
                    reasons[tag] = text_reasons[tag]
                    words.add(tag)
        if photo_text is None:
            photo_text = src.photo_text(vec, own_id, scope)
        in_photo = self._named_in_photo(photo_text, scope, v, written)
        for tag in in_photo:  # written on the photo, like a caption written beside it
            scores[tag] = scores.get(tag, 0.0) + self.weights.in_the_photo
            reasons[tag] = (IN_THE_PHOTO, 0)
            words.discard(tag)
        floor = rules.floors_for(visible).hashtags if min_score is None else min_score
        ranked = self._ranked(scores, reasons, words, set(in_photo))
        return Answer(self._shown(ranked, floor, written | set(in_photo), k), why_empty(visible))

    def _named_in_photo(self, photo_text: str | None, scope: str, v: IndexView, written: set[str]) -> list[str]:
        """The known hashtags the photo's text names, beyond those its caption names (the first few)."""
        if not photo_text or not WORD.search(photo_text):
            return []
        named = self.vocabulary.named_in(photo_text, visible_scopes(scope), v)
        return [tag for tag in named if tag not in written and tag not in self.blocklist][:MAX_PHOTO_TEXT_TAGS]

    def for_text(self, text: str, scope: str, v: IndexView, k: int = 8, min_score: float | None = None,
                 language: str | None = None) -> Answer:
        """See SearchEngine.text_hashtags."""
        if not WORD.search(text or ""):
            raise EmptyQueryError("the text has no words")
        scores, reasons = self._text_scores(text, self.sources.encode_query(text, v, language), scope, v)
        visible = self.sources.visible_count(scope)
        floor = self.sources.relevance_for(v).floors_for(visible).hashtags if min_score is None else min_score
        ranked = self._ranked(scores, reasons, set(scores))
        return Answer(self._shown(ranked, floor, named_by_words(reasons), k), why_empty(visible))

    def forget_vocabularies(self) -> None:
        """New heads are serving: the vocabularies' vectors were in the old projector's space."""
        self.vocabulary.forget_spaces()

    @staticmethod
    def _shown(ranked: list[TagSuggestion], floor: float, written: set[str], k: int) -> list[TagSuggestion]:
        """The suggestions worth showing: those at or above the floor, and the tags the user's own words
        name (written as #tags, or words that are known hashtags) whatever their score: the user wrote
        them. Everything else a caption suggests (its neighbours' tags, the tags used most here) must
        clear the floor like the photo's own."""
        return [s for s in ranked if s.score >= floor or s.tag in written][:k]

    def _ranked(self, scores: dict[str, float], reasons: dict[str, Reason],
                from_words: set[str], from_photo_text: frozenset[str] | set[str] = frozenset()) -> list[TagSuggestion]:
        """Best first, blocklisted and stop words out, scores clipped to [0, 1]."""
        ranked = sorted(((t, sc) for t, sc in scores.items() if t not in self.blocklist and t not in STOP_WORDS),
                        key=lambda kv: -kv[1])
        return [TagSuggestion(t, round(min(sc, 1.0), 4), reason=reasons[t][0], count=reasons[t][1],
                              from_words=t in from_words, from_photo_text=t in from_photo_text) for t, sc in ranked]

    def _photo_scores(self, vec: PhotoVectors, own_id: int | None, scope: str, v: IndexView,
                      k: int) -> tuple[dict[str, float], dict[str, Reason]]:
        """A photo's fused tag scores in [0, 1] (for the calibration) and each tag's first reason."""
        votes, voters, evidence = self._neighbour_votes(vec, scope, own_id, v)
        text_vec = self.sources.text_of(vec, v)
        zero_shot = self._zero_shot(text_vec, visible_scopes(scope), v)
        learned = v.hashtag_head.top(vec.features, 4 * k) if v.hashtag_head is not None else {}
        # With a head, the posts whose captions match the photo (through the learned projection) vote
        # too: they describe what is in it, where image neighbours only look alike.
        caption_votes, caption_voters = (self._caption_votes(text_vec, self.sources.visible(scope), v, own_id)
                                         if learned else ({}, {}))
        w = self.weights.photo(bool(learned))
        scores: dict[str, float] = {}
        reasons: dict[str, Reason] = {}
        for tag, share in votes.items():
            scores[tag] = w.votes * share
            reasons[tag] = ("neighbours", voters[tag])
        for tag, h in learned.items():
            scores[tag] = scores.get(tag, 0.0) + w.head * h
            reasons.setdefault(tag, ("learned", 0))
        for tag, share in caption_votes.items():
            scores[tag] = scores.get(tag, 0.0) + w.captions * share
            reasons.setdefault(tag, ("caption_neighbours", caption_voters[tag]))
        for tag, z in zero_shot.items():
            scores[tag] = scores.get(tag, 0.0) + w.zero_shot * z
            reasons.setdefault(tag, ("zero_shot", 0))
        relevance = self.sources.relevance()
        class_weight = relevance.class_weight * (1.0 - evidence)
        if vec.class_probs is not None and class_weight > 0:
            # The photo's own ImageNet classes lead while the neighbours are few or far.
            for tag, p in class_hashtags(vec.class_probs, k):
                scores[tag] = scores.get(tag, 0.0) + class_weight * p
                reasons.setdefault(tag, (IMAGENET_REASON, 0))
        total = w.total + relevance.class_weight
        return {tag: s / total for tag, s in scores.items()}, reasons

    def _text_scores(self, text: str, query: np.ndarray, scope: str,
                     v: IndexView) -> tuple[dict[str, float], dict[str, Reason]]:
        """A text's tag scores (sources in FusionWeights' words) and each tag's first reason."""
        visible = self.sources.visible(scope)
        scopes = visible_scopes(scope)
        scores: dict[str, float] = {}
        reasons: dict[str, Reason] = {}

        def add(tag: str, value: float, reason: Reason) -> None:
            scores[tag] = scores.get(tag, 0.0) + value
            reasons.setdefault(tag, reason)

        for tag in self.vocabulary.named_in(text, scopes, v):
            add(tag, self.weights.in_your_words, (IN_YOUR_WORDS, 0))
        caption_votes, caption_voters = self._caption_votes(query, visible, v)
        learned = self._head_on_text(query, visible, v)
        w = self.weights.text(bool(learned))
        for tag, share in caption_votes.items():
            add(tag, w.votes * share, ("similar_caption", caption_voters[tag]))
        for tag, h in learned.items():
            add(tag, w.head * h, ("learned", 0))
        for tag, z in self._zero_shot(query, scopes, v).items():
            add(tag, w.zero_shot * z, ("means", 0))
        for tag, share in self.vocabulary.prior(scopes).items():
            add(tag, self.weights.prior * share, ("often_here", 0))
        return scores, reasons

    def _tagged(self, found: Iterable[tuple[int, float]]) -> list[tuple[Post, float]]:
        """(post, similarity) of the found (post id, similarity) pairs whose posts carry tags."""
        found = list(found)
        if not found:
            return []
        posts = self.sources.posts([pid for pid, _ in found])
        return [(post, sim) for post, (_, sim) in zip(posts, found) if post is not None and post.tags]

    def _neighbour_votes(self, vec: PhotoVectors, scope: str, own_id: int | None,
                         v: IndexView) -> tuple[dict[str, float], dict[str, int], float]:
        """Hashtags of the image neighbours: each tag's share of the neighbours' evidence plus a prior
        mass (relevance.py), how many carry it, and the evidence (0..1) the votes rest on."""
        found = [(pid, s) for pid, s in v.image.search(vec.features, NEIGHBOURS + 1, self.sources.visible(scope))
                 if pid != own_id][:NEIGHBOURS]
        tagged = self._tagged(found)
        if not tagged:
            return {}, {}, 0.0
        relevance = self.sources.relevance()
        weights = relevance.neighbour_weights(np.array([s for _, s in tagged], np.float64))
        votes, voters = tag_votes([post for post, _ in tagged], weights / (sum(weights) + relevance.prior_mass))
        return votes, voters, relevance.evidence(weights)

    def _caption_votes(self, query: np.ndarray, visible, v: IndexView,
                       exclude: int | None = None) -> tuple[dict[str, float], dict[str, int]]:
        """Hashtags of the posts whose captions are nearest a text-space vector: the similarity-weighted
        share of those posts carrying each tag, and how many carry it."""
        by_post: dict[int, float] = {}
        for label, sim in self.sources.caption_matches(query, NEIGHBOURS, visible, v):
            pid = label >> 3  # a caption's label: its post id << 3 | its number
            if pid != exclude:
                by_post[pid] = max(by_post.get(pid, -1.0), sim)
        tagged = self._tagged(by_post.items())
        if not tagged:
            return {}, {}
        return tag_votes([post for post, _ in tagged],
                         softmax(np.array([s for _, s in tagged], np.float32), TEMPERATURE))

    def _head_on_text(self, query: np.ndarray, visible, v: IndexView) -> dict[str, float]:
        """The hashtag head on the photos nearest a text in the text space, the nearest weighing most."""
        if v.hashtag_head is None:
            return {}
        near = v.text.search(query, HEAD_PHOTOS, visible)
        if not near:
            return {}
        weights = softmax(np.array([sim for _, sim in near], np.float32), TEMPERATURE)
        probs = weights @ v.hashtag_head.predict(v.image.get_or_zero([pid for pid, _ in near]))
        return {v.hashtag_head.tags[j]: float(probs[j]) for j in np.argsort(-probs)[:TOP]}

    def _zero_shot(self, text_vec: np.ndarray, scopes: frozenset[str], v: IndexView) -> dict[str, float]:
        """Vocabulary hashtags whose words match a text-space vector: softmax over the vocabulary, times
        how close the match is on an absolute scale (a best of 14 unrelated tags is no match)."""
        if not np.any(text_vec):
            return {}
        tags, matrix = self.vocabulary.tags_and_vectors(scopes, v)
        if not tags:
            return {}
        sims = textspace.scores(matrix, text_vec)
        probs = softmax(sims, TEMPERATURE)
        order = np.argsort(-probs)[:TOP]
        trust = self.sources.relevance().zero_shot_trust(sims[order])
        return {tags[i]: float(probs[i] * t) for i, t in zip(order, trust)}
