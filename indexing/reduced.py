"""The image index over a PCA projection of the features, rescored on the full features.

hnswlib keeps a float32 copy of every vector, so the graph of 2,560-d features cost ~14 KB a
photo; an uncentred PCA to 128 dimensions, fitted on the store's own photos, keeps the raw
geometry best of the reductions measured (docs/DESIGN-NOTES.md "Smaller vectors"). Its cosines
still reorder the near-ties of the CNN cone, so no reader ever sees them: a search asks the
reduced index for a wider pool and reorders it by the exact cosine on the full features Redis
keeps (int8 rows, one pipelined read), and `get` / `get_or_zero` return the full features. So
duplicates, similar photos and hashtag votes read the same cosines as with a full index.

The text and caption indexes (the text space: models/textspace.py) are reduced with a block basis:
one uncentred PCA per language part, each reduced block scaled back to the norm its full block had,
so a text's coverage (which parts speak for it) is exact and `textspace.scores` works unchanged on
the reduced rows. The caption index is rescored like the image index (a caption's full row is its
sentence vector from Redis through the projector's text side: ~0.05 ms). The text index is not: a
photo's full row is its features through the projector (~0.8 ms a photo, 90 ms a find measured), so
without `full_rows` an index answers with its own scores, and its rows are the reduced ones lifted
back into the full space (their scores against a full query are the index's; their coverage exact).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable

import numpy as np

from indexing.vectorindex import VectorIndex

log = logging.getLogger(__name__)

# A search takes max(RESCORE_FACTOR x k, RESCORE_MIN) candidates from the reduced index: its top 40
# holds 0.999 of the full features' top 10 at 128 dimensions (bench reduce).
RESCORE_FACTOR = 4
RESCORE_MIN = 40
# A basis needs this many photos a dimension (else the index keeps the full features): fewer
# photos than dimensions cannot give the components at all, and a basis from a few hundred photos
# fits the photos that come next poorly, while a full index of 500 photos costs ~7 MB.
PHOTOS_PER_DIM = 4
FIT_SAMPLE = 20_000  # photos the basis is fitted on at most (evenly spread over the store)
REFIT_GROWTH = 2  # the next rebuild fits again once the store has grown this much since the fit


Ranges = tuple[tuple[int, int], ...]  # (start, stop) column ranges


@dataclass(frozen=True)
class Basis:
    """Orthonormal columns (features x dims): an uncentred PCA of the store's photos. With `parts`
    it is block-diagonal: part i's feature columns (`parts[i]`, ranges) are reduced to the next
    `kept[i]` dimensions alone, and each reduced block keeps its full block's norm."""

    matrix: np.ndarray
    photos: int  # photos in the store when it was fitted
    version: str
    parts: tuple[Ranges, ...] = ()
    kept: tuple[int, ...] = ()

    @property
    def dims(self) -> int:
        return self.matrix.shape[1]

    @property
    def features(self) -> int:
        return self.matrix.shape[0]

    def lift(self, reduced: np.ndarray) -> np.ndarray:
        """Reduced rows back in the full space (the part the basis spans): `lift(r) @ q == r @ project(q)`
        for a block basis, and each block keeps its norm (the columns are orthonormal)."""
        return np.asarray(reduced, np.float32).reshape(-1, self.dims) @ self.matrix.T

    def project(self, rows: np.ndarray) -> np.ndarray:
        """Rows in the reduced space, L2-normalised (the index compares inner products), or with a block
        basis each block at its full block's norm; a zero row (block) stays zero."""
        rows = np.asarray(rows, np.float32).reshape(-1, self.features)
        reduced = rows @ self.matrix
        if not self.parts:
            return _scaled(reduced, np.ones((len(rows), 1), np.float32))
        start = 0
        for ranges, kept in zip(self.parts, self.kept):
            block = slice(start, start + kept)
            reduced[:, block] = _scaled(reduced[:, block], np.linalg.norm(rows[:, columns_of(ranges)], axis=1,
                                                                           keepdims=True))
            start += kept
        return reduced

    def meta(self) -> dict:
        blocks = {"parts": [[list(r) for r in ranges] for ranges in self.parts], "kept": list(self.kept)}
        return {"dims": self.dims, "photos": self.photos, "version": self.version, **(blocks if self.parts else {})}

    def to_bytes(self) -> bytes:
        return np.ascontiguousarray(self.matrix, np.float32).tobytes()

    @classmethod
    def from_bytes(cls, blob: bytes, features: int, meta: dict) -> "Basis":
        matrix = np.frombuffer(blob, np.float32)
        if len(matrix) != features * meta["dims"]:
            raise ValueError(f"a basis of {len(blob)} bytes is not {features} x {meta['dims']}")
        parts = tuple(tuple((int(a), int(b)) for a, b in ranges) for ranges in meta.get("parts", ()))
        kept = tuple(int(k) for k in meta.get("kept", ()))
        if len(parts) != len(kept) or sum(kept) not in (0, meta["dims"]) or \
                any(b > features for ranges in parts for _, b in ranges):
            raise ValueError(f"a basis's parts {meta.get('parts')} do not fit {features} x {meta['dims']}")
        return cls(matrix.reshape(features, meta["dims"]).copy(), int(meta["photos"]), str(meta["version"]),
                   parts, kept)


