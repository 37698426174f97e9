"""Videos, animations (GIFs) and video notes as the Bot API describes them
(https://core.telegram.org/bots/api#video, #animation, #videonote):

- a Video has width, height, duration (s), a thumbnail PhotoSize, file_name, mime_type, file_size;
- an Animation the same; Telegram turns a GIF into a silent H.264 MP4 ("name.gif.mp4", video/mp4),
  and a message with an animation carries it twice, as `animation` and as `document`;
- a VideoNote (a round video message) is square: length (its side), duration, thumbnail, file_size,
  and takes no caption.

The thumbnail is the first frame, at most 320 px on its long side, as Telegram makes them. A file the
emulator cannot decode still arrives (a client uploads what it has; Telegram does not check a user's
video): width, height and duration 0 and no thumbnail, so the bot meets a video it cannot read.
"""
from __future__ import annotations

import io
import logging

from PIL import Image

log = logging.getLogger(__name__)

VIDEO, ANIMATION, VIDEO_NOTE = "video", "animation", "video_note"
VIDEO_KINDS = (VIDEO, ANIMATION, VIDEO_NOTE)
THUMBNAIL_SIDE = 320
# Telegram's folders in a file_path, and the first letters of its file ids of each kind
FOLDERS = {VIDEO: "videos", ANIMATION: "animations", VIDEO_NOTE: "video_notes", "thumbnail": "thumbnails",
           "photo": "photos", "document": "documents"}
ID_PREFIXES = {VIDEO: "BAAC", ANIMATION: "CgAC", VIDEO_NOTE: "DQAC", "document": "BQAC"}


def probe(data: bytes) -> tuple[int, int, int, Image.Image | None]:
    """(width, height, whole seconds, first frame) of a video; zeros and None when it does not decode."""
    import av

    try:
        with av.open(io.BytesIO(data), mode="r", metadata_errors="ignore") as container:
            stream = container.streams.video[0]
            first = next(container.decode(stream), None)
            seconds = 0.0
            if stream.duration is not None and stream.time_base is not None:
                seconds = float(stream.duration * stream.time_base)
            elif container.duration:
                seconds = container.duration / 1_000_000
            image = first.to_image() if first is not None else None
            return stream.codec_context.width, stream.codec_context.height, int(round(seconds)), image
    except (av.error.FFmpegError, IndexError, ValueError, UnicodeDecodeError, StopIteration) as exc:
        log.info("an undecodable video was sent (%d bytes): %s", len(data), exc)
        return 0, 0, 0, None


def is_gif(data: bytes) -> bool:
    return data[:6] in (b"GIF87a", b"GIF89a")


def gif_as_mp4(data: bytes) -> bytes:
    """A GIF re-encoded as Telegram stores animations: H.264 in MP4 without sound (even sides, as
    yuv420p needs). A GIF that does not decode is kept as it is."""
    import av
    import numpy as np

    try:
        with av.open(io.BytesIO(data), mode="r") as gif:
            stream = gif.streams.video[0]
            rate = stream.average_rate or 10
            frames = [frame.to_image().convert("RGB") for frame in gif.decode(stream)]
    except (av.error.FFmpegError, IndexError, ValueError) as exc:
        log.info("an undecodable GIF was sent: %s", exc)
        return data
    if not frames:
        return data
    width, height = frames[0].width // 2 * 2 or 2, frames[0].height // 2 * 2 or 2
    out_buf = io.BytesIO()
    with av.open(out_buf, "w", format="mp4") as out:
        video = out.add_stream("libx264", rate=rate)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        for image in frames:
            frame = av.VideoFrame.from_ndarray(np.asarray(image.resize((width, height))), format="rgb24")
            for packet in video.encode(frame):
                out.mux(packet)
        for packet in video.encode():
            out.mux(packet)
    return out_buf.getvalue()


def thumbnail_jpeg(image: Image.Image) -> bytes:
    small = image.convert("RGB")
    small.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    buf = io.BytesIO()
    small.save(buf, "JPEG", quality=80)
    return buf.getvalue()


