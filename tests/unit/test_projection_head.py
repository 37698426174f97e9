"""The learned projection head learns a made-up photo->caption mapping, and serves without Keras."""
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
    head = ProjectionHead(hidden=64, epochs=15, batch_size=64, patience=15).fit(feats[:500], captions[:500])
    assert head.history[-1]["loss"] < 0.8 * head.history[0]["loss"]
    projected = head.project(feats[500:])
    accuracy = np.mean(np.argmax(projected @ text_centres.T, axis=1) == labels[500:])
    assert accuracy > 0.9  # chance: 1/8
    assert np.allclose(np.linalg.norm(projected, axis=1), 1.0, atol=1e-5)


def test_round_trip_and_untrained_head(toy):
    feats, captions, _, _ = toy
    head = ProjectionHead(hidden=32, epochs=2, batch_size=64).fit(feats[:200], captions[:200])
    again = ProjectionHead.from_bytes(head.to_bytes())
    assert np.allclose(again.project(feats[:5]), head.project(feats[:5]), atol=1e-6)
    assert again.history == head.history
    with pytest.raises(ValueError):
        ProjectionHead().project(feats[:1])
