"""End to end: image files of every common kind sent as documents, and stickers, through the real bot
process and the Bot API emulator (bot/emulator/imagefiles.py models Document and Sticker)."""
from __future__ import annotations

import gzip
import io
import json
import os
import re
import time

import numpy as np
import pytest
from PIL import Image

from tests.conftest import sample_image
from tests.heic import heic_bytes
from tests.integration.chat import bot_messages, bot_on_emulator, emulator_with_groups

TOKEN = "987655:FILES-E2E-TOKEN"
ANN, BOB, CAROL = 701, 702, 703  # Ann administers the group; Bob and Carol are members
GROUP = -1002000000701


@pytest.fixture(scope="module")
def emulator():
    with emulator_with_groups(TOKEN, {GROUP: ("Sticker club", [ANN])}) as emu:
        yield emu


@pytest.fixture(scope="module")
def bot(emulator, redis_server, session_dir, tmp_path_factory, encoders):
    with bot_on_emulator(emulator, TOKEN, redis_server, tmp_path_factory.mktemp("bot-data"), session_dir / "models",
                         key_prefix=f"files{os.getpid()}", photo_max_mb="1") as proc:
        yield proc


def ask(client, user: int, chat: int | None = None, count: int = 1, **message) -> list[dict]:
    chat = chat or user
    sent = client.send(user, chat, **message)
    return client.wait(chat, sent[-1]["message_id"], count, timeout=60)


