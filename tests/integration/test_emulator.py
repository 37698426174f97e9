"""The Bot API emulator itself, over real HTTP: a raw python-telegram-bot `Bot` on one side, the control
client acting as users on the other; no hashlens bot. What issue 17's moderation needs is checked
against the Bot API documentation: inline buttons and callback queries, edits, rights to delete,
anonymous admins, forum topics, forwards, privacy mode and private chats a bot may not open."""
from __future__ import annotations

import asyncio
import io

import pytest
from PIL import Image
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, MessageOriginChannel, MessageOriginUser
from telegram.error import BadRequest, Forbidden

TOKEN = "987654:EMULATOR-TEST"
GROUP, FORUM, QUIET, STRICT = -1005000000001, -1005000000002, -1005000000003, -1005000000004
CHANNEL = -1005000000009
ADMIN, MEMBER = 501, 502


@pytest.fixture
def emu():
    from bot.emulator.client import EmulatorClient
    from bot.emulator.server import ThreadedEmulator
    from bot.emulator.world import World

    server = ThreadedEmulator(World(TOKEN)).start()
    server.client = EmulatorClient(server.url)
    c = server.client
    c.group(GROUP, "Club", admins=[ADMIN], creator=ADMIN, linked_channel_id=CHANNEL)
    c.group(FORUM, "Forum", admins=[ADMIN], creator=ADMIN, forum=True)
    c.group(QUIET, "Quiet", admins=[ADMIN], creator=ADMIN, bot_admin=False)  # privacy mode applies
    c.group(STRICT, "Strict", admins=[ADMIN], creator=ADMIN, bot_can_delete=False)
    yield server
    c.close()
    server.stop()


def photo(color=(200, 30, 30)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (320, 240), color).save(buf, "JPEG")
    return buf.getvalue()


def with_bot(emu, scenario):
    """Runs `scenario(bot)` with a python-telegram-bot Bot pointed at the emulator."""
    async def main():
        async with Bot(TOKEN, base_url=emu.base_url, base_file_url=emu.base_file_url) as bot:
            return await scenario(bot)
    return asyncio.run(main())


async def updates(bot, offset=0, **kwargs):
    return await bot.get_updates(offset=offset, timeout=2, **kwargs)


KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("Not a re-post", callback_data="rp:clear:7:3"),
                                  InlineKeyboardButton("Delete", callback_data="rp:del:7:3")]])


def test_a_pressed_button_is_a_callback_query_answered_once(emu):
    c = emu.client

    async def scenario(bot):
        flag = await bot.send_message(GROUP, "already posted here", reply_markup=KEYBOARD)
        assert flag.reply_markup == KEYBOARD
        stored = next(m for m in c.messages(GROUP) if m["message_id"] == flag.message_id)
        assert stored["reply_markup"]["inline_keyboard"][0][1]["callback_data"] == "rp:del:7:3"
        pressed = asyncio.create_task(asyncio.to_thread(c.press, GROUP, flag.message_id, MEMBER, "rp:clear:7:3", 10))
        (update,) = await updates(bot, allowed_updates=["message", "callback_query"])
        query = update.callback_query
        assert (query.data, query.from_user.id, query.message.message_id) == ("rp:clear:7:3", MEMBER, flag.message_id)
        assert query.message.chat.id == GROUP and query.chat_instance and query.id
        assert query.message.reply_markup == KEYBOARD
        await bot.answer_callback_query(query.id, "Only admins can do that", show_alert=True)
        assert await pressed == {"text": "Only admins can do that", "show_alert": True, "url": None, "cache_time": 0}
        with pytest.raises(BadRequest, match="(?i)query is too old"):  # one answer per query
            await bot.answer_callback_query(query.id, "again")
        with pytest.raises(BadRequest, match="(?i)query is too old"):
            await bot.answer_callback_query("12345", "never asked")
        return update.update_id

    last = with_bot(emu, scenario)
    with pytest.raises(RuntimeError, match="no button"):  # a user can only press a button the message has
        c.press(GROUP, 1, MEMBER, "rp:clear:9:9")

    async def unanswered(bot):  # a bot that does not answer leaves the presser waiting
        with pytest.raises(TimeoutError):
            await asyncio.to_thread(c.press, GROUP, 1, MEMBER, "rp:del:7:3", 1)
        (update,) = await updates(bot, offset=last + 1)
        assert update.callback_query.data == "rp:del:7:3"
    with_bot(emu, unanswered)


