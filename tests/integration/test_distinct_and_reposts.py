"""Answers show distinct photos, and a re-post is linked to the photo's first post in the chat: the search
facade and the re-post policy against a real Redis server and real encoders."""
import argparse
import io
import time

import pytest
from PIL import Image, ImageEnhance

from indexing.__main__ import _dupes
from indexing.chats import ChatSettings
from indexing.search import NOT_A_REPOST, PhotoInput
from tests.conftest import jpeg_bytes, sample_image

CHAT = "chat:-1003"
OTHERS = ("coffee", "rocket", "astronaut", "coins", "moon")


def _add(engine, data, scope="public", captions=(), **kw):
    return engine.add_photo(PhotoInput(data=data, scope=scope, captions=list(captions), **kw)).post_id


def _copies(name: str) -> dict[str, bytes]:
    """Copies of one photo as people re-post them: re-compressed, resized, brightened."""
    im = sample_image(name)
    w, h = im.size
    return {"q50": jpeg_bytes(im, quality=50), "resized": jpeg_bytes(im.resize((w * 2 // 3, h * 2 // 3)), quality=80),
            "brighter": jpeg_bytes(ImageEnhance.Brightness(im).enhance(1.1))}


@pytest.fixture
def cat_copies(engine, samples):
    """The cat photo and three copies of it (all captioned), among five other photos, in public."""
    cats = {"original": _add(engine, samples["chelsea"], captions=["a tabby cat lying down"])}
    for n, (name, data) in enumerate(_copies("chelsea").items()):
        cats[name] = _add(engine, data, captions=[f"a tabby cat, copy {n}"])
    others = {name: _add(engine, samples[name]) for name in OTHERS}
    return cats, others


def test_copies_of_one_photo_collapse_to_the_best_ranked(engine, samples, cat_copies):
    cats, others = cat_copies
    hits = engine.similar(samples["coffee"], "public", k=10)
    ids = [h.post.id for h in hits]
    assert len(set(ids) & set(cats.values())) == 1  # one post for the cat photo
    assert set(ids) - set(cats.values()) == set(others.values()) - {others["coffee"]}  # every other photo, not itself
    kept = next(pid for pid in ids if pid in cats.values())
    query = engine.embed_photo(samples["coffee"]).features
    closeness = dict(zip(cats.values(), engine.image_vectors(list(cats.values())) @ query))
    assert closeness[kept] == max(closeness.values())  # the best of the copies is the one kept
    found = engine.find("a tabby cat", "public", k=4)
    assert len(found) == 4 and sum(h.post.id in cats.values() for h in found) == 1
    assert [h.post.id for h in engine.find("a tabby cat", "public", k=1)] == [h.post.id for h in found[:1]]


def test_the_query_photo_and_its_copies_never_come_back(engine, samples, cat_copies):
    cats, others = cat_copies
    cat_ids = set(cats.values())
    for query in (samples["chelsea"], jpeg_bytes(sample_image("chelsea"), quality=30), cats["q50"]):
        assert not {h.post.id for h in engine.similar(query, "public", k=10)} & cat_ids
        assert not {h.post.id for h in engine.find("a cat", "public", k=10, photo=query)} & cat_ids
    # an album: none of its photos, none of their copies, each other photo once
    album = engine.embed_photos([samples["chelsea"], samples["rocket"]])
    hits = engine.similar_to_any(album, "public", k=10)
    assert {h.post.id for h in hits} == set(others.values()) - {others["rocket"]}
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_captions_skip_the_query_photos_own_but_keep_a_copys(engine, samples, cat_copies):
    cats, _ = cat_copies
    captions = [c.caption for c in engine.captions(samples["chelsea"], "public", k=5)]
    assert "a tabby cat lying down" not in captions  # the photo's own caption: it is the query itself
    assert captions[0].startswith("a tabby cat, copy")  # a copy's caption describes this very photo
    captions = [c.caption for c in engine.captions(cats["q50"], "public", k=5)]
    assert captions[0].startswith("a tabby cat") and "a tabby cat, copy 0" not in captions
    # In a chat, the same bytes stored there are the message itself; the public collection's copy is not.
    _add(engine, samples["chelsea"], scope=CHAT, captions=["my own cat"])
    captions = [c.caption for c in engine.captions(samples["chelsea"], CHAT, k=5)]
    assert captions[0] == "a tabby cat lying down" and "my own cat" not in captions


def _chain(engine, settings=ChatSettings()):
    """The astronaut posted three times in a chat (messages 10, 11, 12), each copy recorded as the bot does."""
    im = sample_image("astronaut")
    w, h = im.size
    second = jpeg_bytes(im.resize((w * 3 // 5, h * 3 // 5)), quality=70)
    third = jpeg_bytes(Image.open(io.BytesIO(second)).crop((4, 4, w * 3 // 5 - 4, h * 3 // 5 - 4)),
                       quality=45)
    first = _add(engine, jpeg_bytes(im), scope=CHAT, message_id=10, chat_id=-1003)
    verdict = engine.check_repost(second, CHAT, settings, message_id=11)
    second_id = _add(engine, second, scope=CHAT, message_id=11, chat_id=-1003, repost_of=verdict.original_id)
    return first, second_id, second, third, verdict


def test_every_copy_links_to_the_first_post(engine, samples):
    _add(engine, samples["coffee"], scope=CHAT, message_id=9)
    first, second, second_bytes, third, verdict = _chain(engine)
    assert verdict.repost.original.id == first and verdict.repost.original.message_id == 10
    assert engine.store.get_post(second).repost_of == first
    closest = engine.check_repost(third, CHAT, ChatSettings(), message_id=12)
    assert closest.repost.original.id == first and closest.original_id == first
    # a copy stored without its original recorded (re-posts were not checked then): still the earliest
    engine.store.r.hdel(engine.store.keys.post(second), "repost_of")
    assert engine.check_repost(third, CHAT, ChatSettings()).repost.original.id == first
    # the same message handled again is not a re-post of itself
    assert engine.check_repost(second_bytes, CHAT, ChatSettings(), message_id=11) is NOT_A_REPOST
    # another chat's copies are never anyone's original here
    assert engine.check_repost(third, "chat:-1004", ChatSettings()) is NOT_A_REPOST


def test_the_window_runs_from_the_first_post(engine):
    first, second, _, third, _ = _chain(engine)
    engine.store.set_fields(first, created_s=time.time() - 40 * 86400)  # the copy (second) is recent
    verdict = engine.check_repost(third, CHAT, ChatSettings(window_days=30))
    assert verdict.original_id == first and verdict.repost is None  # recorded, not flagged
    assert engine.check_repost(third, CHAT, ChatSettings(window_days=60)).repost.original.id == first


def test_a_deleted_message_is_never_the_link_target(engine):
    first, second, _, third, _ = _chain(engine)
    engine.mark_message_deleted(second)  # the bot deleted the copy (delete mode)
    assert engine.check_repost(third, CHAT, ChatSettings()).repost.original.id == first
    engine.delete_posts([first])  # the original gone from the store: the deleted copy cannot stand in
    assert engine.check_repost(third, CHAT, ChatSettings()) is NOT_A_REPOST
    engine.store.set_fields(second, message_deleted="0")  # a copy whose message is still there stands in
    assert engine.check_repost(third, CHAT, ChatSettings()).repost.original.id == second


def test_the_cli_applies_the_chats_rule(engine, capsys, tmp_path):
    first, _, _, third, _ = _chain(engine)
    path = tmp_path / "third-copy.jpg"
    path.write_bytes(third)
    args = argparse.Namespace(scope=CHAT, photo=str(path))
    _dupes(engine, args)
    assert capsys.readouterr().out.startswith(f"re-post of #{first} message 10 ")
    engine.store.set_fields(first, created_s=time.time() - 40 * 86400)
    _dupes(engine, args)
    assert "outside the window" in capsys.readouterr().out
    engine.save_chat_settings(CHAT, ChatSettings(window_days=60))
    _dupes(engine, args)
    assert capsys.readouterr().out.startswith(f"re-post of #{first} ")
    args.scope = "chat:-1004"
    _dupes(engine, args)
    assert capsys.readouterr().out.strip() == "not a re-post of anything stored"
