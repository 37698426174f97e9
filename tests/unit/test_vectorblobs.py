import numpy as np
import pytest

from indexing.vectorblobs import TOP_ONLY, from_blob, to_blob


def _cosines(a, b):
    return np.sum(a * b, axis=1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)


def _features(n, dim=2560, seed=0):
    """Like pooled CNN features: non-negative, most entries small, a few large."""
    rng = np.random.default_rng(seed)
    return (rng.gamma(0.6, size=(n, dim)) * rng.uniform(0.5, 2.0, size=(n, 1))).astype(np.float32)


def _text_vectors(n, dim=2688, seed=0):
    """Like the text space: unit blocks of Gaussian-ish values, one block zero (another language)."""
    x = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    x[: n // 2, :1152] = 0.0
    return x / np.linalg.norm(x, axis=1, keepdims=True)


@pytest.mark.parametrize("rows", [_features(200), _text_vectors(200)])
def test_int8_rows_keep_the_cosine_to_the_float32_row(rows):
    back = np.concatenate([from_blob(to_blob(row), rows.shape[1]) for row in rows])
    assert _cosines(back, rows).min() >= 0.999
    blob = to_blob(rows[:5])  # several rows (a post's captions) in one blob
    assert len(blob) <= 1 + 5 * (rows.shape[1] + 4) + 1 < 5 * 2 * rows.shape[1]
    assert np.allclose(from_blob(blob, rows.shape[1]), back[:5])


@pytest.mark.parametrize("dim, new_rows, old_rows", [(4, 3, 3), (12, 3, 2), (7, 3, 1), (2560, 1, 1)])
def test_float16_blobs_of_older_posts_are_told_apart_even_at_the_same_length(dim, new_rows, old_rows):
    rng = np.random.default_rng(dim)
    new, old = rng.normal(size=(new_rows, dim)), rng.normal(size=(old_rows, dim)).astype(np.float16)
    new_blob, old_blob = to_blob(new), old.tobytes()
    if new_rows * (dim + 4) == 2 * old_rows * dim:  # the bare int8 payload would be ambiguous
        assert abs(len(new_blob) - len(old_blob)) <= 2
    assert np.allclose(from_blob(old_blob, dim), old.astype(np.float32))
    back = from_blob(new_blob, dim)
    assert back.shape == (new_rows, dim) and _cosines(back, new).min() > 0.99
    top = TOP_ONLY["probs"]  # kinds kept sparse read old float16 rows and int8 rows alike
    assert np.allclose(from_blob(old_blob, dim, top), old.astype(np.float32))


def test_a_zero_row_stays_zero():
    assert not from_blob(to_blob(np.zeros(8)), 8).any()
