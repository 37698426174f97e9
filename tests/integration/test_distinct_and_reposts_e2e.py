"""End to end through the Bot API emulator: re-posts link to the photo's first post in the group (never
to a re-post or a deleted message), and answers never show the query photo or several copies of one."""
from __future__ import annotations

import io
import re
import time

import pytest
from PIL import Image

from indexing.keys import Keys
from indexing.store import PostStore
from tests.conftest import jpeg_bytes, sample_image
from tests.integration.chat import emulator_with_groups
from tests.integration.test_bot_e2e import ANN, BOB, CAROL, TOKEN, ask, bot, wait_stored  # noqa: F401 (fixture)

REPOST_GROUP, DELETE_GROUP = -1002000000011, -1002000000012
DAVE = 504  # a member: the copies come from others than the first post's author (their own is not flagged)


@pytest.fixture(scope="module")
def emulator():
    """This module's own emulator and groups (the bot fixture of test_bot_e2e runs against it)."""
    with emulator_with_groups(TOKEN, {REPOST_GROUP: ("Re-post club", [ANN]),
                                      DELETE_GROUP: ("Strict club", [ANN])}) as emu:
        yield emu


def three_posts(name: str) -> tuple[bytes, bytes, bytes]:
    """A photo, a smaller re-compressed copy, and a copy of that copy (nearer to the second than the first)."""
    im = sample_image(name)
    w, h = im.size
    second = jpeg_bytes(im.resize((w * 3 // 5, h * 3 // 5)), quality=70)
    small = Image.open(io.BytesIO(second))
    third = jpeg_bytes(small.crop((4, 4, small.width - 4, small.height - 4)), quality=45)
    return jpeg_bytes(im), second, third


def links(html: str) -> list[str]:
    return re.findall(r'href="https://t\.me/c/(\d+)/(\d+)"', html)


def test_every_repost_links_to_the_first_post(emulator, bot):  # noqa: F811 (the imported fixture)
    c = emulator.client
    first, second, third = three_posts("astronaut")
    original = c.send(BOB, REPOST_GROUP, photo=first)[0]
    wait_stored(c, REPOST_GROUP, 1)
    group = str(REPOST_GROUP)[4:]
    for user, copy in ((CAROL, second), (DAVE, third)):
        flagged = ask(c, user, REPOST_GROUP, photo=copy)
        assert flagged[0]["reply_to_message"]["from"]["id"] == user
        assert links(flagged[0]["html"]) == [(group, str(original["message_id"]))]
    assert "3 photos stored" in ask(c, ANN, REPOST_GROUP, text="/stats")[0]["text"]


def test_delete_mode_never_links_to_a_deleted_message(emulator, bot, redis_client):  # noqa: F811 (the imported fixture)
    c = emulator.client
    assert "delete re-posts" in ask(c, ANN, DELETE_GROUP, text="/dupes delete")[0]["text"]
    first, second, third = three_posts("coffee")
    original = c.send(BOB, DELETE_GROUP, photo=first)[0]
    wait_stored(c, DELETE_GROUP, 1)
    group = str(DELETE_GROUP)[4:]
    for user, copy in ((CAROL, second), (DAVE, third)):
        sent = c.send(user, DELETE_GROUP, photo=copy)[0]
        notice = c.wait(DELETE_GROUP, sent["message_id"], 1)
        assert "removed a re-post" in notice[0]["text"]
        assert next(m for m in c.messages(DELETE_GROUP, deleted=True) if m["message_id"] == sent["message_id"]).get("deleted")
        assert links(notice[0]["html"]) == [(group, str(original["message_id"]))]
        deleted = {str(m["message_id"]) for m in c.messages(DELETE_GROUP, deleted=True) if m.get("deleted")}
        assert not {m for _, m in links(notice[0]["html"])} & deleted
    assert "3 photos stored" in ask(c, ANN, DELETE_GROUP, text="/stats")[0]["text"]
    # what the bot stored: each copy names the first post, and is marked as a deleted message
    store = PostStore(redis_client, Keys(bot.key_prefix))
    posts = sorted(store.get_posts(store.scope_post_ids(f"chat:{DELETE_GROUP}")), key=lambda p: p.message_id)
    assert [p.message_id for p in posts] == [original["message_id"]] + sorted(int(m) for m in deleted)
    assert [(p.repost_of, p.message_deleted) for p in posts] == [(None, False)] + [(posts[0].id, True)] * 2


def album_of(replies: list[dict]) -> list[dict]:
    return [r for r in replies if r.get("photo")]


def test_similar_never_shows_the_photo_itself(emulator, bot):  # noqa: F811 (the imported fixture)
    c = emulator.client
    user = 641
    cat = jpeg_bytes(sample_image("chelsea"))  # the very bytes of the demo collection's cat photo
    sent = c.send(user, photo=cat)[0]
    replies = c.wait(user, sent["message_id"], 2)
    # the demo's cat is this very photo, not a similar one, and nothing else clears the floor: the bot
    # says it knows the photo (it does not pad the answer, nor show the photo itself)
    assert not [r for r in replies if r.get("photo")]
    assert "apart from copies of it" in replies[-1]["text"]
    replied = c.send(user, text="/similar", reply_to=sent["message_id"])[0]
    again = c.wait(user, replied["message_id"], 1)
    assert not [r for r in again if r.get("photo")]  # neither its own post nor the public copy of it
    assert "apart from copies of it" in again[0]["text"]


def test_copies_of_one_photo_are_shown_once(emulator, bot):  # noqa: F811 (the imported fixture)
    c = emulator.client
    user = 642
    moon = sample_image("moon")
    copies = [jpeg_bytes(moon, quality=60), jpeg_bytes(moon.resize((400, 400)), quality=85),
              jpeg_bytes(moon.resize((300, 300)), quality=50)]
    for n, copy in enumerate(copies, 1):
        sent = c.send(user, photo=copy, caption=f"my moon photo, copy {n}")[0]
        c.wait(user, sent["message_id"], 5)
    # a search whose best answers are the three copies and the demo's moon: one of them is shown
    found = album_of(ask(c, user, text="/find the moon", count=2))
    assert found and sum("moon" in r["caption"] for r in found) == 1  # (the floor keeps unrelated ones out)
    # an album with a fourth copy: none of the copies, none of the album's photos, each photo once
    sent = c.send(user, photos=[jpeg_bytes(moon, quality=40), jpeg_bytes(sample_image("coffee"))])
    replies = c.wait(user, sent[-1]["message_id"], 2)
    time.sleep(1.0)
    album = album_of(c.messages(user, after=sent[-1]["message_id"]))
    captions = [r["caption"] for r in album]
    assert not [x for x in captions if "moon" in x or "espresso" in x], captions
    assert len({r["photo"][-1]["file_id"] for r in album}) == len(album)
    assert album or "apart from the photos themselves" in replies[-1]["text"]  # copies of both: nothing else is close
