"""The text and caption indexes over a block PCA (indexing/reduced.py): coverage stays exact, answers are scored
in the full text space."""
import numpy as np
import pytest

from indexing.ann import HnswIndex
from indexing.reduced import Basis, ReducedIndex, fit_block_basis
from models import textspace
from models.heads.projection import ProjectionHead
from models.projectors import ProjectorEnsemble, part_columns
from models.zeroshot import KnnCaptionProjector

# A text space of two language parts: part 0 is columns 0-39 and 80-99, part 1 columns 40-79 and 100-139
# (split like an ensemble's members: each part's heads, then a bridge over the whole text vector).
PARTS = [((0, 40), (80, 100)), ((40, 80), (100, 140))]
SPACE, DIMS = 140, 24


def _rows(n, seed=0, english=0.5):
    """Unit rows with structure in a few directions a part; a share of them (other languages) zero on part 0
    and scaled down to the coverage of part 1 alone."""
    shared, rng = np.random.default_rng(0), np.random.default_rng(seed)
    out = np.zeros((n, SPACE), np.float32)
    for ranges in PARTS:
        cols = np.concatenate([np.arange(a, b) for a, b in ranges])
        mixing = shared.normal(size=(12, len(cols)))
        block = rng.normal(size=(n, 12)) @ mixing + 0.3 * rng.normal(size=(n, len(cols)))
        out[:, cols] = block / np.linalg.norm(block, axis=1, keepdims=True) / np.sqrt(2)
    other = rng.random(n) >= english
    out[np.ix_(other, np.concatenate([np.arange(a, b) for a, b in PARTS[0]]))] = 0.0
    return out


def _full(labels_rows):
    table = dict(labels_rows)
    return lambda labels: np.array([table.get(int(x), np.zeros(SPACE, np.float32)) for x in labels], np.float32)


@pytest.fixture(scope="module")
def fitted():
    return fit_block_basis(_rows(2000), PARTS, DIMS, photos=2000, version="t1")


def test_each_part_keeps_dimensions_and_the_total_is_asked(fitted):
    assert fitted.dims == DIMS == sum(fitted.kept) and all(k >= 1 for k in fitted.kept)
    assert np.allclose(fitted.matrix.T @ fitted.matrix, np.eye(DIMS), atol=1e-5)
    part0 = np.concatenate([np.arange(a, b) for a, b in PARTS[0]])
    assert not fitted.matrix[part0, fitted.kept[0]:].any()  # block-diagonal: part 0 feeds its own dims only


def test_coverage_is_exact_in_the_reduced_space(fitted):
    rows = _rows(300, seed=3)
    reduced = fitted.project(rows)
    assert np.abs(textspace.coverage(reduced) - textspace.coverage(rows)).max() < 1e-5
    other = textspace.coverage(rows) < 0.9
    assert other.any() and not reduced[other, :fitted.kept[0]].any()  # zero on part 0 stays zero


def test_a_query_only_the_multilingual_part_reads_matches_only_there(fitted):
    rows, query = _rows(200, seed=4), textspace.as_query(_rows(1, seed=5, english=0.0)[0])
    reduced_query = fitted.project(query)[0]
    assert not reduced_query[:fitted.kept[0]].any()
    reduced = fitted.project(rows)
    exact = textspace.scores(rows, query)
    approx = textspace.scores(reduced, reduced_query)
    assert np.corrcoef(exact, approx)[0, 1] > 0.9
    # rows without an English part score the same with or without one: only part 1 is read
    part1 = np.concatenate([np.arange(a, b) for a, b in PARTS[1]])
    only_part1 = np.zeros_like(rows)
    only_part1[:, part1] = rows[:, part1]
    assert np.allclose(reduced_query @ fitted.project(only_part1).T, reduced_query @ reduced.T, atol=1e-5)


def test_caption_search_scores_are_full_space_scores(fitted):
    rows, labels = _rows(1500, seed=6), np.arange(1, 1501)
    full = _full(zip(labels.tolist(), rows))
    index = ReducedIndex(HnswIndex(DIMS), fitted, full)
    index.add(labels, rows)
    for q in _rows(20, seed=7):
        query = textspace.as_query(q)
        found = index.search(query, 10)
        assert [label for label, _ in found] == (np.argsort(-(rows @ query), kind="stable")[:10] + 1).tolist()
        assert np.allclose([s for _, s in found], full([label for label, _ in found]) @ query, atol=1e-5)
    assert np.allclose(index.get_or_zero([3, 10_000]), np.stack([rows[2], np.zeros(SPACE)]))


def test_text_search_without_rescoring_answers_what_its_rows_score(fitted):
    """The text index (photos: a full row costs the projector) answers with its own scores, and the rows it
    gives back score exactly that against the full query, with their exact coverage."""
    rows, labels = _rows(1500, seed=6), np.arange(1, 1501)
    index = ReducedIndex(HnswIndex(DIMS, exact_max=100), fitted, None)
    index.add(labels, rows)
    agree = []
    for q in _rows(20, seed=7):
        query = textspace.as_query(q)
        found = index.search(query, 10)
        got = [label for label, _ in found]
        lifted = index.get_or_zero(got)
        assert np.allclose([s for _, s in found], lifted @ query, atol=0.01)  # the int8 side matrix
        assert np.allclose(textspace.coverage(lifted), textspace.coverage(rows[np.array(got) - 1]), atol=0.02)
        agree.append(len(set(got) & set((np.argsort(-(rows @ query))[:10] + 1).tolist())) / 10)
    assert 0.5 < np.mean(agree) < 1.0  # a reduction: close to the full space's top 10, not equal to it
    allowed = set(range(1, 1501, 30))
    assert {label for label, _ in index.search(textspace.as_query(rows[0]), 10, allowed)} <= allowed


def test_a_block_basis_round_trips_and_a_wrong_one_is_refused(fitted):
    again = Basis.from_bytes(fitted.to_bytes(), SPACE, fitted.meta())
    assert again.parts == fitted.parts and again.kept == fitted.kept
    rows = _rows(10, seed=8)
    assert np.allclose(again.project(rows), fitted.project(rows))
    with pytest.raises(ValueError):
        Basis.from_bytes(fitted.to_bytes(), SPACE, dict(fitted.meta(), kept=[1, DIMS - 2]))


def test_part_columns_follow_the_heads_text_slices_and_split_the_bridge():
    def head(start, stop, width):
        h = ProjectionHead(text_slice=(start, stop))
        h.weights = {"w2": np.zeros((1, width), np.float32)}
        return h

    bridge = KnnCaptionProjector()
    bridge.bank, bridge.bank_text = np.ones((1, 4), np.float32), np.ones((1, 10), np.float32)
    ensemble = ProjectorEnsemble([head(0, 4, 4), head(4, 10, 6), bridge])
    assert part_columns(ensemble, [(0, 4), (4, 10)]) == [((0, 4), (10, 14)), ((4, 10), (14, 20))]
    assert part_columns(bridge, [(0, 4), (4, 10)]) == [((0, 4),), ((4, 10),)]
