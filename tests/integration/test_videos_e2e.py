"""End to end through the Bot API emulator: videos, GIFs and video notes (issue 20). In groups they are
collected and checked like photos (GIFs only after `/dupes gifs on`); in a private chat they get
hashtags and similar posts; results show a video as a video; a file over the Bot API's 20 MB
download limit is seen through its thumbnail; a video that does not decode never crashes the bot.
The clips are made by tests/videos.py from scikit-image's photos."""
from __future__ import annotations

import os
import re
import time

import pytest

from indexing.search import ANIMATION, VIDEO, VIDEO_NOTE
from indexing.store import PostStore
from tests.conftest import jpeg_bytes, sample_image
from tests.integration.chat import bot_on_emulator, emulator_with_groups, store_of, text_of
from tests.videos import gif_of, pan_video

TOKEN = "987655:VIDEO-E2E-TOKEN"
ANN, BOB, CAROL, DAN = 801, 802, 803, 804  # Ann administers the groups
CLIPS, GIFS, NOTES, ALBUMS, BIG, EDITS, BROKEN, ALERTS = (-1002000000301 - n for n in range(8))
UPLOADS = -1002000000399
PREFIX = f"e2e{os.getpid()}videos"


@pytest.fixture(scope="module")
def emulator():
    groups = {chat: ("Video club", [ANN]) for chat in (CLIPS, GIFS, NOTES, ALBUMS, BIG, EDITS, BROKEN, ALERTS)}
    with emulator_with_groups(TOKEN, {**groups, UPLOADS: ("uploads", [])}) as emu:
        yield emu


@pytest.fixture(scope="module")
def bot(emulator, redis_server, session_dir, tmp_path_factory, encoders):
    with bot_on_emulator(emulator, TOKEN, redis_server, tmp_path_factory.mktemp("video-data"), session_dir / "models",
                         key_prefix=PREFIX, upload_chat_id=str(UPLOADS)) as proc:
        yield proc


@pytest.fixture(scope="module")
def store(redis_server):
    with store_of(redis_server, PREFIX) as posts:
        yield posts


# -- helpers ------------------------------------------------------------------------------------------
def clip(name: str, **kwargs) -> bytes:
    return pan_video(sample_image(name), **kwargs)


def reencoded(name: str) -> bytes:
    """The same clip as someone re-posts it: smaller, at a low bitrate."""
    return pan_video(sample_image(name), size=(256, 192), bit_rate=150_000)


def settled(c, user: int, chat: int) -> dict:
    """Everything `user` sent before was handled (one lane per user, in order): their /dupes is answered."""
    sent = c.send(user, chat, text="/dupes")[0]
    replies = c.wait(chat, sent["message_id"], 1, timeout=120, reply_to=sent["message_id"])
    assert replies, "the bot did not answer /dupes"
    return replies[0]


def replies_to(c, chat: int, message_id: int) -> list[dict]:
    return [m for m in c.messages(chat, message_id) if m["from"]["is_bot"]
            and (m.get("reply_to_message") or {}).get("message_id") == message_id]


def flag_for(c, chat: int, message_id: int, timeout: float = 120) -> dict:
    replies = c.wait(chat, message_id, 1, timeout=timeout, reply_to=message_id)
    assert replies, f"message {message_id} was not flagged"
    return replies[0]


def links(html: str) -> list[str]:
    return re.findall(r"t\.me/c/\d+/(\d+)", html)


def posts_of(store: PostStore, chat: int) -> list:
    return store.get_posts(store.scope_post_ids(f"chat:{chat}"))


def answers(c, user: int, after: int, count: int, timeout: float = 120) -> list[dict]:
    return c.wait(user, after, count, timeout=timeout)


