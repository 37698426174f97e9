"""The search facade: the one API the bot, the CLI, the jobs and the benchmarks call.

Every query takes the viewer's scope and only ever returns posts visible from it
(`public` + the viewer's own chat, see scopes.py). Every result carries a score.
Methods block: run them off the event loop.

The work is done by the package's modules, each with one job, composed here:
  catalogue   which posts exist, their scope and pHash (one lock)
  projection  photo features into the text space
  views       the indexes and heads a query reads (IndexView), made from artifacts and releases
  lifecycle   which view serves: install heads, rebuild, publish and adopt releases, swap
  writes      embed, add, delete, re-caption; others' posts from the change log
  retrieval   similar photos, find, captions
  duplicates  copies of a photo, and the re-post policy
  queryphotos a query photo's vectors (bytes, a post id or vectors) and which posts are that photo
"""
from __future__ import annotations

import logging
import re
import time
import unicodedata
from pathlib import Path
from typing import Callable

import numpy as np

from indexing.ann import HnswBackend
from indexing.chats import ChatSettings, Thresholds
from indexing.errors import BadImageError, EmptyQueryError
from indexing.relevance import Answer, Relevance, why_empty
from indexing.scopes import PUBLIC, validate_scope, visible_scopes
from indexing.search.catalogue import Catalogue, ScopeFilter
from indexing.search.duplicates import Candidate, Duplicates, Verdict
from indexing.search.lifecycle import Lifecycle
from indexing.search.projection import Projection
from indexing.search.queryphotos import QueryPhoto, QueryPhotos
from indexing.search.retrieval import Retrieval
from indexing.search.types import (AddResult, CaptionHit, DuplicateMatch, EngineOptions, Hit, IndexView, PhotoInput,
                                   PhotoVectors, TagSuggestion)
from indexing.search.views import Serving, Views
from indexing.search.writes import Writes
from indexing.store import Post, PostStore
from models import textspace
from models.embedding import PhotoEmbedder
from models.encoders.base import ImageEncoder, TextEncoder
from models.imaging import read_bytes
from models.tags import STOP_WORDS, normalize_tags, tag_to_words
from models.training import TrainedHeads, TrainingData
from models.zeroshot import class_hashtags

log = logging.getLogger(__name__)

IMAGENET_REASON = "looks like it (ImageNet class)"  # the why of hashtags made from the classes alone
IN_YOUR_WORDS = "in your words"  # the why of a tag the text names itself (_tags_in_words)


def named_by_words(why: dict[str, str]) -> set[str]:
    """The tags a text's own words name, from the reasons _text_tag_scores gave (its first reason)."""
    return {tag for tag, reason in why.items() if reason == IN_YOUR_WORDS}


WRITTEN_HASHTAG = re.compile(r"(?<![\w#])#(\w+)")
WORD = re.compile(r"\w", re.UNICODE)
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")  # scripts written without spaces