def _scaled(rows: np.ndarray, norms: np.ndarray) -> np.ndarray:
    """Rows rescaled to the given norms (a zero row stays zero)."""
    own = np.linalg.norm(rows, axis=1, keepdims=True)
    return np.divide(rows * norms, own, out=np.zeros_like(rows), where=own > 0)


def columns_of(ranges: Ranges) -> np.ndarray:
    return np.concatenate([np.arange(a, b) for a, b in ranges]) if ranges else np.zeros(0, int)


def min_photos(dims: int) -> int:
    return PHOTOS_PER_DIM * dims


def sample_ids(ids: list[int], at_most: int = FIT_SAMPLE) -> list[int]:
    """At most `at_most` of the ids, evenly spread (old and new photos alike; the same ids every time)."""
    ids = sorted(ids)
    if len(ids) <= at_most:
        return ids
    return [ids[i] for i in np.linspace(0, len(ids) - 1, at_most).astype(int)]


def fit_basis(features: np.ndarray, dims: int, photos: int, version: str) -> Basis:
    """The top `dims` right singular vectors of the feature rows (not centred: the index compares
    the raw cosines, and centring would measure them around the store's mean photo instead)."""
    _, top = _top_components(np.asarray(features, np.float32), dims)
    return Basis(top.astype(np.float32), photos, version)


def fit_block_basis(rows: np.ndarray, parts: list[Ranges], dims: int, photos: int, version: str) -> Basis:
    """A block basis (see `Basis`): each part's uncentred PCA on the rows that speak there (a part is zero
    for the texts its encoder does not read), the `dims` dimensions shared between the parts by their
    mean squared singular value, the largest first whichever part, at least one a part."""
    rows = np.asarray(rows, np.float32)
    fits = []
    for ranges in parts:
        block = rows[:, columns_of(ranges)]
        block = block[np.linalg.norm(block, axis=1) > 1e-6]
        if not len(block):
            raise ValueError(f"no row speaks for the columns {ranges}")
        values, vectors = _top_components(block, dims)
        fits.append((values / len(block), vectors))
    ranked = sorted(((v, i) for i, (values, _) in enumerate(fits) for v in values[1:]), reverse=True)
    kept = [1] * len(parts)
    for _, i in ranked[:max(0, dims - len(parts))]:
        kept[i] += 1
    matrix = np.zeros((rows.shape[1], sum(kept)), np.float32)
    start = 0
    for ranges, (_, vectors), k in zip(parts, fits, kept):
        matrix[columns_of(ranges), start:start + k] = vectors[:, :k]
        start += k
    return Basis(matrix, photos, version, tuple(tuple(r) for r in parts), tuple(kept))


