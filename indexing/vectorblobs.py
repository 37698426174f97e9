"""How vectors are stored: int8 rows with one float32 scale a row (Redis and the indexes' side
matrices), or for some kinds only their largest entries.

int8 with a symmetric row scale (max |x| / 127) keeps a 2,560-d feature's cosine to the float32
row above 0.999 and 0.993-0.995 of exact search's float32 top 10 (docs/DESIGN-NOTES.md
"Smaller vectors"), at half float16's bytes. Blobs written before (float16 rows) are still read:
an int8 blob starts with a format tag and is padded to an odd length, a float16 blob's length is
always even. Length alone could not tell them apart: n int8 rows take n x (dim + 4) bytes and m
float16 rows m x 2 x dim, equal whenever n x (dim + 4) = 2 x m x dim (dim 4 with n = m; dim 12 with
3 rows against 2).
"""
from __future__ import annotations

import numpy as np

HALF = np.float16  # rows written before the int8 format (still read), and a top-only blob's values
INT8_TAG = b"\x01"  # first byte of an int8 blob
_BLOCK = 128  # rows quantised at a time

# Kinds of vector of which only the largest entries are ever read, stored as the top few (index,
# value) pairs: class probabilities (the class bridge reads the top 10, hashtags the top 4 x k,
# maps the top classes of a mean) take 128 bytes instead of 2,000 (docs/SCALING.md).
TOP_ONLY = {"probs": 32}


def quantise(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(int8 rows, float32 scale a row) with rows ~ int8 x scale; a zero row has scale 0."""
    rows = np.asarray(rows, np.float32)
    rows = rows.reshape(-1, rows.shape[-1])
    scales = np.maximum(rows.max(axis=1, initial=0.0), -rows.min(axis=1, initial=0.0)) / np.float32(127)
    inverse = np.divide(1.0, scales, out=np.zeros_like(scales), where=scales > 0)
    codes = np.empty(rows.shape, np.int8)
    # In blocks: temporaries as big as a batch of rows stay in the process's heap once freed
    # (glibc's growing mmap threshold), which showed as resident memory of the index.
    for start in range(0, len(rows), _BLOCK):
        block = rows[start:start + _BLOCK] * inverse[start:start + _BLOCK, None]
        codes[start:start + _BLOCK] = np.clip(np.rint(block, out=block), -127, 127, out=block)
    return codes, scales


def dequantise(codes: np.ndarray, scales: np.ndarray) -> np.ndarray:
    return codes.astype(np.float32) * scales[:, None]


def to_blob(vector: np.ndarray, top: int | None = None) -> bytes:
    """int8 rows (tag, scales, rows); with `top`, one row as its `top` largest entries: uint16
    indexes, then float16 values."""
    if top is None or 2 * top >= np.size(vector):  # so a kept blob is always shorter than one row
        return int8_blob(*quantise(vector))
    row = np.asarray(vector, np.float32).reshape(-1)
    keep = np.sort(np.argpartition(-row, top - 1)[:top])
    return keep.astype(np.uint16).tobytes() + row[keep].astype(HALF).tobytes()


def int8_blob(codes: np.ndarray, scales: np.ndarray) -> bytes:
    blob = INT8_TAG + np.asarray(scales, np.float32).tobytes() + np.asarray(codes, np.int8).tobytes()
    return blob if len(blob) % 2 else blob + b"\x00"


def int8_parts(blob: bytes, dim: int) -> tuple[np.ndarray, np.ndarray]:
    """(int8 rows, scales) of an int8 blob."""
    n = (len(blob) - 1) // (dim + 4)
    scales = np.frombuffer(blob, np.float32, count=n, offset=1)
    codes = np.frombuffer(blob, np.int8, count=n * dim, offset=1 + 4 * n).reshape(n, dim)
    return codes, scales


def is_int8(blob: bytes) -> bool:
    return len(blob) % 2 == 1 and blob[:1] == INT8_TAG


def from_blob(blob: bytes, dim: int, top: int | None = None) -> np.ndarray:
    """Rows as float32; a `top` blob comes back dense, zeros where nothing was kept. A blob of full
    rows is read as such whatever `top` says (posts stored before the kind was kept sparse)."""
    if is_int8(blob):
        return dequantise(*int8_parts(blob, dim))
    if top is None or len(blob) % (dim * HALF().itemsize) == 0:
        return np.frombuffer(blob, dtype=HALF).astype(np.float32).reshape(-1, dim)
    n = len(blob) // 4
    row = np.zeros((1, dim), np.float32)
    row[0, np.frombuffer(blob[:2 * n], np.uint16)] = np.frombuffer(blob[2 * n:], HALF)
    return row
