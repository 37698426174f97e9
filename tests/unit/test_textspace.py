"""Scores over the text-space parts both sides speak for (models/textspace.py), with made-up vectors."""
import numpy as np

from models import textspace
from models.heads.projection import ProjectionHead


def unit(rng, d):
    v = rng.standard_normal(d).astype(np.float32)
    return v / np.linalg.norm(v)


def test_an_english_and_a_french_text_score_alike_against_photos_and_each_other():
    rng = np.random.default_rng(0)
    w = 0.5
    m, u, photo = unit(rng, 8), unit(rng, 8), unit(rng, 16)
    english = np.r_[np.sqrt(w) * m, np.sqrt(1 - w) * u]
    french = np.r_[np.zeros(8), np.sqrt(1 - w) * u]  # same meaning: only the multilingual part speaks
    assert textspace.coverage(english) == 1.0 and abs(textspace.coverage(french) - 0.5) < 1e-6
    # text vs text: the mean cosine over the parts both cover; identical meaning -> 1 in any pairing
    for query in (english, french):
        got = textspace.scores(np.stack([english, french]), textspace.as_query(query))
        assert np.allclose(got, 1.0, atol=1e-5), got
    # photo (covers everything) vs a French query: the multilingual part's cosine, not half of it
    photo_rows = np.stack([np.r_[np.sqrt(w) * unit(rng, 8), np.sqrt(1 - w) * u]])
    assert np.allclose(textspace.scores(photo_rows, textspace.as_query(french)), 1.0, atol=1e-5)
    # English-only vectors: plain dot products, bit for bit
    rows = np.stack([unit(rng, 16) for _ in range(5)])
    assert np.array_equal(textspace.scores(rows, textspace.as_query(photo)), rows @ photo)


def test_a_head_for_one_part_ignores_texts_its_part_does_not_speak_for():
    rng = np.random.default_rng(1)
    n, d_img = 240, 12
    feats = rng.standard_normal((n, d_img)).astype(np.float32)
    true = rng.standard_normal((d_img, 6)).astype(np.float32)
    captions = []
    for i in range(n):
        target = feats[i] @ true
        english = np.r_[target / np.linalg.norm(target), np.zeros(4)]
        french = np.r_[np.zeros(6), unit(rng, 4)]  # nothing in the first part: must be dropped
        captions.append(np.stack([english, french]).astype(np.float32))
    head = ProjectionHead(hidden=32, text_adapter=8, epochs=3, batch_size=64, text_slice=(0, 6))
    head.fit(feats, captions)
    out = head.adapt_text(np.stack([captions[0][0], captions[0][1]]))
    assert out.shape == (2, 6) and abs(np.linalg.norm(out[0]) - 1) < 1e-5 and not np.any(out[1])
    restored = ProjectionHead.from_bytes(head.to_bytes())
    assert restored.params["text_slice"] == [0, 6]
    assert np.allclose(restored.adapt_text(captions[0]), out, atol=1e-6)
