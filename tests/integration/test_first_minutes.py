"""A newcomer's first five minutes, through the README's run command on a fresh data dir.

`python -m bot` without a token (the playground: the real bot, the Bot API emulator, the embedded
Redis, the packaged default models, the demo photos) is used as a new user would use it: /start in
English and French, a first photo, a forwarded batch of 30 photos, two albums back to back, an image
sent as a file, an edited command, a photo captioned with /find, and a group with its admin and a
member. Every photo sent is stored and answered, and no answer shows a score under its floor.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import COLOURS, SHAPES, jpeg_bytes, sample_image, shape_photo
from indexing.processes import free_port
from tests.integration.chat import answered, bot_messages, text_of
from tests.processes import stop_process, stop_redis_in

ROOT = Path(__file__).resolve().parents[2]
_SCORE = re.compile(r"\d\.\d\d")  # "Scores, in order: 0.71 · 0.50" under a hashtag reply's line of tags
_SIMILAR = re.compile(r"^(\d\.\d\d) ")  # "0.83 similar · caption" / "0,83 ..." on a result photo



@pytest.fixture(scope="module")
def playground(tmp_path_factory, session_dir, encoders):
    data = tmp_path_factory.mktemp("first-minutes") / "data"
    port = free_port()
    env = dict(os.environ, HASHLENS_DATA_DIR=str(data), HASHLENS_PLAYGROUND_PORT=str(port),
               HASHLENS_MODEL_CACHE_DIR=str(session_dir / "models"), HASHLENS_LOG_LEVEL="INFO")
    for name in ("REDIS_URL", "TELEGRAM_BOT_TOKEN", "HASHLENS_TELEGRAM_BOT_TOKEN", "HASHLENS_IMAGE_MODEL"):
        env.pop(name, None)  # the defaults, as a newcomer has them
    log_path = data.parent / "service.log"
    log_file = open(log_path, "w")
    service = subprocess.Popen([sys.executable, "-m", "bot"], cwd=ROOT, env=env, stdout=log_file,
                               stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 300
        while "hashlens playground" not in log_path.read_text():
            assert service.poll() is None, log_path.read_text()[-3000:]
            assert time.monotonic() < deadline, "the playground did not start"
            time.sleep(0.5)
        from bot.emulator.client import EmulatorClient

        client = EmulatorClient(f"http://127.0.0.1:{port}")
        meta = client.http.get("/control/playground").json()
        service.client, service.meta, service.log_path = client, meta, log_path
        yield service
        client.close()
    finally:  # however the test or the start went: the service stopped, and its Redis if it was killed
        stop_process(service)
        stop_redis_in(data)
        log_file.close()


def wait_for(client, chat: int, after: int, pattern: str, timeout: float = 120) -> list[dict]:
    """The bot's messages after `after` once one of them matches `pattern`."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        replies = bot_messages(client, chat, after)
        if re.search(pattern, text_of(replies)):
            return replies
        time.sleep(0.5)
    raise AssertionError(f"no reply matching {pattern!r}: {text_of(bot_messages(client, chat, after))[-1500:]}")


def floors():
    """The shipped floors of the answers whose scores the bot shows (they hold at every size)."""
    from indexing.relevance import Relevance

    return Relevance.load().floors


def assert_no_score_below_the_floors(replies: list[dict]) -> None:
    f = floors()
    for r in replies:
        text = r.get("text") or ""
        if text.startswith("Hashtags"):
            quoted = r.get("reply_to_message") or {}
            said = (quoted.get("caption") or quoted.get("text") or "").lower()
            lines = text.splitlines()  # the title, the line of tags, then their scores in its order
            tags, scores = re.findall(r"#(\S+)", lines[1]), _SCORE.findall(lines[2])
            assert len(tags) == len(scores), text
            for tag, score in zip(tags, scores):
                # a tag the user's own words name is shown whatever its score; nothing else under the floor
                assert float(score) >= f.hashtags or re.search(rf"\b{re.escape(tag)}\b", said), (tag, text)
        caption = (r.get("caption") or "").replace(",", ".")
        found = _SIMILAR.match(caption)
        if r.get("photo") and found and "similar" in caption:
            assert float(found.group(1)) >= f.similar, caption


