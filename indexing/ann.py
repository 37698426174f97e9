"""The hnswlib vector index (what any backend offers: indexing/vectorindex.py): integer labels,
thread safety, privacy filtering and snapshots to bytes.

hnswlib must not add and query at the same time, so one lock guards the index. Queries that may
only see a small set of posts are answered by exact search over those posts (HNSW with a
filter that rejects most nodes degrades badly); larger ones use HNSW with a label filter.

Beside the graph, the vectors are kept as an int8 matrix with one float32 scale a row (what Redis
stores too: indexing/vectorblobs.py): hnswlib's get_items copies element by element under the GIL
(measured 0.27 ms per 2,560-d vector), which made exact search over a chat's scope and the
rescoring in `find` slow; a matrix row is a memcpy. It costs dim + 4 bytes a vector (float16 did
2 x dim; exact search keeps 0.993-0.995 of float32's top 10: docs/DESIGN-NOTES.md).
"""
from __future__ import annotations

import os
import tempfile
import threading
from dataclasses import dataclass

import hnswlib
import numpy as np

from indexing.vectorblobs import HALF, dequantise, int8_blob, int8_parts, is_int8, quantise

_INITIAL_CAPACITY = 1024


# A larger graph needs a wider search for the same recall: recall@10 of 128-d clustered vectors at 1M
# was 0.978 / 0.985 / 0.994 with ef 96 / 128 / 192 (1.0 with ef 96 at 100k), p50 still under 1.5 ms
# (`python -m bench backends --sizes 1000000 --backends hnswlib --efs 96,128,192,256`, docs/BENCHMARKS.md).
EF_BY_SIZE = ((500_000, 192), (200_000, 128))  # (at least this many vectors, ef at least)


def ef_for_size(n: int) -> int:
    """The smallest search ef an index of n vectors is searched with (the configured ef may be larger)."""
    return next((ef for size, ef in EF_BY_SIZE if n >= size), 0)


