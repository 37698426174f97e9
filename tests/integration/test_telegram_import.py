"""A group's history imported from a Telegram Desktop export: every photo and video stored once with
its message id, date and author; a re-run adds nothing; a killed run resumes; a photo posted in the
group afterwards is found to re-post the imported original, linked by its message id."""
from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from bot.flags import message_url
from indexing.keys import Keys
from indexing.scopes import chat_scope
from indexing.search import ANIMATION, FORWARD, VIDEO, VIDEO_NOTE, ChatSettings
from indexing.store import PostStore
from indexing.telegram_export import ExportError, read_export
from indexing.telegram_import import import_history
from tests.conftest import COLOURS, SHAPES, jpeg_bytes, sample_image, shape_photo
from bench.tgexport import ExportWriter
from tests.videos import pan_video

ROOT = Path(__file__).resolve().parents[2]
BARE_ID = 1987654321
CHAT_ID = -1001987654321  # the Bot API's id of the exported supergroup
SCOPE = chat_scope(CHAT_ID)
MEMBERS = [(f"Member {i}", 1000 + i) for i in range(12)]
CHANNEL = ("The group", f"channel{BARE_ID}")  # an anonymous admin: the group posting as itself


@dataclass
class Expected:
    folder: Path
    posts: dict[int, tuple[str, float, int | None]] = field(default_factory=dict)  # message id -> (media, date, author)
    coffee: int = 0  # the first post of the coffee photo
    coffee_again: int = 0  # the history's own re-post of it
    tagged: int = 0
    forwarded: int = 0
    by_channel: int = 0
    skipped: dict[str, int] = field(default_factory=dict)


def _member(rng) -> tuple[str, str, int]:
    name, user_id = MEMBERS[int(rng.integers(len(MEMBERS)))]
    return name, f"user{user_id}", user_id