def test_callback_queries_reach_only_a_bot_that_asked_for_them(emu):
    c = emu.client

    async def scenario(bot):
        flag = await bot.send_message(GROUP, "flag", reply_markup=KEYBOARD)
        c.send(MEMBER, GROUP, text="hello")
        await asyncio.to_thread(lambda: pytest.raises(TimeoutError, c.press, GROUP, flag.message_id, ADMIN,
                                                      "rp:del:7:3", 0.5))
        got = await updates(bot, allowed_updates=["message", "edited_message", "inline_query"])
        assert [u.message.text for u in got] == ["hello"]  # the press was filtered out
    with_bot(emu, scenario)


def test_inline_keyboards_are_validated(emu):
    async def scenario(bot):
        too_long = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="d" * 65)]])
        with pytest.raises(BadRequest, match="(?i)BUTTON_DATA_INVALID"):
            await bot.send_message(GROUP, "flag", reply_markup=too_long)
        with pytest.raises(BadRequest, match="(?i)BUTTON_DATA_INVALID"):
            await bot.send_photo(GROUP, photo(), reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton("x", callback_data="")]]))
        sixty_four = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="é" * 32)]])  # 64 bytes
        assert (await bot.send_message(GROUP, "ok", reply_markup=sixty_four)).reply_markup == sixty_four
    with_bot(emu, scenario)


def test_edits_return_the_message_and_a_keyboard_left_out_is_removed(emu):
    c = emu.client
    user_message = c.send(MEMBER, GROUP, text="mine")[0]

    async def scenario(bot):
        source = '<b>Already</b> posted 📷: <a href="https://t.me/c/5000000001/1">the original</a>'
        flag = await bot.send_message(GROUP, source, parse_mode="HTML", reply_markup=KEYBOARD)
        assert flag.text == "Already posted 📷: the original" and flag.text_html == source  # entities, UTF-16
        kept = InlineKeyboardMarkup([[InlineKeyboardButton("Delete", callback_data="rp:del:7:3")]])
        edited = await bot.edit_message_text(flag.text_html + "\n<i>cleared by Ann</i>", GROUP, flag.message_id,
                                             parse_mode="HTML", reply_markup=kept)
        assert edited.text_html == source + "\n<i>cleared by Ann</i>" and edited.reply_markup == kept
        assert edited.edit_date is not None
        edited = await bot.edit_message_text("cleared by Ann", GROUP, flag.message_id, reply_markup=kept)
        assert edited.text == "cleared by Ann" and not edited.entities
        with pytest.raises(BadRequest, match="(?i)message is not modified"):
            await bot.edit_message_text("cleared by Ann", GROUP, flag.message_id, reply_markup=kept)
        bare = await bot.edit_message_text("cleared by Ann.", GROUP, flag.message_id)
        assert bare.reply_markup is None
        stored = next(m for m in c.messages(GROUP) if m["message_id"] == flag.message_id)
        assert stored["text"] == "cleared by Ann." and "reply_markup" not in stored and stored["edit_date"]
        with pytest.raises(BadRequest, match="(?i)can't be edited"):
            await bot.edit_message_text("hacked", GROUP, user_message["message_id"])
        with pytest.raises(BadRequest, match="(?i)message to edit not found"):
            await bot.edit_message_text("nothing", GROUP, 9999)
        sent = await bot.send_photo(GROUP, photo(), caption="a flag", reply_markup=KEYBOARD)
        with pytest.raises(BadRequest, match="(?i)no text in the message"):
            await bot.edit_message_text("x", GROUP, sent.message_id)
        captioned = await bot.edit_message_caption(GROUP, sent.message_id, caption="deleted", reply_markup=KEYBOARD)
        assert captioned.caption == "deleted" and captioned.reply_markup == KEYBOARD
        with pytest.raises(BadRequest, match="(?i)no caption in the message"):
            await bot.edit_message_caption(GROUP, flag.message_id, caption="x")
        unmarked = await bot.edit_message_reply_markup(GROUP, sent.message_id)
        assert unmarked.reply_markup is None and unmarked.caption == "deleted"
    with_bot(emu, scenario)


