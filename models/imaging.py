"""Safe image decoding and model preprocessing with PIL + numpy (no torchvision).

Every photo that enters the system goes through `decode_image`: it enforces byte and pixel
limits before decoding (decompression bombs), uses JPEG draft mode so a 12 MP photo is decoded
at 1/2..1/8 scale straight from the DCT, applies EXIF orientation, and converts any mode
(P, LA, RGBA, CMYK, I;16, F, ...) to 8-bit RGB.

The formats read are those phones and people send as photos or image files (ACCEPTED_FORMATS):
Pillow's own, HEIC/HEIF through pi-heif (libheif + libde265; decode only), AVIF through Pillow's
libavif. Bytes of any other kind are `NotAnImageError`, whatever the file is called. An animated
GIF/WebP/PNG gives its first frame here; models/video.py reads it as a video.
"""
from __future__ import annotations

import io
import os
import warnings
from dataclasses import dataclass

import numpy as np
import pi_heif
from PIL import Image, ImageOps, UnidentifiedImageError

from models.errors import BadImageError, ImageTooLargeError, NotAnImageError

pi_heif.register_heif_opener()  # once, at import (~30 ms): HEIC/HEIF for every Image.open in the process

# What Image.open may try, by the bytes' signature (JPEG includes MPO, the iPhone's multi-picture
# JPEG): no guessing among Pillow's other plugins (some, like TGA, have no signature and take noise
# for an image).
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF", "HEIF", "AVIF")

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
DEFAULT_MAX_PIXELS = 64_000_000
# Decoded short side we keep by default: a little above what the encoders look at (224 px).
DEFAULT_DECODE_SIDE = 256


@dataclass(frozen=True)
class DecodedImage:
    """An RGB image ready for the encoders, plus facts about the original."""

    image: Image.Image
    original_size: tuple[int, int]
    format: str | None


