"""What the engine asks of a vector index, so a second backend is a new module (indexing/ann.py is hnswlib's).

Labels are integers; `post_shift` maps a label to its post id (label >> post_shift): 0 when one
vector per post, 3 for the caption index where a post's k-th caption has label post_id << 3 | k.
Vectors are L2-normalised; scores are cosines.
"""
from __future__ import annotations

from typing import Collection, Iterable, Protocol

import numpy as np


class VectorIndex(Protocol):
    dim: int
    post_shift: int

    def __len__(self) -> int: ...

    def __contains__(self, label: int) -> bool: ...

    @property
    def deleted_share(self) -> float:
        """Share of the stored elements that are deletion marks (a rebuild compacts them)."""

    def labels(self) -> np.ndarray: ...

    def add(self, labels: Iterable[int], vectors: np.ndarray) -> None:
        """Add or replace the labels' vectors."""

    def remove(self, labels: Iterable[int]) -> None: ...

    def labels_of(self, labels: Iterable[int]) -> list[int]:
        """The given labels that are in the index, in their order."""

    def get_or_zero(self, labels: Iterable[int]) -> np.ndarray:
        """One row per label, zeros for labels not in the index."""

    def get(self, labels: Iterable[int]) -> np.ndarray:
        """The rows of the labels present (absent ones skipped)."""

    def search(self, query: np.ndarray, k: int, allowed_posts: Collection[int] | None = None) -> list[tuple[int, float]]:
        """Top-k (label, cosine), only labels whose post is in `allowed_posts` when given."""

    def to_bytes(self) -> tuple[bytes, np.ndarray, bytes]:
        """(the backend's own blob, the live labels, their vectors as one int8 blob: indexing/vectorblobs.py):
        a release snapshot."""


class IndexBackend(Protocol):
    """Makes the indexes of one kind, empty or from a release snapshot (`VectorIndex.to_bytes`).

    `shared`: every process reads and writes the same indexes (Milvus): the process that stores a post
    writes its rows once, the others only learn of it; a snapshot is a reference to them, not a copy.
    False (hnswlib): each process holds its own copy and applies the change log to it.
    """

    shared: bool

    def new(self, dim: int, post_shift: int = 0) -> VectorIndex: ...

    def from_snapshot(self, blob: bytes, dim: int, live: np.ndarray | None, vectors: bytes | None,
                      post_shift: int = 0) -> VectorIndex:
        """Raises RuntimeError when the blob is unreadable (or names an index that is gone)."""

    def seal(self, index: VectorIndex) -> None:
        """Before a new index serves: what was added is indexed (Milvus: flushed, its graph built)."""

    def publish(self, kind: str, index: VectorIndex) -> None:
        """The index now serves as `kind` ("image", "text", "caption"): Milvus points its alias at it."""

    def collection_of(self, index: VectorIndex) -> str | None:
        """The name a release's manifest records for the index (None: a copy, not a shared index)."""

    def drop_collections(self, names: Iterable[str]) -> list[str]:
        """Drop indexes a trimmed release named (never one that serves). Returns those dropped."""

    def drop_orphans(self, kept: Iterable[str], older_than_s: float) -> list[str]:
        """Drop indexes no kept release names, made more than `older_than_s` ago (a builder killed before it
        published them). Returns those dropped."""

    def close(self) -> None: ...