def test_the_bot_deletes_members_messages_only_with_the_right_to(emu):
    c = emu.client
    post = c.send(MEMBER, GROUP, photo=photo())[0]
    strict_post = c.send(MEMBER, STRICT, photo=photo())[0]

    async def scenario(bot):
        me = await bot.get_chat_member(STRICT, bot.id)
        assert me.status == "administrator" and me.can_delete_messages is False
        assert (await bot.get_chat_member(GROUP, bot.id)).can_delete_messages is True
        assert (await bot.get_chat_member(QUIET, bot.id)).status == "member"
        with pytest.raises(BadRequest, match="(?i)message can't be deleted"):
            await bot.delete_message(STRICT, strict_post["message_id"])
        own = await bot.send_message(STRICT, "flag")
        assert await bot.delete_message(STRICT, own.message_id)  # its own messages, always
        assert await bot.delete_message(GROUP, post["message_id"])
        with pytest.raises(BadRequest, match="(?i)message to delete not found"):
            await bot.delete_message(GROUP, post["message_id"])
    with_bot(emu, scenario)
    assert post["message_id"] not in [m["message_id"] for m in c.messages(GROUP)]
    assert [m.get("deleted") for m in c.messages(GROUP, deleted=True)] == [True]
    assert strict_post["message_id"] in [m["message_id"] for m in c.messages(STRICT)]


def test_an_anonymous_admin_posts_as_the_group(emu):
    c = emu.client
    with pytest.raises(RuntimeError, match="only an admin"):
        c.send(MEMBER, GROUP, text="/dupes off", as_group=True)
    sent = c.send(ADMIN, GROUP, text="/dupes off", as_group=True)[0]
    assert sent["from"]["username"] == "GroupAnonymousBot" and sent["sender_chat"]["id"] == GROUP

    async def scenario(bot):
        (update,) = await updates(bot)
        message = update.message
        assert message.from_user.id == 1087968824 and message.from_user.is_bot
        assert message.sender_chat.id == GROUP == update.effective_chat.id
        assert (await bot.get_chat_member(GROUP, message.from_user.id)).status == "member"  # not an admin itself
        admins = await bot.get_chat_administrators(GROUP)
        assert [(a.user.id, a.status, a.is_anonymous) for a in admins] == [(ADMIN, "creator", True)]
        assert bot.id not in [a.user.id for a in admins]  # the documented list leaves bots out
        assert (await bot.get_me()).can_read_all_group_messages is False
    with_bot(emu, scenario)