def read_bytes(source: str | os.PathLike | bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """Return the raw bytes of a path or bytes, refusing files over `max_bytes`."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    else:
        try:
            size = os.path.getsize(source)
        except OSError as exc:
            raise BadImageError(f"cannot read {source}: {exc.strerror or exc}") from exc
        if size > max_bytes:
            raise ImageTooLargeError(f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit")
        with open(source, "rb") as fh:
            data = fh.read()
    if len(data) > max_bytes:
        raise ImageTooLargeError(f"file is {len(data) / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit")
    if not data:
        raise BadImageError("file is empty")
    return data


def decode_image(
    data: bytes,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    decode_side: int = DEFAULT_DECODE_SIDE,
    trim: bool = True,
) -> DecodedImage:
    """Decode image bytes into an RGB PIL image whose short side is about `decode_side`."""
    try:
        with warnings.catch_warnings():
            # We enforce our own pixel limit below; PIL's warning would only be noise.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
            original_size = im.size
            if original_size[0] * original_size[1] > max_pixels:
                raise ImageTooLargeError(
                    f"image is {original_size[0]}x{original_size[1]} "
                    f"({original_size[0] * original_size[1] / 1e6:.0f} MP), over the {max_pixels / 1e6:.0f} MP limit"
                )
            fmt = im.format
            if fmt == "JPEG":
                # DCT-domain downscale: decodes at the smallest 1/2^k scale still >= decode_side.
                im.draft("RGB", (decode_side, decode_side))
            im.load()
            im = ImageOps.exif_transpose(im)
            im = to_rgb(im)
            # Keep up to 2x the side the models need: the model input is then made with one
            # resize from here (each extra resampling pass costs ~1 ms a photo).
            im = _shrink(im, decode_side, slack=2.0)
            if trim:
                im = trim_uniform_border(im)
    except BadImageError:
        raise
    except Image.DecompressionBombError as exc:
        raise ImageTooLargeError(f"image has too many pixels ({exc})") from exc
    except UnidentifiedImageError as exc:
        raise NotAnImageError("not a supported image format") from exc
    except (OSError, SyntaxError, ValueError, EOFError, MemoryError) as exc:
        raise BadImageError(f"corrupt or truncated image: {exc}") from exc
    return DecodedImage(image=im, original_size=original_size, format=fmt)


def to_rgb(im: Image.Image) -> Image.Image:
    """Convert any PIL mode to 8-bit RGB; transparency is composited on white."""
    if im.mode == "RGB" and "transparency" not in im.info:
        return im
    if im.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        arr = np.asarray(im, dtype=np.float64)
        lo, hi = float(arr.min()), float(arr.max())
        scaled = np.zeros_like(arr) if hi <= lo else (arr - lo) * (255.0 / (hi - lo))
        return Image.fromarray(scaled.astype(np.uint8), "L").convert("RGB")
    if im.mode in ("P", "L", "RGB") and "transparency" in im.info:  # a palette or colour key (PNG tRNS)
        im = im.convert("RGBA")
    if im.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        im = im.convert("RGBA")
        background = Image.new("RGB", im.size, (255, 255, 255))
        background.paste(im, mask=im.getchannel("A"))
        return background
    return im.convert("RGB")


def trim_uniform_border(im: Image.Image, tolerance: float = 10.0, max_fraction: float = 0.45,
                        min_run: int = 3) -> Image.Image:
    """Cut uniform bars off the edges (added frames, letterboxing, screenshot padding).

    Re-posts often add them; trimming before hashing and embedding makes the re-post look
    like the original again. A side is cut only where whole rows/columns stay within
    `tolerance` grey levels of the edge colour, and never more than `max_fraction` of it.
    """
    arr = np.asarray(im, dtype=np.int16)
    h, w = arr.shape[:2]

    def uniform_lines(lines: np.ndarray, ref: np.ndarray) -> np.ndarray:
        # A line is uniform when 98 % of its pixels are within tolerance of the edge colour.
        close = (np.abs(lines - ref).max(axis=2) <= tolerance).mean(axis=1)
        return close >= 0.98

    def run(lines: np.ndarray, limit: int) -> int:
        ref = lines[0].mean(axis=0)
        if not uniform_lines(lines[:min_run], ref).all():
            return 0  # the common case, a photo to its edges: decided from 3 lines
        uniform = uniform_lines(lines[:limit], ref)
        if uniform.all():
            return 0  # uniform as far as we look: that is the picture itself, not a frame
        return int(np.argmin(uniform))

    top = run(arr, int(h * max_fraction))
    bottom = run(arr[::-1], int(h * max_fraction))
    left = run(arr.transpose(1, 0, 2), int(w * max_fraction))
    right = run(arr.transpose(1, 0, 2)[::-1], int(w * max_fraction))
    if not (top or bottom or left or right):
        return im
    return im.crop((left, top, w - right, h - bottom))


def _shrink(im: Image.Image, side: int, slack: float = 1.0) -> Image.Image:
    short = min(im.size)
    if short <= side * slack:
        return im
    scale = side / short
    size = (max(1, round(im.size[0] * scale)), max(1, round(im.size[1] * scale)))
    return im.resize(size, Image.BILINEAR, reducing_gap=2.0)


def center_crop_resize(im: Image.Image, size: int) -> Image.Image:
    """Resize the short side to `size` then crop the centre square (the ImageNet eval transform)."""
    w, h = im.size
    if w == h == size:
        return im
    side = min(w, h)  # the centre square, resized in one pass (resize reads only the box)
    left, top = (w - side) / 2, (h - side) / 2
    return im.resize((size, size), Image.BILINEAR, box=(left, top, left + side, top + side), reducing_gap=2.0)


def to_chw_float(im: Image.Image, size: int, mean: float, std: float) -> np.ndarray:
    """PIL RGB -> float32 CHW array normalised as (x - mean) / std."""
    return batch_to_nchw([im], size, mean, std)[0]


def batch_to_nchw(images: list[Image.Image], size: int, mean: float, std: float) -> np.ndarray:
    """PIL RGB images -> one float32 NCHW batch, normalised as (x - mean) / std.

    Stacks the small uint8 crops first and converts once: 4x less memory traffic than
    stacking float arrays.
    """
    pixels = np.stack([np.asarray(center_crop_resize(im, size), dtype=np.uint8) for im in images])
    out = pixels.transpose(0, 3, 1, 2).astype(np.float32)
    out -= mean
    out *= 1.0 / std
    return out


THUMBNAIL_SIDE = 64


def square_thumbnail(im: Image.Image, side: int = THUMBNAIL_SIDE, quality: int = 82) -> bytes:
    """A small square JPEG of the photo's centre (a /map tile; about 2 KB at 64 px)."""
    buf = io.BytesIO()
    center_crop_resize(im, side).save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def jpeg_bytes(im: Image.Image, quality: int = 90) -> bytes:
    """An image as JPEG bytes (a video's frame entering the photo path)."""
    buf = io.BytesIO()
    im.convert("RGB").save(buf, "JPEG", quality=quality)
    return buf.getvalue()
