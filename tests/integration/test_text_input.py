"""Captions as input: hashtags and photos for a text, photo + caption fused, the batch CSV."""
import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from indexing.errors import EmptyQueryError
from indexing.search import REASONS, PhotoInput
from tests.conftest import jpeg_bytes, noise_photo, sample_image

ROOT = Path(__file__).resolve().parents[2]


def _add(engine, data, scope="public", captions=(), tags=()):
    return engine.add_photo(PhotoInput(data=data, scope=scope, captions=list(captions), tags=list(tags))).post_id


@pytest.fixture
def library(engine, samples):
    return _library(engine, samples)


def _library(engine, samples):
    rows = [
        ("coffee", "a cup of espresso coffee on a saucer", ["coffee", "espresso", "cafe"]),
        ("chelsea", "a tabby cat lying on the floor", ["cat", "pets", "tabby"]),
        ("rocket", "a rocket launching into the sky", ["space", "rocket", "launch"]),
        ("astronaut", "an astronaut in a space suit", ["space", "nasa", "astronaut"]),
        ("coins", "old coins on a table", ["money", "coins"]),
        ("moon", "the moon at night", ["moon", "night", "new_york", "route66"]),
        ("brick", "a red brick wall in paris", ["paris", "wall", "café", "москва", "東京", "القاهرة"]),
    ]
    return {name: _add(engine, samples[name], captions=[c], tags=t) for name, c, t in rows}


def test_a_caption_gets_the_hashtags_of_posts_with_similar_captions(engine, library):
    tags = engine.text_hashtags("my morning espresso in a little cup", "public", k=5)
    assert tags[0].tag in {"coffee", "espresso"} and {"coffee", "espresso"} <= {t.tag for t in tags}
    assert all(0 < t.score <= 1 and t.reason in REASONS for t in tags)
    assert [t.score for t in tags] == sorted((t.score for t in tags), reverse=True)
    found = engine.find("my morning espresso in a little cup", "public", k=1)
    assert found[0].post.id == library["coffee"]


def test_known_hashtags_in_the_words_are_suggested_and_stop_words_never(engine, library):
    tags = {t.tag: t for t in engine.text_hashtags("The wall of the city of Paris, in the rain", "public", k=8)}
    assert tags["paris"].reason == "in_your_words" and "wall" in tags
    assert not {"the", "of", "in", "rain"} & tags.keys()  # stop words; 'rain' is no known hashtag
    written = {t.tag for t in engine.text_hashtags("sunset over the sea #GoldenHour #the", "public", k=10)}
    assert "goldenhour" in written and "the" not in written  # a #tag written is kept, a stop word never


def test_hashtags_with_underscores_digits_and_other_scripts(engine, library):
    tags = {t.tag for t in engine.text_hashtags("driving Route66 to New York, then a café", "public", k=10)}
    assert {"route66", "new_york", "café"} <= tags
    for text, tag in (("прогулка по Москва вечером", "москва"), ("夜の東京の街", "東京"),
                      ("غروب الشمس في القاهرة", "القاهرة")):
        assert tag in {t.tag for t in engine.text_hashtags(text, "public", k=10)}, text


def test_odd_texts_are_refused_clearly_or_answered(engine, library):
    for text in ("", "   ", "🙂🐶🎉", "…!?"):
        with pytest.raises(EmptyQueryError):
            engine.text_hashtags(text, "public")
    long = ("a cup of coffee " * 300)[:4096]
    assert "coffee" in {t.tag for t in engine.text_hashtags(long, "public")}
    assert engine.text_hashtags("\x00\x07 coffee \u202e cup \x1b", "public")  # control characters: still words