def test_forum_topics_carry_their_thread_everywhere(emu):
    c = emu.client
    with pytest.raises(RuntimeError, match="not a forum"):
        c.topic(GROUP, "Dogs")
    dogs = c.topic(FORUM, "Dogs")
    post = c.send(MEMBER, FORUM, photo=photo(), thread_id=dogs)[0]
    general = c.send(MEMBER, FORUM, text="hi all")[0]
    assert "message_thread_id" not in general
    with pytest.raises(RuntimeError, match="message thread not found"):
        c.send(MEMBER, FORUM, text="lost", thread_id=dogs + 100)

    async def scenario(bot):
        opened, in_topic, in_general = await updates(bot)
        assert opened.message.forum_topic_created.name == "Dogs" and opened.message.message_thread_id == dogs
        m = in_topic.message
        assert (m.message_thread_id, m.is_topic_message, m.chat.is_forum) == (dogs, True, True)
        assert m.reply_to_message.message_id == dogs  # Telegram quotes the topic's first message
        assert in_general.message.message_thread_id is None
        reply = await bot.send_message(FORUM, "already posted", reply_to_message_id=post["message_id"])
        assert reply.message_thread_id == dogs and reply.is_topic_message  # a reply lands in the topic
        notice = await bot.send_message(FORUM, "notice", message_thread_id=dogs)
        assert notice.message_thread_id == dogs
        assert (await bot.send_message(FORUM, "to everyone")).message_thread_id is None
        with pytest.raises(BadRequest, match="(?i)message thread not found"):
            await bot.send_message(FORUM, "x", message_thread_id=dogs + 100)
        cats = await bot.create_forum_topic(FORUM, "Cats")
        assert cats.name == "Cats" and cats.message_thread_id > notice.message_id
        member = await bot.get_chat_member(FORUM, ADMIN)
        assert member.status == "creator"
    with_bot(emu, scenario)
    assert [m.get("message_thread_id") for m in c.messages(FORUM, after=general["message_id"])][:3] == [dogs, dogs, None]


def test_forwards_and_automatic_forwards_from_the_linked_channel(emu):
    c = emu.client
    from_user = c.send(MEMBER, GROUP, photo=photo(), forward_from={"type": "user", "id": 777, "first_name": "Eve"})[0]
    from_channel = c.send(MEMBER, GROUP, photo=photo(), forward_from={"type": "channel", "id": -1009, "title": "News"})
    automatic = c.send(ADMIN, GROUP, photo=photo(), automatic_forward=True)[0]
    with pytest.raises(RuntimeError, match="no linked channel"):
        c.send(ADMIN, FORUM, photo=photo(), automatic_forward=True)
    assert from_user["forward_date"] and "is_automatic_forward" not in from_channel[0]

    async def scenario(bot):
        u1, u2, u3 = await updates(bot)
        assert isinstance(u1.message.forward_origin, MessageOriginUser)
        assert u1.message.forward_origin.sender_user.first_name == "Eve" and u1.message.from_user.id == MEMBER
        assert isinstance(u2.message.forward_origin, MessageOriginChannel)
        assert u2.message.forward_origin.chat.title == "News"
        auto = u3.message
        assert auto.is_automatic_forward and auto.sender_chat.id == CHANNEL and auto.from_user.id == 777000
        assert isinstance(auto.forward_origin, MessageOriginChannel) and auto.forward_origin.chat.id == CHANNEL
        assert (await bot.get_chat(GROUP)).linked_chat_id == CHANNEL
    with_bot(emu, scenario)
    assert automatic["sender_chat"]["type"] == "channel"


def test_privacy_mode_hides_members_photos_from_a_bot_that_is_not_an_admin(emu):
    c = emu.client

    async def scenario(bot):
        ours = await bot.send_message(QUIET, "I am here")
        c.send(MEMBER, QUIET, photo=photo())  # not for the bot
        c.send(MEMBER, QUIET, text="nice weather")
        c.send(MEMBER, QUIET, photo=photo(), caption="/hashtags")
        c.send(MEMBER, QUIET, text="thanks", reply_to=ours.message_id)
        c.send(MEMBER, QUIET, text="hey @hashlens_bot look")
        c.send(MEMBER, GROUP, photo=photo())  # where the bot is an admin it sees everything
        seen = [(u.message.chat.id, u.message.text or u.message.caption) for u in await updates(bot)]
        assert seen == [(QUIET, "/hashtags"), (QUIET, "thanks"), (QUIET, "hey @hashlens_bot look"), (GROUP, None)]
    with_bot(emu, scenario)
    assert len(c.messages(QUIET)) == 6  # the members still see everything