def _top_components(rows: np.ndarray, dims: int) -> tuple[np.ndarray, np.ndarray]:
    """(eigenvalues, eigenvectors as columns) of the rows' Gram matrix, the top `dims`, largest first."""
    from scipy.linalg import eigh

    n = rows.shape[1]
    keep = min(dims, len(rows), n)
    # Only the top `keep` eigenpairs of the Gram matrix (2.3x faster than all 2,560 of them, measured).
    values, vectors = eigh((rows.T @ rows).astype(np.float64), subset_by_index=[n - keep, n - 1], driver="evr")
    order = np.argsort(-values)
    top = vectors[:, order]
    # A sign per column so one store's basis does not depend on the LAPACK build.
    top *= np.where(top[np.abs(top).argmax(axis=0), np.arange(top.shape[1])] < 0, -1.0, 1.0)
    return values[order], top


class ReducedIndex:
    """A `VectorIndex` of full features that stores their projection on a basis (see the module doc).

    `full_rows(labels)`: the labels' full features, one row each, zeros for a label without any; None:
    no rescoring (the index's own scores, its rows lifted back into the full space).
    """

    def __init__(self, inner: VectorIndex, basis: Basis, full_rows: Callable[[list[int]], np.ndarray] | None) -> None:
        if inner.dim != basis.dims:
            raise ValueError(f"an index of {inner.dim} dimensions cannot hold a {basis.dims}-d projection")
        self.inner = inner
        self.basis = basis
        self.full_rows = full_rows
        self.dim = basis.features
        self.post_shift = inner.post_shift

    def __len__(self) -> int:
        return len(self.inner)

    def __contains__(self, label: int) -> bool:
        return label in self.inner

    @property
    def deleted_share(self) -> float:
        return self.inner.deleted_share

    def labels(self) -> np.ndarray:
        return self.inner.labels()

    def add(self, labels, vectors: np.ndarray) -> None:
        self.inner.add(labels, self.basis.project(vectors))

    def remove(self, labels) -> None:
        self.inner.remove(labels)

    def labels_of(self, labels) -> list[int]:
        return self.inner.labels_of(labels)

    def get_or_zero(self, labels) -> np.ndarray:
        labels = [int(x) for x in labels]
        present = set(self.inner.labels_of(labels))
        rows = self._full(labels)
        rows[[i for i, label in enumerate(labels) if label not in present]] = 0.0
        return rows

    def get(self, labels) -> np.ndarray:
        return self._full(self.inner.labels_of(labels))

    def search(self, query: np.ndarray, k: int, allowed_posts=None) -> list[tuple[int, float]]:
        """The top k by the full features' cosine among the reduced index's wider pool (without `full_rows`:
        the reduced index's own top k)."""
        query = np.asarray(query, np.float32).reshape(self.dim)
        if k <= 0:
            return []
        if self.full_rows is None:  # the query's plain coordinates: the scores `get_or_zero`'s rows give it
            return self.inner.search(query @ self.basis.matrix, k, allowed_posts)
        pool = self.inner.search(self.basis.project(query)[0], max(RESCORE_FACTOR * k, RESCORE_MIN), allowed_posts)
        if not pool:
            return []
        labels = [label for label, _ in pool]
        sims = self._full(labels) @ query
        top = np.argsort(-sims, kind="stable")[:k]
        return [(labels[i], float(sims[i])) for i in top]

    def _full(self, labels: list[int]) -> np.ndarray:
        if not labels:
            return np.zeros((0, self.dim), np.float32)
        if self.full_rows is None:
            return self.basis.lift(self.inner.get_or_zero(labels))
        return np.asarray(self.full_rows(labels), np.float32).reshape(len(labels), self.dim)

    def to_bytes(self) -> tuple[bytes, np.ndarray, bytes]:
        return self.inner.to_bytes()


def basis_of(index: VectorIndex) -> Basis | None:
    return index.basis if isinstance(index, ReducedIndex) else None
