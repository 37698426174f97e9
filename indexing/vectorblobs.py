"""How vectors are stored in Redis: float16 rows, or for some kinds only their largest entries."""
from __future__ import annotations

import numpy as np

VECTOR_DTYPE = np.float16  # halves Redis memory; cosine error ~1e-3, far below any threshold we use

# Kinds of vector of which only the largest entries are ever read, stored as the top few (index,
# value) pairs: class probabilities (the class bridge reads the top 10, hashtags the top 4 x k,
# maps the top classes of a mean) take 128 bytes instead of 2,000 (docs/SCALING.md).
TOP_ONLY = {"probs": 32}


def to_blob(vector: np.ndarray, top: int | None = None) -> bytes:
    """float16 rows; with `top`, one row as its `top` largest entries: uint16 indexes, then float16 values."""
    if top is None or 2 * top >= np.size(vector):  # so a kept blob is always shorter than one row
        return np.asarray(vector, dtype=VECTOR_DTYPE).tobytes()
    row = np.asarray(vector, np.float32).reshape(-1)
    keep = np.sort(np.argpartition(-row, top - 1)[:top])
    return keep.astype(np.uint16).tobytes() + row[keep].astype(VECTOR_DTYPE).tobytes()


def from_blob(blob: bytes, dim: int, top: int | None = None) -> np.ndarray:
    """Rows as float32; a `top` blob comes back dense, zeros where nothing was kept. A blob of full
    rows is read as such whatever `top` says (posts stored before the kind was kept sparse)."""
    if top is None or len(blob) % (dim * VECTOR_DTYPE().itemsize) == 0:
        return np.frombuffer(blob, dtype=VECTOR_DTYPE).astype(np.float32).reshape(-1, dim)
    n = len(blob) // 4
    row = np.zeros((1, dim), np.float32)
    row[0, np.frombuffer(blob[:2 * n], np.uint16)] = np.frombuffer(blob[2 * n:], VECTOR_DTYPE)
    return row