def test_a_bot_cannot_write_first_to_a_user(emu):
    c = emu.client
    c.send(MEMBER, GROUP, text="hello")

    async def scenario(bot):
        with pytest.raises(Forbidden, match="(?i)bot can't initiate conversation with a user"):
            await bot.send_message(MEMBER, "psst")
        with pytest.raises(BadRequest, match="(?i)chat not found"):
            await bot.send_message(424242, "who?")
        started = c.start(MEMBER, first_name="Bob", language_code="fr")
        assert started["text"] == "/start" and started["chat"]["type"] == "private"
        (update,) = [u for u in await updates(bot) if u.message.chat.type == "private"]
        assert update.message.text == "/start"
        sent = await bot.send_photo(MEMBER, photo(), caption="a re-post in Club", reply_markup=KEYBOARD)
        assert sent.reply_markup == KEYBOARD and sent.chat.id == MEMBER
    with_bot(emu, scenario)


def test_a_user_first_met_as_an_admin_takes_the_name_and_language_given_later(emu):
    c = emu.client  # ADMIN was made by c.group(...) before ever speaking: "User", English

    async def scenario(bot):
        c.send(ADMIN, GROUP, text="/dupes", first_name="Bernard", language_code="fr")
        c.send(ADMIN, GROUP, text="/stats")  # nothing said about them: kept
        return [u.message.from_user for u in await updates(bot)]

    first, second = with_bot(emu, scenario)
    assert (first.first_name, first.language_code) == ("Bernard", "fr") == (second.first_name, second.language_code)


def test_a_world_restarted_over_a_bots_store_never_gives_an_id_twice():
    """The playground's emulator restarts while the bot's store keeps the message and file ids it saw:
    a new world starts past them (a repeated message id read as an update already handled)."""
    from bot.emulator.world import World
    from bot.playground import playground_world

    before, after = World(TOKEN), World(TOKEN, id_base=5_000)
    first = before.private_chat(before.user(ADMIN))
    again = after.private_chat(after.user(ADMIN))
    assert first.next_message_id == 1 and again.next_message_id == 5_001
    assert after.group(GROUP).next_message_id == 5_001
    old, new = before.store_file(photo()), after.store_file(photo())
    assert old.file_id != new.file_id and old.file_unique_id != new.file_unique_id
    earlier, later = playground_world(), playground_world()  # two starts of the playground
    assert later.id_base >= earlier.id_base > 0 and later.id_base < 2 ** 31 - 10 ** 7


def test_a_restarted_playground_still_serves_the_files_the_bot_stored_ids_of(tmp_path):
    """The playground keeps its files in the data dir: after a restart the bot sends a stored post by its
    file id and downloads it again, as Telegram keeps files (before, "wrong file identifier")."""
    from bot.emulator.client import EmulatorClient
    from bot.emulator.server import ThreadedEmulator
    from bot.playground import PLAYGROUND_TOKEN, YOU, playground_world

    def as_bot(emulator, scenario):
        async def main():
            async with Bot(PLAYGROUND_TOKEN, base_url=emulator.base_url, base_file_url=emulator.base_file_url) as bot:
                return await scenario(bot)
        return asyncio.run(main())

    first = ThreadedEmulator(playground_world(tmp_path / "files")).start()
    client = EmulatorClient(first.url)
    try:
        sent = client.send(YOU, YOU, photo=photo((10, 200, 30)))[-1]
    finally:
        client.close()
        first.stop()
    file_id, unique = sent["photo"][-1]["file_id"], sent["photo"][-1]["file_unique_id"]

    async def show_and_download(bot):
        shown = await bot.send_photo(YOU, file_id)
        return shown, bytes(await (await bot.get_file(file_id)).download_as_bytearray())

    again = ThreadedEmulator(playground_world(tmp_path / "files")).start()  # the service restarted
    try:
        shown, data = as_bot(again, show_and_download)
        assert shown.photo[-1].file_unique_id == unique
        assert data == photo((10, 200, 30))  # the very bytes the user sent
    finally:
        again.stop()
    lost = ThreadedEmulator(playground_world()).start()  # without the folder: gone, as before
    try:
        with pytest.raises(BadRequest, match="(?i)wrong file identifier"):
            as_bot(lost, lambda bot: bot.send_photo(YOU, file_id))
    finally:
        lost.stop()
