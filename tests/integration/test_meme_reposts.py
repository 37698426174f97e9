"""Memes and screenshots through the re-post policy, with real photos, rendered text, the real reader and
the background reading queue: one template with other words is no re-post, the same meme re-posted is."""
from __future__ import annotations

import io

import pytest
from PIL import Image, ImageOps

from bench.ocr_set import MemeStyle, chat, meme
from indexing.chats import ChatSettings
from indexing.reading import ReadingWorker
from indexing.search import NOT_A_REPOST, PhotoInput
from indexing.search.reposttext import RepostText
from models.ocr import TextReader
from tests.conftest import jpeg_bytes, sample_image

CHAT = "chat:-1019"
STYLE = MemeStyle("DejaVuSans-Bold.ttf", 0.09)
CODE = "WHEN THE CODE WORKS\nON THE FIRST TRY"


@pytest.fixture(scope="module")
def reader() -> TextReader:
    return TextReader()


@pytest.fixture
def reads(engine, reader):
    """The engine's re-post rule on the real reader, counting how often it asks for it."""
    asked = []
    engine.duplicates.text = RepostText(lambda: asked.append(1) or reader)
    return asked


def _meme(text: str, photo: str = "chelsea", quality: int = 90, style: MemeStyle = STYLE) -> bytes:
    return jpeg_bytes(meme(sample_image(photo), text, style)[0], quality=quality)


def _post(engine, reader, data: bytes, message_id: int) -> int:
    """A member's photo stored in the chat, then read by the background queue as the bot's worker does."""
    post_id = engine.add_photo(PhotoInput(data=data, scope=CHAT, chat_id=-1019, message_id=message_id)).post_id
    worker = ReadingWorker(engine.reading, lambda: reader, block_ms=10)
    while worker.step():
        pass
    return post_id


def test_one_template_with_other_words_is_no_repost_but_the_same_meme_again_is(engine, reader, reads):
    original = _post(engine, reader, _meme(CODE), message_id=1)
    assert engine.store.get_post(original).ocr_status == "text"
    settings = ChatSettings()
    for other in ("WHEN THE WIFI DROPS\nDURING THE FINAL", "WHEN THE CODE WORKS\nI LIED"):  # the same top line too
        different = _meme(other)
        assert engine.duplicate_of(different, CHAT) is not None  # the image rule alone calls it a copy
        assert engine.check_repost(different, CHAT, settings) is NOT_A_REPOST
    im = Image.open(io.BytesIO(_meme(CODE)))
    w, h = im.size
    again = {"recompressed": _meme(CODE, quality=35),
             "cropped": jpeg_bytes(im.crop((w * 3 // 100, h * 3 // 100, w * 97 // 100, h * 97 // 100)), quality=80),
             "resized": jpeg_bytes(im.resize((w * 2 // 3, h * 2 // 3)), quality=80),
             "mirrored": jpeg_bytes(ImageOps.mirror(im), quality=80)}  # its text reads as garbage until flipped back
    for edit, data in again.items():
        verdict = engine.check_repost(data, CHAT, settings)
        assert verdict.repost is not None and verdict.repost.original.id == original, edit
    # the bot's path: the photo embedded once, its bytes given for the text rule
    vec = engine.embed_photo(_meme("WHEN THE WIFI DROPS\nDURING THE FINAL"))
    assert engine.check_repost(vec, CHAT, settings, image=_meme("WHEN THE WIFI DROPS\nDURING THE FINAL")) is NOT_A_REPOST
    assert engine.check_repost(vec, CHAT, settings, image=again["recompressed"]).repost.original.id == original
    # read once per candidate re-post of a post with text, and flipped again when its text differs
    assert len(reads) == 2 * 2 + 3 + 2 + 2 + 1


def test_two_screenshots_of_one_app_are_not_copies(engine, reader, reads):
    first = chat("Team chat", ["Meeting moved to 5 pm", "ok see you there", "Bring the slides please"], "dark")[0]
    other = chat("Team chat", ["Where did you park?", "Running ten minutes late", "Call me when you land"], "dark")[0]
    shot = _post(engine, reader, jpeg_bytes(first), message_id=2)
    assert engine.duplicate_of(jpeg_bytes(other), CHAT) is not None
    assert engine.check_repost(jpeg_bytes(other), CHAT, ChatSettings()) is NOT_A_REPOST
    assert engine.check_repost(jpeg_bytes(first, quality=40), CHAT, ChatSettings()).repost.original.id == shot


def test_a_photo_read_without_text_keeps_the_image_rule(engine, reader, reads):
    # A sign read on a photo and not on its mirrored or shrunk copy must not hide the re-post: so a
    # text-free reading never tells two photos apart, even a meme's blank template (documented cost).
    meme_id = _post(engine, reader, _meme(CODE, photo="astronaut", style=MemeStyle("DejaVuSans-Bold.ttf", 0.05)),
                    message_id=3)
    blank = jpeg_bytes(sample_image("astronaut"))
    assert engine.check_repost(blank, CHAT, ChatSettings()).repost.original.id == meme_id
    assert len(reads) == 1


def test_unread_posts_keep_the_image_rule_and_nothing_is_read_without_a_candidate(engine, reader, reads):
    post_id = engine.add_photo(PhotoInput(data=_meme(CODE), scope=CHAT, chat_id=-1019, message_id=4)).post_id
    assert engine.store.get_post(post_id).ocr_status == ""  # the queue has not read it yet
    verdict = engine.check_repost(_meme("WHEN THE WIFI DROPS\nDURING THE FINAL"), CHAT, ChatSettings())
    assert verdict.repost is not None and verdict.repost.original.id == post_id  # today's rule, as documented
    assert engine.check_repost(jpeg_bytes(sample_image("rocket")), CHAT, ChatSettings()) is NOT_A_REPOST
    assert reads == []  # no candidate with read text, no candidate at all: the reader is never built
