"""The learned projection head and the ensemble: learn a made-up photo->caption mapping, serve in numpy."""
import numpy as np
import pytest

from models.heads.projection import ProjectionHead


def _unit(x):
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


@pytest.fixture(scope="module")
def toy():
    rng = np.random.default_rng(0)
    image_centres, text_centres = _unit(rng.normal(size=(8, 64))), _unit(rng.normal(size=(8, 16)))
    labels = rng.integers(0, 8, 600)
    feats = _unit(image_centres[labels] + 0.15 * rng.normal(size=(600, 64))).astype(np.float32)
    captions = [_unit(text_centres[c] + 0.2 * rng.normal(size=(3, 16))).astype(np.float32) for c in labels]
    return feats, captions, labels, text_centres


def test_loss_falls_and_photos_land_near_their_captions(toy):
    feats, captions, labels, text_centres = toy
    head = ProjectionHead(hidden=64, text_adapter=16, epochs=15, batch_size=64, patience=15)
    head.fit(feats[:500], captions[:500])
    assert head.history[-1]["loss"] < 0.8 * head.history[0]["loss"]
    assert head.history[-1]["R@1"] > 3 * 100 / 50  # validation: 50 photos, chance R@1 is 2 %
    projected = head.project(feats[500:])
    accuracy = np.mean(np.argmax(projected @ head.adapt_text(text_centres).T, axis=1) == labels[500:])
    assert accuracy > 0.9  # chance: 1/8
    assert np.allclose(np.linalg.norm(projected, axis=1), 1.0, atol=1e-5)


def test_round_trip_and_untrained_head(toy):
    feats, captions, _, _ = toy
    head = ProjectionHead(hidden=32, epochs=2, batch_size=64).fit(feats[:200], captions[:200])
    again = ProjectionHead.from_bytes(head.to_bytes())
    assert np.allclose(again.project(feats[:5]), head.project(feats[:5]), atol=1e-6)
    assert np.allclose(again.adapt_text(captions[0]), head.adapt_text(captions[0]), atol=1e-6)
    assert again.history == head.history and again.dim == 16
    assert not again.cold_start and again.fitted_on == head.fitted_on == 200  # validation split included
    with pytest.raises(ValueError):
        ProjectionHead().project(feats[:1])


def test_without_text_adapter_texts_stay_as_they_are(toy):
    feats, captions, _, _ = toy
    head = ProjectionHead(hidden=32, text_adapter=0, epochs=2, batch_size=64).fit(feats[:200], captions[:200])
    assert np.allclose(head.adapt_text(captions[0]), captions[0], atol=1e-6)


def test_ensemble_scores_are_the_weighted_mean_of_member_cosines(toy):
    from models.heads.training_utils import photo_digests, seen_by
    from models.projectors import ProjectorEnsemble, projector_from_bytes
    from models.zeroshot import KnnCaptionProjector

    feats, captions, _, _ = toy
    head = ProjectionHead(hidden=32, epochs=3, batch_size=64).fit(feats[:300], captions[:300])
    knn = KnnCaptionProjector(whiten_dims=32).fit(feats[:300], feats[:300], np.array([c.mean(0) for c in captions[:300]]))
    ensemble = ProjectorEnsemble([head, knn], [3, 1], seen=photo_digests(["ab" * 32, "cd" * 32]))
    photos, texts = ensemble.project(feats[300:310]), ensemble.adapt_text(np.concatenate(captions[300:303]))
    expected = (0.75 * head.adapt_text(np.concatenate(captions[300:303])) @ head.project(feats[300:310]).T
                + 0.25 * knn.adapt_text(np.concatenate(captions[300:303])) @ knn.project(feats[300:310], None).T)
    assert np.allclose(texts @ photos.T, expected, atol=1e-5)
    assert ensemble.dim == 32 and np.allclose(np.linalg.norm(photos, axis=1), 1.0, atol=1e-5)
    again = projector_from_bytes(ensemble.to_bytes())
    assert isinstance(again, ProjectorEnsemble) and np.allclose(again.project(feats[300:310]), photos, atol=1e-6)
    # a cold-start member does not make the ensemble a cold-start bridge: ingestion never refits it
    assert not again.cold_start and again.fitted_on == 300
    assert seen_by(again.seen, ["cd" * 32, "ef" * 32, ""]).tolist() == [True, False, False]
    for junk in (b"", b"garbage", ensemble.to_bytes()[:200]):
        with pytest.raises(ValueError):
            projector_from_bytes(junk)
