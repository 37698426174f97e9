"""End to end through the Bot API emulator: group moderation as admins meet it (issue 17). Buttons on
flags (a member pressing one, one pressed twice, decisions surviving a restart), /forget of one photo
or all, anonymous admins, forum topics, forwards from the linked channel and from elsewhere, alerts
to the admins only, the chat's rules (minimum size, own photos), /stats, and what blocks the bot."""
from __future__ import annotations

import contextlib
import io
import os
import re
import time

import pytest
import redis
from PIL import Image

from indexing.keys import Keys
from tests.conftest import jpeg_bytes, sample_image
from tests.integration.chat import bot_on_emulator
from tests.integration.test_bot_e2e import TOKEN, ask, noise

ANN, BOB, CAROL, DAN, EVE = 501, 502, 503, 504, 505  # Ann and Dan are admins, Eve an admin who never started the bot
MODS, ANON, FORUM, LINKED, ALERTS, NOBODY, NO_RIGHTS, BLIND, SAME = (-1002000000021 - n for n in range(9))
CHANNEL = -1002000000099


@pytest.fixture(scope="module")
def emulator():
    from bot.emulator.client import EmulatorClient
    from bot.emulator.server import ThreadedEmulator
    from bot.emulator.world import World

    emu = ThreadedEmulator(World(TOKEN)).start()
    c = emu.client = EmulatorClient(emu.url)
    for chat in (MODS, ANON, SAME):
        c.group(chat, "Mods club", admins=[ANN, DAN], creator=ANN)
    c.group(FORUM, "Forum club", admins=[ANN], creator=ANN, forum=True)
    c.group(LINKED, "Channel talk", admins=[ANN], creator=ANN, linked_channel_id=CHANNEL)
    c.group(ALERTS, "Quiet club", admins=[ANN, DAN], creator=ANN)
    c.group(NOBODY, "Lonely club", admins=[EVE], creator=EVE)
    c.group(NO_RIGHTS, "Toothless club", admins=[ANN], creator=ANN, bot_can_delete=False)
    c.group(BLIND, "Blind club", admins=[ANN], creator=ANN, bot_admin=False, privacy=True)
    try:
        yield emu
    finally:
        c.close()
        emu.stop()


class RestartableBot:
    """`python -m bot` against the module's emulator, stopped and started again on the same Redis keys."""

    def __init__(self, emulator, redis_url, data_dir, model_cache, key_prefix):
        self.args = (emulator, TOKEN, redis_url, data_dir, model_cache)
        self.key_prefix = key_prefix
        self._running: contextlib.ExitStack | None = None

    def start(self) -> None:
        self._running = contextlib.ExitStack()
        self.proc = self._running.enter_context(bot_on_emulator(*self.args, key_prefix=self.key_prefix))

    def stop(self) -> None:
        if self._running is not None:
            self._running.close()
            self._running = None


@pytest.fixture(scope="module")
def bot(request, emulator, redis_server, session_dir, tmp_path_factory, encoders):
    running = RestartableBot(emulator, redis_server, tmp_path_factory.mktemp("bot-data"), session_dir / "models",
                             f"e2e{os.getpid()}moderation")
    running.start()
    try:
        yield running
    finally:
        running.stop()


# -- helpers ------------------------------------------------------------------------------------------
def photo(name: str) -> bytes:
    """A real photo (photos of random noise look alike to the image model: one group holds one of them)."""
    return jpeg_bytes(sample_image(name))


def copy_of(original: bytes, width: int = 300, quality: int = 70) -> bytes:
    """A re-post as people make them: smaller (as wide as `width`) and recompressed."""
    im = Image.open(io.BytesIO(original))
    return jpeg_bytes(im.resize((width, round(im.height * width / im.width))), quality=quality)


def links(html: str) -> list[str]:
    """The message ids a bot message links to."""
    return re.findall(r"t\.me/c/\d+/(\d+)", html)


def bot_replies_to(c, chat: int, message_id: int) -> list[dict]:
    return [m for m in c.messages(chat, message_id) if m["from"]["is_bot"]
            and (m.get("reply_to_message") or {}).get("message_id") == message_id]


