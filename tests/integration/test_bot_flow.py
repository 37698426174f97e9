"""End to end, the bot with its DEFAULT configuration (flood limit on) against the Bot API emulator:
nothing a user sends is dropped, albums are answered whole, files show in results, edits are
answered, transient Telegram errors are retried, and a kicked bot stops quietly."""
from __future__ import annotations

import os
import re
import time

import numpy as np
import pytest
from PIL import Image

from tests.conftest import jpeg_bytes, sample_image
from tests.integration.chat import (answered, bot_messages, bot_on_emulator, emulator_with_groups, store_of,
                                    text_of)

TOKEN = "818181:FLOW-TOKEN"
PREFIX = f"flow{os.getpid()}"
BOB = 901
GROUP, KICK_GROUP = -1002100000001, -1002100000002


def noise(seed: int, size=(320, 240)) -> bytes:
    rng = np.random.default_rng(seed)
    small = (rng.random((size[1] // 10, size[0] // 10, 3)) * 255).astype(np.uint8)
    return jpeg_bytes(Image.fromarray(small).resize(size, Image.NEAREST))


@pytest.fixture(scope="module")
def emulator():
    with emulator_with_groups(TOKEN, {GROUP: ("Photo club", [BOB]), KICK_GROUP: ("Leaving club", [BOB])}) as emu:
        yield emu


@pytest.fixture(scope="module")
def bot(emulator, redis_server, session_dir, tmp_path_factory, encoders):
    """`python -m bot` with nothing but what it needs to reach the emulator: the default limits."""
    with bot_on_emulator(emulator, TOKEN, redis_server, tmp_path_factory.mktemp("flow-data"), session_dir / "models",
                         key_prefix=PREFIX) as proc:
        yield proc


@pytest.fixture(scope="module")
def store(redis_server):
    with store_of(redis_server, PREFIX) as posts:
        yield posts


def ask(client, user: int, chat: int | None = None, count: int = 1, timeout: float = 60, **message) -> list[dict]:
    chat = chat or user
    sent = client.send(user, chat, **message)
    return client.wait(chat, sent[-1]["message_id"], count, timeout=timeout)


def stored_in(client, user: int, timeout: float = 180) -> int:
    """What /stats says is stored in the user's private chat (answered after everything sent before)."""
    sent = client.send(user, text="/stats")[0]["message_id"]
    deadline = time.time() + timeout
    while time.time() < deadline:
        for m in bot_messages(client, user, sent):
            found = re.search(r"(\d+) photos? stored", m.get("text") or "")
            if found:
                return int(found.group(1))
        time.sleep(0.5)
    raise AssertionError("no answer to /stats")


def test_a_burst_of_30_photos_is_all_stored_and_answered_in_order(emulator, bot):
    c, user = emulator.client, 701
    t0 = time.time()
    sent = [c.send(user, photo=noise(1000 + n))[0]["message_id"] for n in range(30)]
    first = answered(c, user, sent, timeout=240)
    assert len(first) == 30, f"{len(first)} of 30 answered"
    order = [first[m]["message_id"] for m in sent]
    assert order == sorted(order)  # answered in the order they were sent
    texts = text_of(bot_messages(c, user, sent[0]))
    assert "Sorry" not in texts and "Slow down" not in texts
    assert "I answer everything in order" in texts  # told once that the flood waits its turn...
    assert texts.count("I answer everything in order") == 1
    assert time.time() - t0 >= 20 * 60 / 30 * 0.8  # ...slowed to the default 30 a minute after a burst of 10
    assert stored_in(c, user) == 30


def test_albums_back_to_back_split_and_interleaved_are_answered_whole(emulator, bot):
    c, user = emulator.client, 702
    albums = [c.send(user, photos=[noise(2000 + 10 * a + n) for n in range(5)],
                     album_gap_s=0.3 if a == 0 else None) for a in range(3)]
    between = c.send(user, photo=noise(2999))[0]["message_id"]  # lands between the first album's parts
    expected = 16
    deadline = time.time() + 180
    while time.time() < deadline:
        replies = bot_messages(c, user, albums[0][0]["message_id"] - 1)
        if len([r for r in replies if "Album of" in (r.get("text") or "")]) == 3 and \
                any((r.get("reply_to_message") or {}).get("message_id") == between for r in replies):
            break
        time.sleep(0.5)
    album_texts = [r["text"] for r in replies if "Album of" in (r.get("text") or "")]
    assert album_texts and all(text.startswith("Album of 5 photos") for text in album_texts)
    assert len(album_texts) == 3
    assert stored_in(c, user) == expected


def test_a_photo_sent_as_a_file_is_shown_in_results_and_uploaded_once(emulator, bot, store):
    c, user = emulator.client, 703
    doc = noise(3000, (640, 480))
    ask(c, user, count=2, document=doc, file_name="giraffe.jpg", mime_type="image/jpeg",
        caption="a purple giraffe statue in the fog")
    replies = ask(c, user, count=2, text="/find purple giraffe statue in the fog")
    shown = [r for r in replies if r.get("photo") and "purple giraffe" in (r.get("caption") or "")]
    assert shown, text_of(replies)
    file_id = shown[0]["photo"][-1]["file_id"]
    again = ask(c, user, count=2, text="/find purple giraffe statue in the fog")
    shown_again = [r for r in again if r.get("photo") and "purple giraffe" in (r.get("caption") or "")]
    assert shown_again and shown_again[0]["photo"][-1]["file_id"] == file_id  # uploaded once, then by id
    post = next(p for p in store.get_posts(store.scope_post_ids(f"chat:{user}")) if "giraffe" in " ".join(p.captions))
    assert post.document_file_id and post.file_id == file_id


def test_an_edited_command_is_answered_again(emulator, bot):
    c, user = emulator.client, 704
    sent = c.send(user, text="/find a cup of coffee")[0]
    first = c.wait(user, sent["message_id"], 2, timeout=60)
    assert "a cup of coffee" in first[0]["text"]
    c.edit(user, sent["message_id"], text="/find a rocket on a launch pad")
    deadline = time.time() + 60
    while "a rocket on a launch pad" not in text_of(bot_messages(c, user, sent["message_id"])):
        assert time.time() < deadline, "the edited command was not answered"
        time.sleep(0.5)


def test_an_edited_group_caption_updates_the_stored_caption_and_hashtags(emulator, bot, store):
    c = emulator.client
    photo = c.send(BOB, GROUP, photo=noise(4000), caption="evening at the pier #alphapier")[0]
    scope = f"chat:{GROUP}"
    deadline = time.time() + 60
    while not store.scope_post_ids(scope):
        assert time.time() < deadline
        time.sleep(0.5)
    c.edit(GROUP, photo["message_id"], caption="morning market stalls #bravomarket")
    deadline = time.time() + 60
    while True:
        post = store.get_posts(store.scope_post_ids(scope))[0]
        if post.tags == ["bravomarket"]:
            break
        assert time.time() < deadline, post
        time.sleep(0.5)
    assert post.captions == ["morning market stalls #bravomarket"]
    assert len(store.scope_post_ids(scope)) == 1  # updated, not stored twice
    assert not bot_messages(c, GROUP, photo["message_id"])  # quietly, as group photos are collected
    found = ask(c, BOB, GROUP, count=2, text="/find morning market stalls")
    assert any("morning market" in (r.get("caption") or "") for r in found)  # the caption index has the new words


def test_a_photo_captioned_find_is_a_text_and_photo_search(emulator, bot):
    c, user = emulator.client, 705
    replies = ask(c, user, count=1, photo=jpeg_bytes(sample_image("rocket")), caption="/find at night")
    time.sleep(1.0)
    replies = bot_messages(c, user)
    # a search by words + this photo: its copy in the demo is the photo itself and nothing else is a rocket
    # at night, so the one answer says no photo matches (not hashtags, not padding)
    assert len(replies) == 1 and "“at night”" in replies[0]["text"], text_of(replies)
    assert not any((r.get("text") or "").startswith("Hashtags") for r in replies)  # not answered as a plain photo
    assert stored_in(c, user) == 1


def test_transient_telegram_errors_are_retried_before_the_user_is_told(emulator, bot):
    c, user = emulator.client, 706
    c.fail("sendMessage", count=2, code=500)
    assert "Send me a photo" in ask(c, user, text="/start")[0]["text"]
    c.fail("sendMessage", count=1, code=502)
    c.fail("sendMediaGroup", count=1, code=504, delay_s=6)  # longer than the client's 5 s read timeout
    replies = ask(c, user, count=2, text="/find a cup of coffee")
    assert any(r.get("photo") for r in replies) and "Sorry" not in text_of(replies)
    log = bot.log_path.read_text()
    assert "retry 1" in log


def test_a_bot_kicked_mid_answer_stops_quietly_and_serves_others(emulator, bot):
    c, user = emulator.client, 707
    log_start = len(bot.log_path.read_text())
    c.kick(user, after=1)  # the user blocks the bot after its first reply
    sent = c.send(user, photo=noise(5000))[0]
    time.sleep(6)
    assert len(bot_messages(c, user, sent["message_id"])) == 1  # the hashtags; the album was refused
    c.kick(KICK_GROUP, after=0)
    c.send(BOB, KICK_GROUP, text="/stats")
    assert "Send me a photo" in ask(c, 708, text="/start")[0]["text"]  # others are still served
    log = bot.log_path.read_text()[log_start:]
    assert "no longer lets me write" in log and "Traceback" not in log and "Forbidden" in log


def test_french_private_chats_are_not_called_groups(emulator, bot):
    c = emulator.client
    stats = ask(c, 709, text="/stats", language_code="fr")[0]["text"]
    assert "Notre discussion" in stats and "groupe" not in stats
    forgot = ask(c, 709, text="/forget", language_code="fr")[0]["text"]
    assert "notre discussion" in forgot and "groupe" not in forgot


def test_french_users_see_french_map_captions_reasons_and_telegram_sizes(emulator, bot):
    c, user = emulator.client, 710
    replies = ask(c, user, count=3, timeout=180, text="/map", language_code="fr")
    caption = next(r for r in replies if r.get("photo"))["caption"]
    assert "photos publiques" in caption and "groupe" in caption and "groups" not in caption
    unreadable = ask(c, user, document=b"this is not an image", file_name="x.jpg", mime_type="image/jpeg",
                     language_code="fr")[0]["text"]
    # named and typed as a JPEG, its bytes no image: said so in French, not "send it as an image file"
    assert unreadable == ("Ce fichier n'est pas une image que je sais lire. Envoyez une photo, ou un fichier image "
                          "(JPEG, PNG, WebP, HEIC).")
    too_big = ask(c, user, document=b"\xff" * (21 * 1024 * 1024), file_name="big.jpg", mime_type="image/jpeg",
                  language_code="fr")[0]["text"]
    assert "(21 Mo)" in too_big and "jusqu'à 20 Mo" in too_big  # Telegram's 20 MB, in its units
