"""The vector-index contract (indexing/vectorindex.py), the same assertions against every backend:
hnswlib in this process, and Milvus through pymilvus on a Milvus Lite file (an embedded server,
stopped and its file removed after each test). Each twice: filtered searches answered exactly over a
small visible set (the default), and through the filtered graph walk (`exact_max` 0)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pytest

from indexing.ann import HnswBackend
from indexing.search.catalogue import Catalogue
from indexing.store import Post

DIM = 16
CHATS = ("chat:-1001", "chat:-1002", "chat:42")
SCOPES = ("public",) + CHATS


def unit_rows(n: int, seed: int = 0) -> np.ndarray:
    rows = np.random.default_rng(seed).normal(size=(n, DIM)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def scope_of_post(post_id: int) -> str:
    return SCOPES[post_id % len(SCOPES)]


@dataclass
class Harness:
    """Makes indexes of one backend, and restarts them as a new process would (from a release's snapshot)."""

    name: str
    new: Callable[..., object]
    restart: Callable[[object], object]
    seal: Callable[[object], None] = lambda index: None  # Milvus: what was added so far leaves the growing segment


@pytest.fixture(params=["hnswlib", "hnswlib-graph", "milvus", "milvus-graph"])
def harness(request, tmp_path):
    scope_of = lambda ids: [scope_of_post(i) for i in ids]  # noqa: E731 - what the engine's catalogue answers
    exact_max = 0 if request.param.endswith("-graph") else 4000
    if request.param.startswith("hnswlib"):
        backend = HnswBackend(exact_max=exact_max)
        def reload(index):
            blob, live, vectors = index.to_bytes()
            return backend.from_snapshot(blob, index.dim, live, vectors, post_shift=index.post_shift)

        yield Harness("hnswlib", backend.new, reload)
        return
    from indexing.milvus_index import MilvusBackend

    uri = str(tmp_path / "vectors.db")
    opened = [MilvusBackend(uri, scope_of=scope_of, exact_max=exact_max)]

    def restart(index):
        blob, live, vectors = index.to_bytes()
        opened[-1].close()  # stops this process's embedded server: the file is closed as by an exit
        opened.append(MilvusBackend(uri, scope_of=scope_of, exact_max=exact_max))
        return opened[-1].from_snapshot(blob, index.dim, live, vectors, post_shift=index.post_shift)

    # a sealed segment is searched through its HNSW graph, the growing one exactly
    yield Harness("milvus", lambda dim, post_shift=0: opened[-1].new(dim, post_shift), restart, lambda ix: ix.seal(60))
    opened[-1].close()


def visible_from(viewer: str, post_ids) -> object:
    """The scope filter the engine passes for a viewer (public + its own chat)."""
    catalogue = Catalogue()
    catalogue.remember(Post(id=int(p), scope=scope_of_post(int(p)), sha256="", phash=0) for p in post_ids)
    return catalogue.visible(viewer)


def exact_top(rows: np.ndarray, labels: list[int], query: np.ndarray, k: int, keep=lambda label: True) -> list[int]:
    order = np.argsort(-(rows @ query))
    return [labels[i] for i in order if keep(labels[i])][:k]


@pytest.fixture
def filled(harness):
    labels = list(range(1, 401))
    rows = unit_rows(400)
    index = harness.new(DIM)
    index.add(labels[:300], rows[:300])
    harness.seal(index)
    index.add(labels[300:], rows[300:])
    return index, labels, rows


def test_finds_each_vector_itself_first_with_its_cosine(filled):
    index, labels, rows = filled
    assert len(index) == 400 and 17 in index and 999 not in index
    for i in (0, 16, 399):
        label, score = index.search(rows[i], 3)[0]
        assert label == labels[i] and score == pytest.approx(1.0, abs=1e-3)


def test_top_ten_matches_exact_search(filled):
    index, labels, rows = filled
    for query in unit_rows(10, seed=7):
        got = [label for label, _ in index.search(query, 10)]
        assert len(set(got) & set(exact_top(rows, labels, query, 10))) >= 9


def test_add_of_a_present_label_replaces_its_vector(filled):
    index, labels, rows = filled
    index.add([5], -rows[4:5])
    assert len(index) == 400
    assert np.allclose(index.get([5])[0], -rows[4], atol=0.02)
    assert index.search(-rows[4], 1)[0][0] == 5
    assert 5 not in [label for label, _ in index.search(rows[4], 5)]


def test_removed_labels_are_gone_everywhere_until_added_again(filled):
    index, labels, rows = filled
    index.remove([10, 11, 12345])
    assert len(index) == 398 and 10 not in index
    assert all(label not in (10, 11) for label, _ in index.search(rows[9], 10))
    assert index.labels_of([9, 10, 11, 12]) == [9, 12]
    assert not np.any(index.get_or_zero([10])) and np.any(index.get_or_zero([9]))
    assert 10 not in index.labels().tolist() and len(index.labels()) == 398
    index.add([10], rows[9:10])
    assert index.search(rows[9], 1)[0][0] == 10


def test_get_returns_present_rows_in_the_asked_order(filled):
    index, labels, rows = filled
    got = index.get([30, 999, 3])
    assert got.shape == (2, DIM) and np.allclose(got, rows[[29, 2]], atol=0.02)
    zero_padded = index.get_or_zero([999, 3])
    assert not np.any(zero_padded[0]) and np.allclose(zero_padded[1], rows[2], atol=0.02)


@pytest.mark.parametrize("viewer", CHATS)
def test_a_chat_sees_public_and_its_own_posts_only(filled, viewer):
    index, labels, rows = filled
    visible = visible_from(viewer, labels)
    allowed = {"public", viewer}
    for query in list(rows[:8]) + list(unit_rows(4, seed=3)):
        found = index.search(query, 10, visible)
        assert len(found) == 10 and all(scope_of_post(label) in allowed for label, _ in found)
        expected = exact_top(rows, labels, query, 10, keep=lambda label: scope_of_post(label) in allowed)
        assert len({label for label, _ in found} & set(expected)) >= 9


def test_a_chat_alone_finds_every_post_of_its_own(filled):
    index, labels, rows = filled
    catalogue = Catalogue()
    catalogue.remember(Post(id=p, scope=scope_of_post(p), sha256="", phash=0) for p in labels)
    own = catalogue.visible("chat:42", include_public=False)
    found = index.search(rows[0], 200, own)
    assert sorted(label for label, _ in found) == [p for p in labels if scope_of_post(p) == "chat:42"]


def test_a_set_of_posts_limits_the_search_to_them(filled):
    index, labels, rows = filled
    allowed = {3, 50, 51, 200}
    found = index.search(rows[0], 10, allowed)
    assert sorted(label for label, _ in found) == [3, 50, 51, 200]
    assert index.search(rows[0], 10, set()) == []


def test_caption_labels_map_to_their_post(harness):
    """post_shift 3: a post's k-th caption is label post << 3 | k, and filters speak of posts."""
    index = harness.new(DIM, post_shift=3)
    rows = unit_rows(90, seed=2)
    labels = [(post << 3) | k for post in range(1, 31) for k in range(3)]
    index.add(labels, rows)
    assert index.post_shift == 3 and len(index) == 90
    assert index.search(rows[7], 1)[0][0] == labels[7]
    found = index.search(rows[7], 10, {labels[7] >> 3, 20})
    assert sorted(label for label, _ in found) == sorted((p << 3) | k for p in (labels[7] >> 3, 20) for k in range(3))
    visible = visible_from("chat:42", range(1, 31))
    assert all(scope_of_post(label >> 3) in ("public", "chat:42") for label, _ in index.search(rows[0], 20, visible))


def test_a_restart_keeps_every_vector_and_every_deletion(filled, harness):
    index, labels, rows = filled
    index.remove([1, 2])
    index.add([3], -rows[2:3])
    before = [index.search(query, 5) for query in rows[:20]]
    reopened = harness.restart(index)
    assert len(reopened) == 398 and 1 not in reopened and 3 in reopened
    assert np.allclose(reopened.get([3])[0], -rows[2], atol=0.02)
    after = [reopened.search(query, 5) for query in rows[:20]]
    assert [[label for label, _ in hits] for hits in after] == [[label for label, _ in hits] for hits in before]
    reopened.add([1], rows[0:1])
    assert reopened.search(rows[0], 1)[0][0] == 1