def varied_photos(n: int, seed: int) -> list[bytes]:
    rng = np.random.default_rng(seed)
    return [shape_photo(rng, list(COLOURS)[i % 4], SHAPES[(i // 4) % 4]) for i in range(n)]


def stored_count(client, user: int) -> int:
    sent = client.send(user, text="/stats")[0]["message_id"]
    replies = wait_for(client, user, sent, r"\d+ photos? stored", timeout=240)
    return int(re.search(r"(\d+) photos? stored", text_of(replies)).group(1))


@pytest.mark.timeout(900)
def test_a_newcomers_first_five_minutes(playground):
    c, meta = playground.client, playground.meta
    you, alice, group = meta["you"], meta["alice"], meta["group"]

    # /start in both languages, and the search it suggests answers on a fresh install (a newcomer tries it first)
    start = text_of(c.wait(you, c.send(you, text="/start")[0]["message_id"], 1, timeout=60))
    assert "Send me a photo" in start
    hello = c.wait(alice, c.send(alice, text="/start", language_code="fr", first_name="Alice")[0]["message_id"], 1,
                   timeout=60)
    assert "Envoyez-moi une photo" in text_of(hello)
    for user, greeting, lang in ((you, start, "en"), (alice, text_of(hello), "fr")):
        suggested = re.search(r"/find [^<\n]+", greeting).group(0)
        sent = c.send(user, text=suggested, language_code=lang)[0]["message_id"]
        deadline = time.time() + 120
        while not (replies := bot_messages(c, user, sent)) or not any(r.get("photo") for r in replies):
            assert time.time() < deadline and not re.search(r"No photo matches|Aucune photo", text_of(replies)), \
                f"{suggested!r} found no photo: {text_of(replies)}"
            time.sleep(0.5)

    # The first photo: a photo of the demo's cat gets #cat, and a copy of the demo photo is not padding
    first = c.send(you, photo=jpeg_bytes(sample_image("chelsea").rotate(3)))[0]["message_id"]
    replies = wait_for(c, you, first, r"Hashtags|hashtags")
    assert "#cat" in text_of(replies)
    stored = 1

    # A forwarded batch of 30: every one stored and answered, in order
    burst = [c.send(you, photo=p)[0]["message_id"] for p in varied_photos(30, 7)]
    stored += 30
    first_replies = answered(c, you, burst, timeout=400)
    assert len(first_replies) == 30, f"{len(first_replies)} of 30 answered"
    order = [first_replies[m]["message_id"] for m in burst]
    assert order == sorted(order)

    # Two albums back to back: both answered whole
    albums = [c.send(you, photos=varied_photos(5, 100 + a)) for a in range(2)]
    stored += 10
    replies = wait_for(c, you, albums[0][0]["message_id"] - 1, r"(?s)Album of 5 photos.*Album of 5 photos", 300)
    assert text_of(replies).count("Album of 5 photos") == 2

    # An image sent as a file, with a caption: stored, then found and shown as a photo
    doc = jpeg_bytes(sample_image("rocket").resize((300, 400)))
    sent = c.send(you, document=doc, file_name="launch.jpg", mime_type="image/jpeg",
                  caption="our rocket on the launch pad at dawn")[0]["message_id"]
    wait_for(c, you, sent, r"Hashtags|hashtags")
    stored += 1
    sent = c.send(you, text="/find our rocket on the launch pad at dawn")[0]["message_id"]
    replies = wait_for(c, you, sent, r"(?s)launch pad at dawn.*launch pad at dawn")  # the intro, then the album
    assert any(r.get("photo") and "launch pad at dawn" in (r.get("caption") or "") for r in replies)

    # An edited command is answered again; a photo captioned /find is a text + photo search
    sent = c.send(you, text="/find a cup of tea")[0]["message_id"]
    wait_for(c, you, sent, r"cup of tea")
    c.edit(you, sent, text="/find a cat lying down")
    wait_for(c, you, sent, r"a cat lying down")
    sent = c.send(you, photo=jpeg_bytes(sample_image("coffee").resize((400, 267))), caption="/find at night")
    stored += 1
    wait_for(c, you, sent[0]["message_id"], r"at night")

    # Nothing a user sent was lost, and no answer shows a score under its floor
    assert stored_count(c, you) == stored
    assert_no_score_below_the_floors(bot_messages(c, you))
    everything = text_of(bot_messages(c, you))
    assert "Sorry" not in everything and "Slow down" not in everything

    # In French, in a private chat: a photo, a search, French replies only
    sent = c.send(alice, photo=jpeg_bytes(sample_image("astronaut").resize((300, 300))), language_code="fr",
                  first_name="Alice")[0]["message_id"]
    replies = wait_for(c, alice, sent, r"Hashtags")
    sent = c.send(alice, text="/find une tasse de café", language_code="fr", first_name="Alice")[0]["message_id"]
    replies += wait_for(c, alice, sent, r"café")
    french = text_of(replies)
    assert "groupe" not in french and "photos stored" not in french and "similar" not in french, french
    assert_no_score_below_the_floors(replies)

    # A group: the admin posts, a member re-posts and is pointed at the admin's message
    original = c.send(you, group, photo=jpeg_bytes(sample_image("coins")), caption="grandpa's coins #coins")[0]
    time.sleep(2)
    repost = c.send(alice, group, photo=jpeg_bytes(sample_image("coins").resize((256, 201))),
                    language_code="fr", first_name="Alice")[0]["message_id"]
    replies = wait_for(c, group, repost, r"already posted|déjà été publiée")
    link = re.search(r'href="https://t.me/c/\d+/(\d+)"', replies[-1].get("html") or "")
    assert link and int(link.group(1)) == original["message_id"], replies[-1]
    refused = c.send(alice, group, text="/dupes off", language_code="fr", first_name="Alice")[0]["message_id"]
    assert "admins" in text_of(wait_for(c, group, refused, r"admins"))
    sent = c.send(you, group, text="/stats")[0]["message_id"]
    assert re.search(r"\b2 photos stored", text_of(wait_for(c, group, sent, r"photos stored")))

    log = playground.log_path.read_text()
    assert "Traceback" not in log, log[-3000:]
