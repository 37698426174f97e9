"""Clips made of photos, and the ways a group re-posts a clip: `bench dedup --videos`'s building blocks.

A clip is a few shots, each a slow pan and zoom over one photo (the way a phone films a scene, or a
slideshow app animates photos). A re-post is the clip decoded and encoded again: at another bitrate
and codec, resized, trimmed by a second or two, watermarked, or turned into a GIF.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

import av
import numpy as np
from PIL import Image, ImageDraw, ImageFont


@dataclass(frozen=True)
class Shot:
    photo: Image.Image
    seconds: float
    direction: int = 1  # 1: pan left to right while zooming in, -1: right to left while zooming out
    zoom: float = 1.25


def shot_frames(shot: Shot, fps: int, size: tuple[int, int]):
    """The frames of one shot: a window a little smaller than the photo, panning across it."""
    photo = shot.photo.convert("RGB")
    w, h = photo.size
    n = max(1, int(round(shot.seconds * fps)))
    for i in range(n):
        f = i / max(n - 1, 1)
        if shot.direction < 0:
            f = 1 - f
        scale = 1 + (shot.zoom - 1) * f
        cw, ch = w / (1.25 * scale), h / (1.1 * scale)
        x0, y0 = (w - cw) * f, (h - ch) / 2
        yield photo.resize(size, Image.Resampling.BILINEAR, box=(x0, y0, x0 + cw, y0 + ch))


def clip_frames(shots: list[Shot], fps: int, size: tuple[int, int]):
    for shot in shots:
        yield from shot_frames(shot, fps, size)


def encode(frames, fps: int, size: tuple[int, int], codec: str = "libx264", container: str = "mp4",
           bit_rate: int | None = None) -> bytes:
    """Frames (PIL images of `size`) encoded as one file; a GIF in its 256-colour palette."""
    buf = io.BytesIO()
    with av.open(buf, "w", format=container) as out:
        stream = out.add_stream(codec, rate=fps)
        stream.width, stream.height = size
        stream.pix_fmt = "rgb8" if codec == "gif" else "yuv420p"
        if bit_rate:
            stream.bit_rate = bit_rate
        if codec == "libx264":
            stream.options = {"preset": "veryfast"}  # the benchmark makes hundreds of clips
        for frame in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(np.asarray(frame.convert("RGB")), format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return buf.getvalue()


def make_clip(shots: list[Shot], fps: int = 10, size: tuple[int, int] = (480, 270), bit_rate: int = 1_200_000) -> bytes:
    """The shots one after the other as an H.264 MP4 (Telegram's video format)."""
    return encode(clip_frames(shots, fps, size), fps, size, bit_rate=bit_rate)


def decode(data: bytes) -> tuple[list[Image.Image], float]:
    """Every frame of a clip, and its frame rate."""
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        fps = float(stream.average_rate or 10)
        return [frame.to_image() for frame in container.decode(stream)], fps


def _even(x: float) -> int:
    return max(16, int(x) // 2 * 2)


def watermark(frame: Image.Image, text: str = "@memes_daily") -> Image.Image:
    """A channel's name in a corner and a translucent logo block, as re-posting channels stamp them."""
    frame = frame.convert("RGBA")
    layer = Image.new("RGBA", frame.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    w, h = frame.size
    side = max(12, h // 8)
    draw.rectangle((w - side - 8, 8, w - 8, 8 + side), fill=(255, 200, 0, 150))
    font = ImageFont.load_default(size=max(10, h // 14))
    draw.text((8, h - h // 10 - 8), text, fill=(255, 255, 255, 200), font=font, stroke_width=1,
              stroke_fill=(0, 0, 0, 200))
    return Image.alpha_composite(frame, layer).convert("RGB")


def gif(frames: list[Image.Image], fps: float, width: int = 240, gif_fps: int = 6) -> bytes:
    """Frames as an animated GIF the way converters make one: fewer frames, smaller, each frame in its
    own adaptive 256-colour palette (Pillow's median cut)."""
    step = max(1, int(round(fps / gif_fps)))
    size = (width, _even(width * frames[0].size[1] / frames[0].size[0]))
    small = [f.convert("RGB").resize(size, Image.Resampling.BILINEAR).quantize(256) for f in frames[::step]]
    buf = io.BytesIO()
    small[0].save(buf, "GIF", save_all=True, append_images=small[1:], duration=int(1000 * step / fps), loop=0)
    return buf.getvalue()


def repost(data: bytes, how: str, trim_s: float = 1.5) -> bytes:
    """The clip `data` re-posted: "reencode" (MPEG-4 part 2 at a low bitrate), "resize" (half size),
    "trim_start" / "trim_end" (`trim_s` seconds cut), "watermark", "gif" (see gif)."""
    frames, fps = decode(data)
    rate = int(round(fps))
    size = frames[0].size
    if how == "reencode":
        return encode(frames, rate, size, codec="mpeg4", bit_rate=250_000)
    if how == "resize":
        half = (_even(size[0] / 2), _even(size[1] / 2))
        return encode((f.resize(half, Image.Resampling.BICUBIC) for f in frames), rate, half, bit_rate=400_000)
    cut = int(round(trim_s * fps))
    if how == "trim_start":
        return encode(frames[cut:], rate, size)
    if how == "trim_end":
        return encode(frames[:-cut], rate, size)
    if how == "watermark":
        return encode((watermark(f) for f in frames), rate, size)
    if how == "gif":
        return gif(frames, fps)
    raise ValueError(f"unknown re-post {how!r}")


REPOSTS = ("reencode", "resize", "trim_start", "trim_end", "watermark", "gif")