def media_fields(world, kind: str, data: bytes, file_name: str | None = None) -> dict:
    """The message fields of a video, animation or video note just uploaded: `{kind: ...}` (and
    `document` for an animation). The file and its thumbnail are stored in `world`."""
    if kind == ANIMATION and is_gif(data):
        data = gif_as_mp4(data)
        file_name = (file_name or "animation.gif") + ".mp4"
    width, height, seconds, first = probe(data)
    stored = world.store_file(data, "mp4", kind)
    item = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
    if kind == VIDEO_NOTE:
        item.update(length=min(width, height), duration=seconds)
    else:
        item.update(width=width, height=height, duration=seconds, file_name=file_name or f"{kind}.mp4",
                    mime_type="video/mp4")
    if first is not None:
        blob = thumbnail_jpeg(first)
        thumb = world.store_file(blob, "jpg", "thumbnail")
        with Image.open(io.BytesIO(blob)) as im:
            item["thumbnail"] = {"file_id": thumb.file_id, "file_unique_id": thumb.file_unique_id,
                                 "width": im.width, "height": im.height, "file_size": len(blob)}
    item["file_size"] = len(data)
    stored.attributes = item
    return _message_fields(kind, item)


def _message_fields(kind: str, item: dict) -> dict:
    fields = {kind: dict(item)}
    if kind == ANIMATION:  # for clients that do not know animations, Telegram sends it as a document too
        fields["document"] = {k: v for k, v in item.items() if k not in ("width", "height", "duration")}
    return fields


def same_media(world, kind: str, file_id: str) -> dict:
    """Sending a known file id again: the same file, as the message fields of `kind`. Telegram refuses
    a file id of another kind (a photo's id to sendVideo, a video note's to sendAnimation)."""
    from bot.emulator.world import ApiError

    stored = world.files[file_id]
    if stored.kind != kind:
        raise ApiError(400, "Bad Request: type of file mismatch")
    return _message_fields(kind, stored.attributes)


MAX_BOT_UPLOAD = 50 * 1024 * 1024  # what a bot may upload (https://core.telegram.org/bots/api#sending-files)


def resolve_media(world, kind: str, value, uploads: dict[str, bytes], file_name: str | None = None) -> dict:
    """A video argument of sendVideo / sendAnimation / sendVideoNote / sendMediaGroup: an upload,
    attach://name, or a known file id of that kind -> the message fields."""
    from bot.emulator.world import ApiError, attached

    value = attached(value, uploads)
    if isinstance(value, bytes):
        if len(value) > MAX_BOT_UPLOAD:
            raise ApiError(413, "Request Entity Too Large")
        return media_fields(world, kind, value, file_name)
    if isinstance(value, str) and value in world.files:
        return same_media(world, kind, value)
    raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")


class VideoMethods:
    """Mixed into BotApi (which gives `world`, `_placed` and the caption parsing): sendVideo,
    sendAnimation, sendVideoNote."""

    async def _send_media(self, kind: str, p, u, caption_allowed: bool = True) -> dict:
        from bot.emulator.formatting import text_field
        from bot.emulator.world import MAX_CAPTION

        chat = self.world.chat(p.get("chat_id"))
        caption, html_source, found = (text_field(p, "caption", MAX_CAPTION, required=False) if caption_allowed
                                       else (None, None, None))
        placed = self._placed(chat, p)
        fields = resolve_media(self.world, kind, p.get(kind), u, (p.get("_filenames") or {}).get(kind))
        return self.world.new_message(chat, self.world.bot_user, caption=caption, caption_entities=found,
                                      html=html_source, **fields, **placed)

    async def m_sendvideo(self, p, u):
        return await self._send_media(VIDEO, p, u)

    async def m_sendanimation(self, p, u):
        return await self._send_media(ANIMATION, p, u)

    async def m_sendvideonote(self, p, u):
        return await self._send_media(VIDEO_NOTE, p, u, caption_allowed=False)
