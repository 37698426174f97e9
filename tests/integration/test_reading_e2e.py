"""End to end: text in photos through the real bot process and the Bot API emulator. A photo with text
sent in a private chat is answered at once; the background queue reads it; then /captions shows its
text, /hashtags the hashtag it names (marked as written in the photo) and /stats the queue."""
from __future__ import annotations

import os

import pytest
import redis

from indexing.keys import Keys
from indexing.store import PostStore
from tests.conftest import jpeg_bytes, sample_image, wait_until
from tests.integration.chat import bot_on_emulator, emulator_with_groups
from tests.integration.test_bot_e2e import ask, noise, text_of
from tests.text_images import render_line

TOKEN = "987655:E2E-READING-TOKEN"
USER, ANN, GROUP = 701, 702, -1002000000701


@pytest.fixture(scope="module")
def emulator():
    with emulator_with_groups(TOKEN, {GROUP: ("Reading club", [ANN])}) as emu:
        yield emu


@pytest.fixture(scope="module")
def bot(emulator, redis_server, session_dir, tmp_path_factory, encoders):
    key_prefix = f"e2eread{os.getpid()}"
    with bot_on_emulator(emulator, TOKEN, redis_server, tmp_path_factory.mktemp("bot-data"), session_dir / "models",
                         key_prefix=key_prefix) as proc:
        proc.store = PostStore(redis.Redis.from_url(redis_server), Keys(key_prefix))
        yield proc


def test_a_photos_text_is_read_in_the_background_then_shown_by_captions_hashtags_and_stats(emulator, bot):
    c, scope = emulator.client, f"chat:{USER}"
    ask(c, USER, photo=noise(77), caption="our weekly #meeting", count=2)  # makes #meeting a known hashtag
    text_photo = render_line("Meeting moved to 5 pm").resize((1200, 160))
    replies = ask(c, USER, photo=jpeg_bytes(text_photo), count=2)  # answered at once, as any photo
    assert replies and "Text in this photo" not in text_of(replies)
    ask(c, USER, photo=jpeg_bytes(sample_image("coffee")), count=2)
    sent = [m for m in c.messages(USER) if m.get("photo") and m["from"]["id"] == USER]
    posts = [bot.store.post_by_message(scope, m["message_id"]) for m in sent]
    assert all(posts) and len(posts) == 3

    def read_all() -> bool:
        return all(bot.store.get_post(p.id).ocr_status for p in posts)

    assert wait_until(read_all, timeout=180), bot.log_path.read_text()[-3000:]
    read = bot.store.get_post(posts[1].id)
    assert (read.ocr_status, read.ocr_text, read.ocr_lang) == ("text", "Meeting moved to 5 pm", "en")
    assert bot.store.get_post(posts[2].id).ocr_status == "none"

    captions = text_of(ask(c, USER, text="/captions", reply_to=sent[1]["message_id"]))
    assert "Text in this photo:\nMeeting moved to 5 pm" in captions
    hashtags = text_of(ask(c, USER, text="/hashtags", reply_to=sent[1]["message_id"]))
    assert "🔤 written in the photo: #meeting" in hashtags
    stats = text_of(ask(c, USER, text="/stats"))
    assert "Text in photos: 1 read with text, 2 without text, 0 waiting to be read." in stats
    french = text_of(ask(c, USER, text="/stats", language_code="fr"))
    assert "Texte dans les photos : 1 avec du texte, 2 sans texte, 0 en attente de lecture." in french
    # /find by the words seen in it (typed as a person would, not as read): that photo first, said so
    found = [m for m in ask(c, USER, text='/find "meeting moved to 5pm"', count=2, language_code="en") if m.get("photo")]
    assert found and "match of the words in the photo" in found[0]["caption"]
    assert found[0]["photo"][-1]["file_unique_id"] == sent[1]["photo"][-1]["file_unique_id"]


def test_group_photos_albums_and_image_files_are_read_too(emulator, bot):
    import io

    c = emulator.client
    group_photo = c.send(ANN, GROUP, photo=jpeg_bytes(render_line("Club dinner on Saturday")))[0]
    album = c.send(ANN, photos=[jpeg_bytes(render_line("First page of the album")),
                                jpeg_bytes(render_line("Second page of the album"))])
    png = io.BytesIO()
    render_line("Sent as a file").save(png, "PNG")
    document = c.send(ANN, document=png.getvalue(), file_name="note.png", mime_type="image/png")[0]
    wanted = {(f"chat:{GROUP}", group_photo["message_id"]): "Club dinner on Saturday",
              (f"chat:{ANN}", album[0]["message_id"]): "First page of the album",
              (f"chat:{ANN}", album[1]["message_id"]): "Second page of the album",
              (f"chat:{ANN}", document["message_id"]): "Sent as a file"}

    def read(key):
        post = bot.store.post_by_message(*key)
        return post is not None and post.ocr_status == "text" and post.ocr_text

    assert wait_until(lambda: all(read(key) for key in wanted), timeout=180), bot.log_path.read_text()[-3000:]
    assert {read(key) for key in wanted} == set(wanted.values())
    asked = c.send(ANN, GROUP, text="/captions", reply_to=group_photo["message_id"])[0]
    replies = c.wait(GROUP, asked["message_id"], 1, timeout=60, reply_to=asked["message_id"])
    assert "Text in this photo:\nClub dinner on Saturday" in text_of(replies)