def settled(c, user: int, chat: int, **kwargs) -> dict:
    """Everything `user` sent before has been handled (one lane per user, in order): their /dupes is answered."""
    return ask(c, user, chat, text="/dupes", **kwargs)[0]


def post(c, user: int, chat: int, photo: bytes, **kwargs) -> dict:
    """A photo posted, once the bot handled it."""
    sent = c.send(user, chat, photo=photo, **kwargs)[0]
    settled(c, user, chat, **({"thread_id": kwargs["thread_id"]} if "thread_id" in kwargs else {}))
    return sent


def post_text(c, user: int, chat: int, text: str) -> int:
    """A member's plain message in a group (the bot says nothing to it); its message id."""
    return c.send(user, chat, text=text)[0]["message_id"]


def flag_for(c, chat: int, message_id: int, timeout: float = 60) -> dict:
    """The bot's reply to a re-post."""
    replies = c.wait(chat, message_id, 1, timeout=timeout, reply_to=message_id)
    assert replies, f"message {message_id} was not flagged"
    return replies[0]


def buttons(message: dict) -> dict[str, str]:
    """{callback_data: label} of a message's inline keyboard."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return {b["callback_data"]: b["text"] for row in rows for b in row if "callback_data" in b}


def current(c, chat: int, message_id: int) -> dict:
    return next(m for m in c.messages(chat) if m["message_id"] == message_id)


def stored(c, chat: int) -> int:
    return int(re.search(r"(\d+) photos? stored", ask(c, ANN, chat, text="/stats")[0]["text"]).group(1))


def started(c, user: int) -> None:
    """The user opened a private chat with the bot, and it answered."""
    c.wait(user, c.start(user)["message_id"], 1)


def alert_after(c, admin: int, after: int, timeout: float = 60) -> dict:
    """The next private alert (a bot message with buttons) an admin got after message `after`."""
    deadline = time.time() + timeout
    while True:
        alerts = [m for m in c.messages(admin, after) if m["from"]["is_bot"] and buttons(m)]
        if alerts:
            return alerts[0]
        assert time.time() < deadline, f"no alert reached {admin}"
        time.sleep(0.3)


def last_id(c, chat: int) -> int:
    messages = c.messages(chat)
    return messages[-1]["message_id"] if messages else 0


# -- buttons ------------------------------------------------------------------------------------------
def test_only_admins_clear_a_flag_and_a_cleared_pair_is_never_flagged_again_even_after_a_restart(emulator, bot):
    c = emulator.client
    original = photo("astronaut")
    first = post(c, BOB, MODS, original)
    repost = copy_of(original)
    sent = c.send(CAROL, MODS, photo=repost)[0]
    flag = flag_for(c, MODS, sent["message_id"])
    assert f"https://t.me/c/{str(MODS)[4:]}/{first['message_id']}" in flag["html"]
    keyboard = buttons(flag)
    clear = next(d for d in keyboard if d.startswith("rp:clear:"))
    assert keyboard[clear] == "✅ Not a re-post" and clear.replace("clear", "del") in keyboard
    assert clear.split(":")[3] != clear.split(":")[2]  # rp:clear:<post>:<original>
    # a member may not press; nothing changes
    refused = c.press(MODS, flag["message_id"], CAROL, clear)
    assert refused["text"] == "Only the group's admins can do this."
    assert buttons(current(c, MODS, flag["message_id"])) == keyboard
    done = c.press(MODS, flag["message_id"], ANN, clear)
    assert done["text"].startswith("Noted: not a re-post")
    edited = current(c, MODS, flag["message_id"])
    assert "Not a re-post: cleared by" in edited["text"] and not buttons(edited) and edited.get("edit_date")
    assert "https://t.me/c/" in edited["html"]  # the flag still links to the original
    # that photo is never flagged against that original again: it is an original of its own now (a copy
    # of it re-posts Carol's photo), and the decision survives a restart
    again = c.send(DAN, MODS, photo=repost)[0]
    assert links(flag_for(c, MODS, again["message_id"])["html"]) == [str(sent["message_id"])]
    # the original itself posted again (its very bytes) is a re-post of it, a post of its own with both buttons
    exact = flag_for(c, MODS, c.send(DAN, MODS, photo=original)[0]["message_id"])
    assert links(exact["html"]) == [str(first["message_id"])]
    assert sorted(d.split(":")[1] for d in buttons(exact)) == ["clear", "del"]
    bot.stop()
    bot.start()
    after_restart = c.send(BOB, MODS, photo=repost)[0]
    assert links(flag_for(c, MODS, after_restart["message_id"])["html"]) == [str(sent["message_id"])]


def test_delete_removes_the_repost_and_says_who_did_it(emulator, bot):
    c = emulator.client
    original = photo("rocket")
    post(c, BOB, MODS, original)
    sent = c.send(CAROL, MODS, photo=copy_of(original))[0]
    flag = flag_for(c, MODS, sent["message_id"])
    delete = next(d for d in buttons(flag) if d.startswith("rp:del:"))
    assert c.press(MODS, flag["message_id"], BOB, delete)["text"] == "Only the group's admins can do this."
    assert any(m["message_id"] == sent["message_id"] for m in c.messages(MODS))  # still there
    assert c.press(MODS, flag["message_id"], DAN, delete)["text"] == "Deleted."
    assert not any(m["message_id"] == sent["message_id"] for m in c.messages(MODS))
    edited = current(c, MODS, flag["message_id"])
    assert "🗑 Deleted by" in edited["text"] and not buttons(edited)


def test_the_very_same_file_posted_again_is_flagged_cleared_edited_and_forgotten_on_its_own(emulator, bot,
                                                                                           redis_server):
    import redis

    from indexing.keys import Keys
    from indexing.store import PostStore

    c, scope = emulator.client, f"chat:{SAME}"
    store = PostStore(redis.Redis.from_url(redis_server), Keys(bot.key_prefix))
    original = photo("coins")
    first = post(c, BOB, SAME, original, caption="old coins #coins")
    sent = c.send(CAROL, SAME, photo=original, caption="look #carol")[0]  # the same file, byte for byte
    flag = flag_for(c, SAME, sent["message_id"])
    assert links(flag["html"]) == [str(first["message_id"])]
    keyboard = buttons(flag)
    clear = next(d for d in keyboard if d.startswith("rp:clear:"))
    _, _, post_id, original_id = clear.split(":")
    assert post_id != original_id and f"rp:del:{post_id}:{original_id}" in keyboard
    copy = store.post_by_message(scope, sent["message_id"])
    assert copy.id == int(post_id) and copy.user_id == CAROL
    assert store.post_by_message(scope, first["message_id"]).id == int(original_id)
    assert c.press(SAME, flag["message_id"], ANN, clear)["text"].startswith("Noted: not a re-post")
    assert "Not a re-post: cleared by" in current(c, SAME, flag["message_id"])["text"]
    # the copy's caption edited: the copy takes it, the original keeps its own
    c.edit(SAME, sent["message_id"], caption="shiny #shiny")
    deadline = time.time() + 60
    while store.get_post(copy.id).tags != ["shiny"]:
        assert time.time() < deadline, store.get_post(copy.id)
        time.sleep(0.5)
    assert store.get_post(int(original_id)).captions == ["old coins #coins"]
    # /forget in reply to the copy forgets the copy only
    before = stored(c, SAME)
    assert "I forgot this photo" in ask(c, CAROL, SAME, text="/forget", reply_to=sent["message_id"])[0]["text"]
    assert stored(c, SAME) == before - 1
    assert store.get_post(copy.id) is None and store.get_post(int(original_id)) is not None
    assert "I have not stored this photo" in ask(c, ANN, SAME, text="/forget", reply_to=sent["message_id"])[0]["text"]
    again = c.send(DAN, SAME, photo=copy_of(original))[0]  # the original still flags its re-posts
    assert links(flag_for(c, SAME, again["message_id"])["html"]) == [str(first["message_id"])]
    store.r.close()


# -- /forget ------------------------------------------------------------------------------------------
def test_forget_one_photo_by_its_poster_and_all_after_an_admins_confirmation(emulator, bot):
    c = emulator.client
    mine = post(c, BOB, ANON, photo("coffee"))
    post(c, CAROL, ANON, photo("rocket"))
    before = stored(c, ANON)
    assert "Only the photo's poster or an admin" in ask(c, CAROL, ANON, text="/forget",
                                                        reply_to=mine["message_id"])[0]["text"]
    assert "I forgot this photo" in ask(c, BOB, ANON, text="/forget", reply_to=mine["message_id"])[0]["text"]
    assert stored(c, ANON) == before - 1
    assert "I have not stored this photo" in ask(c, ANN, ANON, text="/forget", reply_to=mine["message_id"])[0]["text"]
    assert "Only the group's admins can make me forget all" in ask(c, BOB, ANON, text="/forget")[0]["text"]
    said = post_text(c, CAROL, ANON, "hello")
    # in reply to a text (or a flag) /forget is never "forget everything"
    assert "Reply to a photo with /forget" in ask(c, ANN, ANON, text="/forget", reply_to=said)[0]["text"]
    confirm = ask(c, ANN, ANON, text="/forget")[0]
    assert re.search(rf"Delete (all|the) {before - 1} photos? ", confirm["text"])  # "the 1 photo", "all 2 photos"
    assert set(buttons(confirm)) == {"fg:yes", "fg:no"}
    assert c.press(ANON, confirm["message_id"], BOB, "fg:yes")["text"] == "Only the group's admins can do this."
    c.start(507, "Zoé", "fr")  # a French member's refusal pops up for her alone: in French
    assert c.press(ANON, confirm["message_id"], 507, "fg:yes")["text"] == "Seuls les admins du groupe peuvent faire cela."
    c.press(ANON, confirm["message_id"], ANN, "fg:no")
    assert "Nothing deleted" in current(c, ANON, confirm["message_id"])["text"]
    assert stored(c, ANON) == before - 1
    older = ask(c, ANN, ANON, text="/forget")[0]  # left pending
    confirm = ask(c, ANN, ANON, text="/forget", as_group=True)[0]  # an anonymous admin asks; Ann presses
    c.press(ANON, confirm["message_id"], ANN, "fg:yes")
    assert re.search(rf"deleted the {before - 1} photos? ", current(c, ANON, confirm["message_id"])["text"])
    assert stored(c, ANON) == 0
    assert "I have no photos stored" in ask(c, ANN, ANON, text="/forget")[0]["text"]  # nothing to confirm
    c.press(ANON, older["message_id"], ANN, "fg:yes")  # the older confirmation: nothing left, said so
    assert "I have no photos stored" in current(c, ANON, older["message_id"])["text"]


# -- anonymous admins ---------------------------------------------------------------------------------
def test_an_anonymous_admin_changes_the_settings_and_the_rules_apply(emulator, bot):
    c = emulator.client
    assert "Only the chat's admins" in ask(c, BOB, ANON, text="/dupes minsize 300")[0]["text"]
    asked = ask(c, ANN, ANON, text="/dupes window")[0]["text"]  # no value: which one, and the panel
    assert "Which value for /dupes window?" in asked and "/dupes self on|off" in asked
    settings = ask(c, ANN, ANON, text="/dupes minsize 300", as_group=True)[0]
    assert "Smallest photo checked: 300 px" in settings["text"]
    # smaller than 300 px on the short side: never a re-post; as large: flagged
    original = photo("coffee")  # 600 x 400
    post(c, BOB, ANON, original)
    small = post(c, CAROL, ANON, copy_of(original, 420))
    assert not bot_replies_to(c, ANON, small["message_id"])
    assert flag_for(c, ANON, c.send(CAROL, ANON, photo=copy_of(original, 450))[0]["message_id"])
    # a member's own photo again: recorded, not flagged, until an (anonymous) admin turns it on
    mine = photo("immunohistochemistry")  # 512 x 512
    post(c, BOB, ANON, mine)
    own = post(c, BOB, ANON, copy_of(mine, 400, 60))
    assert not bot_replies_to(c, ANON, own["message_id"])
    assert "own photo again: flagged" in ask(c, ANN, ANON, text="/dupes self on", as_group=True)[0]["text"]
    assert flag_for(c, ANON, c.send(BOB, ANON, photo=copy_of(mine, 380, 50))[0]["message_id"])
    assert "“tiny” is not a size" in ask(c, ANN, ANON, text="/dupes minsize tiny", as_group=True)[0]["text"]


# -- forum topics -------------------------------------------------------------------------------------
def test_in_a_forum_every_reply_and_notice_goes_to_the_messages_topic(emulator, bot):
    c = emulator.client
    cats = c.topic(FORUM, "Cats")
    original = photo("chelsea")
    post(c, BOB, FORUM, original, thread_id=cats)
    sent = c.send(CAROL, FORUM, photo=copy_of(original, 300), thread_id=cats)[0]
    flag = flag_for(c, FORUM, sent["message_id"])
    assert flag["message_thread_id"] == cats and buttons(flag)
    stats = ask(c, ANN, FORUM, text="/stats", thread_id=cats)[0]
    assert stats["message_thread_id"] == cats and "1 / 1 flagged" in stats["text"]
    assert ask(c, ANN, FORUM, text="/dupes delete", thread_id=cats)[0]["message_thread_id"] == cats
    again = c.send(CAROL, FORUM, photo=copy_of(original, 330, 60), thread_id=cats)[0]
    notice = c.wait(FORUM, again["message_id"], 1)[0]  # sent anew (its re-post is gone): not a reply
    assert "removed a re-post" in notice["text"] and notice["message_thread_id"] == cats
    # cleared afterwards, the notice still says the re-post was removed (in a topic every message
    # "replies" to the topic's opening message: that is no re-post it answers)
    clear = next(data for data in buttons(notice) if data.startswith("rp:clear:"))
    c.press(FORUM, notice["message_id"], ANN, clear)
    cleared = current(c, FORUM, notice["message_id"])["text"]
    assert "removed a re-post" in cleared and "it may be posted again" in cleared
    assert not any(m["message_id"] == again["message_id"] for m in c.messages(FORUM))


# -- forwards -----------------------------------------------------------------------------------------
def test_the_linked_channels_posts_are_originals_never_flagged_and_forwards_follow_the_setting(emulator, bot):
    c = emulator.client
    channel_photo = photo("astronaut")
    first = c.send(ANN, LINKED, photo=channel_photo, automatic_forward=True)[0]
    assert first["is_automatic_forward"] and first["sender_chat"]["id"] == CHANNEL
    deadline = time.time() + 60
    while stored(c, LINKED) < 1:
        assert time.time() < deadline
        time.sleep(0.5)
    again = c.send(ANN, LINKED, photo=copy_of(channel_photo, 400), automatic_forward=True)[0]
    while stored(c, LINKED) < 2:
        assert time.time() < deadline
        time.sleep(0.5)
    time.sleep(1.0)
    assert not bot_replies_to(c, LINKED, again["message_id"])  # the channel posting it twice: not flagged
    member = c.send(BOB, LINKED, photo=copy_of(channel_photo, 350))[0]
    assert f"/{first['message_id']}\"" in flag_for(c, LINKED, member["message_id"])["html"]  # the channel's post
    forwarded = c.send(CAROL, LINKED, photo=copy_of(channel_photo, 320, 60),
                       forward_from={"type": "user", "id": 777, "first_name": "Someone"})[0]
    assert forwarded.get("forward_origin") and flag_for(c, LINKED, forwarded["message_id"])
    assert "Forwards: not checked" in ask(c, ANN, LINKED, text="/dupes forwards off")[0]["text"]
    skipped = post(c, CAROL, LINKED, copy_of(channel_photo, 310, 55),
                   forward_from={"type": "channel", "id": -1001777, "title": "Elsewhere"})
    assert not bot_replies_to(c, LINKED, skipped["message_id"])


# -- alerts to the admins only ------------------------------------------------------------------------
def test_admins_alerts_go_privately_to_those_who_started_the_bot_and_a_press_on_one_marks_them_all(
        emulator, bot, redis_server):
    c = emulator.client
    started(c, ANN)
    assert "privately" in ask(c, ANN, ALERTS, text="/dupes notify admins")[0]["text"]
    original = photo("coffee")
    first = post(c, BOB, ALERTS, original)
    ann_before = last_id(c, ANN)
    sent = c.send(CAROL, ALERTS, photo=copy_of(original))[0]
    alert = alert_after(c, ANN, ann_before)
    group = str(ALERTS)[4:]
    assert alert.get("photo") and "Quiet club" in alert["caption"]
    assert f"t.me/c/{group}/{sent['message_id']}" in alert["html"]
    assert f"t.me/c/{group}/{first['message_id']}" in alert["html"]
    assert {d.split(":")[1] for d in buttons(alert)} == {"clear", "del"}
    settled(c, CAROL, ALERTS)
    assert not [m for m in c.messages(ALERTS, sent["message_id"]) if m["from"]["is_bot"]
                and "Re-post checks" not in (m.get("text") or "")]  # nothing about it in the group
    assert not [m for m in c.messages(DAN) if m["from"]["is_bot"]]  # Dan never started the bot
    # with both admins reachable, each gets the alert; one clears it, and the other's alert says so at
    # once and loses its buttons; a stale press of his (Delete, Not a re-post) learns who was first
    started(c, DAN)
    ann_before, dan_before = last_id(c, ANN), last_id(c, DAN)
    second = c.send(CAROL, ALERTS, photo=copy_of(original, 340, 50))[0]
    ann_alert, dan_alert = alert_after(c, ANN, ann_before), alert_after(c, DAN, dan_before)
    clear = next(d for d in buttons(ann_alert) if d.startswith("rp:clear:"))
    delete = next(d for d in buttons(ann_alert) if d.startswith("rp:del:"))
    assert {clear, delete} == set(buttons(dan_alert))
    assert c.press(ANN, ann_alert["message_id"], ANN, clear)["text"].startswith("Noted")
    for admin, alert in ((ANN, ann_alert), (DAN, dan_alert)):
        now = current(c, admin, alert["message_id"])
        assert not buttons(now) and now["caption"].endswith("Not a re-post: cleared by User.")
        assert "Quiet club" in now["caption"]  # the alert as it was written, then who cleared it
    # Delete from an alert deletes the re-post in the group, and both alerts say who did it
    other = photo("chelsea")
    post(c, BOB, ALERTS, other)
    ann_before, dan_before = last_id(c, ANN), last_id(c, DAN)
    third = c.send(CAROL, ALERTS, photo=copy_of(other))[0]
    ann_alert, dan_alert = alert_after(c, ANN, ann_before), alert_after(c, DAN, dan_before)
    delete = next(d for d in buttons(ann_alert) if d.startswith("rp:del:"))
    assert c.press(DAN, dan_alert["message_id"], DAN, delete)["text"] == "Deleted."
    assert not any(m["message_id"] == third["message_id"] for m in c.messages(ALERTS))
    assert any(m["message_id"] == second["message_id"] for m in c.messages(ALERTS))  # only that one
    for admin, alert in ((ANN, ann_alert), (DAN, dan_alert)):
        now = current(c, admin, alert["message_id"])
        assert not buttons(now) and now["caption"].endswith("Deleted by User.")
    # an alert the bot no longer keeps in step (sent over 30 days ago, or by a version that did not keep
    # them) still has its buttons after a clear: its stale Delete says who cleared it and deletes nothing
    another = photo("astronaut")
    post(c, BOB, ALERTS, another)
    ann_before, dan_before = last_id(c, ANN), last_id(c, DAN)
    fourth = c.send(CAROL, ALERTS, photo=copy_of(another))[0]
    ann_alert, dan_alert = alert_after(c, ANN, ann_before), alert_after(c, DAN, dan_before)
    redis.Redis.from_url(redis_server).delete(Keys(bot.key_prefix).alerts(f"chat:{ALERTS}"))
    clear, delete = sorted(buttons(ann_alert))  # rp:clear:..., rp:del:...
    assert c.press(ANN, ann_alert["message_id"], ANN, clear)["text"].startswith("Noted")
    assert buttons(current(c, DAN, dan_alert["message_id"]))  # not kept in step
    assert c.press(DAN, dan_alert["message_id"], DAN, delete)["text"] == "Already done: User said it is not a re-post."
    assert any(m["message_id"] == fourth["message_id"] for m in c.messages(ALERTS))  # not deleted
    assert not buttons(current(c, DAN, dan_alert["message_id"]))


def test_when_no_admin_can_be_reached_the_group_is_told_once_and_flagged_publicly(emulator, bot):
    c = emulator.client
    ask(c, EVE, NOBODY, text="/dupes notify admins")
    original = noise(106)
    post(c, BOB, NOBODY, original)
    notices = []
    for n, width in enumerate((300, 320)):
        sent = c.send(CAROL, NOBODY, photo=copy_of(original, width, 70 - 10 * n))[0]
        assert "already posted here" in flag_for(c, NOBODY, sent["message_id"])["text"]
        settled(c, CAROL, NOBODY)
        notices = [m for m in c.messages(NOBODY) if m["from"]["is_bot"]
                   and "none of them has started" in (m.get("text") or "")]
    assert len(notices) == 1


# -- what blocks the bot ------------------------------------------------------------------------------
def test_delete_mode_without_the_right_tells_the_admins_once_and_flags_instead(emulator, bot):
    c = emulator.client
    assert "not allowed to delete" in ask(c, ANN, NO_RIGHTS, text="/dupes delete")[0]["text"]  # said at once
    original = noise(107)
    post(c, BOB, NO_RIGHTS, original)
    for width in (300, 320):
        sent = c.send(CAROL, NO_RIGHTS, photo=copy_of(original, width))[0]
        assert "already posted here" in flag_for(c, NO_RIGHTS, sent["message_id"])["text"]
        assert any(m["message_id"] == sent["message_id"] for m in c.messages(NO_RIGHTS))
        settled(c, CAROL, NO_RIGHTS)
    told = [m for m in c.messages(NO_RIGHTS) if m["from"]["is_bot"] and not m.get("reply_to_message")
            and "not allowed to delete" in (m.get("text") or "")]  # a notice, not the answer to /dupes
    assert len(told) == 1 and "/dupes reply" in told[0]["text"]
    flag = flag_for(c, NO_RIGHTS, sent["message_id"])
    delete = next(d for d in buttons(flag) if d.startswith("rp:del:"))
    answer = c.press(NO_RIGHTS, flag["message_id"], ANN, delete)
    assert "not allowed to delete" in answer["text"] and answer["show_alert"]


def test_a_bot_that_cannot_see_members_photos_says_so_and_how_to_fix_it(emulator, bot):
    c = emulator.client
    for command in ("/stats", "/dupes"):
        said = ask(c, ANN, BLIND, text=command)[0]["text"]
        assert said.startswith("⚠️ I cannot see the photos members post here") and "/setprivacy" in said
    assert "cannot see" not in ask(c, ANN, MODS, text="/stats")[0]["text"]


# -- statistics ---------------------------------------------------------------------------------------
def test_group_stats_count_flags_and_clears_and_name_who_reposts_what(emulator, bot):
    c = emulator.client
    text = ask(c, ANN, MODS, text="/stats")[0]
    # test 1 and 2 flagged 4 re-posts here (one cleared), all within the week
    assert re.search(r"last 7 / 30 days: (\d+) / \1 flagged, 1 / 1 cleared", text["text"]), text["text"]
    assert "Who re-posts most" in text["text"] and "Most re-posted photos" in text["text"]
    assert f"https://t.me/c/{str(MODS)[4:]}/" in text["html"]
    french = ask(c, 506, MODS, text="/stats", language_code="fr")[0]["text"]  # a member new to the bot
    assert "Republications" in french and "Qui republie le plus" in french
