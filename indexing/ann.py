"""An hnswlib index with integer labels, thread safety, privacy filtering and snapshots to bytes.

hnswlib must not add and query at the same time, so one lock guards the index. Queries that may
only see a small set of posts are answered by exact search over those posts (HNSW with a
filter that rejects most nodes degrades badly); larger ones use HNSW with a label filter.
"""
from __future__ import annotations

import os
import tempfile
import threading

import hnswlib
import numpy as np

_INITIAL_CAPACITY = 1024


class VectorIndex:
    """Cosine (inner product on L2-normalised vectors) search over labelled vectors.

    `post_shift` maps a label to its post id (label >> post_shift): 0 when one vector per post,
    3 for the caption index where a post's k-th caption has label post_id << 3 | k.
    """

    def __init__(self, dim: int, *, m: int = 16, ef_construction: int = 200, ef_search: int = 96,
                 post_shift: int = 0, exact_max: int = 4000) -> None:
        self.dim = dim
        self.m = m
        self.ef_construction = ef_construction
        self.ef_search = ef_search
        self.post_shift = post_shift
        self.exact_max = exact_max
        self._lock = threading.RLock()
        self._index = self._new_index(_INITIAL_CAPACITY)
        self._live: set[int] = set()

    def _new_index(self, capacity: int) -> hnswlib.Index:
        index = hnswlib.Index(space="ip", dim=self.dim)
        index.init_index(max_elements=capacity, ef_construction=self.ef_construction, M=self.m)
        index.set_ef(self.ef_search)
        index.set_num_threads(1)  # queries are already parallel across requests
        return index

    def __len__(self) -> int:
        return len(self._live)

    @property
    def deleted_share(self) -> float:
        """Share of the graph's elements that are deletion marks (compaction removes them)."""
        with self._lock:
            total = self._index.get_current_count()
            return 1.0 - len(self._live) / total if total else 0.0

    def __contains__(self, label: int) -> bool:
        return int(label) in self._live

    def labels(self) -> np.ndarray:
        with self._lock:
            return np.array(sorted(self._live), dtype=np.int64)

    # -- updates ---------------------------------------------------------------------------
    def add(self, labels, vectors: np.ndarray) -> None:
        labels = np.asarray(labels, dtype=np.int64).reshape(-1)
        vectors = np.asarray(vectors, dtype=np.float32).reshape(len(labels), self.dim)
        if len(labels) == 0:
            return
        with self._lock:
            needed = self._index.get_current_count() + len(labels)
            if needed > self._index.get_max_elements():
                self._index.resize_index(max(needed, 2 * self._index.get_max_elements()))
            # Re-adding a label (also a deleted one) replaces its vector.
            self._index.add_items(vectors, labels, num_threads=1)
            self._live.update(int(x) for x in labels)

    def remove(self, labels) -> None:
        with self._lock:
            for label in np.asarray(labels, dtype=np.int64).reshape(-1):
                if int(label) in self._live:
                    self._index.mark_deleted(int(label))
                    self._live.discard(int(label))

    def labels_of(self, labels) -> list[int]:
        """The given labels that are in the index, in their order."""
        with self._lock:
            return [int(x) for x in labels if int(x) in self._live]

    def get_or_zero(self, labels) -> np.ndarray:
        """Vectors of the labels, one row each, zeros for labels not (or no longer) in the index."""
        labels = [int(x) for x in labels]
        out = np.zeros((len(labels), self.dim), np.float32)
        with self._lock:
            rows = [i for i, label in enumerate(labels) if label in self._live]
            if rows:
                out[rows] = self._index.get_items([labels[i] for i in rows], return_type="numpy")
        return out

    def get(self, labels) -> np.ndarray:
        with self._lock:
            present = [int(x) for x in labels if int(x) in self._live]
            if not present:
                return np.zeros((0, self.dim), np.float32)
            return np.asarray(self._index.get_items(present, return_type="numpy"), dtype=np.float32)

    # -- search ----------------------------------------------------------------------------
    def search(self, query: np.ndarray, k: int, allowed_posts=None) -> list[tuple[int, float]]:
        """Top-k (label, cosine) for one query; only labels whose post is in allowed_posts if given.

        `allowed_posts` is any sized, iterable container of post ids (a set, or a scope filter
        that answers `in` without materialising the set).
        """
        query = np.asarray(query, dtype=np.float32).reshape(1, self.dim)
        with self._lock:
            if not self._live or k <= 0:
                return []
            if allowed_posts is None:
                return self._hnsw(query, min(k, len(self._live)), None)
            if len(allowed_posts) == 0:
                return []
            if len(allowed_posts) <= self.exact_max:
                return self._exact(query, k, self._allowed_labels(allowed_posts))
            shift = self.post_shift
            accept = (lambda label: (label >> shift) in allowed_posts) if shift else allowed_posts.__contains__
            try:
                # A post may own several labels (captions): cap k by posts only when it is one each.
                cap = len(allowed_posts) if shift == 0 else len(self._live)
                return self._hnsw(query, min(k, cap), accept)
            except RuntimeError:  # the filtered graph walk found fewer than k: answer exactly
                return self._exact(query, k, self._allowed_labels(allowed_posts))

    def _allowed_labels(self, allowed_posts) -> list[int]:
        shift = self.post_shift
        if len(allowed_posts) <= self.exact_max or len(allowed_posts) < (len(self._live) >> shift):
            per_post = range(1 << shift)
            return [(p << shift) | j for p in allowed_posts for j in per_post if ((p << shift) | j) in self._live]
        return [label for label in self._live if (label >> shift) in allowed_posts]

    def _hnsw(self, query: np.ndarray, k: int, accept) -> list[tuple[int, float]]:
        self._index.set_ef(max(self.ef_search, k))
        labels, distances = self._index.knn_query(query, k=k, filter=accept)
        return [(int(label), float(1.0 - d)) for label, d in zip(labels[0], distances[0])]

    def _exact(self, query: np.ndarray, k: int, candidates: list[int]) -> list[tuple[int, float]]:
        if not candidates:
            return []
        vecs = np.asarray(self._index.get_items(candidates, return_type="numpy"), dtype=np.float32)
        sims = vecs @ query[0]
        k = min(k, len(candidates))
        top = np.argpartition(-sims, k - 1)[:k]
        top = top[np.argsort(-sims[top])]
        return [(int(candidates[i]), float(sims[i])) for i in top]

    # -- snapshots -------------------------------------------------------------------------
    def to_bytes(self) -> tuple[bytes, np.ndarray]:
        """hnswlib's own file format (written to a temp file: hnswlib saves only to paths) and the
        live labels, taken together under the lock so they agree."""
        with self._lock:
            fd, path = tempfile.mkstemp(suffix=".hnsw")
            os.close(fd)
            try:
                self._index.save_index(path)
                with open(path, "rb") as fh:
                    return fh.read(), np.array(sorted(self._live), np.int64)
            finally:
                os.unlink(path)

    @classmethod
    def from_bytes(cls, blob: bytes, dim: int, live=None, **kwargs) -> "VectorIndex":
        """An index from `to_bytes` output; `live` lists the labels not deleted (else they are probed)."""
        index = cls(dim, **kwargs)
        fd, path = tempfile.mkstemp(suffix=".hnsw")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(blob)
            raw = hnswlib.Index(space="ip", dim=dim)
            raw.load_index(path, max_elements=0)
        finally:
            os.unlink(path)
        raw.set_ef(index.ef_search)  # ef is not saved with the index
        raw.set_num_threads(1)
        index._index = raw
        if live is not None:
            index._live = set(np.asarray(live, np.int64).tolist())
            return index
        # Deleted elements stay in the id list; get_items on them fails, which tells them apart.
        for label in raw.get_ids_list():
            try:
                raw.get_items([int(label)])
                index._live.add(int(label))
            except RuntimeError:
                pass
        return index