def test_a_photo_with_a_caption_gets_hashtags_from_both(engine_factory, samples):
    from indexing.relevance import Relevance

    engine = engine_factory(relevance=Relevance.load())  # photo scores calibrated, as the words' are
    _library(engine, samples)
    alone = {t.tag for t in engine.hashtags(samples["chelsea"], "public", k=8)}
    assert "paris" not in alone
    both = engine.hashtags(samples["chelsea"], "public", k=8, caption="my cat in Paris")
    by_tag = {t.tag: t for t in both}
    assert "paris" in by_tag and by_tag["paris"].from_words  # the words bring what pixels cannot
    assert "cat" in by_tag  # named by the words and seen in the pixels
    assert {"tabby", "pets"} & {t for t, s in by_tag.items() if not s.from_words}  # the photo's own hashtags stay


def test_a_new_hashtag_in_a_group_is_suggested_there_at_once_and_nowhere_else(engine, library):
    group = "chat:-100777"
    _add(engine, noise_photo(1), scope=group, captions=["our club meets at the harbour"], tags=["harbourclub"])
    assert "harbourclub" in {t.tag for t in engine.text_hashtags("meeting at the harbour", group)}
    assert "harbourclub" not in {t.tag for t in engine.text_hashtags("meeting at the harbour", "public", k=20,
                                                                     min_score=0)}
    assert "harbourclub" not in {t.tag for t in engine.text_hashtags("harbourclub meeting", "chat:-100778", k=20,
                                                                     min_score=0)}


def test_batch_csv_for_a_folder_of_photos_and_a_file_of_captions(tmp_path, session_dir, encoders):
    photos = tmp_path / "photos"
    photos.mkdir()
    (photos / "coffee.jpg").write_bytes(jpeg_bytes(sample_image("coffee")))
    (photos / "cat.jpg").write_bytes(jpeg_bytes(sample_image("chelsea")))
    (photos / "broken.jpg").write_bytes(jpeg_bytes(sample_image("coins"))[:300])
    (photos / "notes.pdf").write_bytes(b"%PDF-1.4")
    captions = tmp_path / "captions.txt"
    captions.write_text("a cup of espresso\n\n🙂🙂\na cat asleep on the sofa\n", encoding="utf-8")
    env = dict(os.environ, HASHLENS_DATA_DIR=str(tmp_path / "data"), HASHLENS_MODEL_CACHE_DIR=str(session_dir / "models"),
               HASHLENS_IMAGE_MODEL="efficientnet-lite0", HASHLENS_LOG_LEVEL="WARNING")
    env.pop("REDIS_URL", None)

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "indexing", *args], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=300)

    from bot.demo import write_demo_set

    assert cli("ingest", str(write_demo_set(tmp_path / "demo")), "--no-progress").returncode == 0
    done = cli("hashtags", str(photos), "--csv", str(tmp_path / "photos.csv"), "--no-progress")
    assert done.returncode == 0, done.stderr[-2000:]
    rows = {Path(r["input"]).name: r for r in csv.DictReader(open(tmp_path / "photos.csv", encoding="utf-8"))}
    assert set(rows) == {"coffee.jpg", "cat.jpg", "broken.jpg", "notes.pdf"}
    assert "#coffee" in rows["coffee.jpg"]["hashtags"] and rows["coffee.jpg"]["reason"] == ""
    assert "coffee:" in rows["coffee.jpg"]["scores"]
    assert rows["broken.jpg"]["hashtags"] == "" and rows["broken.jpg"]["reason"]
    assert "not a photo" in rows["notes.pdf"]["reason"]
    assert "4 photos" in done.stdout and "2 skipped" in done.stdout
    done = cli("hashtags", str(captions), "--csv", str(tmp_path / "captions.csv"), "--no-progress")
    assert done.returncode == 0, done.stderr[-2000:]
    rows = list(csv.DictReader(open(tmp_path / "captions.csv", encoding="utf-8")))
    assert [r["input"] for r in rows] == ["a cup of espresso", "", "🙂🙂", "a cat asleep on the sofa"]
    assert "#coffee" in rows[0]["hashtags"] and "#cat" in rows[3]["hashtags"]
    assert rows[1]["reason"] == rows[2]["reason"] == "no words"
    one = cli("hashtags", "--text", "a cup of espresso")
    assert one.returncode == 0 and "#coffee" in one.stdout
