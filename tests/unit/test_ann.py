import numpy as np
import pytest

from indexing.ann import HnswIndex


def _vectors(n, dim=16, seed=0):
    x = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


@pytest.fixture
def index():
    idx = HnswIndex(16, exact_max=50)
    idx.add(np.arange(1, 1001), _vectors(1000))
    return idx


def test_finds_itself_first(index):
    x = _vectors(1000)
    assert index.search(x[41], 1)[0][0] == 42
    assert index.search(x[41], 1)[0][1] == pytest.approx(1.0, abs=1e-5)


@pytest.mark.parametrize("allowed", [{5, 6, 7}, set(range(1, 1001, 2))])
def test_filtered_search_never_leaves_the_allowed_set(index, allowed):
    x = _vectors(1000)
    for q in range(0, 1000, 97):
        found = index.search(x[q], 10, allowed)
        assert found and all(label in allowed for label, _ in found)


def test_matches_exact_search_at_recall_one_on_small_data(index):
    x = _vectors(1000)
    q = _vectors(20, seed=3)
    for row in q:
        exact = set((np.argsort(-(x @ row))[:10] + 1).tolist())
        got = {label for label, _ in index.search(row, 10)}
        assert len(exact & got) >= 9


def test_deleted_labels_are_not_returned_and_re_adding_revives(index):
    x = _vectors(1000)
    index.remove([42])
    assert 42 not in index and all(label != 42 for label, _ in index.search(x[41], 5))
    index.add([42], x[41:42])
    assert index.search(x[41], 1)[0][0] == 42


def test_grows_beyond_initial_capacity():
    idx = HnswIndex(8)
    idx.add(np.arange(3000), _vectors(3000, 8))
    assert len(idx) == 3000


def test_snapshot_round_trip_keeps_vectors_and_deletions(index):
    index.remove([7, 8])
    blob, live, vectors = index.to_bytes()
    for copy in (HnswIndex.from_bytes(blob, 16, live, vectors, exact_max=50),  # all given
                 HnswIndex.from_bytes(blob, 16, exact_max=50)):  # probed and read back from the graph
        assert len(copy) == len(index) == 998
        assert 7 not in copy and 9 in copy
        x = _vectors(1000)
        assert copy.search(x[99], 1)[0][0] == 100
        assert np.allclose(copy.get([100, 7, 101]), x[[99, 100]], atol=4e-3)  # int8 rows (half a step), 7 skipped
        assert copy.search(x[99], 1, allowed_posts={100, 101})[0][0] == 100  # the exact path
        copy.add([5000], x[:1])  # grows on after a load
        assert copy.search(x[0], 1, allowed_posts={5000})[0][0] == 5000


def test_caption_labels_filter_by_post():
    idx = HnswIndex(16, post_shift=3, exact_max=2)
    x = _vectors(6)
    idx.add([1 << 3 | 0, 1 << 3 | 1, 2 << 3 | 0, 3 << 3 | 0, 4 << 3, 5 << 3], x)
    found = idx.search(x[0], 5, {1})
    assert {label >> 3 for label, _ in found} == {1} and len(found) == 2
    found = idx.search(x[0], 10, {1, 2, 3, 4})
    assert {label >> 3 for label, _ in found} == {1, 2, 3, 4}


def test_empty_index_and_empty_scope_give_nothing():
    idx = HnswIndex(4)
    assert idx.search(np.ones(4), 3) == []
    idx.add([1], np.ones((1, 4)) / 2)
    assert idx.search(np.ones(4), 3, set()) == []


def _clustered(n, dim, seed=0, centres=40):
    rng = np.random.default_rng(seed)
    c = rng.normal(size=(centres, dim)).astype(np.float32)
    x = c[rng.integers(0, centres, n)] + 0.6 * rng.normal(size=(n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_exact_search_on_int8_rows_agrees_with_float32_search():
    x = _clustered(3000, 256)
    idx = HnswIndex(256, exact_max=2000)
    idx.add(np.arange(3000), x)
    allowed = set(range(0, 2800, 2))  # 1,400 posts: the exact path (<= exact_max and < half the index)
    ids = np.array(sorted(allowed))
    recalls = []
    for q in _clustered(50, 256, seed=1):
        truth = set(ids[np.argsort(-(x[ids] @ q))[:10]].tolist())
        found = idx.search(q, 10, allowed)
        recalls.append(len(truth & {label for label, _ in found}) / 10)
        assert [s for _, s in found] == sorted((s for _, s in found), reverse=True)
        assert all(abs(s - float(x[label] @ q)) < 0.01 for label, s in found)  # scores are cosines
    assert np.mean(recalls) >= 0.98
    assert idx._matrix.dtype == np.int8  # one byte a dimension beside the graph


def test_rows_read_back_as_float32_close_to_what_was_added():
    x = _clustered(100, 512)
    idx = HnswIndex(512)
    idx.add(np.arange(100), x)
    got = idx.get_or_zero([5, 1000, 6])
    assert got.dtype == np.float32 and not got[1].any()
    assert np.sum(got[[0, 2]] * x[[5, 6]], axis=1).min() >= 0.999


@pytest.mark.parametrize("dim", [4, 16])  # at dim 4, n float16 rows and n int8 rows + scales are as long
def test_a_release_saved_with_a_float16_matrix_loads_and_converts(dim):
    x = _vectors(300, dim)
    old = HnswIndex(dim, exact_max=50)
    old.add(np.arange(1, 301), x)
    old.remove([3])
    blob, live, _ = old.to_bytes()
    float16_rows = x[live - 1].astype(np.float16).tobytes()  # what the float16-matrix code saved
    copy = HnswIndex.from_bytes(blob, dim, live, float16_rows, exact_max=50)
    assert len(copy) == 299 and 3 not in copy and copy._matrix.dtype == np.int8
    assert np.allclose(copy.get([10, 20]), x[[9, 19]], atol=0.02)
    assert copy.search(x[9], 1, allowed_posts={10, 11})[0][0] == 10  # exact search on the converted rows
    _, _, saved = copy.to_bytes()  # saved again in the new format, read back the same
    again = HnswIndex.from_bytes(blob, dim, live, saved, exact_max=50)
    assert len(saved) < len(float16_rows) or dim == 4
    assert np.array_equal(again.get(live), copy.get(live))


def test_a_large_index_is_searched_wider_than_its_configured_ef(monkeypatch):
    """Past 200k / 500k vectors the walk looks at 128 / 192 candidates at least (recall@10 0.978 -> 0.994
    at 1M, bench backends --efs); a small index keeps the configured ef, and a larger one set wins."""
    from indexing import ann
    from indexing.ann import ef_for_size

    assert [ef_for_size(n) for n in (10, 199_999, 200_000, 499_999, 500_000, 5_000_000)] == [0, 0, 128, 128, 192, 192]
    index = HnswIndex(8, ef_search=96)
    index.add([1, 2, 3], np.eye(3, 8, dtype=np.float32))

    def ef_searched() -> int:
        index.search(np.eye(1, 8, dtype=np.float32)[0], 2)
        return index._index.ef  # what hnswlib walked with

    assert ef_searched() == 96
    monkeypatch.setattr(ann, "EF_BY_SIZE", ((3, 192),))  # as if 3 vectors were a large index
    assert ef_searched() == 192
    index.ef_search = 300
    assert ef_searched() == 300
    index.ef_search, index.ef_by_size = 96, False  # a bench's sweep: exactly the ef it sets
    assert ef_searched() == 96
