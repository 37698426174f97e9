"""The video re-post rule with the real engine: a video, GIF or video note re-posts only a stored
video, found by Telegram's file id, its bytes, or its keyframes (indexing/search/repostvideo.py)."""

import time

import pytest

from bench.videoclips import Shot, make_clip, repost
from indexing.search import ANIMATION, NOT_A_REPOST, VIDEO, VIDEO_NOTE, ChatSettings, PhotoInput
from indexing.store import FORWARD
from tests.conftest import sample_image

CHAT = "chat:-100777"
ANN, BOB = 1, 2


def _clip(*names: str, seconds: float = 2.0, direction: int = 1) -> bytes:
    return make_clip([Shot(sample_image(n), seconds, direction) for n in names], fps=10, size=(320, 180))


@pytest.fixture(scope="module")
def original() -> bytes:
    return _clip("astronaut", "coffee", "chelsea")


def _store(engine, data: bytes, message_id: int, media: str = VIDEO, user_id: int = ANN, file_unique_id=None) -> int:
    vec = engine.embed_video(data)
    return engine.add_photos([PhotoInput(data, scope=CHAT, chat_id=-100777, message_id=message_id, user_id=user_id,
                                         media=media, file_unique_id=file_unique_id)], [vec])[0].post_id


@pytest.mark.parametrize("how", ["reencode", "resize", "trim_start", "trim_end", "watermark", "gif"])
def test_an_edited_copy_of_a_video_is_a_repost_of_it(engine, original, how):
    first = _store(engine, original, 10)
    _store(engine, _clip("rocket", "coins", seconds=3), 11)  # another video of the chat
    copy = engine.embed_video(repost(original, how, trim_s=1.0))
    verdict = engine.check_repost(copy, CHAT, ChatSettings(), 12, author_id=BOB)
    assert verdict.repost is not None and verdict.repost.original.id == first
    assert 0.8 < verdict.repost.cosine < 1.0


def test_other_videos_and_the_same_photos_cut_in_another_order_are_not_reposts(engine, original):
    _store(engine, original, 10)
    for n, other in enumerate((_clip("rocket", "coins", "camera"), _clip("chelsea", "astronaut", "coffee"),
                               _clip("astronaut", "rocket", "coins")), start=20):
        assert engine.check_repost(engine.embed_video(other), CHAT, ChatSettings(), n, author_id=BOB) is NOT_A_REPOST


def test_a_photo_never_re_posts_a_video_nor_a_video_a_photo(engine, samples):
    still_video = _clip("chelsea", seconds=3)
    video_post = _store(engine, still_video, 10, media=ANIMATION)
    photo = samples["chelsea"]
    assert engine.check_repost(photo, CHAT, ChatSettings(), 11, author_id=BOB) is NOT_A_REPOST
    engine.add_photo(PhotoInput(photo, scope=CHAT, chat_id=-100777, message_id=11, user_id=BOB))
    # the photo itself as a "video" of one frame (a thumbnail): photos are not candidates, only the video is
    as_video = engine.embed_video(photo)
    verdict = engine.check_repost(as_video, CHAT, ChatSettings(), 12, author_id=BOB)
    assert verdict.original_id in (None, video_post)
    again = engine.check_repost(engine.embed_video(repost(still_video, "reencode")), CHAT, ChatSettings(), 13,
                                author_id=BOB)
    assert again.repost is not None and again.repost.original.id == video_post


def test_the_same_telegram_file_is_known_at_once_even_from_its_thumbnail(engine, original, samples):
    first = _store(engine, original, 10, file_unique_id="AgADvideo1")
    # a file over the download limit: only its thumbnail is seen, nothing like the stored keyframes
    thumbnail = engine.embed_video(samples["moon"])
    assert engine.check_repost(thumbnail, CHAT, ChatSettings(), 11, author_id=BOB) is NOT_A_REPOST
    verdict = engine.check_repost(thumbnail, CHAT, ChatSettings(), 11, author_id=BOB, file_unique_id="AgADvideo1")
    assert verdict.repost.original.id == first and verdict.repost.cosine == 1.0
    # the same bytes again (no file id given) are an exact re-send too; a video note counts as a video
    # (one encode: x264 under load may not give the same bytes twice)
    note_bytes = _clip("rocket", "coins")
    note = _store(engine, note_bytes, 12, media=VIDEO_NOTE, file_unique_id="AgADnote")
    exact = engine.check_repost(engine.embed_video(note_bytes), CHAT, ChatSettings(), 13, author_id=BOB)
    assert exact.repost.original.id == note and exact.repost.cosine == 1.0
    # forgetting the post forgets its file id
    engine.delete_posts([first])
    assert engine.store.posts_by_file(CHAT, "AgADvideo1") == []
    assert engine.check_repost(thumbnail, CHAT, ChatSettings(), 14, file_unique_id="AgADvideo1") is NOT_A_REPOST


def test_the_chat_policies_hold_for_videos(engine, original):
    first = _store(engine, original, 10, user_id=ANN)
    copy = engine.embed_video(repost(original, "trim_end", trim_s=1.0))
    assert engine.check_repost(copy, CHAT, ChatSettings(), 10, author_id=BOB) is NOT_A_REPOST  # its own message
    mine = engine.check_repost(engine.embed_video(original), CHAT, ChatSettings(), 11, author_id=ANN)
    assert mine.original_id == first and mine.repost is None  # their own video again: recorded, not flagged
    assert engine.check_repost(copy, CHAT, ChatSettings(forwards="off"), 12, origin=FORWARD) is NOT_A_REPOST
    assert engine.check_repost(copy, CHAT, ChatSettings(), 12, size=(90, 90)) is NOT_A_REPOST  # under minsize
    assert engine.check_repost(copy, "chat:-100778", ChatSettings(), 12) is NOT_A_REPOST  # another chat
    later = engine.duplicates.check_repost(copy, CHAT, ChatSettings(window_days=1), 12, now=time.time() + 2 * 86400)
    assert later.original_id == first and later.repost is None  # outside the window: recorded, not flagged
    # an admin said Bob's copy is no re-post: a copy of Bob's copy is his video's re-post, never the first's
    bobs_copy = repost(original, "trim_end", trim_s=1.0)
    bobs = engine.add_photos([PhotoInput(bobs_copy, scope=CHAT, chat_id=-100777, message_id=12, user_id=BOB,
                                         media=VIDEO, repost_of=first)], [engine.embed_video(bobs_copy)])[0].post_id
    engine.moderation.clear_repost(CHAT, bobs, first, None)
    again = engine.embed_video(repost(bobs_copy, "reencode"))
    assert engine.check_repost(again, CHAT, ChatSettings(), 13, author_id=3).repost.original.id == bobs


def test_the_dupes_command_checks_a_video_file_against_the_stored_videos(engine, original, tmp_path, capsys):
    from argparse import Namespace

    from indexing.__main__ import _dupes

    first = _store(engine, original, 10)
    path = tmp_path / "copy.gif"
    path.write_bytes(repost(original, "gif"))
    _dupes(engine, Namespace(photo=str(path), scope=CHAT))
    assert f"re-post of #{first} message 10" in capsys.readouterr().out
    other = tmp_path / "other.mp4"
    other.write_bytes(_clip("rocket", "coins"))
    _dupes(engine, Namespace(photo=str(other), scope=CHAT))
    assert "not a re-post of anything stored" in capsys.readouterr().out
