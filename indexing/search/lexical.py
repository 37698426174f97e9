"""Words search: the text read from each post's photo (and its captions) matched word for word.

An in-memory inverted index of folded word trigrams (models/textfold.py: case, accents and OCR
look-alikes ignored). A post matches a query by pg_trgm's strict word similarity, as Immich's OCR
search (`%>>`) does: the trigram Jaccard of the query and the best span of whole words in the
post's text, so "meeting moved" finds a screenshot that says "THE MEETING M0VED TO 5PM" while
a text sharing one word ("meeting at 3") stays under the floor. Every process keeps its own,
filled from Redis with the catalogue and kept current from the change log (op `text`).

Memory: per post its folded text (one str) and one 4-byte posting per distinct trigram; a
post with ten words of read text takes ~0.4 KB (measured: tests/unit/test_lexical.py).
"""
from __future__ import annotations

import heapq
import math
import threading
from array import array
from typing import Container, Iterable

import numpy as np

from models.textfold import fold, trigrams, word_trigrams

# pg_trgm's default strict_word_similarity_threshold: under it a partial match is no match at all.
MIN_WORD_SIMILARITY = 0.5
RRF_K = 60  # Reciprocal Rank Fusion's constant (Cormack et al. 2009; OpenSearch, ParadeDB use it)
_OPENING_QUOTES, _CLOSING_QUOTES = "\"'“„«‘‚", "\"'”“»’‘"
_SEGMENTS = "\n"  # between a post's texts (its read text, each caption): a span never crosses one


def post_text(captions: Iterable[str], read_text: str) -> str:
    """What a post's words are matched against: its read text and captions, folded, one segment each."""
    segments = (fold(t) for t in (read_text, *captions) if t)
    return _SEGMENTS.join(s for s in segments if s)


def strict_word_similarity(query_grams: set[str], text: str, floor: float = 0.0) -> float:
    """The best trigram Jaccard between the query's trigrams and any span of whole words of one
    segment of `text` (folded); 0.0 when the best one is under `floor` (spans are cut short there)."""
    need = len(query_grams)
    if not need:
        return 0.0
    best = 0.0
    for segment in text.split(_SEGMENTS):
        words = [word_trigrams(w) for w in segment.split()]
        # the best span starts and ends on a word sharing a trigram with the query (an end word that
        # shares none only adds trigrams to the union)
        hits = [i for i, grams in enumerate(words) if not grams.isdisjoint(query_grams)]
        for first, start in enumerate(hits):
            span: set[str] = set()
            added = start
            for end in hits[first:]:
                for grams in words[added:end + 1]:
                    span |= grams
                added = end + 1
                # Jaccard <= |query| / |span|: a longer span can only do worse than what is held
                if need < max(best, floor) * len(span):
                    break
                shared = len(span & query_grams)
                best = max(best, shared / (need + len(span) - shared))
    return best if best >= floor else 0.0


def words_weight(query: str) -> float:
    """How much the words ranking weighs against the meaning's: twice as much for a query in quotes
    (`/find "meeting moved"` asks for these very words), as much otherwise."""
    q = query.strip()
    return 2.0 if len(q) > 2 and q[0] in _OPENING_QUOTES and q[-1] in _CLOSING_QUOTES else 1.0


def weighted_rrf(rankings: list[tuple[list[list[int]], float]], k: int = RRF_K) -> dict[int, float]:
    """Weighted Reciprocal Rank Fusion: each post scores sum(weight / (k + rank)) over the rankings it
    is in. A ranking is a list of tiers, best first (posts that tie share a rank: the next tier's
    rank counts them, like competition ranking "1, 1, 3")."""
    fused: dict[int, float] = {}
    for tiers, weight in rankings:
        rank = 1
        for tier in tiers:
            for pid in tier:
                fused[pid] = fused.get(pid, 0.0) + weight / (k + rank)
            rank += len(tier)
    return fused


def tiers(scored: list[tuple[int, float]]) -> list[list[int]]:
    """(post id, score) pairs, best first, grouped into ties (scores equal to 4 decimals)."""
    out: list[list[int]] = []
    last = None
    for pid, score in scored:
        key = round(score, 4)
        if out and key == last:
            out[-1].append(pid)
        else:
            out.append([pid])
        last = key
    return out


