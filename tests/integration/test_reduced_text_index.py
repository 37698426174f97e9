"""The text and caption indexes over a block PCA of the text space (indexing/reduced.py) through the engine:
fitted when heads are installed and by a rebuild, kept with the release, loaded by restarts and
followers; captions are scored in the full text space, photos in the reduced one. Two engines on one key prefix are two
processes sharing a Redis."""
import numpy as np
import pytest

from indexing.jobs import JobPolicy, run_job
from indexing.reduced import ReducedIndex, basis_of
from indexing.search import PhotoInput
from models import textspace
from tests.conftest import COLOURS, SHAPES, shape_photo, wait_until

DIMS = 12  # a basis from 4 x 12 = 48 photos on: a test store is small
FRENCH = {"red": "rouge", "green": "vert", "blue": "bleu", "yellow": "jaune", "circle": "un cercle",
          "square": "un carré", "triangle": "un triangle", "cross": "une croix"}
QUERIES = [("a red circle", None), ("a blue square", None), ("un triangle vert", "fr"), ("une croix jaune", "fr")]


def _photos(n, seed):
    """Coloured shapes, captioned in English or in French (every other photo)."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        colour, shape = list(COLOURS)[i % 4], SHAPES[(i // 4) % 4]
        caption = f"a {colour} {shape}" if i % 2 else f"{FRENCH[shape]} {FRENCH[colour]}"
        out.append(PhotoInput(data=shape_photo(rng, colour, shape), captions=[caption]))
    return out


def _learned_heads(engine):
    """Trained heads installed (the text indexes are reduced for learned heads, never for the cold-start bridge)."""
    from models.training import train_heads

    return engine.install_heads(train_heads(engine.training_data(), members=1, min_captioned=10, min_tagged=10))


def _close_answer(got, want):
    """The reduced text space's answer against the full one's: most of the top 5, and scores near (the
    photos' scores are the reduced index's own; at 12 dimensions, far coarser than served)."""
    assert len({p for p, _ in got} & {p for p, _ in want}) >= 3
    assert np.allclose([s for _, s in got], [s for _, s in want], atol=0.2)


def _answers(engine):
    return [[(h.post.id, h.score) for h in engine.find(q, "public", k=5, language=lang)] for q, lang in QUERIES]


@pytest.fixture
def stored(engine_factory):
    engine = engine_factory(image_index_dims=0, text_index_dims=DIMS)
    engine.add_photos(_photos(48, seed=0))
    return engine


def test_installed_heads_get_a_text_basis_that_restarts_and_followers_serve(stored, engine_factory):
    engine = stored
    follower = engine_factory(image_index_dims=0, text_index_dims=DIMS).follow()
    try:
        engine.refit_projector(min_captioned=10)
        assert basis_of(engine.text_index) is None  # the cold-start bridge keeps the full text space
        assert engine.lifecycle.basis_due() is False
        _learned_heads(engine)  # new heads: new text indexes, on a basis fitted for them
        basis = basis_of(engine.text_index)
        assert isinstance(engine.text_index, ReducedIndex) and isinstance(engine.caption_index, ReducedIndex)
        assert basis.dims == DIMS and basis_of(engine.caption_index) is basis and len(basis.kept) == 2
        assert engine.text_index.inner.dim == DIMS and engine.text_index.dim == engine.text_index.basis.features
        manifest = engine.store.releases.manifest(engine.release_version)["indexes"]
        assert manifest["text"]["basis"] == manifest["caption"]["basis"] == basis.meta()

        # Coverage is exact in the caption index: a French caption is zero on the English part there too.
        labels = engine.caption_index.labels().tolist()
        full = engine.caption_index.get_or_zero(labels)
        reduced = engine.caption_index.inner.get_or_zero(labels)
        assert np.allclose(textspace.coverage(reduced), textspace.coverage(full), atol=0.03)
        french = textspace.coverage(full) < 0.9
        assert french.any() and not reduced[french, :basis.kept[0]].any()

        expected = _answers(engine)
        assert all(expected)
        full_space = engine_factory(image_index_dims=0, text_index_dims=0)  # the same store, full indexes
        full_space.rebuild()
        assert basis_of(full_space.text_index) is None
        for got, want in zip(expected, _answers(full_space)):
            _close_answer(got, want)
        run_job(engine, "rebuild", JobPolicy(), force=True)  # the reduced store again, refitted
        release, basis = engine.release_version, basis_of(engine.text_index)
        assert basis is not None and [[p for p, _ in a] for a in _answers(engine)] == [[p for p, _ in a] for a in expected]

        restarted = engine_factory(image_index_dims=0, text_index_dims=DIMS)
        assert basis_of(restarted.text_index).version == basis_of(restarted.caption_index).version == basis.version
        assert _answers(restarted) == _answers(engine)
        assert wait_until(lambda: follower.release_version == release)
        assert basis_of(follower.text_index).version == basis.version
        assert _answers(follower) == _answers(engine)
    finally:
        follower.close()


def test_a_release_without_a_text_basis_still_loads_then_a_rebuild_fits_one(stored, engine_factory):
    _learned_heads(stored)
    before = engine_factory(image_index_dims=0, text_index_dims=0)  # as a store from before the text basis
    before.rebuild()
    assert "basis" not in before.store.releases.manifest(before.release_version)["indexes"]["text"]
    expected = _answers(before)

    upgraded = engine_factory(image_index_dims=0, text_index_dims=DIMS)
    assert upgraded.release_version == before.release_version and basis_of(upgraded.text_index) is None
    assert _answers(upgraded) == expected
    assert run_job(upgraded, "rebuild", JobPolicy())["basis_fitted"]  # the text basis alone calls for it
    assert basis_of(engine_factory(image_index_dims=0, text_index_dims=DIMS).text_index) is not None


def test_a_small_store_keeps_the_full_text_space(engine_factory):
    engine = engine_factory(image_index_dims=0, text_index_dims=DIMS)
    engine.add_photos(_photos(20, seed=1))
    _learned_heads(engine)  # fewer than 4 x DIMS photos
    assert basis_of(engine.text_index) is None and basis_of(engine.caption_index) is None
    assert "skipped" in run_job(engine, "rebuild", JobPolicy())
