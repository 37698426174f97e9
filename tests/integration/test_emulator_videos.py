"""The emulator's videos, animations and video notes over real HTTP, as python-telegram-bot parses them,
checked against the Bot API documentation (https://core.telegram.org/bots/api#video, #animation,
#videonote, #getfile, #sendmediagroup); no hashlens bot."""
from __future__ import annotations

import asyncio

import pytest
from telegram import Bot, InputMediaPhoto, InputMediaVideo
from telegram.error import BadRequest

from tests.conftest import jpeg_bytes, sample_image
from tests.integration.chat import emulator_with_groups
from tests.videos import gif_of, pan_video

TOKEN = "987656:EMULATOR-VIDEOS"
GROUP = -1005000000101
ADMIN, MEMBER = 601, 602


@pytest.fixture
def emu():
    with emulator_with_groups(TOKEN, {GROUP: ("Club", [ADMIN])}) as server:
        yield server


def with_bot(emu, scenario):
    async def main():
        async with Bot(TOKEN, base_url=emu.base_url, base_file_url=emu.base_file_url) as bot:
            return await scenario(bot)
    return asyncio.run(main())


def test_a_users_video_gif_and_video_note_arrive_as_telegram_describes_them(emu):
    c = emu.client
    clip = pan_video(sample_image("rocket"), seconds=3)
    c.send(MEMBER, GROUP, video=clip, caption="launch #space")
    c.send(MEMBER, GROUP, animation=gif_of(sample_image("chelsea")))
    c.send(MEMBER, GROUP, video_note=pan_video(sample_image("astronaut"), seconds=2, size=(240, 240)))

    async def scenario(bot):
        video, animation, note = [u.message for u in await bot.get_updates(timeout=2)]
        assert (video.video.width, video.video.height, video.video.duration) == (320, 240, 3)
        assert video.video.mime_type == "video/mp4" and video.video.file_size == len(clip)
        assert video.caption == "launch #space" and video.caption_entities[0].type == "hashtag"
        thumb = video.video.thumbnail
        assert thumb.width <= 320 and thumb.height <= 320
        thumb_bytes = bytes(await (await thumb.get_file()).download_as_bytearray())
        assert thumb_bytes[:2] == b"\xff\xd8"  # a JPEG of the first frame
        assert bytes(await (await video.video.get_file()).download_as_bytearray()) == clip
        # a GIF becomes an MP4 animation, sent as a document too (the same file)
        assert animation.animation.mime_type == "video/mp4" and animation.animation.file_name.endswith(".gif.mp4")
        assert animation.document.file_id == animation.animation.file_id
        assert (animation.animation.width, animation.animation.height) == (160, 120)
        # a video note is square: its side is `length`; it has no caption
        assert note.video_note.length == 240 and note.video_note.thumbnail is not None and note.caption is None
        return video.video.file_id
    with_bot(emu, scenario)
    with pytest.raises(RuntimeError, match="no caption"):
        c.send(MEMBER, GROUP, video_note=pan_video(sample_image("astronaut"), seconds=1, size=(240, 240)),
               caption="hello")


def test_get_file_refuses_a_video_over_20_mb_but_its_thumbnail_downloads(emu):
    big = pan_video(sample_image("coffee"), seconds=2) + b"\0" * (20 * 1024 * 1024)
    emu.client.send(MEMBER, GROUP, video=big)

    async def scenario(bot):
        [update] = await bot.get_updates(timeout=2)
        video = update.message.video
        assert video.file_size == len(big)
        with pytest.raises(BadRequest, match="too big"):
            await video.get_file()
        assert (await video.thumbnail.get_file()).file_size > 0
    with_bot(emu, scenario)


def test_the_bot_sends_videos_by_file_id_and_albums_mix_photos_and_videos_only(emu):
    c = emu.client
    c.send(MEMBER, GROUP, video=pan_video(sample_image("rocket"), seconds=2))
    c.send(MEMBER, GROUP, video_note=pan_video(sample_image("astronaut"), seconds=1, size=(240, 240)))
    c.send(MEMBER, GROUP, animation=gif_of(sample_image("chelsea")))

    async def scenario(bot):
        video, note, animation = [u.message for u in await bot.get_updates(timeout=2)]
        again = await bot.send_video(GROUP, video.video.file_id, caption="<b>0.93</b> match", parse_mode="HTML")
        assert again.video.file_id == video.video.file_id and again.caption == "0.93 match"
        assert (again.video.width, again.video.height) == (320, 240)
        assert (await bot.send_video_note(GROUP, note.video_note.file_id)).video_note.length == 240
        sent = await bot.send_animation(GROUP, animation.animation.file_id)
        assert sent.animation.file_id == animation.animation.file_id and sent.document is not None
        with pytest.raises(BadRequest, match="(?i)type of file mismatch"):
            await bot.send_photo(GROUP, video.video.file_id)
        with pytest.raises(BadRequest, match="(?i)type of file mismatch"):
            await bot.send_video(GROUP, note.video_note.file_id)
        album = await bot.send_media_group(GROUP, [InputMediaPhoto(jpeg_bytes(sample_image("coffee"))),
                                                   InputMediaVideo(video.video.file_id, caption="clip")])
        assert album[0].photo and album[1].video and album[0].media_group_id == album[1].media_group_id
        uploaded = await bot.send_video(GROUP, pan_video(sample_image("coins"), seconds=1))
        assert uploaded.video.file_id != video.video.file_id and uploaded.video.thumbnail is not None
        edited = await bot.edit_message_caption(GROUP, again.message_id, caption="new words")
        assert edited.caption == "new words"
    with_bot(emu, scenario)
    # an album takes no animation (Bot API: InputMediaAudio, Document, Photo and Video only)
    with pytest.raises(RuntimeError, match="album"):
        emu.client.send(MEMBER, GROUP, album=[("photo", jpeg_bytes(sample_image("coffee"))),
                                              ("animation", gif_of(sample_image("chelsea")))])


def test_a_user_edits_a_video_caption(emu):
    c = emu.client
    sent = c.send(MEMBER, GROUP, video=pan_video(sample_image("rocket"), seconds=1), caption="old")[0]
    edited = c.edit(GROUP, sent["message_id"], caption="new #words")
    assert edited["caption"] == "new #words" and edited["edit_date"]

    async def scenario(bot):
        updates = await bot.get_updates(timeout=2)
        assert updates[-1].edited_message.video.file_id == sent["video"]["file_id"]
        assert updates[-1].edited_message.caption == "new #words"
    with_bot(emu, scenario)


def test_the_playground_page_sends_videos_and_gifs_from_its_file_picker(emu):
    """The page posts multipart: a picked video/* file is a video, an image/gif an animation, an album
    may mix photos and videos."""
    import httpx

    files = [("photo", ("cat.gif", gif_of(sample_image("chelsea")), "image/gif"))]
    [gif] = httpx.post(f"{emu.url}/control/message", data={"user_id": "603"}, files=files, timeout=30).json()
    assert gif["animation"]["mime_type"] == "video/mp4" and gif["document"]
    files = [("photo", ("a.jpg", jpeg_bytes(sample_image("coffee")), "image/jpeg")),
             ("photo", ("b.mp4", pan_video(sample_image("rocket"), seconds=1), "video/mp4"))]
    album = httpx.post(f"{emu.url}/control/message", data={"user_id": "603", "text": "trip"}, files=files,
                       timeout=30).json()
    assert [("photo" in m, "video" in m) for m in album] == [(True, False), (False, True)]
    assert album[0]["caption"] == "trip" and album[0]["media_group_id"] == album[1]["media_group_id"]
