import numpy as np
import pytest

from models.zeroshot import KnnCaptionProjector, class_hashtags, class_text_vectors, imagenet_class_names


def _unit(x):
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def test_imagenet_names_are_complete():
    names = imagenet_class_names()
    assert len(names) == 1000 and names[967] == "espresso"


def test_class_hashtags_follow_the_probabilities():
    probs = np.zeros(1000, np.float32)
    probs[967], probs[504] = 0.7, 0.2  # espresso, coffee mug
    tags = class_hashtags(probs, 2)
    assert [t for t, _ in tags] == ["espresso", "coffeemug"] and tags[0][1] == pytest.approx(0.7)


def test_class_text_vectors_are_probability_weighted():
    class_vectors = _unit(np.eye(1000, 8, dtype=np.float32) + 0.01)
    probs = np.zeros((1, 1000), np.float32)
    probs[0, 3] = 1.0
    assert np.argmax(class_text_vectors(probs, class_vectors)[0]) == 3


def test_knn_projector_learns_a_clustered_mapping_and_round_trips():
    rng = np.random.default_rng(0)
    centres_img = _unit(rng.normal(size=(5, 64)))
    centres_txt = _unit(rng.normal(size=(5, 16)))
    labels = rng.integers(0, 5, 400)
    feats = _unit(centres_img[labels] + 0.1 * rng.normal(size=(400, 64)))
    texts = _unit(centres_txt[labels] + 0.3 * rng.normal(size=(400, 16)))
    proj = KnnCaptionProjector(neighbours=10, whiten_dims=32, class_weight=0).fit(feats, feats[:300], texts[:300])
    out = proj.project(feats[300:], None)
    accuracy = np.mean(np.argmax(out @ centres_txt.T, axis=1) == labels[300:])
    assert accuracy > 0.9  # chance is 0.2
    again = KnnCaptionProjector.from_bytes(proj.to_bytes())
    assert np.allclose(again.project(feats[300:], None), out, atol=1e-6)
    assert again.cold_start and again.fitted_on == proj.fitted_on == 300
    capped = KnnCaptionProjector(max_bank=100, whiten_dims=32).fit(feats, feats[:300], texts[:300])
    assert len(capped.bank) == 100 and capped.fitted_on == 300  # the captions offered, not the sample kept


def test_unfitted_projector_uses_the_class_bridge_or_refuses():
    proj = KnnCaptionProjector()
    assert proj.cold_start and proj.fitted_on == 0 and not proj.fitted
    class_text = _unit(np.ones((2, 16), np.float32))
    assert np.allclose(proj.project(np.zeros((2, 64)), class_text), class_text)
    with pytest.raises(ValueError):
        proj.project(np.zeros((2, 64)), None)