def encoded(im: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


def stored(client, chat: int, user: int = ANN) -> int:
    return int(re.search(r"(\d+) photos? stored", ask(client, user, chat, text="/stats")[0]["text"]).group(1))


def test_png_webp_heic_and_avif_files_go_the_photo_way(emulator, bot):
    c = emulator.client
    coffee, cat = sample_image("coffee"), sample_image("chelsea")
    transparent = Image.new("RGBA", (600, 400), (0, 0, 0, 0))
    transparent.paste(coffee, (0, 0), Image.new("L", coffee.size, 255))
    files = {  # name: (bytes, MIME type as clients send it, a hashtag the photo must get)
        "coffee.png": (encoded(transparent, "PNG"), "image/png", "#coffee"),
        "cat.webp": (encoded(cat, "WEBP", quality=85), "image/webp", "#cat"),
        "IMG_0042.HEIC": (heic_bytes(coffee), "application/octet-stream", "#coffee"),  # a phone's HEIC, untyped
        "IMG_0043.heic": (heic_bytes(cat), "image/heic", "#cat"),
        "cat.avif": (encoded(cat, "AVIF", quality=80), "image/avif", "#cat"),
    }
    for n, (name, (data, mime, tag)) in enumerate(files.items()):
        user = 710 + n
        caption = "our espresso on the terrace at noon" if name == "IMG_0042.HEIC" else None
        replies = ask(c, user, document=data, file_name=name, mime_type=mime, caption=caption, count=2)
        assert replies[0]["text"].startswith("Hashtags") and tag in replies[0]["text"], (name, replies[0]["text"])
        assert stored(c, user, user) == 1, name  # a private chat's image file is kept, as a photo is
    document = c.messages(710)[0]["document"]  # the emulator's Document: the client's name and type, a thumbnail
    assert document["mime_type"] == "image/png" and document["thumbnail"]["width"] == 320
    found = ask(c, 712, text="/find our espresso on the terrace at noon", count=2)  # the HEIC, shown as a photo
    shown = next(r for r in found if r.get("photo") and "terrace at noon" in (r.get("caption") or ""))
    with Image.open(io.BytesIO(c.file(shown["photo"][-1]["file_id"]))) as im:
        assert im.format == "JPEG" and im.size == (600, 400)  # re-encoded: Telegram takes no HEIC as a photo


def test_a_file_named_like_an_image_is_judged_by_its_bytes(emulator, bot):
    c = emulator.client
    pdf = b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    for n, (name, mime) in enumerate([("photo.png", "image/png"), ("scan.heic", "application/octet-stream")]):
        reply = ask(c, 720 + n, document=pdf, file_name=name, mime_type=mime)[0]["text"]
        assert reply == "This file is not an image I can read. Send a photo, or an image file (JPEG, PNG, WebP, HEIC).", (
            name, reply)
    assert "only understand photos" in ask(c, 722, document=b"notes", file_name="notes.txt", mime_type="text/plain")[0][
        "text"]
    noise = Image.fromarray((np.random.default_rng(5).random((800, 800, 3)) * 255).astype(np.uint8))
    big = encoded(noise, "PNG")
    assert len(big) > 1024 * 1024
    reply = ask(c, 723, document=big, file_name="IMG_0001.PNG", mime_type="application/octet-stream")[0]["text"]
    assert "too large" in reply
    before = len(bot_messages(c, GROUP))
    c.send(BOB, GROUP, document=pdf, file_name="meme.png", mime_type="image/png")  # a group is not told
    assert "not an image I can read" in ask(c, 723, document=pdf, file_name="x.png", mime_type="image/png")[0]["text"]
    assert len(bot_messages(c, GROUP)) == before


def tgs() -> bytes:
    """An animated sticker's file: gzipped Lottie JSON."""
    return gzip.compress(json.dumps({"v": "5.5.2", "fr": 60, "ip": 0, "op": 60, "w": 512, "h": 512,
                                     "layers": []}).encode())


def test_a_still_sticker_in_a_private_chat_is_answered_like_a_photo_not_stored(emulator, bot):
    c = emulator.client
    cat = sample_image("chelsea")
    replies = ask(c, 730, sticker=encoded(cat, "PNG"), emoji="😺", count=2)
    assert replies[0]["text"].startswith("Hashtags") and "#cat" in replies[0]["text"]
    assert replies[0]["reply_to_message"]["sticker"]["is_animated"] is False  # quoted: the answer says to what
    sticker = c.messages(730)[0]["sticker"]  # the emulator's Sticker, per the Bot API
    assert (sticker["type"], max(sticker["width"], sticker["height"]), sticker["is_video"]) == ("regular", 512, False)
    assert sticker["thumbnail"]["width"] <= 128 and sticker["emoji"] == "😺"
    assert stored(c, 730, 730) == 0  # a sticker is a reaction from a set, not a photo of the user's
    moving = ask(c, 731, sticker=tgs(), sticker_format="animated")[0]["text"]
    assert moving.startswith("I can only look at still stickers")
    video = ask(c, 731, sticker=b"\x1aE\xdf\xa3" + bytes(64), sticker_format="video", language_code="fr")[0]["text"]
    assert video.startswith("Je ne sais regarder que les stickers fixes")


def test_stickers_in_a_group_are_never_re_posts_and_not_stored(emulator, bot):
    c = emulator.client
    start = stored(c, GROUP)
    sticker = encoded(sample_image("chelsea"), "PNG")
    first = c.send(BOB, GROUP, sticker=sticker)[0]
    again = c.send(CAROL, GROUP, sticker=sticker)[0]  # the same sticker again: what stickers are for
    moving = c.send(CAROL, GROUP, sticker=tgs(), sticker_format="animated")[0]
    photo = encoded(sample_image("rocket"), "JPEG", quality=90)
    c.send(BOB, GROUP, photo=photo)
    deadline = time.time() + 60
    while stored(c, GROUP) < start + 1:  # stored before its copy comes (each user's updates run apart)
        assert time.time() < deadline, "the photo was not stored"
        time.sleep(0.5)
    flagged = c.send(CAROL, GROUP, photo=photo)[0]  # the re-post check is on: a photo's re-post is flagged
    notice = c.wait(GROUP, flagged["message_id"], 1, timeout=60)
    assert notice and "already posted here" in notice[0]["text"]
    stickers = {first["message_id"], again["message_id"], moving["message_id"]}
    assert not [m for m in bot_messages(c, GROUP, first["message_id"])
                if (m.get("reply_to_message") or {}).get("message_id") in stickers]  # nothing about the stickers
    assert stored(c, GROUP) == start + 2  # the two photos, no sticker
    asked = c.send(ANN, GROUP, text="/hashtags", reply_to=again["message_id"])[0]  # asked about, it is answered
    answer = c.wait(GROUP, asked["message_id"], 1, timeout=60, reply_to=asked["message_id"])
    assert answer and "#cat" in answer[0]["text"]
    time.sleep(1.0)
    assert stored(c, GROUP) == start + 2