class SearchEngine:
    """Storage + encoders + indexes behind one query API (built by indexing/service.py's `build_engine`)."""

    def __init__(self, store: PostStore, image_encoder: ImageEncoder, text_encoder: TextEncoder, *,
                 cache_dir: str | Path | None = None, options: EngineOptions = EngineOptions()) -> None:
        self.store = store
        self.image_encoder = image_encoder
        self.text_encoder = text_encoder
        self.options = options
        self.blocklist = frozenset(normalize_tags(list(options.hashtag_blocklist)))  # never suggested
        self.catalogue = Catalogue()
        self.serving = Serving()
        self.projection = Projection(image_encoder, text_encoder, store, Path(cache_dir) if cache_dir else None)
        backend = HnswBackend(options.hnsw_m, options.hnsw_ef_construction, options.hnsw_ef_search,
                              options.exact_search_max_posts)
        views = Views(store, image_encoder, text_encoder, self.projection, backend)
        self.lifecycle = Lifecycle(store, image_encoder, text_encoder, views, self.catalogue, self.serving,
                                   on_swap=self._forget_vocabularies)
        embedder = PhotoEmbedder(image_encoder, batch_size=options.batch_size, max_pixels=options.max_photo_pixels,
                                 thumbnail_side=options.thumbnail_side)
        self.writes = Writes(store, image_encoder, text_encoder, embedder, self.projection, views, self.catalogue,
                             self.serving, options.max_photo_bytes)
        self.photos = QueryPhotos(store, image_encoder.name, self.catalogue, self.writes.embed_photo)
        self.duplicates = Duplicates(store, self.catalogue, self.serving, self.photos, options.thresholds)
        self.retrieval = Retrieval(store, text_encoder, self.catalogue, self.serving, self.photos, self.projection,
                                   self.duplicates, options.thresholds, options.relevance or Relevance.load())
        # The hashtag scoring's caches (per visible-scope set: (tags generation, tags, their vectors);
        # rebuilt when any tag count changes, and when the view's space does).
        self._tag_vectors: dict[str, np.ndarray] = {}
        self._vocabularies: dict[tuple[frozenset[str], str], tuple[int, list[str], np.ndarray]] = {}
        self._priors: dict[frozenset[str], tuple[int, dict[str, float]]] = {}
        self._follower = None

    # -- settings and the serving view's parts ---------------------------------------------------
    @property
    def image_model(self) -> str:
        return self.image_encoder.name

    @property
    def text_model(self) -> str:
        return self.text_encoder.name

    @property
    def thresholds(self) -> Thresholds:
        return self.options.thresholds

    @property
    def max_photo_bytes(self) -> int:
        return self.options.max_photo_bytes

    @property
    def max_photo_pixels(self) -> int:
        return self.options.max_photo_pixels

    @property
    def relevance(self) -> Relevance:
        """Floors, calibration, evidence weights (a benchmark may try others)."""
        return self.retrieval.relevance

    @relevance.setter
    def relevance(self, relevance: Relevance) -> None:
        self.retrieval.relevance = relevance

    @property
    def view(self) -> IndexView:
        """What a query reads: read it once per query, a swap replaces it as a whole."""
        return self.serving.view

    image_index = property(lambda self: self.view.image)
    text_index = property(lambda self: self.view.text)
    caption_index = property(lambda self: self.view.caption)
    projector = property(lambda self: self.view.projector)
    projector_version = property(lambda self: self.view.projector_version)
    hashtag_head = property(lambda self: self.view.hashtag_head)
    hashtag_head_version = property(lambda self: self.view.hashtag_head_version)
    release_version = property(lambda self: self.view.release)

    # -- start, follow, stop -----------------------------------------------------------------------
    def open(self) -> "SearchEngine":
        """Load encoders, then the current release (heads + index snapshots), caught up with Redis."""
        t0 = time.monotonic()
        self.store.ping()
        self.image_encoder.load()
        self.text_encoder.load()
        self.projection.load()
        self.lifecycle.open()
        log.info("search engine ready: %d posts, %d scopes, release %s, projector %s, in %.1f s",
                 len(self.catalogue), len(self.catalogue.scope_members), self.view.release,
                 self.view.projector_version, time.monotonic() - t0)
        return self

    def follow(self) -> "SearchEngine":
        """Apply other processes' writes and releases as they happen (a background thread)."""
        from indexing.follower import ChangeFollower

        if self._follower is None:
            self._follower = ChangeFollower(self).start()
        return self

    def close(self) -> None:
        if self._follower is not None:
            self._follower.stop()
            self._follower = None

    # What the change follower (indexing/follower.py) asks.
    @property
    def change_position(self) -> str:
        """The change-log entry the serving view applied last."""
        return self.lifecycle.position

    def changes_applied(self, entry_id: str) -> None:
        self.lifecycle.applied(entry_id)

    def resync(self) -> None:
        """Re-read every post and the current release (after an outage or a trimmed change log)."""
        self.lifecycle.resync()

    def serves(self, version: str) -> bool:
        """Whether this release is the one served here (waits for one this process is publishing)."""
        return self.lifecycle.serves(version)

    def live_post_ids(self) -> set[int]:
        return self.catalogue.live_ids()

    # -- photos in, posts out ----------------------------------------------------------------------
    def embed_photos(self, datas: list[bytes], return_errors: bool = False) -> list:
        """Photo bytes → PhotoVectors (BadImageError for a bad one, or in its place with return_errors)."""
        return self.writes.embed_photos(datas, return_errors)

    def embed_photo(self, photo: bytes) -> PhotoVectors:
        return self.writes.embed_photo(photo)

    def add_photos(self, photos: list[PhotoInput], vectors: list[PhotoVectors] | None = None) -> list[AddResult]:
        """Store photos (skipping bytes already stored in the same scope) and index them at once."""
        return self.writes.add_photos(photos, vectors)

    def add_photo(self, photo: PhotoInput) -> AddResult:
        return self.writes.add_photos([photo])[0]

    def update_caption(self, scope: str, sha256: str, captions: list[str], tags: list[str]) -> bool:
        """The post of these bytes in `scope` takes new captions and hashtags (False: no such post)."""
        return self.writes.update_caption(scope, sha256, captions, tags)

    def encode_stored_captions(self, ids: list[int]) -> int:
        """Encode stored captions with this engine's text model (the migration, indexing/migrate.py)."""
        return self.writes.encode_stored_captions(ids)

    def delete_posts(self, ids: list[int]) -> int:
        return self.writes.delete_posts(ids)

    def forget_scope(self, scope: str) -> int:
        """Delete every post of a scope (a chat's /forget). Returns how many were deleted."""
        return self.writes.forget_scope(scope)

    def apply_added(self, ids: list[int]) -> int:
        """Index posts another process stored (from the change log)."""
        return self.writes.apply_added(ids)

    def apply_deleted(self, ids: list[int]) -> None:
        self.writes.apply_deleted(ids)

    def apply_captions_changed(self, ids: list[int]) -> None:
        self.writes.apply_captions_changed(ids)

    # -- queries -----------------------------------------------------------------------------------
    def similar(self, photo: QueryPhoto, scope: str, k: int = 5) -> list[Hit]:
        """The k most similar visible photos: never the query photo or a copy of it, one post per photo."""
        return self.retrieval.similar_to_any([photo], scope, k)

    def similar_to_any(self, photos: list[QueryPhoto], scope: str, k: int = 5) -> list[Hit]:
        """The k visible photos most similar to any of the photos (an album), none of them a copy of one."""
        return self.retrieval.similar_to_any(photos, scope, k)

    def find(self, text: str, scope: str, k: int = 5, photo: QueryPhoto | None = None, photo_weight: float = 0.5,
             include_public: bool = True, language: str | None = None) -> list[Hit]:
        """Visible photos matching a text, optionally together with a photo ('like this, but at night')."""
        return self.retrieval.find(text, scope, k, photo, photo_weight, include_public, language)

    def find_scored(self, text: str, scope: str, k: int = 5, photo: QueryPhoto | None = None,
                    photo_weight: float = 0.5, include_public: bool = True,
                    one_per_photo: bool = True, language: str | None = None) -> list[tuple[int, float]]:
        """`find` as (post id, score) pairs, best first, without loading the posts. `one_per_photo=False`
        keeps copies of one photo (a benchmark ranking one post among thousands: the collapsing
        compares each kept result with the others, k^2 feature products)."""
        v = self.view
        return self.retrieval.find_scored(v, self.retrieval.encode_query(text, v, language), scope, k, photo,
                                          photo_weight, include_public, one_per_photo)

    def text_match(self, text: str, ids: list[int]) -> np.ndarray:
        """How well each given post matches a text: its photo or best caption, scored as `find` scores them."""
        v = self.view
        return self.retrieval.text_scores(self.retrieval.encode_query(text, v), ids, v)

    def encode_query(self, text: str, v: IndexView | None = None, language: str | None = None) -> np.ndarray:
        """A text in the space where it meets photos and captions, as a query."""
        return self.retrieval.encode_query(text, v, language)

    def captions(self, photo: QueryPhoto, scope: str, k: int = 5) -> list[CaptionHit]:
        """Visible captions that match a photo, best first (a copy's own captions first)."""
        return self.retrieval.captions(photo, scope, k)

    def hashtags(self, photo: bytes | int | PhotoVectors, scope: str, k: int = 8,
                 min_score: float | None = None, caption: str | None = None,
                 language: str | None = None) -> list[TagSuggestion]:
        """Hashtags for a photo: votes of similar tagged posts + the learned head + zero-shot match against
        the tag vocabulary + its ImageNet classes; with a caption, fused with the caption's own hashtags
        (`text_hashtags`). Photo scores are calibrated probabilities (relevance.py); tags below
        `min_score` (default: the hashtag floor) are left out, except those the caption's words bring."""
        v = self.view
        vec, own_id = self._photo_vectors(photo, v)
        raw, why = self._photo_tag_scores(vec, own_id, scope, v, k)
        visible = self._visible_count(scope)
        calibrated = self._relevance(v).probability(np.array(list(raw.values()), np.float64), visible)
        # where the map is flat (below its first knot) the raw score still orders the tags
        scores = {tag: float(p) + 1e-6 * raw[tag] for tag, p in zip(raw, calibrated)}
        words: set[str] = set()
        written: set[str] = set()
        if caption and WORD.search(caption):
            text_scores, text_why = self._text_tag_scores(caption, self.encode_query(caption, v, language),
                                                          scope, v)
            written = named_by_words(text_why)
            # The words weigh as much as the pixels: a caption saying "Paris" brings #paris even
            # when nothing in the photo could.
            for tag in scores.keys() | text_scores.keys():
                photo_side, text_side = scores.get(tag, 0.0), text_scores.get(tag, 0.0)
                scores[tag] = 0.5 * photo_side + 0.5 * text_side
                if text_side > photo_side:
                    why[tag] = text_why[tag]
                    words.add(tag)
        floor = self._relevance(v).floors_for(visible).hashtags if min_score is None else min_score
        ranked = self._ranked(scores, why, len(scores), float("-inf"), words)
        return Answer(self._shown(ranked, floor, written, k), why_empty(visible))

    @staticmethod
    def _shown(ranked: list[TagSuggestion], floor: float, written: set[str], k: int) -> list[TagSuggestion]:
        """The suggestions worth showing: those at or above the floor, and the tags the user's own words
        name (written as #tags, or words that are known hashtags) whatever their score: the user wrote
        them. Everything else a caption suggests (its neighbours' tags, the tags used most here) must
        clear the floor like the photo's own."""
        return [s for s in ranked if s.score >= floor or s.tag in written][:k]

    def _photo_tag_scores(self, vec: PhotoVectors, own_id: int | None, scope: str, v: IndexView,
                          k: int) -> tuple[dict[str, float], dict[str, str]]:
        votes, voters, evidence = self._neighbour_votes(vec, scope, own_id, v)
        text_vec = self._text_of(vec, v)
        zero_shot = self._zero_shot_tags(text_vec, visible_scopes(scope), v)
        learned = v.hashtag_head.top(vec.features, 4 * k) if v.hashtag_head is not None else {}
        # With learned heads, the posts whose *captions* match the photo (through the learned projection)
        # vote too: they describe what is in it, where image neighbours only look alike. Measured on
        # Flickr8k dev: P@1 74.9 -> 78.9; neutral on food (docs/BENCHMARKS.md).
        caption_votes, caption_voters = (self._caption_votes(text_vec, self._visible(scope), v, own_id)
                                         if learned else ({}, {}))
        # Each source is a probability-like score in [0, 1]; the learned head is calibrated, the
        # votes are the evidence-weighted share of neighbours with the tag (small when the neighbours
        # are few or far, relevance.py). With heads, the three count equally; the zero-shot match only
        # breaks ties between them. The fused score is calibrated by the caller.
        w_votes, w_head, w_captions, w_zero = (1 / 3, 1 / 3, 1 / 3, 1 / 6) if learned else (1.0, 0.0, 0.0, 0.5)
        scores: dict[str, float] = {}
        why: dict[str, str] = {}
        for tag, share in votes.items():
            scores[tag] = w_votes * share
            why[tag] = f"seen on {voters[tag]} similar post{'s' if voters[tag] != 1 else ''}"
        for tag, h in learned.items():
            scores[tag] = scores.get(tag, 0.0) + w_head * h
            why.setdefault(tag, "learned from tagged posts")
        for tag, share in caption_votes.items():
            scores[tag] = scores.get(tag, 0.0) + w_captions * share
            n = caption_voters[tag]
            why.setdefault(tag, f"on {n} post{'s' if n != 1 else ''} whose caption fits the photo")
        for tag, z in zero_shot.items():
            scores[tag] = scores.get(tag, 0.0) + w_zero * z
            why.setdefault(tag, "matches the photo's content")
        class_weight = self.relevance.class_weight * (1.0 - evidence)
        if vec.class_probs is not None and class_weight > 0:
            # The photo's own ImageNet classes lead while the neighbours are few or far.
            for tag, p in class_hashtags(vec.class_probs, k):
                scores[tag] = scores.get(tag, 0.0) + class_weight * p
                why.setdefault(tag, IMAGENET_REASON)
        total = w_votes + w_head + w_captions + w_zero + self.relevance.class_weight
        return {tag: s / total for tag, s in scores.items()}, why  # in [0, 1], for the calibration

    def _caption_votes(self, query: np.ndarray, visible, v: IndexView, exclude: int | None = None,
                       neighbours: int = 25, temperature: float = 0.05) -> tuple[dict[str, float], dict[str, int]]:
        """Hashtags of the posts whose captions are nearest a text-space vector: similarity-weighted share of
        those posts carrying each tag, and how many carry it."""
        by_post: dict[int, float] = {}
        for label, sim in self._caption_matches(query, neighbours, visible, v):
            if label >> 3 != exclude:
                by_post[label >> 3] = max(by_post.get(label >> 3, -1.0), sim)
        posts = [p for p in self.store.get_posts(list(by_post)) if p is not None and p.tags]
        if not posts:
            return {}, {}
        sims = np.array([by_post[p.id] for p in posts], np.float32)
        weights = np.exp((sims - sims.max()) / temperature)
        weights /= weights.sum()
        votes: dict[str, float] = {}
        voters: dict[str, int] = {}
        for post, w in zip(posts, weights):
            for tag in post.tags:
                votes[tag] = votes.get(tag, 0.0) + float(w)
                voters[tag] = voters.get(tag, 0) + 1
        return votes, voters

    def _ranked(self, scores: dict[str, float], why: dict[str, str], k: int, min_score: float,
                from_words: set[str] = frozenset()) -> list[TagSuggestion]:
        """Best first, blocklisted and stop words out, scores clipped to [0, 1]."""
        ranked = sorted(((t, sc) for t, sc in scores.items() if t not in self.blocklist and t not in STOP_WORDS),
                        key=lambda kv: -kv[1])
        return [TagSuggestion(t, round(min(sc, 1.0), 4), why[t], t in from_words)
                for t, sc in ranked if sc >= min_score][:k]

    def text_hashtags(self, text: str, scope: str, k: int = 8, min_score: float | None = None,
                      language: str | None = None) -> list[TagSuggestion]:
        """Hashtags for a caption alone (someone drafting a post before choosing the photo): the tags its
        words name, and others whose score clears `min_score` (default: the hashtag floor; these text
        scores are not calibrated, so the photo's floor is a cautious stand-in, docs/DESIGN-NOTES.md)."""
        if not WORD.search(text or ""):
            raise EmptyQueryError("the text has no words")
        v = self.view
        scores, why = self._text_tag_scores(text, self.encode_query(text, v, language), scope, v)
        visible = self._visible_count(scope)
        floor = self._relevance(v).floors_for(visible).hashtags if min_score is None else min_score
        written = named_by_words(why)
        ranked = self._ranked(scores, why, len(scores), float("-inf"), set(scores))
        return Answer(self._shown(ranked, floor, written, k), why_empty(visible))

    def _text_tag_scores(self, text: str, query: np.ndarray, scope: str, v: IndexView, neighbours: int = 25,
                         temperature: float = 0.05) -> tuple[dict[str, float], dict[str, str]]:
        """Tag scores for a text: hashtags of the posts whose captions are nearest, the hashtag head on
        the photos nearest in the text space, the vocabulary's tags that mean the same, and the
        words of the text that are known hashtags (or written as #tags)."""
        visible = self._visible(scope)
        scopes = visible_scopes(scope)
        scores: dict[str, float] = {}
        why: dict[str, str] = {}

        def add(tag: str, value: float, reason: str) -> None:
            scores[tag] = scores.get(tag, 0.0) + value
            why.setdefault(tag, reason)

        for tag in self._tags_in_words(text, scopes, v):
            add(tag, 0.5, IN_YOUR_WORDS)
        caption_votes, caption_voters = self._caption_votes(query, visible, v, None, neighbours, temperature)
        learned = {}
        if v.hashtag_head is not None:
            near = v.text.search(query, 10, visible)
            if near:
                sims = np.array([sim for _, sim in near], np.float32)
                w = np.exp((sims - sims.max()) / temperature)
                probs = (w / w.sum()) @ v.hashtag_head.predict(v.image.get_or_zero([pid for pid, _ in near]))
                learned = {v.hashtag_head.tags[j]: float(probs[j]) for j in np.argsort(-probs)[:20]}
        w_votes, w_head, w_zero = (0.4, 0.3, 0.3) if learned else (0.6, 0.0, 0.4)
        for tag, share in caption_votes.items():
            n = caption_voters[tag]
            add(tag, w_votes * share, f"on {n} post{'s' if n != 1 else ''} with a similar caption")
        for tag, h in learned.items():
            add(tag, w_head * h, "learned from tagged posts")
        for tag, z in self._zero_shot_tags(query, scopes, v).items():
            add(tag, w_zero * z, "means what your words say")
        # A prior: how often a tag is used here. Captions are short and often name one thing;
        # the hashtags people add to every post of a kind (#food) are rarely in the words.
        for tag, share in self._tag_prior(scopes).items():
            add(tag, 0.3 * share, "often used here")
        return scores, why

    def _tag_prior(self, scopes: frozenset[str], top: int = 20) -> dict[str, float]:
        """Share of the visible posts carrying each of the most used tags (cached until tags change)."""
        with self._lock:
            generation = self._tags_generation
            cached = self._priors.get(scopes)
            posts = sum(len(self._scope_members.get(s, ())) for s in scopes)
        if cached is not None and cached[0] == generation:
            return cached[1]
        counts = self.store.tag_counts(scopes)
        prior = {t: min(1.0, c / max(posts, 1)) for t, c in sorted(counts.items(), key=lambda kv: -kv[1])[:top]}
        with self._lock:
            self._priors[scopes] = (generation, prior)
        return prior

    def _tags_in_words(self, text: str, scopes: frozenset[str], v: IndexView) -> list[str]:
        """Hashtags written in the text, and its words (and word pairs: 'new york' -> newyork /
        new_york) that are hashtags used in these scopes; in scripts written without spaces (CJK),
        known hashtags found inside the text. Stop words never qualify."""
        written = normalize_tags(WRITTEN_HASHTAG.findall(text))
        plain = unicodedata.normalize("NFKC", WRITTEN_HASHTAG.sub(" ", text)).casefold()
        words = [w for w in re.findall(r"\w+", plain) if w not in STOP_WORDS and not w.isdigit()]
        candidates = words + [a + b for a, b in zip(words, words[1:])] + [f"{a}_{b}" for a, b in zip(words, words[1:])]
        vocabulary = self._vocabulary(scopes, v)[0]
        known = set(vocabulary)
        found = [c for c in normalize_tags(candidates) if c in known]
        found += [tag for tag in vocabulary if len(tag) >= 2 and CJK.search(tag) and tag in plain]
        return list(dict.fromkeys(written + found))

    def _neighbour_votes(self, vec: PhotoVectors, scope: str, own_id: int | None, v: IndexView,
                         neighbours: int = 25) -> tuple[dict[str, float], dict[str, int], float]:
        """Hashtags of the image neighbours: each tag's share of the neighbours' evidence plus a prior
        mass (relevance.py), how many carry it, and the evidence (0..1) the votes rest on."""
        found = [(pid, s) for pid, s in v.image.search(vec.features, neighbours + 1, self._visible(scope))
                 if pid != own_id][:neighbours]
        if not found:
            return {}, {}, 0.0
        posts = self.store.get_posts([pid for pid, _ in found])
        weights = self.relevance.neighbour_weights(np.array([s for _, s in found], np.float64))
        tagged = [(p, w) for p, w in zip(posts, weights) if p is not None and p.tags]
        if not tagged:
            return {}, {}, 0.0
        total = sum(w for _, w in tagged) + self.relevance.prior_mass
        votes: dict[str, float] = {}
        voters: dict[str, int] = {}
        for post, w in tagged:
            for tag in post.tags:
                votes[tag] = votes.get(tag, 0.0) + float(w / total)
                voters[tag] = voters.get(tag, 0) + 1
        return votes, voters, self.relevance.evidence(np.array([w for _, w in tagged]))

    def _vocabulary(self, scopes: frozenset[str], v: IndexView, max_vocab: int = 5000) -> tuple[list[str], np.ndarray]:
        """The most used hashtags visible from these scopes and their vectors in the view's space (cached)."""
        key = (scopes, v.projector_version)
        with self._lock:
            generation = self._tags_generation
            cached = self._vocabularies.get(key)
        if cached is not None and cached[0] == generation:
            return cached[1], cached[2]
        counts = self.store.tag_counts(scopes, min_count=1)
        tags = sorted(counts, key=lambda t: (-counts[t], t))[:max_vocab]
        missing = [t for t in tags if t not in self._tag_vectors]
        if missing:
            for tag, vec in zip(missing, self.text_encoder.encode([tag_to_words(t) for t in missing])):
                self._tag_vectors[tag] = vec
        matrix = np.array([self._tag_vectors[t] for t in tags], np.float32).reshape(-1, self.text_encoder.dim)
        matrix = v.projector.adapt_text(matrix) if len(tags) else np.zeros((0, v.text.dim), np.float32)
        with self._lock:
            self._vocabularies[key] = (generation, tags, matrix)
        return tags, matrix

    def _zero_shot_tags(self, text_vec: np.ndarray, scopes: frozenset[str], v: IndexView, top: int = 20,
                        temperature: float = 0.05) -> dict[str, float]:
        """Vocabulary hashtags whose words match the photo's text-space vector: softmax over the vocabulary,
        times how close the match is on an absolute scale (a best of 14 unrelated tags is no match)."""
        if not np.any(text_vec):
            return {}
        tags, matrix = self._vocabulary(scopes, v)
        if not tags:
            return {}
        sims = textspace.scores(matrix, text_vec)
        probs = np.exp((sims - sims.max()) / temperature)
        probs /= probs.sum()
        order = np.argsort(-probs)[:top]
        trust = self.relevance.zero_shot_trust(sims[order])
        return {tags[i]: float(probs[i] * t) for i, t in zip(order, trust)}


    # -- what the hashtag scoring above reads (until it moves to indexing/search/hashtags.py) ------
    @property
    def _lock(self):
        return self.catalogue.lock

    @property
    def _tags_generation(self) -> int:
        return self.catalogue.tags_generation

    @property
    def _scope_members(self) -> dict[str, set[int]]:
        return self.catalogue.scope_members

    def _forget_vocabularies(self) -> None:
        """The serving view changed: tag vectors live in its projector's space."""
        with self.catalogue.lock:
            self._vocabularies.clear()

    def _photo_vectors(self, photo: QueryPhoto, v: IndexView) -> tuple[PhotoVectors, int | None]:
        return self.photos.vectors(photo, v)

    def _text_of(self, vec: PhotoVectors, v: IndexView) -> np.ndarray:
        return self.projection.text_of(vec, v)

    def _visible(self, viewer: str, include_public: bool = True) -> ScopeFilter | None:
        return self.catalogue.visible(viewer, include_public)

    def _visible_count(self, scope: str, include_public: bool = True) -> int:
        return self.catalogue.visible_count(scope, include_public)

    def _relevance(self, v: IndexView | None = None) -> Relevance:
        return self.retrieval.relevance_for(v)

    def _caption_matches(self, query: np.ndarray, k: int, visible, v: IndexView) -> list[tuple[int, float]]:
        return self.retrieval.caption_matches(query, k, visible, v)

    # -- duplicates ----------------------------------------------------------------------------------
    def duplicate_candidates(self, photo: QueryPhoto, scope: str, include_public: bool = False,
                             k: int = 10) -> list[Candidate]:
        """(post id, feature cosine, pHash Hamming distance) of the posts this photo may re-post."""
        return self.duplicates.candidates(photo, scope, include_public, k)

    def duplicate_of(self, photo: QueryPhoto, scope: str, include_public: bool = False,
                     thresholds: Thresholds | None = None) -> DuplicateMatch | None:
        """The stored post this photo re-posts (within `scope`, plus public if asked), or None."""
        return self.duplicates.duplicate_of(photo, scope, include_public, thresholds)

    def check_repost(self, photo: QueryPhoto, scope: str, settings: ChatSettings,
                     message_id: int | None = None) -> Verdict:
        """Whether a photo re-posts one of the chat's, and its original (the policy: duplicates.py)."""
        return self.duplicates.check_repost(photo, scope, settings, message_id)

    # -- heads, rebuilds, releases -------------------------------------------------------------------
    def refit_projector(self, min_captioned: int = 50, replace_learned: bool = False) -> str | None:
        """Fit the cold-start projector on public photos + captions (not a learned one, unless asked)."""
        return self.lifecycle.refit_projector(min_captioned, replace_learned)

    def install_heads(self, heads: TrainedHeads, version: str | None = None, info: dict | None = None) -> dict[str, str]:
        """Make trained heads current for every process (stored in Redis with a new release)."""
        return self.lifecycle.install_heads(heads, version, info)

    def training_data(self, scope: str = PUBLIC, ids: list[int] | None = None) -> TrainingData:
        """Stored features, caption vectors and hashtags of a scope's posts, or of the given posts."""
        return self.lifecycle.training_data(scope, ids)

    def project_stored(self, ids: list[int], features: np.ndarray, projector) -> np.ndarray:
        """Stored posts' features (one row per id) in the text space of a projector (not necessarily
        the serving one: the promotion rule compares candidates)."""
        return self.projection.project_stored(ids, features, projector)

    def rebuild(self, info: dict | None = None, progress: Callable[[int, int], None] | None = None) -> str:
        """Build every index afresh from Redis (deleted posts compacted away), swap, publish a release."""
        return self.lifecycle.rebuild(info, progress)

    def publish_release(self, info: dict | None = None, keep: int = 3, lock_wait_s: float = 600) -> str:
        """Snapshot the serving indexes as a new release and make it every process's current one."""
        return self.lifecycle.publish_release(info, keep, lock_wait_s)

    def adopt_release(self, version: str, compact_above: float = 0.2) -> bool:
        """Serve another process's release (what changed rebuilt here, then swapped in)."""
        return self.lifecycle.adopt_release(version, compact_above)

    # -- what a chat front-end needs besides search -------------------------------------------------
    def chat_settings(self, scope: str) -> ChatSettings:
        return ChatSettings.from_redis(self.store.get_settings(validate_scope(scope)))

    def save_chat_settings(self, scope: str, settings: ChatSettings) -> None:
        self.store.set_settings(validate_scope(scope), settings.to_redis())

    def scope_ids(self, scope: str) -> list[int]:
        """Ids of the posts stored in one scope (from memory), sorted."""
        return self.catalogue.scope_ids(scope)

    def image_vectors(self, ids: list[int]) -> np.ndarray:
        """The photos' image vectors from the serving index (zeros for posts it does not hold)."""
        return self.view.image.get_or_zero(ids)

    def mark_message_deleted(self, post_id: int) -> None:
        """The bot deleted the post's message (a re-post in delete mode): it is never a link target."""
        self.store.set_fields(post_id, message_deleted="1")

    def remember_file_id(self, post_id: int, file_id: str) -> None:
        """Telegram's id of a photo the bot uploaded once, so it is sent by id afterwards."""
        self.store.set_fields(post_id, file_id=file_id)

    def photo_bytes(self, post: Post) -> bytes | None:
        """The stored photo's file, for posts imported from disk (None if it is gone)."""
        if not post.source:
            return None
        try:
            return read_bytes(post.source, self.max_photo_bytes)
        except BadImageError:
            return None

    def posts(self, ids: list[int]) -> list[Post | None]:
        """The stored posts (None where one is gone), in the order asked."""
        return self.store.get_posts(ids)

    def post(self, post_id: int) -> Post | None:
        return self.store.get_post(post_id)

    def thumbnails(self, ids: list[int]) -> list[bytes | None]:
        """The posts' small square JPEGs (the /map tiles), None where a post has none."""
        return self.store.get_thumbnails(ids)

    def post_count(self, scope: str | None = None) -> int:
        """Posts stored (in one scope, or everywhere), as Redis counts them."""
        return self.store.count(scope)

    def photo_maps(self, max_photos: int, cache_days: float, thumbnail_side: int):
        """The /map and /clusters service over this engine (indexing/maps.py)."""
        from indexing.maps import PhotoMaps

        return PhotoMaps(self, max_photos, cache_days, thumbnail_side)

    def update_inbox(self, bot_id: str):
        """Where a bot keeps its updates until handled (bot/inbox.py)."""
        return self.store.update_inbox(bot_id)

    def stats(self, scope: str | None = None) -> dict:
        per_scope = self.catalogue.scope_sizes()
        v = self.view
        out = {"posts": sum(per_scope.values()), "scopes": len(per_scope),
               "image_model": self.image_model, "text_model": self.text_model, "release": v.release,
               "projector": v.projector_version, "hashtag_head": v.hashtag_head_version,
               "captions_indexed": len(v.caption), "jobs": self.store.job_states()}
        if scope is not None:
            out["posts_in_scope"] = per_scope.get(scope, 0)
            out["top_tags"] = sorted(self.store.tag_counts([scope]).items(), key=lambda kv: -kv[1])[:10]
        return out
