"""The image index over a PCA of the features (indexing/reduced.py) through the engine: fitted by a
rebuild, kept with the release, loaded by restarts and followers; older releases without one load
as they are. Two engines on one key prefix are two processes sharing a Redis."""

import numpy as np
import pytest

from indexing.jobs import JobPolicy, run_job
from indexing.reduced import ReducedIndex, basis_of
from indexing.search import PhotoInput
from tests.conftest import COLOURS, SHAPES, shape_photo, wait_until

DIMS = 8  # a basis from 4 x 8 = 32 photos on: a test store is small


def _photos(n, seed):
    rng = np.random.default_rng(seed)
    return [shape_photo(rng, list(COLOURS)[i % 4], SHAPES[(i // 4) % 4]) for i in range(n)]


def _answers(engine, ids):
    return [[(h.post.id, h.score) for h in engine.similar(pid, "public", k=5)] for pid in ids]


def _exact(engine, query, k):
    """The top k of every stored post by the cosine of its full features in Redis."""
    ids = sorted(engine.live_post_ids())
    rows = np.array([v[0] for v in engine.store.get_vectors("image", engine.image_model, ids,
                                                             engine.image_encoder.dim)])
    sims = rows @ query
    return [ids[i] for i in np.argsort(-sims, kind="stable")[:k]]


@pytest.fixture
def stored(engine_factory):
    engine = engine_factory(image_index_dims=DIMS)
    ids = [r.post_id for r in engine.add_photos([PhotoInput(data=p) for p in _photos(40, seed=1)])]
    return engine, ids


def test_a_rebuild_fits_a_basis_that_restarts_and_followers_serve(stored, engine_factory):
    engine, ids = stored
    follower = engine_factory(image_index_dims=DIMS).follow()
    try:
        assert basis_of(engine.image_index) is None  # built photo by photo: the full features until a rebuild
        result = run_job(engine, "rebuild", JobPolicy())  # nothing deleted: the basis alone calls for it
        assert result["basis_fitted"] and result["posts"] == 40
        basis = basis_of(engine.image_index)
        assert isinstance(engine.image_index, ReducedIndex) and basis.dims == DIMS and basis.photos == 40
        assert engine.image_index.inner.dim == DIMS
        assert "skipped" in run_job(engine, "rebuild", JobPolicy())  # fitted on this store: nothing due

        for pid in ids[:10]:  # the index answers the full features' exact neighbours, with their cosines
            query = engine.image_index.get([pid])[0]
            assert [label for label, _ in engine.image_index.search(query, 10)] == _exact(engine, query, 10)
        expected = _answers(engine, ids[:10])
        assert all(a and a[0][1] < 1.0 for a in expected)

        restarted = engine_factory(image_index_dims=DIMS)
        assert basis_of(restarted.image_index).version == basis.version
        assert np.array_equal(basis_of(restarted.image_index).matrix, basis.matrix)
        assert _answers(restarted, ids[:10]) == expected

        assert wait_until(lambda: follower.release_version == result["release"], timeout=30.0)
        assert basis_of(follower.image_index).version == basis.version
        assert _answers(follower, ids[:10]) == expected

        # A photo stored after the release is projected on the current basis, everywhere.
        photo = _photos(41, seed=2)[40]
        new = engine.add_photo(PhotoInput(data=photo)).post_id
        assert wait_until(lambda: new in follower.image_index, timeout=30.0)
        for serving in (engine, follower, engine_factory(image_index_dims=DIMS)):
            assert serving.image_index.search(engine.image_index.get([new])[0], 1)[0][0] == new
            assert serving.duplicate_of(photo, "public").post.id == new
    finally:
        follower.close()


def test_a_release_without_a_basis_still_loads_then_the_next_rebuild_fits_one(engine_factory):
    before = engine_factory(image_index_dims=0)  # as a store from before the basis
    ids = [r.post_id for r in before.add_photos([PhotoInput(data=p) for p in _photos(40, seed=3)])]
    release = before.publish_release()
    assert "basis" not in before.store.releases.manifest(release)["indexes"]["image"]
    expected = _answers(before, ids[:8])

    upgraded = engine_factory(image_index_dims=DIMS)
    assert upgraded.release_version == release and basis_of(upgraded.image_index) is None
    assert len(upgraded.image_index) == 40 and _answers(upgraded, ids[:8]) == expected

    assert run_job(upgraded, "rebuild", JobPolicy())["basis_fitted"]
    reopened = engine_factory(image_index_dims=DIMS)
    assert basis_of(reopened.image_index).version == basis_of(upgraded.image_index).version
    for pid in ids[:8]:  # the full features' exact neighbours (Redis's int8 rows: near-ties may differ
        query = reopened.image_index.get([pid])[0]  # from the full index's float32 cosines, by ~1e-3)
        assert [label for label, _ in reopened.image_index.search(query, 10)] == _exact(reopened, query, 10)
    assert np.allclose([a[0][1] for a in _answers(reopened, ids[:8])], [a[0][1] for a in expected], atol=2e-3)


def test_a_small_store_keeps_the_full_features(engine_factory):
    engine = engine_factory(image_index_dims=DIMS)
    engine.add_photos([PhotoInput(data=p) for p in _photos(20, seed=4)])  # fewer than 4 x DIMS
    assert "skipped" in run_job(engine, "rebuild", JobPolicy())
    result = run_job(engine, "rebuild", JobPolicy(), force=True)
    assert not result["basis_fitted"] and basis_of(engine.image_index) is None
    assert engine.image_index.dim == engine.image_encoder.dim
    assert basis_of(engine_factory(image_index_dims=DIMS).image_index) is None


def test_an_import_fits_the_basis_and_publishes_it(engine_factory, tmp_path):
    from indexing.ingest import ingest
    from indexing.sources import SourceItem

    items = []
    for i, photo in enumerate(_photos(36, seed=5)):
        (tmp_path / f"{i}.jpg").write_bytes(photo)
        items.append(SourceItem(tmp_path / f"{i}.jpg"))
    engine = engine_factory(image_index_dims=DIMS)
    first = ingest(engine, items[:20], refit=False)
    assert first.imported == 20 and first.release is None  # too few photos for a basis
    report = ingest(engine, items, refit=False)
    assert report.imported == 16 and report.release == engine.release_version
    assert "indexes reduced" in report.summary()
    basis = basis_of(engine.image_index)
    assert basis.photos == 36 and len(engine.image_index) == 36
    assert engine.store.releases.manifest(report.release)["indexes"]["image"]["basis"] == basis.meta()
    assert ingest(engine, items, refit=False).release is None  # nothing new: nothing refitted