# -- groups -------------------------------------------------------------------------------------------
def test_a_reencoded_video_is_flagged_as_a_repost_and_another_video_is_not(emulator, bot, store):
    c = emulator.client
    first = c.send(BOB, CLIPS, video=clip("rocket"), caption="launch day")[0]
    other = c.send(BOB, CLIPS, video=clip("coffee"))[0]
    settled(c, BOB, CLIPS)
    assert not replies_to(c, CLIPS, first["message_id"]) and not replies_to(c, CLIPS, other["message_id"])
    stored = {p.message_id: p for p in posts_of(store, CLIPS)}
    assert stored[first["message_id"]].media == VIDEO
    assert stored[first["message_id"]].file_id == first["video"]["file_id"]  # shown again as the video itself
    repost = c.send(CAROL, CLIPS, video=reencoded("rocket"))[0]
    flag = flag_for(c, CLIPS, repost["message_id"])
    assert links(flag["html"]) == [str(first["message_id"])] and flag["text"].startswith("This video was already posted")
    fresh = c.send(CAROL, CLIPS, video=clip("astronaut"))[0]
    settled(c, CAROL, CLIPS)
    assert not replies_to(c, CLIPS, fresh["message_id"])


def test_gifs_are_stored_but_not_checked_until_the_admins_turn_them_on(emulator, bot, store):
    c = emulator.client
    panel = settled(c, ANN, GIFS)["text"]
    assert "GIFs: not checked" in panel and "/dupes gifs on|off" in panel
    # (as large as /dupes minsize checks: 128 px on the short side)
    original = c.send(BOB, GIFS, animation=gif_of(sample_image("chelsea"), size=(320, 240)))[0]
    assert original["animation"]["mime_type"] == "video/mp4" and original["document"]["file_id"] == \
        original["animation"]["file_id"]  # Telegram's MP4 of the GIF, also as a document
    again = c.send(CAROL, GIFS, animation=gif_of(sample_image("chelsea"), size=(288, 216)))[0]
    settled(c, CAROL, GIFS)
    assert not replies_to(c, GIFS, again["message_id"])
    assert {p.message_id: p.media for p in posts_of(store, GIFS)} == {original["message_id"]: ANIMATION,
                                                                      again["message_id"]: ANIMATION}
    refused = c.send(BOB, GIFS, text="/dupes gifs on")[0]
    assert "Only the chat's admins" in c.wait(GIFS, refused["message_id"], 1, reply_to=refused["message_id"])[0]["text"]
    bad = c.send(ANN, GIFS, text="/dupes gifs sometimes")[0]
    assert "/dupes gifs on|off" in c.wait(GIFS, bad["message_id"], 1, reply_to=bad["message_id"])[0]["text"]
    on = c.send(ANN, GIFS, text="/dupes gifs on")[0]
    assert "GIFs: checked like videos" in c.wait(GIFS, on["message_id"], 1, reply_to=on["message_id"])[0]["text"]
    third = c.send(DAN, GIFS, animation=gif_of(sample_image("chelsea"), size=(256, 192)))[0]
    assert links(flag_for(c, GIFS, third["message_id"])["html"])[0] in {str(original["message_id"]),
                                                                         str(again["message_id"])}


def test_a_video_note_reposted_is_flagged(emulator, bot, store):
    c = emulator.client
    note = pan_video(sample_image("astronaut"), size=(240, 240))
    first = c.send(BOB, NOTES, video_note=note)[0]
    assert first["video_note"]["length"] == 240 and "caption" not in first
    settled(c, BOB, NOTES)
    assert [p.media for p in posts_of(store, NOTES)] == [VIDEO_NOTE]
    repost = c.send(CAROL, NOTES, video_note=pan_video(sample_image("astronaut"), size=(200, 200), bit_rate=120_000))[0]
    assert links(flag_for(c, NOTES, repost["message_id"])["html"]) == [str(first["message_id"])]


