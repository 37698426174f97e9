"""Scores in the text space when a vector may cover only part of it.

A text vector's squared norm is its coverage: the share of the text space's weight that speaks
for it (1 for English text; the multilingual part alone for other languages, see
models/encoders/multilingual.py; photos projected into the space always cover all of it). A score
is the weighted mean cosine over the parts both sides cover, so a French query's best match scores
like an English query's: query vectors are divided by their coverage once (`as_query`), and
`scores` divides by the other side's coverage where that is the smaller one. For vectors that
cover everything (any English-only setup) both are no-ops: plain dot products.
"""
from __future__ import annotations

import numpy as np

_TINY = 1e-6


def speaks(vectors: np.ndarray) -> np.ndarray:
    """Per row: whether anything speaks for the text there (a part of a vector is all zero for the
    texts its encoder does not read: models/encoders/multilingual.py)."""
    return np.linalg.norm(np.atleast_2d(np.asarray(vectors, np.float32)), axis=-1) > _TINY


def coverage(vectors: np.ndarray) -> np.ndarray:
    """Squared norms, with anything within rounding of 1 (float16 storage) counted as exactly 1."""
    c = np.sum(np.square(np.asarray(vectors, np.float32)), axis=-1)
    return np.where(np.abs(c - 1.0) < 0.02, 1.0, c)


def as_query(vector: np.ndarray) -> np.ndarray:
    """A text or photo vector as a query: divided by its coverage (a unit vector stays as it is)."""
    c = float(coverage(vector))
    return vector if c <= _TINY or c == 1.0 else (vector / c).astype(np.float32)


def covers_all(query: np.ndarray) -> bool:
    """Whether a query made by `as_query` is read by every part of the space (English text)."""
    c = float(coverage(query))
    return c <= _TINY or c == 1.0


def scores(rows: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Scores of stored vectors (rows, as projected: not divided) against a query made by `as_query`."""
    rows = np.asarray(rows, np.float32)
    raw = rows @ query
    q_cov = float(coverage(query))
    q_cov = 1.0 / q_cov if q_cov > _TINY else 1.0
    common = np.minimum(q_cov, coverage(rows))
    if np.all(common == 1.0):
        return raw
    return (raw * q_cov / np.maximum(common, _TINY)).astype(np.float32)
