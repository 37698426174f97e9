"""Retrieval: similar photos, photos matching a text (optionally with a photo), captions for a photo.

Every answer is visible from the viewer's scope, shows distinct photos (never the query photo or a
copy of it, one post per photo: indexing/distinct.py) and holds only what clears the answer kind's
relevance floor (indexing/relevance.py); an empty answer says why.
"""
from __future__ import annotations

import re
from typing import Iterable

import numpy as np

from indexing.chats import Thresholds
from indexing.distinct import distinct
from indexing.errors import EmptyQueryError
from indexing.relevance import ONLY_ITSELF, Answer, Relevance, why_empty
from indexing.scopes import validate_scope, visible_scopes
from indexing.search.catalogue import Catalogue, ScopeFilter
from indexing.search.duplicates import Duplicates, decide_duplicate
from indexing.search.lexical import MIN_WORD_SIMILARITY, LexicalIndex, tiers, weighted_rrf, words_weight
from indexing.search.projection import Projection
from indexing.search.queryphotos import QueryPhoto, QueryPhotos
from indexing.search.types import (CAPTION_SHIFT, MAX_CAPTIONS_PER_POST, MAX_QUERY_CHARS, CaptionHit, Hit,
                                   IndexView, PhotoVectors)
from indexing.search.views import Serving
from indexing.store import PostStore
from models import textspace
from models.encoders.base import TextEncoder


def fused(text_scores: np.ndarray, image_sims: np.ndarray, photo_weight: float) -> np.ndarray:
    """A text-and-photo query's score: the text match and the photo's similarity, weighted."""
    return (1 - photo_weight) * text_scores + photo_weight * image_sims


# "like this one, but ...", "comme celle-ci, mais ...": words that point at the replied photo, not what
# to find in others (the README's own wording for a text + photo query); what follows is the change asked
_POINTS_AT_THE_PHOTO = re.compile(
    r"^\s*(?:(?:something|one|a photo|photos?|pictures?)\s+)?(?:just\s+)?like\s+(?:this|that|it)"
    r"(?:\s+(?:one|photo|picture|pic))?\s*[,;:.!-]*\s*(?:but\s+)?"
    r"|^\s*(?:(?:une\s+)?photos?\s+)?comme\s+(?:celle|celui|ça|ca|cela)(?:[-\s]?(?:ci|là|la))?"
    r"\s*[,;:.!-]*\s*(?:mais\s+)?",
    re.IGNORECASE)


def change_asked(text: str) -> str:
    """What a text + photo query asks of the photo ("like this one, but at night" -> "at night"): the
    words pointing at the photo itself left out (English and French); the text as it is when that
    leaves nothing."""
    rest = _POINTS_AT_THE_PHOTO.sub("", text or "", count=1).strip()
    return rest or (text or "").strip()


def shown_score(hit: Hit) -> float:
    """The number shown under a result (bot.render.hit_caption): its words' match when that is the
    better one, else its score; a list of results is shown in this order."""
    return max(hit.score, hit.words)


def best_of(ids: list[int], photo_scores: np.ndarray, caption_scores: Iterable[tuple[int, float]]) -> np.ndarray:
    """Per post, the better of its photo's score and its best caption's ((caption label, score) pairs)."""
    best_caption = dict.fromkeys(ids, -1.0)
    for label, s in caption_scores:
        best_caption[label >> CAPTION_SHIFT] = max(best_caption[label >> CAPTION_SHIFT], float(s))
    return np.array([max(p, best_caption[pid]) for pid, p in zip(ids, photo_scores)], np.float32)