class LexicalIndex:
    """Posts' folded texts and an inverted index of their word trigrams (one lock guards both).

    A post whose text changes keeps its old postings until the next compaction (a query checks
    each candidate against its current text, so a stale posting costs a little time, never a
    wrong answer); the index compacts itself when stale postings outnumber live ones."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._texts: dict[int, str] = {}
        self._postings: dict[str, array] = {}
        self._live = 0  # postings of the current texts
        self._stale = 0  # postings left by deleted posts and changed texts

    def __len__(self) -> int:
        with self.lock:
            return len(self._texts)

    def __contains__(self, post_id: int) -> bool:
        with self.lock:
            return post_id in self._texts

    def text(self, post_id: int) -> str:
        """The folded text a post is matched against ("" when it has none)."""
        with self.lock:
            return self._texts.get(post_id, "")

    def replace_all(self, texts: Iterable[tuple[int, str]]) -> None:
        """Hold exactly these (post id, folded text) pairs (what Redis holds, see `post_text`)."""
        fresh = {pid: text for pid, text in texts if text}
        postings, live = _postings_of(fresh)
        with self.lock:
            self._texts, self._postings, self._live, self._stale = fresh, postings, live, 0

    def put(self, post_id: int, text: str) -> None:
        """A post's folded text (see `post_text`), new or changed; "" removes it."""
        if not text:
            self.forget([post_id])
            return
        with self.lock:
            old = self._texts.get(post_id)
            if old == text:
                return
            old_grams = trigrams(old) if old else set()
            new_grams = trigrams(text)
            for gram in new_grams - old_grams:
                self._postings.setdefault(gram, array("I")).append(post_id)
            self._texts[post_id] = text
            self._live += len(new_grams) - len(old_grams & new_grams)
            self._stale += len(old_grams - new_grams)
            self._compact_if_due()

    def forget(self, ids: Iterable[int]) -> None:
        with self.lock:
            for pid in ids:
                old = self._texts.pop(pid, None)
                if old is not None:
                    n = len(trigrams(old))
                    self._live -= n
                    self._stale += n
            self._compact_if_due()

    def _compact_if_due(self) -> None:
        if self._stale > max(self._live, 10_000):
            self._postings, self._live = _postings_of(self._texts)
            self._stale = 0

    def search(self, query: str, visible: Container[int] | None, limit: int,
               floor: float = MIN_WORD_SIMILARITY) -> list[tuple[int, float]]:
        """(post id, strict word similarity) of the visible posts whose words match the query at
        `floor` or more, best first, at most `limit` (`visible` None: every post)."""
        grams = trigrams(fold(query))
        if not grams or limit <= 0:
            return []
        with self.lock:
            found = [self._postings[g] for g in grams if g in self._postings]
            if not found:
                return []
            # copied while locked: an array cannot grow while a view of it exists
            ids = np.concatenate([np.frombuffer(a, np.uint32) for a in found])
        counts = np.bincount(ids)
        # shared trigrams bound the similarity (Jaccard <= shared / |query|): fewer can never reach the floor
        candidates = np.flatnonzero(counts >= max(1, math.ceil(floor * len(grams) - 1e-9)))
        if visible is not None:
            candidates = np.array([pid for pid in candidates.tolist() if pid in visible], np.int64)
        if not len(candidates):
            return []
        order = candidates[np.argsort(-counts[candidates], kind="stable")]
        best: list[tuple[float, int]] = []  # a min-heap of the `limit` best
        for pid in order.tolist():
            bound = min(1.0, counts[pid] / len(grams))
            if len(best) == limit and best[0][0] >= bound:
                break  # no candidate left can beat the worst one kept
            text = self.text(pid)
            score = strict_word_similarity(grams, text, floor) if text else 0.0
            if score <= 0.0:
                continue
            if len(best) < limit:
                heapq.heappush(best, (score, -pid))
            elif score > best[0][0]:
                heapq.heapreplace(best, (score, -pid))
        return [(-neg, score) for score, neg in sorted(best, reverse=True)]


def _postings_of(texts: dict[int, str]) -> tuple[dict[str, array], int]:
    postings: dict[str, array] = {}
    live = 0
    for pid, text in texts.items():
        grams = trigrams(text)
        live += len(grams)
        for gram in grams:
            postings.setdefault(gram, array("I")).append(pid)
    return postings, live
