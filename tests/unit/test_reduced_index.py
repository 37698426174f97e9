"""The image index over a PCA projection (indexing/reduced.py): its answers are the full features'."""
import numpy as np
import pytest

from indexing.ann import HnswIndex
from indexing.reduced import Basis, ReducedIndex, fit_basis, sample_ids
from indexing.vectorblobs import dequantise, quantise

FEATURES, DIMS = 256, 32


def _features(n, seed=0):
    """Rows around 200 centres in a 48-d subspace plus noise in all 256 dimensions (one subspace and
    one set of centres for every call): a 32-d projection keeps the neighbourhoods only roughly."""
    shared, rng = np.random.default_rng(0), np.random.default_rng(seed)
    mixing = shared.normal(size=(48, FEATURES)) / np.sqrt(48)
    centres = shared.normal(size=(200, 48))
    x = (centres[rng.integers(0, 200, n)] + 0.5 * rng.normal(size=(n, 48))) @ mixing
    x = x + 0.2 * rng.normal(size=(n, FEATURES))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


class FakeRedis:
    """The full features as the store keeps them (int8 rows): what the rescoring reads."""

    def __init__(self, labels, rows):
        codes, scales = quantise(rows)
        self.rows = dict(zip([int(x) for x in labels], dequantise(codes, scales)))
        self.reads = 0

    def __call__(self, labels):
        self.reads += 1
        return np.array([self.rows.get(int(x), np.zeros(FEATURES, np.float32)) for x in labels])


@pytest.fixture(scope="module")
def data():
    x = _features(3000)
    labels = np.arange(1, 3001)
    basis = fit_basis(x[::3], DIMS, photos=1000, version="b1")
    redis = FakeRedis(labels, x)
    index = ReducedIndex(HnswIndex(DIMS, exact_max=100), basis, redis)
    index.add(labels, x)
    return x, labels, index, redis


def _exact(redis, labels, query, k, allowed=None):
    keep = [int(x) for x in labels if allowed is None or int(x) in allowed]
    sims = np.array([redis.rows[x] for x in keep]) @ query
    order = np.argsort(-sims, kind="stable")[:k]
    return [keep[i] for i in order], sims[order]


def test_basis_is_orthonormal_and_spans_rank_deficient_data():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(500, 10)) @ rng.normal(size=(10, FEATURES))
    basis = fit_basis(x, 16, photos=500, version="v")
    assert np.allclose(basis.matrix.T @ basis.matrix, np.eye(16), atol=1e-5)
    reduced = x @ basis.matrix  # the data's 10-d span is inside the basis: nothing is lost
    assert np.allclose(np.linalg.norm(reduced, axis=1), np.linalg.norm(x, axis=1), rtol=1e-4)


def test_a_reduction_alone_reorders_neighbours(data):
    """The premise of rescoring: on these features the projection's own top 10 is not the full one."""
    x, labels, index, redis = data
    agree = []
    for q in _features(30, seed=7):
        exact, _ = _exact(redis, labels, q, 10)
        reduced = index.inner.search(index.basis.project(q)[0], 10)
        agree.append(len(set(exact) & {label for label, _ in reduced}) / 10)
    assert np.mean(agree) < 0.95


def test_rescored_neighbours_are_the_exact_full_feature_neighbours(data):
    x, labels, index, redis = data
    for q in _features(30, seed=7):
        exact, sims = _exact(redis, labels, q, 10)
        found = index.search(q, 10)
        assert [label for label, _ in found] == exact
        assert np.allclose([s for _, s in found], sims, atol=1e-6)


@pytest.mark.parametrize("allowed", [set(range(1, 3001, 40)), set(range(1, 3001, 2))])
def test_filtered_search_is_exact_too(data, allowed):
    x, labels, index, redis = data
    for q in _features(10, seed=8):
        exact, _ = _exact(redis, labels, q, 10, allowed)
        assert [label for label, _ in index.search(q, 10, allowed)] == exact


def test_rows_read_back_are_the_full_features_and_removed_labels_are_gone(data):
    x, labels, _, redis = data
    index = ReducedIndex(HnswIndex(DIMS), fit_basis(x, DIMS, 3000, "b2"), redis)
    index.add(labels[:100], x[:100])
    index.remove([5, 6])
    rows = index.get_or_zero([4, 5, 6, 7, 999])
    assert rows.shape == (5, FEATURES)
    assert np.allclose(rows[0], redis.rows[4]) and np.allclose(rows[3], redis.rows[7])
    assert not rows[1].any() and not rows[2].any() and not rows[4].any()
    assert np.allclose(index.get([5, 7]), redis.rows[7][None])
    assert 5 not in index and 7 in index and len(index) == 98
    reads = redis.reads
    assert all(label not in (5, 6) for label, _ in index.search(x[4], 20))
    assert redis.reads == reads + 1  # one read of the candidates' rows a search


def test_snapshot_bytes_and_basis_reload_to_the_same_answers(data):
    x, labels, index, redis = data
    blob, live, vectors = index.to_bytes()
    basis = Basis.from_bytes(index.basis.to_bytes(), FEATURES, index.basis.meta())
    reloaded = ReducedIndex(HnswIndex.from_bytes(blob, DIMS, live, vectors), basis, redis)
    for q in _features(5, seed=9):
        assert reloaded.search(q, 10) == index.search(q, 10)
    with pytest.raises(ValueError):
        Basis.from_bytes(index.basis.to_bytes(), FEATURES + 1, index.basis.meta())


def test_a_sample_spreads_over_the_ids():
    ids = list(range(100, 100100))
    picked = sample_ids(ids, at_most=1000)
    assert len(picked) == 1000 == len(set(picked)) and picked[0] == 100 and picked[-1] == 100099
    assert sample_ids([3, 1, 2], at_most=10) == [1, 2, 3]