class HnswIndex:
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
        self.ef_by_size = True  # searched at least as wide as `ef_for_size` (off: exactly ef_search, a bench's sweep)
        self.post_shift = post_shift
        self.exact_max = exact_max
        self._lock = threading.RLock()
        self._index = self._new_index(_INITIAL_CAPACITY)
        self._live: dict[int, int] = {}  # label -> row of _matrix
        self._matrix = np.zeros((_INITIAL_CAPACITY, dim), np.int8)
        self._scales = np.zeros(_INITIAL_CAPACITY, np.float32)
        self._free_rows: list[int] = []
        self._next_row = 0

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
            rows = [self._row_for(int(label)) for label in labels]
            self._matrix[rows], self._scales[rows] = quantise(vectors)

    def _row_for(self, label: int) -> int:
        row = self._live.get(label)
        if row is None:
            if self._free_rows:
                row = self._free_rows.pop()
            else:
                row = self._next_row
                self._next_row += 1
                if row >= len(self._matrix):
                    self._grow(2 * len(self._matrix))
            self._live[label] = row
        return row

    def _grow(self, capacity: int) -> None:
        matrix = np.zeros((capacity, self.dim), np.int8)
        scales = np.zeros(capacity, np.float32)
        matrix[:len(self._matrix)], scales[:len(self._scales)] = self._matrix, self._scales
        self._matrix, self._scales = matrix, scales

    def _rows(self, rows: list[int]) -> np.ndarray:
        """Matrix rows as float32 vectors."""
        if not rows:
            return np.zeros((0, self.dim), np.float32)
        return dequantise(self._matrix[rows], self._scales[rows])

    def remove(self, labels) -> None:
        with self._lock:
            for label in np.asarray(labels, dtype=np.int64).reshape(-1):
                row = self._live.pop(int(label), None)
                if row is not None:
                    self._index.mark_deleted(int(label))
                    self._free_rows.append(row)

    def labels_of(self, labels) -> list[int]:
        """The given labels that are in the index, in their order."""
        with self._lock:
            return [int(x) for x in labels if int(x) in self._live]

    def get_or_zero(self, labels) -> np.ndarray:
        """Vectors of the labels, one row each, zeros for labels not (or no longer) in the index."""
        with self._lock:
            rows = [self._live.get(int(x), -1) for x in labels]
            out = self._rows(rows)
        out[[i for i, r in enumerate(rows) if r < 0]] = 0.0
        return out

    def get(self, labels) -> np.ndarray:
        """Vectors of the labels present in the index (absent ones are skipped)."""
        with self._lock:
            rows = [self._live[int(x)] for x in labels if int(x) in self._live]
            return self._rows(rows)

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
            # Exact when the visible set is small next to the index (a filter rejecting most nodes
            # makes the graph walk wander); when it is most of the index, the filtered walk is fast.
            if len(allowed_posts) <= self.exact_max and 2 * len(allowed_posts) < len(self._live):
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
        self._index.set_ef(max(self.ef_search, k, ef_for_size(len(self._live)) if self.ef_by_size else 0))
        labels, distances = self._index.knn_query(query, k=k, filter=accept)
        return [(int(label), float(1.0 - d)) for label, d in zip(labels[0], distances[0])]

    def _exact(self, query: np.ndarray, k: int, candidates: list[int]) -> list[tuple[int, float]]:
        if not candidates:
            return []
        rows = [self._live[c] for c in candidates]
        sims = (self._matrix[rows].astype(np.float32) @ query[0]) * self._scales[rows]
        k = min(k, len(candidates))
        top = np.argpartition(-sims, k - 1)[:k]
        top = top[np.argsort(-sims[top])]
        return [(int(candidates[i]), float(sims[i])) for i in top]

    # -- snapshots -------------------------------------------------------------------------
    def to_bytes(self) -> tuple[bytes, np.ndarray, bytes]:
        """hnswlib's own file format (written to a temp file: hnswlib saves only to paths), the
        live labels, and their vectors in that order as one int8 blob (indexing/vectorblobs.py),
        taken together under the lock."""
        with self._lock:
            fd, path = tempfile.mkstemp(suffix=".hnsw")
            os.close(fd)
            try:
                self._index.save_index(path)
                with open(path, "rb") as fh:
                    blob = fh.read()
            finally:
                os.unlink(path)
            live = np.array(sorted(self._live), np.int64)
            rows = [self._live[int(x)] for x in live]
            return blob, live, int8_blob(self._matrix[rows], self._scales[rows]) if rows else b""

    @classmethod
    def from_bytes(cls, blob: bytes, dim: int, live=None, vectors: bytes | None = None, **kwargs) -> "HnswIndex":
        """An index from `to_bytes` output; without `live` the deleted labels are probed, without
        `vectors` they are read back from the graph (slow: older snapshots only). `vectors` of
        releases saved before the int8 matrix (float16 rows) are converted as they load."""
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
        if live is None:
            # Deleted elements stay in the id list; get_items on them fails, which tells them apart.
            found = []
            for label in raw.get_ids_list():
                try:
                    raw.get_items([int(label)])
                    found.append(int(label))
                except RuntimeError:
                    pass
            live = np.array(sorted(found), np.int64)
        live = np.asarray(live, np.int64)
        if vectors is not None and is_int8(vectors) and (len(vectors) - 1) // (dim + 4) == len(live):
            codes, scales = int8_parts(vectors, dim)
        elif vectors is not None and len(vectors) == len(live) * dim * HALF().itemsize:
            codes, scales = quantise(np.frombuffer(vectors, HALF).reshape(len(live), dim))
        else:
            stored = raw.get_items(live.tolist(), return_type="numpy")
            codes, scales = quantise(np.asarray(stored, np.float32).reshape(-1, dim))
        index._grow(max(_INITIAL_CAPACITY, 2 * len(live)))
        index._matrix[:len(live)], index._scales[:len(live)] = codes, scales
        index._live = {int(label): row for row, label in enumerate(live.tolist())}
        index._next_row = len(live)
        return index


@dataclass(frozen=True)
class HnswBackend:
    """Makes HNSW indexes with one set of graph parameters (an `IndexBackend`)."""

    m: int = 16
    ef_construction: int = 200
    ef_search: int = 96
    exact_max: int = 4000
    shared = False  # each process holds its own copy, kept in step through the change log

    def new(self, dim: int, post_shift: int = 0) -> HnswIndex:
        return HnswIndex(dim, post_shift=post_shift, **self._params())

    def from_snapshot(self, blob: bytes, dim: int, live, vectors, post_shift: int = 0) -> HnswIndex:
        return HnswIndex.from_bytes(blob, dim, live, vectors, post_shift=post_shift, **self._params())

    # What a shared backend does at releases, nothing here: a release holds this process's bytes.
    def seal(self, index) -> None:
        pass

    def publish(self, kind: str, index) -> None:
        pass

    @staticmethod
    def collection_of(index) -> None:
        return None

    def drop_collections(self, names) -> list[str]:
        return []

    def drop_orphans(self, kept, older_than_s: float) -> list[str]:
        return []

    def close(self) -> None:
        pass

    def _params(self) -> dict:
        return dict(m=self.m, ef_construction=self.ef_construction, ef_search=self.ef_search,
                    exact_max=self.exact_max)
