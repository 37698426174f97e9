"""A fresh install knows only the demo photos: unrelated photos and queries get an honest empty answer,
a near-copy of a demo photo still gets its answer (real Redis, real encoders, the shipped relevance table)."""

import pytest
from PIL import Image

from bot.demo import write_demo_set
from indexing.ingest import ingest
from indexing.relevance import TOO_FEW_POSTS, Relevance
from indexing.sources import detect_and_read
from tests.conftest import jpeg_bytes, noise_photo, sample_image


@pytest.fixture
def demo_engine(engine_factory, tmp_path):
    engine = engine_factory(relevance=Relevance.load())  # the table the bot ships
    assert engine.relevance.floors.similar > 0
    ingest(engine, detect_and_read(write_demo_set(tmp_path / "demo")), scope="public")
    assert engine.projector_version == "none"  # 14 captioned photos: the cold-start projector is not fitted
    return engine


def _unrelated_photos(samples):
    # a scanned page of text and coloured noise: nothing like any demo photo
    return {"page": samples["page"], "noise": noise_photo(7)}


def test_unrelated_photos_get_nothing_rather_than_padding(demo_engine, samples):
    for name, photo in _unrelated_photos(samples).items():
        vec = demo_engine.embed_photo(photo)
        similar = demo_engine.similar(vec, "public", k=5)
        assert similar == [], (name, [(h.post.captions, h.score) for h in similar])
        assert similar.why_empty == TOO_FEW_POSTS
        assert demo_engine.captions(vec, "public", k=5) == []
        tags = demo_engine.hashtags(vec, "public", k=8)
        assert not {t.tag for t in tags} & {"space", "nasa", "astronaut", "portrait"}, (name, tags)


def test_unrelated_words_find_nothing(demo_engine):
    for query in ("dogs on a beach", "a child painting a rainbow"):
        found = demo_engine.find(query, "public", k=5)
        assert found == [], (query, [(h.post.captions, h.score) for h in found])
        assert found.why_empty == TOO_FEW_POSTS


def test_a_near_copy_of_a_demo_photo_still_gets_its_answers(demo_engine):
    astronaut = sample_image("astronaut")
    w, h = astronaut.size
    copy = jpeg_bytes(astronaut.crop((20, 10, w - 30, h - 20)).resize((400, 400), Image.BICUBIC), quality=70)
    vec = demo_engine.embed_photo(copy)
    # the stored astronaut is a copy of the query: `similar` leaves it out (it is the photo itself),
    # and the floor keeps the unrelated demo photos out, so nothing is left...
    similar = demo_engine.similar(vec, "public", k=5)
    assert not similar and similar.why_empty == "only_itself"  # the bot says: nothing apart from the photo itself
    # ...while what the copy knows still answers: its hashtags and its caption
    tags = {t.tag for t in demo_engine.hashtags(vec, "public", k=8)}
    assert tags & {"space", "nasa", "astronaut"}
    assert "astronaut" in demo_engine.captions(vec, "public", k=5)[0].caption



def test_words_close_to_a_demo_caption_still_find_its_photo(demo_engine):
    for query, word in (("a tabby cat lying down", "cat"), ("a cup of espresso coffee", "espresso")):
        found = demo_engine.find(query, "public", k=5)
        assert found and word in found[0].post.captions[0], query
        assert len(found) < 5
