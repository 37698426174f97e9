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
    query_copy = np.zeros(len(ranked), bool)
    for q in queries:
        query_copy |= thresholds.matches(features @ q.features,
                                         np.minimum(hamming(q.phash, hashes), hamming(q.phash_mirror, hashes)))
    kept: list[int] = []
    for i in np.flatnonzero(~query_copy).tolist():
        if kept and thresholds.matches(features[kept] @ features[i], hamming(int(hashes[i]), hashes[kept])).any():
            continue
        kept.append(i)
        if len(kept) == k:
            break
    return [ranked[i] for i in kept]