class Retrieval:
    def __init__(self, store: PostStore, text_encoder: TextEncoder, catalogue: Catalogue, serving: Serving,
                 photos: QueryPhotos, projection: Projection, duplicates: Duplicates, thresholds: Thresholds,
                 relevance: Relevance, lexicon: LexicalIndex | None = None) -> None:
        self.store = store
        self.text_encoder = text_encoder
        self.catalogue = catalogue
        self.serving = serving
        self.photos = photos
        self.projection = projection
        self.duplicates = duplicates
        self.thresholds = thresholds
        self.relevance = relevance  # floors, calibration, evidence weights
        self.learned_relevance = relevance.with_learned_heads()
        self.lexicon = lexicon if lexicon is not None else LexicalIndex()  # posts' words (read text, captions)
        self.words_floor = MIN_WORD_SIMILARITY  # a words match under it is no match (a benchmark may try others)

    # -- what holds for an answer -----------------------------------------------------------------
    def relevance_for(self, v: IndexView | None = None) -> Relevance:
        """The floors and calibration that hold for the view's heads (relevance.py: measured with the
        cold-start bridges; with learned heads only the image-cosine floor applies)."""
        projector = (v or self.serving.view).projector
        return self.relevance if projector.cold_start else self.learned_relevance

    def floor(self, kind: str, scope: str, include_public: bool = True, v: IndexView | None = None
              ) -> tuple[float, int]:
        """The answer kind's relevance floor for what the viewer sees, and how many posts that is."""
        visible = self.catalogue.visible_count(scope, include_public)
        return getattr(self.relevance_for(v).floors_for(visible), kind), visible

    def above_floor(self, hits: list[Hit], kind: str, scope: str, include_public: bool = True) -> Answer:
        """The hits that clear the answer kind's relevance floor (an empty answer says why)."""
        floor, visible = self.floor(kind, scope, include_public)
        return Answer([h for h in hits if h.score >= floor], why_empty(visible))

    def _hits(self, scored: list[tuple[int, float]], k: int, words: dict[int, float] | None = None) -> list[Hit]:
        scored = scored[:k]
        words = words or {}
        posts = self.store.get_posts([pid for pid, _ in scored])
        return [Hit(post, round(s, 4), round(words.get(pid, 0.0), 4))
                for post, (pid, s) in zip(posts, scored) if post is not None]

    def _distinct(self, ranked: list[tuple[int, float]], k: int, v: IndexView,
                  queries: list[PhotoVectors] = ()) -> list[tuple[int, float]]:
        """The best k of `ranked` with the query photos and their copies left out and each group of
        copies of one photo collapsed to its best-ranked post (see indexing/distinct.py)."""
        ids = [pid for pid, _ in ranked]
        return distinct(ranked, v.image.get_or_zero(ids), self.catalogue.phashes(ids), self.thresholds, k, queries)

    # -- photos ----------------------------------------------------------------------------------
    def similar_to_any(self, photos: list[QueryPhoto], scope: str, k: int = 5) -> list[Hit]:
        """The k visible photos most similar to any of the photos (an album), none of them a copy of one."""
        v = self.serving.view
        visible, scopes = self.catalogue.visible(scope), visible_scopes(scope)
        pool = 3 * k + 10  # room for the copies left out
        best: dict[int, float] = {}
        queries, exclude = [], set()
        for photo in photos:
            vec, own_id = self.photos.vectors(photo, v)
            queries.append(vec)
            exclude |= self.photos.same_photo(vec, own_id, scopes)
            for pid, s in v.image.search(vec.features, pool, visible):
                best[pid] = max(best.get(pid, -1.0), s)
        ranked = sorted(((pid, s) for pid, s in best.items() if pid not in exclude), key=lambda c: -c[1])
        answer = self.above_floor(self._hits(self._distinct(ranked, k, v, queries), k), "similar", scope)
        if not answer and (exclude & best.keys() or any(s >= self.thresholds.min_cosine for s in best.values())):
            answer.why_empty = ONLY_ITSELF  # the photo is known (sent before, or a copy of a stored one)
        return answer

    # -- texts -----------------------------------------------------------------------------------
    def encode_query(self, text: str, v: IndexView | None = None, language: str | None = None) -> np.ndarray:
        """A text in the space where it meets photos and captions (through the projector's text side),
        as a query (models/textspace.py); `language`: the user's, a hint for short texts."""
        text = (text or "").strip()
        if not text:
            raise EmptyQueryError("the query text is empty")
        vec = self.text_encoder.encode([text[:MAX_QUERY_CHARS]], language=language)
        return textspace.as_query((v or self.serving.view).projector.adapt_text(vec)[0])

    def caption_matches(self, query: np.ndarray, k: int, visible: ScopeFilter | None,
                        v: IndexView) -> list[tuple[int, float]]:
        """(caption label, score) of the k captions nearest a query, scored over the text-space parts
        both sides speak for (a French caption against an English query: the multilingual part)."""
        found = v.caption.search(query, k, visible)
        if not found:
            return []
        labels = [label for label, _ in found]
        sims = textspace.scores(v.caption.get_or_zero(labels), query)
        return sorted(zip(labels, sims.tolist()), key=lambda c: -c[1])

    def find(self, text: str, scope: str, k: int = 5, photo: QueryPhoto | None = None, photo_weight: float = 0.5,
             include_public: bool = True, language: str | None = None) -> list[Hit]:
        """Visible photos matching a text, optionally together with a photo ('like this, but at night');
        one post per photo, never the query photo or a copy of it. A photo is shown when its match
        clears the find floor or its words (read in it, or its captions') clear the words floor; shown
        best first by the number shown under it (`shown_score`).

        With a photo, the words say what to change ("at night", `change_asked`) and must fit: the text
        part of a candidate's score (the text-space match the find floor was measured on) clears that
        floor, or its words clear the words floor. The photo part only ranks them (score: text and
        photo fused by `photo_weight`): no image floor applies, as the `similar` floor measures "looks
        like this" and the query asks for something else. The fused score has no floor of its own."""
        v = self.serving.view
        if photo is not None:
            text = change_asked(text)
        query = self.encode_query(text, v, language)
        kind = "find" if textspace.covers_all(query) else "find_other_language"
        floor, visible = self.floor(kind, scope, include_public, v)
        ranked, photo_vec = self.find_ranked(v, query, text, scope, k, photo, photo_weight, include_public)
        words = {pid: w for pid, _, w in ranked}
        fits = {pid: s for pid, s, _ in ranked}  # the text part of each score
        if photo_vec is not None:
            fits = dict(zip(fits, self.text_scores(query, list(fits), v).tolist())) if fits else {}
        shown = [(pid, s) for pid, s, w in ranked if fits[pid] >= floor or w >= self.words_floor]
        kept = self._distinct(shown, k, v, [photo_vec] if photo_vec is not None else [])
        if photo_vec is not None:  # the words only let a photo through: the number shown is the fused match
            words = {}
        hits = sorted(self._hits(kept, k, words), key=lambda h: -shown_score(h))  # stable: ties keep the fusion's order
        return Answer(hits, why_empty(visible))

    def find_scored(self, v: IndexView, query: np.ndarray, text: str, scope: str, k: int,
                    photo: QueryPhoto | None, photo_weight: float, include_public: bool,
                    one_per_photo: bool = True) -> list[tuple[int, float]]:
        """(post id, text-space score) pairs in `find`'s ranking (the fusion's order: `find` then shows
        the k it keeps by the number shown under each), no floor applied, for a text already
        encoded on view `v` (one view from encoding to ranking). `one_per_photo=False` keeps copies
        of one photo."""
        ranked, photo_vec = self.find_ranked(v, query, text, scope, k, photo, photo_weight, include_public)
        ranked = [(pid, s) for pid, s, _ in ranked]
        if not one_per_photo:
            return ranked[:k]
        return self._distinct(ranked, k, v, [photo_vec] if photo_vec is not None else [])

    def find_ranked(self, v: IndexView, query: np.ndarray, text: str, scope: str, k: int,
                    photo: QueryPhoto | None, photo_weight: float,
                    include_public: bool) -> tuple[list[tuple[int, float, float]], PhotoVectors | None]:
        """Every candidate as (post id, text-space score, words similarity or 0), best first, and the
        query photo's vectors. Candidates are the visible posts nearest the query, the visible posts
        whose words match it, and (with a photo) the photo's nearest; with a photo the score is text
        and photo fused and the order is that score's (the words only say which fit: `find`); with
        words matches alone the order is the weighted Reciprocal Rank Fusion of both rankings, else
        the text-space score's (as before words)."""
        visible = self.catalogue.visible(scope, include_public=include_public)
        pool = max(4 * k, 40)
        candidates = {pid for pid, _ in v.text.search(query, pool, visible)}
        candidates |= {label >> CAPTION_SHIFT for label, _ in v.caption.search(query, pool, visible)}
        photo_vec = None
        words = dict(self.lexicon.search(text[:MAX_QUERY_CHARS], visible, pool, self.words_floor))
        candidates |= words.keys()
        if photo is not None:  # the words ask for a change to the photo ("at night"); its neighbours join
            photo_vec, own_id = self.photos.vectors(photo, v)
            candidates |= {pid for pid, _ in v.image.search(photo_vec.features, pool, visible)}
            scopes = visible_scopes(scope) if include_public else {scope}
            candidates -= self.photos.same_photo(photo_vec, own_id, scopes)
        if not candidates:
            return [], photo_vec
        ids = sorted(candidates)
        scores = self.text_scores(query, ids, v)
        if photo_vec is not None:
            scores = fused(scores, v.image.get_or_zero(ids) @ photo_vec.features, photo_weight)
        by_score = [(ids[i], float(scores[i])) for i in np.argsort(-scores)]
        if photo_vec is not None:  # ranked by the fused score; the words say which photos fit (`find`)
            return [(pid, s, words.get(pid, 0.0)) for pid, s in by_score], photo_vec
        if not words:
            return [(pid, s, 0.0) for pid, s in by_score], photo_vec
        by_words = sorted(words.items(), key=lambda c: -c[1])
        rrf = weighted_rrf([(tiers(by_score), 1.0), (tiers(by_words), words_weight(text))])
        score_of = dict(by_score)
        order = sorted(ids, key=lambda pid: (-rrf[pid], -score_of[pid], pid))
        return [(pid, score_of[pid], words.get(pid, 0.0)) for pid in order], photo_vec

    def text_scores(self, query: np.ndarray, ids: list[int], v: IndexView) -> np.ndarray:
        """Per post: the better of its photo's text-space match and its best caption match."""
        photo_scores = textspace.scores(v.text.get_or_zero(ids), query)
        # one lookup for all candidates' caption slots: on a shared backend each `in` is a round trip
        labels = v.caption.labels_of([pid << CAPTION_SHIFT | j for pid in ids for j in range(MAX_CAPTIONS_PER_POST)])
        caption_scores = zip(labels, textspace.scores(v.caption.get_or_zero(labels), query)) if labels else ()
        return best_of(ids, photo_scores, caption_scores)

    # -- captions --------------------------------------------------------------------------------
    def captions(self, photo: QueryPhoto, scope: str, k: int = 5) -> list[CaptionHit]:
        """Visible captions that match a photo, best first; a copy's own captions come first (they
        describe this very photo, e.g. the public collection's caption of a photo someone forwards),
        the query photo's own captions never (its post, or the same bytes in the viewer's own chat:
        the message it was sent in)."""
        v = self.serving.view
        vec, own_id = self.photos.vectors(photo, v)
        visible = self.catalogue.visible(scope)
        itself = self.photos.same_photo(vec, own_id, [validate_scope(scope)])
        out: dict[str, CaptionHit] = {}
        dup = decide_duplicate([c for c in self.duplicates.candidates(vec, scope, include_public=True)
                                if c[0] not in itself], self.thresholds)
        dup_post = self.store.get_post(dup[0]) if dup else None
        if dup_post is not None:
            for caption in dup_post.captions:
                out.setdefault(caption, CaptionHit(caption, round(dup[1], 4), dup_post.id))
        found = [(label, s) for label, s in self.caption_matches(self.projection.text_of(vec, v), 4 * k, visible, v)
                 if label >> CAPTION_SHIFT not in itself]
        posts = {p.id: p for p in self.store.get_posts(sorted({label >> CAPTION_SHIFT for label, _ in found})) if p}
        for label, s in found:
            post = posts.get(label >> CAPTION_SHIFT)
            if post is None or (label & 7) >= len(post.captions):
                continue
            caption = post.captions[label & 7]
            out.setdefault(caption, CaptionHit(caption, round(s, 4), post.id))
        ranked = sorted(out.values(), key=lambda h: -h.score)[:k]
        # a duplicate's own captions are right whatever their score; the others must clear the floor
        visible_posts = self.catalogue.visible_count(scope)
        floor = self.relevance_for().floors_for(visible_posts).captions
        copy_of = dup_post.id if dup_post is not None else None
        return Answer([h for h in ranked if h.score >= floor or h.post_id == copy_of], why_empty(visible_posts))