def test_an_album_of_photos_and_videos_split_across_updates_is_collected_and_checked(emulator, bot, store):
    c = emulator.client
    album = c.send(BOB, ALBUMS, album=[("photo", jpeg_bytes(sample_image("coffee"))), ("video", clip("rocket"))],
                   caption="our trip", album_gap_s=0.3)
    assert [("photo" in m, "video" in m) for m in album] == [(True, False), (False, True)]
    assert album[0]["media_group_id"] == album[1]["media_group_id"]
    settled(c, BOB, ALBUMS)
    stored = {p.message_id: p.media for p in posts_of(store, ALBUMS)}
    assert stored == {album[0]["message_id"]: "", album[1]["message_id"]: VIDEO}
    repost = c.send(CAROL, ALBUMS, video=reencoded("rocket"))[0]
    assert links(flag_for(c, ALBUMS, repost["message_id"])["html"]) == [str(album[1]["message_id"])]


def test_a_video_over_20_mb_is_seen_through_its_thumbnail_and_nobody_is_told_an_error(emulator, bot, store):
    c = emulator.client
    big = clip("chelsea") + b"\0" * (21 * 1024 * 1024)  # an MP4 with trailing bytes: still plays, too big to get
    sent = c.send(BOB, BIG, video=big)[0]
    assert sent["video"]["file_size"] > 20 * 1024 * 1024 and sent["video"]["thumbnail"]["width"] == 320
    settled(c, BOB, BIG)
    assert not replies_to(c, BIG, sent["message_id"])
    [post] = posts_of(store, BIG)
    assert post.media == VIDEO and post.file_id == sent["video"]["file_id"]
    log = bot.log_path.read_text()
    assert re.search(rf"video \S+ in chat {BIG} is {len(big)} bytes, over the 20 MB download limit: using its "
                     r"thumbnail \(320x240\)", log)
    # in a private chat it is answered from its thumbnail like any video
    user = 811
    sent = c.send(user, video=big)[0]
    replies = answers(c, user, sent["message_id"], 2)
    assert replies[0]["text"].startswith("Hashtags") or "hashtag" in replies[0]["text"].lower()
    assert "could not" not in text_of(replies) and "went wrong" not in text_of(replies)


def test_an_edited_video_caption_is_stored(emulator, bot, store):
    c = emulator.client
    sent = c.send(BOB, EDITS, video=clip("coins"), caption="old coins #alphacoins")[0]
    settled(c, BOB, EDITS)
    c.edit(EDITS, sent["message_id"], caption="a pile of coins #bravocoins")
    deadline = time.time() + 60
    while (post := posts_of(store, EDITS)[0]).tags != ["bravocoins"]:
        assert time.time() < deadline, post
        time.sleep(0.5)
    assert post.captions == ["a pile of coins #bravocoins"] and post.media == VIDEO
    assert len(posts_of(store, EDITS)) == 1  # updated, not stored twice
    assert not replies_to(c, EDITS, sent["message_id"])  # quietly, as a group's videos are collected
    # its poster forgets it like a photo
    asked = c.send(BOB, EDITS, text="/forget", reply_to=sent["message_id"])[0]
    assert c.wait(EDITS, asked["message_id"], 1, timeout=60, reply_to=asked["message_id"])[0]["text"].startswith("Done")
    assert not posts_of(store, EDITS)


def test_a_video_that_does_not_decode_is_logged_in_a_group_and_explained_in_private(emulator, bot, store):
    c = emulator.client
    broken = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40
    sent = c.send(BOB, BROKEN, video=broken)[0]
    assert sent["video"]["width"] == 0 and "thumbnail" not in sent["video"]
    settled(c, BOB, BROKEN)
    assert not replies_to(c, BROKEN, sent["message_id"]) and not posts_of(store, BROKEN)
    assert re.search(rf"a video in chat {BROKEN} .* does not decode", bot.log_path.read_text())
    user = 812
    sent = c.send(user, video=broken)[0]
    [reply] = answers(c, user, sent["message_id"], 1)
    assert reply["text"].startswith("I could not read this video") and "MP4" in reply["text"]
    # the bot goes on: a good video right after is answered
    sent = c.send(user, video=clip("rocket"))[0]
    assert answers(c, user, sent["message_id"], 1)[0]["text"].startswith("Hashtags")


