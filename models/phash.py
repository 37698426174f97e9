"""64-bit perceptual hash (DCT pHash) and Hamming distances, in numpy only."""
from __future__ import annotations

import numpy as np
from PIL import Image

_HASH_SIDE = 8
_DCT_SIDE = 32


def _dct_matrix(n: int) -> np.ndarray:
    k = np.arange(n)[:, None]
    i = np.arange(n)[None, :]
    m = np.cos(np.pi * (2 * i + 1) * k / (2 * n)) * np.sqrt(2.0 / n)
    m[0] /= np.sqrt(2.0)
    return m


_DCT = _dct_matrix(_DCT_SIDE)
_BIT_WEIGHTS = (1 << np.arange(63, -1, -1, dtype=np.uint64)).astype(np.uint64)


# Mirroring an image flips the sign of its odd horizontal DCT frequencies: no second transform needed.
_MIRROR_SIGNS = (-1.0) ** np.arange(_HASH_SIDE)


def _low_frequencies(im: Image.Image) -> np.ndarray:
    gray = np.asarray(im.convert("L").resize((_DCT_SIDE, _DCT_SIDE), Image.LANCZOS, reducing_gap=3.0), dtype=np.float64)
    return (_DCT @ gray @ _DCT.T)[:_HASH_SIDE, :_HASH_SIDE]


def _bits_to_int(coeffs: np.ndarray) -> int:
    coeffs = coeffs.ravel()
    # Median of the low frequencies without the DC term, as in the classic pHash.
    bits = coeffs > np.median(coeffs[1:])
    return int((bits.astype(np.uint64) * _BIT_WEIGHTS).sum())


def phash(im: Image.Image) -> int:
    """The 64-bit DCT perceptual hash of an image, as an unsigned int."""
    return _bits_to_int(_low_frequencies(im))


def phash_pair(im: Image.Image) -> tuple[int, int]:
    """pHash of the image and of its mirror image (re-posts are often flipped), from one DCT."""
    coeffs = _low_frequencies(im)
    return _bits_to_int(coeffs), _bits_to_int(coeffs * _MIRROR_SIGNS[None, :])


def hamming(a: int, hashes: np.ndarray) -> np.ndarray:
    """Hamming distances between one 64-bit hash and an array of uint64 hashes."""
    x = np.bitwise_xor(np.asarray(hashes, dtype=np.uint64), np.uint64(a))
    return np.bitwise_count(x).astype(np.int32)
