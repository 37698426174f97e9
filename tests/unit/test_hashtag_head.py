"""The hashtag head learns made-up tagged photos, is calibrated, and round-trips; training bundles save/load."""
import hashlib

import numpy as np
import pytest

from models.heads.hashtags import HashtagHead, recall_at_k


def _unit(x):
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


@pytest.fixture(scope="module")
def toy():
    """6 visual clusters; each has two tags it always carries, plus #photo (on everything) and noise."""
    rng = np.random.default_rng(0)
    centres = _unit(rng.normal(size=(6, 48)))
    labels = rng.integers(0, 6, 900)
    feats = _unit(centres[labels] + 0.2 * rng.normal(size=(900, 48))).astype(np.float32)
    tags = [[f"C{c}_A", f"#c{c}_b", "Photo", *(["rare"] if i < 2 else [])] for i, c in enumerate(labels)]
    return feats, tags, labels


@pytest.fixture(scope="module")
def trained(toy):
    feats, tags, _ = toy
    return HashtagHead(hidden=64, epochs=40, batch_size=64, patience=40, min_count=3,
                       blocklist=["#PHOTO"]).fit(feats[:700], tags[:700])


@pytest.mark.slow  # trains a head (the module's `trained`)
def test_learns_the_tags_and_beats_popularity(trained, toy):
    feats, tags, labels = toy
    assert trained.history[-1]["loss"] < 0.5 * trained.history[0]["loss"]
    probs = trained.predict(feats[700:])
    truth = np.array([[t in [x.lower().lstrip("#") for x in ts] for t in trained.tags] for ts in tags[700:]], np.float32)
    assert recall_at_k(probs, truth, k=2) > 90
    popular = np.tile(truth[:100].mean(0), (len(truth), 1))  # the most common tags for everyone
    assert recall_at_k(popular, truth, k=2) < 50
    top = trained.top(feats[700:701], k=2)
    assert set(top) == {f"c{labels[700]}_a", f"c{labels[700]}_b"}  # normalised: case and '#'


@pytest.mark.slow  # trains a head (the module's `trained`)
def test_vocabulary_rules(trained):
    assert "photo" not in trained.tags  # blocklisted (normalised before matching)
    assert "rare" not in trained.tags  # used fewer than min_count times
    assert len(trained.tags) == 12


@pytest.mark.slow  # trains a head (the module's `trained`)
def test_scores_are_calibrated_probabilities(trained, toy):
    feats, tags, _ = toy
    probs = trained.predict(feats[700:])
    assert probs.min() >= 0 and probs.max() <= 1
    truth = np.array([[t in [x.lower().lstrip("#") for x in ts] for t in trained.tags] for ts in tags[700:]])
    confident = probs > 0.5
    assert truth[confident].mean() > 0.9 and truth[~confident].mean() < 0.1


@pytest.mark.slow  # trains a head (the module's `trained`)
def test_round_trip_and_damaged_artifacts(trained, toy):
    feats, _, _ = toy
    again = HashtagHead.from_bytes(trained.to_bytes())
    assert again.tags == trained.tags and np.allclose(again.predict(feats[:3]), trained.predict(feats[:3]), atol=1e-6)
    for junk in (b"", b"garbage", trained.to_bytes()[:300]):
        with pytest.raises(ValueError):
            HashtagHead.from_bytes(junk)
    with pytest.raises(ValueError):
        HashtagHead().predict(feats[:1])


def test_too_few_tags_is_a_clear_error(toy):
    feats, _, _ = toy
    with pytest.raises(ValueError, match="nothing to learn"):
        HashtagHead(min_count=5).fit(feats[:30], [[f"t{i}"] for i in range(30)])  # every tag used once


@pytest.mark.slow  # trains every head
def test_train_heads_bundle_saves_and_loads(toy, tmp_path):
    from models.heads.training_utils import seen_by
    from models.training import TrainedHeads, TrainingData, train_heads

    feats, tags, labels = toy
    rng = np.random.default_rng(1)
    text_centres = _unit(rng.normal(size=(6, 16)))
    captions = [_unit(text_centres[c] + 0.2 * rng.normal(size=(2, 16))).astype(np.float32) for c in labels]
    captions[5] = np.zeros((0, 16), np.float32)  # an uncaptioned photo is fine
    shas = [hashlib.sha256(bytes([i % 256, i // 256])).hexdigest() for i in range(len(feats) + 1)]
    shas, never_seen = shas[:-1], shas[-1:]  # the photos' files, and one that is not among them
    data = TrainingData(feats, captions, tags, input_model="toy-image", text_model="toy-text", photo_shas=shas)
    stages = []
    heads = train_heads(data, members=2, progress=lambda stage, record: stages.append(stage))
    assert {"projection 1/2", "projection 2/2", "hashtags"} <= set(stages)
    assert heads.projector.input_model == "toy-image" and len(heads.projector.members) == 3  # 2 heads + kNN
    # 90 validation photos in 6 look-alike clusters: chance R@10 is 11 %, a perfect head about 66 %
    assert heads.metrics["projection_0"]["R@10"] > 35 and heads.metrics["hashtags"]["vocabulary"] == 13
    loaded = TrainedHeads.load(heads.save(tmp_path / "v1"))
    assert np.allclose(loaded.projector.project(feats[:4]), heads.projector.project(feats[:4]), atol=1e-6)
    assert loaded.hashtag_head.tags == heads.hashtag_head.tags and loaded.metrics == heads.metrics
    for head in (loaded.projector, loaded.hashtag_head):  # both record what they were trained on
        assert seen_by(head.seen, shas).all() and not seen_by(head.seen, never_seen).any()
    (tmp_path / "v1" / "projector.npz").write_bytes(b"truncated")
    with pytest.raises(ValueError):
        TrainedHeads.load(tmp_path / "v1")
    with pytest.raises(FileNotFoundError):
        TrainedHeads.load(tmp_path / "nothing-here")


def test_calibration_survives_separable_rare_tags():
    """A rare tag whose few validation photos are perfectly separable must not end up 'always 1.0'."""
    from models.heads.hashtags import _platt

    rng = np.random.default_rng(3)
    z = rng.normal(-4, 1, (200, 3))
    y = np.zeros((200, 3))
    z[:2, 0] += 12  # tag 0: two positives far above every negative (separable)
    y[:2, 0] = 1
    z[:, 1] = rng.normal(0, 3, 200)  # tag 1: no positive at all
    y[:100, 2] = 1  # tag 2: common and informative
    z[:100, 2] += 3
    ab = _platt(z, y, np.array([1.0, 0.0]), strength=2.0)
    p = 1 / (1 + np.exp(-(ab[:, 0] * z + ab[:, 1])))
    assert np.all(np.isfinite(ab)) and np.all(ab[:, 0] > 0)
    assert p[2:, 0].max() < 0.5 and p[:, 1].max() < 0.9  # negatives stay unlikely
    assert abs(p[:, 2].mean() - 0.5) < 0.1  # a common tag's probabilities match its frequency