def test_an_admins_alert_carries_the_reposted_video_and_its_buttons_edit_the_caption(emulator, bot, store):
    c = emulator.client
    c.wait(ANN, c.start(ANN)["message_id"], 1)
    ask_ann = c.send(ANN, ALERTS, text="/dupes notify admins")[0]
    assert "privately" in c.wait(ALERTS, ask_ann["message_id"], 1, reply_to=ask_ann["message_id"])[0]["text"]
    first = c.send(BOB, ALERTS, video=clip("rocket"))[0]
    settled(c, BOB, ALERTS)
    before = c.messages(ANN)[-1]["message_id"]
    repost = c.send(CAROL, ALERTS, video=reencoded("rocket"))[0]
    deadline = time.time() + 120
    while not (alerts := [m for m in c.messages(ANN, before) if m["from"]["is_bot"] and m.get("reply_markup")]):
        assert time.time() < deadline, "no alert reached Ann"
        time.sleep(0.5)
    alert = alerts[0]
    assert alert["video"]["file_id"] == repost["video"]["file_id"]  # the re-post itself, as a video
    assert f"/{first['message_id']}" in alert["html"] and f"/{repost['message_id']}" in alert["html"]
    clear = next(b["callback_data"] for row in alert["reply_markup"]["inline_keyboard"] for b in row
                 if b.get("callback_data", "").startswith("rp:clear:"))
    assert c.press(ANN, alert["message_id"], ANN, clear)["text"].startswith("Noted")
    now = next(m for m in c.messages(ANN) if m["message_id"] == alert["message_id"])
    assert now["caption"].endswith("Not a re-post: cleared by User.") and not now.get("reply_markup")


# -- private chats and results ------------------------------------------------------------------------
def test_a_private_video_gets_hashtags_and_similar_posts_and_replies_to_it_work(emulator, bot, store):
    c, user = emulator.client, 813
    sent = c.send(user, video=clip("chelsea"))[0]
    replies = answers(c, user, sent["message_id"], 2)
    assert replies[0]["text"].startswith("Hashtags") and "#cat" in replies[0]["text"]
    assert replies[0]["reply_to_message"]["message_id"] == sent["message_id"]  # says which video is answered
    # similar posts from its keyframes: the demo's photo of this cat is the very scene the clip pans over,
    # so the answer is that nothing but copies of the scene is like it (as for the photo: test_bot_e2e)
    assert replies[1]["text"] == "Nothing I know looks like this video yet, apart from copies of it."
    [post] = posts_of(store, user)
    assert post.media == VIDEO and post.file_id == sent["video"]["file_id"]  # kept in the user's scope
    asked = c.send(user, text="/hashtags", reply_to=sent["message_id"])[0]
    assert "#cat" in c.wait(user, asked["message_id"], 1, timeout=120)[0]["text"]
    asked = c.send(user, text="/captions", reply_to=sent["message_id"])[0]
    assert "tabby cat" in c.wait(user, asked["message_id"], 1, timeout=120)[0]["text"]


def test_find_shows_a_stored_video_as_a_video_and_a_gif_as_an_animation(emulator, bot, store):
    c, user = emulator.client, 814
    video = c.send(user, video=clip("rocket"), caption="a rocket on its launch pad")[0]
    answers(c, user, video["message_id"], 2)
    gif = c.send(user, animation=gif_of(sample_image("rocket")), caption="rocket launch gif")[0]
    answers(c, user, gif["message_id"], 2)
    asked = c.send(user, text="/find a rocket on its launch pad")[0]
    time.sleep(3)
    found = c.wait(user, asked["message_id"], 3, timeout=120)
    videos = [m for m in found if m.get("video")]
    assert any(m["video"]["file_id"] == video["video"]["file_id"] for m in videos), found
    animations = [m for m in found if m.get("animation")]
    assert any(m["animation"]["file_id"] == gif["animation"]["file_id"] for m in animations), found
    # words + a video: /find in reply to it searches with its keyframes too
    asked = c.send(user, text="/find at night", reply_to=video["message_id"])[0]
    said = text_of(c.wait(user, asked["message_id"], 1, timeout=120))
    assert "at night" in said and "went wrong" not in said
