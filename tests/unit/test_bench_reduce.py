"""The vector-reduction study's measures (bench/reduce.py, bench/reduce_text.py), on made-up vectors."""
import numpy as np

from bench.reduce import agreement, int8_rows, pca, random_projection, repost_separation, unit
from indexing.reduced import fit_block_basis
from models import textspace


def _clustered(n, dim, seed=0, centres=20):
    rng = np.random.default_rng(seed)
    c = rng.normal(size=(centres, dim))
    return unit(c[rng.integers(0, centres, n)] + 0.5 * rng.normal(size=(n, dim)))


def test_agreement_is_one_for_the_same_vectors_and_falls_with_fewer_dimensions():
    x = _clustered(300, 64)
    assert agreement(x, x) == 1.0
    few = agreement(x, random_projection(4, 64)(x))
    many = agreement(x, random_projection(48, 64)(x))
    assert few < many < 1.0
    # reordering the reduced top 40 by the full vectors gets back most of what was lost
    assert agreement(x, random_projection(4, 64)(x), rescored=40) > few


def test_uncentred_pca_at_full_rank_keeps_the_neighbours_centred_need_not():
    x = _clustered(300, 32)
    assert agreement(x, pca(x, 32, centred=False)(x)) == 1.0
    assert pca(x, 8)(x).shape == (300, 8)


def test_int8_rows_stay_within_half_a_step_of_each_row_scale():
    x = _clustered(50, 128)
    back = int8_rows(x)
    step = np.abs(x).max(axis=1, keepdims=True) / 127
    assert np.all(np.abs(back - x) <= step / 2 + 1e-7)
    assert np.all(int8_rows(np.zeros((2, 8))) == 0)


def test_repost_separation_counts_edits_nearer_their_original_than_any_other_photo():
    rng = np.random.default_rng(1)
    originals = unit(rng.normal(size=(10, 16)))
    others = unit(rng.normal(size=(30, 16)))
    edits = unit(originals + 0.05 * rng.normal(size=originals.shape))
    out = repost_separation(originals, edits, np.arange(10), ["jpeg"] * 10, others)
    assert out["found"] == 1.0 and out["at_threshold"] == 1.0
    far = unit(rng.normal(size=(10, 16)))  # "edits" that look like nothing in particular
    assert repost_separation(originals, far, np.arange(10), ["x"] * 10, others)["found"] < 1.0


def test_block_pca_keeps_each_language_parts_coverage_exactly():
    rng = np.random.default_rng(2)
    parts = [((0, 24),), ((24, 56),)]
    english = rng.normal(size=(200, 56))
    english[:, :24] *= np.sqrt(0.6) / np.linalg.norm(english[:, :24], axis=1, keepdims=True)
    english[:, 24:] *= np.sqrt(0.4) / np.linalg.norm(english[:, 24:], axis=1, keepdims=True)
    basis = fit_block_basis(english, parts, 30, 200, "t")  # shared by singular value: the English part's are larger
    reduce = basis.project
    assert sum(basis.kept) == 30 and basis.kept[0] > basis.kept[1] > 0
    french = english[:5].copy()
    french[:, :24] = 0.0  # only the multilingual part speaks for it
    out = reduce(np.concatenate([english[:5], french]))
    assert out.shape == (10, 30)
    assert np.allclose(textspace.coverage(out[:5]), 1.0) and np.allclose(textspace.coverage(out[5:]), 0.4)
    assert np.all(out[5:, :basis.kept[0]] == 0)  # the English block stays silent
