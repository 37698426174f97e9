"""Videos the tests make themselves with PyAV (FFmpeg inside its wheel): a slow pan and zoom over a
photo, the way a phone films a scene, encoded as H.264 MP4 (Telegram's video and animation format),
or as a GIF."""
from __future__ import annotations

from PIL import Image

from bench.videoclips import encode  # the benchmark's encoder: the same files the re-post rule was measured on


def pan_frames(photo: Image.Image, seconds: float, fps: int, size: tuple[int, int], zoom: float = 1.25):
    """Frames of a pan from the photo's left to its right while zooming in by `zoom`."""
    photo = photo.convert("RGB")
    w, h = photo.size
    n = max(1, int(round(seconds * fps)))
    for i in range(n):
        f = i / max(n - 1, 1)
        scale = 1 + (zoom - 1) * f
        cw, ch = w / (1.25 * scale), h / (1.1 * scale)
        x0 = (w - cw) * f
        y0 = (h - ch) / 2
        yield photo.resize(size, Image.Resampling.BILINEAR, box=(x0, y0, x0 + cw, y0 + ch))


def pan_video(photo: Image.Image, seconds: float = 4, fps: int = 10, size: tuple[int, int] = (320, 240),
              codec: str = "libx264", container: str = "mp4", bit_rate: int | None = None) -> bytes:
    """A short clip panning over `photo`."""
    return encode(pan_frames(photo, seconds, fps, size), fps, size, codec, container, bit_rate)


def gif_of(photo: Image.Image, seconds: float = 2, fps: int = 8, size: tuple[int, int] = (160, 120)) -> bytes:
    """The same pan as an animated GIF."""
    return pan_video(photo, seconds, fps, size, codec="gif", container="gif")
