"""Answers show distinct photos: never the query photo again, never several copies of one photo.

A copy here is what the re-post check calls one (`Thresholds.matches` on feature cosine and pHash
distance), so "the same photo" means the same thing in /similar, /find and the re-post flag.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import numpy as np

from indexing.chats import Thresholds
from models.phash import hamming

if TYPE_CHECKING:
    from indexing.search import PhotoVectors


def distinct(ranked: list[tuple[int, float]], features: np.ndarray, hashes: np.ndarray, thresholds: Thresholds,
             k: int, queries: Sequence[PhotoVectors] = ()) -> list[tuple[int, float]]:
    """The first k of `ranked` (post id, score; best first) that are neither a copy of a query photo
    nor a copy of a better-ranked result kept before them.

    `features[i]` (L2-normalised image features, zeros when unknown) and `hashes[i]` (pHash) belong
    to `ranked[i]`.
    """
    if not ranked:
        return []
    hashes = np.asarray(hashes, np.uint64)
    query_closeness = [(features @ q.features,
                        np.minimum(hamming(q.phash, hashes), hamming(q.phash_mirror, hashes))) for q in queries]
    kept: list[int] = []
    for i in range(len(ranked)):
        if any(thresholds.matches(float(cos[i]), int(ham[i])) for cos, ham in query_closeness):
            continue
        cos, ham = features[kept] @ features[i], hamming(int(hashes[i]), hashes[kept])
        if any(thresholds.matches(float(c), int(h)) for c, h in zip(cos, ham)):
            continue
        kept.append(i)
        if len(kept) == k:
            break
    return [ranked[i] for i in kept]