def _last(writer: ExportWriter) -> tuple[int, float]:
    message = writer.messages[-1]
    return message["id"], float(message["date_unixtime"])


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> Expected:
    """2,100 messages of a group over the last 8 days: text and service messages, 291 photos (shapes,
    scikit-image's photos, one sent as a file, one re-posted), 3 videos (a video, a GIF, a video note),
    files the export left out, a corrupt photo and video, a sticker, a voice message, a PDF."""
    folder = tmp_path_factory.mktemp("export") / "ChatExport_2026-11-30"
    writer = ExportWriter(folder, BARE_ID, start_s=time.time() - 8 * 86400, step_s=300, first_id=41)
    expected = Expected(folder)
    rng = np.random.default_rng(20)

    def photo(data: bytes, caption: str = "", author=None, **extra) -> int:
        name, from_id, user_id = author or _member(rng)
        size = Image.open(io.BytesIO(data)).size
        writer.photo(name, from_id, data, size, caption, **extra)
        message_id, date = _last(writer)
        expected.posts[message_id] = ("", date, user_id)
        return message_id

    def chatter(n: int) -> None:
        for _ in range(n):
            if rng.random() < 0.05:
                writer.service(*_member(rng)[:2])
            else:
                writer.text(*_member(rng)[:2], f"message {int(rng.integers(1_000_000))} about nothing much")

    shapes = [shape_photo(rng, list(COLOURS)[i % 4], SHAPES[(i // 4) % 4]) for i in range(280)]
    # distinct photos: none is a copy of another, nor of a video's scene
    others = ["camera", "coins", "moon", "gravel", "grass"]
    for i, data in enumerate(shapes):
        chatter(5)
        photo(data)
        if i == 20:
            expected.coffee = photo(jpeg_bytes(sample_image("coffee")), "morning coffee")
        if i == 40:
            expected.tagged = photo(jpeg_bytes(sample_image("astronaut")), "look #space #nasa up there")
        if i == 60:
            expected.forwarded = photo(jpeg_bytes(sample_image("chelsea")), forwarded_from="Cats Channel")
        if i == 80:
            expected.by_channel = photo(jpeg_bytes(sample_image("rocket")), "launch day",
                                        author=(*CHANNEL, int(f"-100{BARE_ID}")))
        if i == 100:  # a member posts the coffee again, a little smaller and recompressed
            expected.coffee_again = photo(jpeg_bytes(sample_image("coffee").resize((360, 240)), quality=70))
        if i in (120, 121, 122, 123, 124):
            photo(jpeg_bytes(sample_image(others[i - 120])))
        if i == 130:  # a photo sent as a file (a PNG)
            png = io.BytesIO()
            sample_image("brick").save(png, "PNG")
            writer.document("Member 3", "user1003", png.getvalue(), "files", "brick.png", "image/png")
            message_id, date = _last(writer)
            expected.posts[message_id] = ("", date, 1003)
        if i % 35 == 10:  # the export left these out (its settings did not include them)
            writer.photo(*_member(rng)[:2], None, (800, 600))
    clips = ((VIDEO, "video_file", "video_files", "immunohistochemistry", (320, 240)),
             (ANIMATION, "animation", "video_files", "hubble_deep_field", (240, 180)),
             (VIDEO_NOTE, "video_message", "round_video_messages", "colorwheel", (240, 240)))
    for media, media_type, where, sample, size in clips:
        chatter(20)
        name, from_id, user_id = _member(rng)
        writer.document(name, from_id, pan_video(sample_image(sample), seconds=3, size=size), where,
                        f"{sample}.mp4", "video/mp4", media_type, duration_seconds=3, width=size[0], height=size[1])
        message_id, date = _last(writer)
        expected.posts[message_id] = (media, date, user_id)
    writer.document("Member 1", "user1001", None, "video_files", "left_out.mp4", "video/mp4", "video_file")
    writer.photo("Member 2", "user1002", jpeg_bytes(sample_image("moon"))[:400], (512, 512))  # truncated
    writer.document("Member 2", "user1002", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 500, "video_files", "broken.mp4",
                    "video/mp4", "video_file")
    writer.document("Member 4", "user1004", b"RIFF\x00\x00\x00\x00WEBPVP8 ", "stickers", "sticker.webp", "", "sticker")
    writer.document("Member 5", "user1005", b"OggS" + b"\x00" * 100, "voice_messages", "audio_1.ogg", "audio/ogg",
                    "voice_message", duration_seconds=2)
    writer.document("Member 6", "user1006", b"%PDF-1.4\n", "files", "minutes.pdf", "application/pdf")
    chatter(2100 - len(writer.messages))
    writer.save()
    expected.skipped = {"file not included in the export (its settings left this kind out)": 9, "unreadable": 2}
    return expected


def _check_stored(store: PostStore, expected: Expected) -> dict[int, object]:
    """Every photo and video of the export stored exactly once, with its message id, date, author and kind."""
    posts = [p for p in store.get_posts(store.scope_post_ids(SCOPE)) if p is not None]
    by_message = {p.message_id: p for p in posts}
    assert len(posts) == len(by_message) == len(expected.posts)  # nothing twice
    assert set(by_message) == set(expected.posts)
    for message_id, (media, date, author) in expected.posts.items():
        post = by_message[message_id]
        assert (post.media, post.user_id, post.chat_id) == (media, author, CHAT_ID)
        assert abs(post.created_s - date) < 0.01  # the message's date, not the import's
    return by_message


def test_an_export_is_imported_once_with_message_ids_dates_and_authors(export, engine):
    chat = read_export(export.folder, CHAT_ID)
    assert chat.messages == 2100 and len(chat.media) == len(export.posts) + 11
    report = import_history(engine, chat, batch_size=48)
    assert (report.photos, report.videos) == (len(export.posts) - 3, 3)
    assert report.already_stored == 0 and report.ok
    reasons = {}
    for _, reason in report.skipped:
        reasons[reason.split(":")[0]] = reasons.get(reason.split(":")[0], 0) + 1
    assert reasons == export.skipped
    assert report.other_files == {"sticker": 1, "voice message": 1, "other file": 1}
    summary = report.summary()
    assert "broken.mp4" in summary and "file not included in the export" in summary and "1 sticker" in summary
    by_message = _check_stored(engine.store, export)
    tagged = by_message[export.tagged]
    assert tagged.tags == ["space", "nasa"] and tagged.captions == ["look #space #nasa up there"]
    assert by_message[export.forwarded].origin == FORWARD
    assert by_message[export.by_channel].user_id == int(f"-100{BARE_ID}")
    assert Path(by_message[export.coffee].source).read_bytes() == engine.photo_bytes(by_message[export.coffee])
    # The history's re-posts record their first post, as the bot would have: the coffee again, and the
    # drawn shapes of one colour and kind, which the rule takes for copies of each other (cosine > 0.82);
    # a first post is always an earlier post, and never a copy itself
    assert by_message[export.coffee_again].repost_of == by_message[export.coffee].id
    by_id = {p.id: p for p in by_message.values()}
    copies = [p for p in by_message.values() if p.repost_of is not None]
    assert report.reposts == len(copies)
    assert all(by_id[p.repost_of].created_s < p.created_s and by_id[p.repost_of].repost_of is None for p in copies)
    assert all(by_message[m].repost_of is None for m in (export.coffee, export.tagged, export.forwarded,
                                                         export.by_channel))

    again = import_history(engine, read_export(export.folder, CHAT_ID))
    assert again.imported == 0 and again.already_stored == len(export.posts)
    assert len(engine.store.scope_post_ids(SCOPE)) == len(export.posts)

    # A member posts the coffee photo again after the import: the bot's rule finds the imported
    # original (not the history's later copy of it), and links to its message
    repost = jpeg_bytes(sample_image("coffee").crop((10, 10, 590, 390)), quality=80)
    vec = engine.embed_photo(repost)
    verdict = engine.check_repost(vec, SCOPE, ChatSettings(), message_id=99_999, author_id=1011,
                                  size=(vec.width, vec.height), image=repost)
    assert verdict.repost is not None and verdict.repost.original.message_id == export.coffee
    assert message_url(CHAT_ID, verdict.repost.original.message_id) == f"https://t.me/c/{BARE_ID}/{export.coffee}"


def test_the_export_must_be_of_the_chat_asked_for(export):
    with pytest.raises(ExportError, match=f"chat -100123 is not in this export.*{CHAT_ID}"):
        read_export(export.folder, -100123)
    with pytest.raises(ExportError, match="no result.json"):
        read_export(export.folder / "photos", CHAT_ID)


def _cli(prefix: str, redis_url: str, models: Path, *args) -> tuple[list[str], dict[str, str]]:
    env = dict(os.environ, REDIS_URL=redis_url, HASHLENS_KEY_PREFIX=prefix, HASHLENS_LOG_LEVEL="WARNING",
               HASHLENS_MODEL_CACHE_DIR=str(models), HASHLENS_IMAGE_MODEL="efficientnet-lite0")
    return [sys.executable, "-m", "indexing", "import-telegram", *args], env


def test_a_killed_import_resumes_and_ends_with_every_post_once(export, redis_server, redis_client, session_dir,
                                                              encoders):  # encoders: the models exported once
    prefix = f"tgimport{os.getpid()}"
    store = PostStore(redis_client, Keys(prefix))
    command, env = _cli(prefix, redis_server, session_dir / "models", str(export.folder), "--chat", str(CHAT_ID))
    run = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 240
        while len(store.scope_post_ids(SCOPE)) < 40 and run.poll() is None and time.time() < deadline:
            time.sleep(0.05)
        assert run.poll() is None, run.communicate()[1].decode()[-2000:]  # still running: killed mid-way
        run.send_signal(signal.SIGKILL)
    finally:
        run.wait(timeout=30)
        run.stdout.close()
        run.stderr.close()
    stored_before = len(store.scope_post_ids(SCOPE))
    assert 40 <= stored_before < len(export.posts)

    resumed = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert f"{stored_before} already stored, 11 skipped" in resumed.stdout
    _check_stored(store, export)
    rerun = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert "0 photos and 0 videos imported" in rerun.stdout and rerun.returncode == 0
    assert len(store.scope_post_ids(SCOPE)) == len(export.posts)
    # the copy's first post is recorded across the kill too
    assert store.post_by_message(SCOPE, export.coffee_again).repost_of == store.post_by_message(SCOPE, export.coffee).id


def test_a_supergroup_id_is_asked_for_by_its_bot_api_number(export, tmp_path):
    command, env = _cli("unused", "redis://127.0.0.1:1", tmp_path, str(export.folder), "--chat", str(BARE_ID))
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and f"({CHAT_ID})" in result.stderr
