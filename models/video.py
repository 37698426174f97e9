"""Keyframes of a video, an animation (GIF) or a video note, decoded with PyAV (FFmpeg's libraries
ship inside its wheel: no system ffmpeg).

A video becomes a few frames spread evenly over its length (a fixed count, not one per scene: a
re-encode moves scene cuts and I-frames, an even spread moves only by what was trimmed). Each frame
then goes through the photo path (indexing.search: embedded by the image encoder and pHashed). A
still image (the thumbnail Telegram sends for a file too big to download) is a video of one frame.
"""
from __future__ import annotations

import io
import logging
from dataclasses import dataclass

from PIL import Image

from models.errors import BadImageError, ImageTooLargeError
from models.imaging import decode_image

log = logging.getLogger(__name__)

DEFAULT_FRAMES = 8
MAX_VIDEO_BYTES = 200 * 1024 * 1024
MAX_FRAME_PIXELS = 16_000_000  # 4K is 8.3 MP; beyond it a stream is refused before decoding
FRAME_SIDE = 320  # frames are kept at this long side: above what the encoders look at (224 px)
POSTER_SIDE = 1280  # the middle frame is also kept this large: the text in a video is read from it


class BadVideoError(BadImageError):
    """The bytes are neither a decodable video nor an image."""


@dataclass(frozen=True)
class Keyframes:
    frames: list[Image.Image]  # RGB, in time order, long side <= FRAME_SIDE
    times_s: list[float]  # when each frame is shown
    duration_s: float  # 0 for a still image
    width: int  # of the video as sent
    height: int
    poster: Image.Image | None = None  # the middle frame, long side <= POSTER_SIDE (None: frames[middle] is it)

    @property
    def middle(self) -> Image.Image:
        """The middle frame as large as kept: what a person would call the video's picture."""
        return self.poster if self.poster is not None else self.frames[len(self.frames) // 2]


def frame_times(duration_s: float, count: int) -> list[float]:
    """`count` times spread evenly over the middle 90 % of a video (its first and last instants are often
    black or a title card a re-post trims away)."""
    if duration_s <= 0 or count <= 1:
        return [max(duration_s, 0.0) / 2]
    start, end = 0.05 * duration_s, 0.95 * duration_s
    return [start + (end - start) * i / (count - 1) for i in range(count)]


def _small(image: Image.Image, side: int = FRAME_SIDE) -> Image.Image:
    image = image.convert("RGB")
    if max(image.size) > side:
        image.thumbnail((side, side), Image.Resampling.BILINEAR)
    return image


def read_keyframes(data: bytes, count: int = DEFAULT_FRAMES, max_bytes: int = MAX_VIDEO_BYTES) -> Keyframes:
    """Up to `count` frames of a video (or the one frame of a still image). Raises BadVideoError for
    bytes that are neither, ImageTooLargeError over the byte or pixel limits."""
    if len(data) > max_bytes:
        raise ImageTooLargeError(f"file is {len(data) / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit")
    if not data:
        raise BadVideoError("file is empty")
    try:
        still = decode_image(data)
    except ImageTooLargeError:
        raise
    except BadImageError:
        still = None
    if still is not None and not _animated(data):
        return Keyframes([_small(still.image)], [0.0], 0.0, *still.original_size, poster=_small(still.image, POSTER_SIDE))
    return _decode_video(data, count)


def _animated(data: bytes) -> bool:
    """An image format with several frames (GIF, animated WebP/PNG): decoded as a video."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            return getattr(image, "n_frames", 1) > 1
    except Exception:  # noqa: BLE001 - PIL raises many types on odd bytes; not animated then
        return False


def _decode_video(data: bytes, count: int) -> Keyframes:
    import av  # imported here: a photo-only process never loads FFmpeg

    try:
        with av.open(io.BytesIO(data), mode="r", metadata_errors="ignore") as container:
            if not container.streams.video:
                raise BadVideoError("no video stream")
            stream = container.streams.video[0]
            width, height = stream.codec_context.width, stream.codec_context.height
            if width * height > MAX_FRAME_PIXELS:
                raise ImageTooLargeError(f"video is {width}x{height}, over the {MAX_FRAME_PIXELS} pixel limit")
            stream.thread_type = "AUTO"
            frames, poster = _sampled_frames(container, stream, count)
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError, IndexError) as exc:
        if isinstance(exc, BadImageError):
            raise
        raise BadVideoError(f"not a video we can decode: {exc}") from exc
    if not frames:
        raise BadVideoError("the video has no frame we can decode")
    times = [t for t, _ in frames]
    return Keyframes([image for _, image in frames], times, max(times[-1], _duration(stream, times)), width, height,
                     poster=poster)


def _duration(stream, times: list[float]) -> float:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    return times[-1] if times else 0.0


def _sampled_frames(container, stream, count: int) -> tuple[list[tuple[float, Image.Image]], Image.Image | None]:
    """Decode once, front to back, keeping the first frame at or after each wanted time (and the middle
    one large too). Without a known duration (some GIFs, streams without an index) every frame is
    decoded small and the spread chosen after."""
    duration = _duration(stream, [])
    if duration <= 0 and container.duration:
        duration = container.duration / 1_000_000
    if duration <= 0:
        decoded = [(float(f.time or 0.0), _small(f.to_image())) for f in container.decode(stream)]
        if len(decoded) > count:
            picks = frame_times(decoded[-1][0], count)
            decoded = [min(decoded, key=lambda tf: abs(tf[0] - t)) for t in picks]
        return decoded, None
    wanted, out, poster = frame_times(duration, count), [], None
    middle_time = wanted[len(wanted) // 2]
    last = None
    for frame in container.decode(stream):
        t = float(frame.time) if frame.time is not None else 0.0
        last = (t, frame)
        if wanted and t >= wanted[0] - 1e-3:
            image = frame.to_image()
            if poster is None and t >= middle_time - 1e-3:
                poster = _small(image, POSTER_SIDE)
            out.append((t, _small(image)))
            while wanted and t >= wanted[0] - 1e-3:  # a frame shown past several wanted times is kept once
                wanted.pop(0)
        if not wanted:
            break
    if wanted and last is not None and (not out or out[-1][0] < last[0]):  # the stream ended early
        out.append((last[0], _small(last[1].to_image())))
    return out, poster
