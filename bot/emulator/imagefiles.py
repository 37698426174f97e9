"""Files users send that are not photos: a Document (https://core.telegram.org/bots/api#document) with
the thumbnail Telegram makes of an image it can read, and a Sticker
(https://core.telegram.org/bots/api#sticker): a still one is a .webp of 512 px on its long side, an
animated one a .tgs (gzipped Lottie), a video one a .webm; each has a small thumbnail."""
from __future__ import annotations

import io

from PIL import Image

from bot.emulator.world import ApiError, World

DOCUMENT_THUMB_SIDE = 320  # Telegram's document thumbnails: JPEG, up to 320 px
STICKER_SIDE = 512
STICKER_THUMB_SIDE = 128
STICKER_FORMATS = {"static": "webp", "animated": "tgs", "video": "webm"}


def document_of(w: World, data: bytes, file_name: str | None, mime_type: str | None) -> dict:
    """A Document as the bot receives it: the name and MIME type the client sent, a thumbnail when the
    file is an image Pillow reads here (none for a PDF)."""
    name = file_name or "file"
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else "bin"
    stored = w.store_file(data, ext)
    doc = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id, "file_size": len(data),
           "file_name": name, "mime_type": mime_type or "application/octet-stream"}
    thumb = _thumbnail(w, data, DOCUMENT_THUMB_SIDE, "JPEG")
    if thumb:
        doc["thumbnail"] = thumb
    return doc


def sticker_of(w: World, data: bytes, sticker_format: str = "static", emoji: str | None = None,
               set_name: str | None = None) -> dict:
    """A regular Sticker of `sticker_format` static | animated | video. A still one must be an image (it
    is made 512 px on its long side, as sticker sets require); the others are taken as sent, 512 x 512."""
    if sticker_format not in STICKER_FORMATS:
        raise ApiError(400, f"Bad Request: unknown sticker format {sticker_format!r}")
    width = height = STICKER_SIDE
    thumb = None
    if sticker_format == "static":
        data, (width, height) = _sticker_webp(data)
        thumb = _thumbnail(w, data, STICKER_THUMB_SIDE, "WEBP")
    stored = w.store_file(data, STICKER_FORMATS[sticker_format])
    sticker = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id, "type": "regular",
               "width": width, "height": height, "is_animated": sticker_format == "animated",
               "is_video": sticker_format == "video", "file_size": len(data)}
    if thumb:
        sticker["thumbnail"] = thumb
    if emoji:
        sticker["emoji"] = emoji
    if set_name:
        sticker["set_name"] = set_name
    return sticker


def _sticker_webp(data: bytes) -> tuple[bytes, tuple[int, int]]:
    try:
        with Image.open(io.BytesIO(data)) as im:
            im = im.convert("RGBA")
    except (OSError, ValueError, Image.DecompressionBombError):
        raise ApiError(400, "Bad Request: STICKER_PNG_NOPNG") from None
    scale = STICKER_SIDE / max(im.size)
    im = im.resize((max(1, round(im.width * scale)), max(1, round(im.height * scale))), Image.LANCZOS)
    buf = io.BytesIO()
    im.save(buf, "WEBP", quality=90)
    return buf.getvalue(), im.size


def _thumbnail(w: World, data: bytes, side: int, fmt: str) -> dict | None:
    """A PhotoSize of the image scaled to fit `side` (None when the bytes are no image Pillow reads)."""
    try:
        with Image.open(io.BytesIO(data)) as im:
            if im.width * im.height > 100_000_000:
                return None
            im.draft("RGB", (side, side))
            thumb = im.convert("RGBA" if fmt == "WEBP" else "RGB")
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    thumb.thumbnail((side, side))
    buf = io.BytesIO()
    thumb.save(buf, fmt, quality=80)
    stored = w.store_file(buf.getvalue(), fmt.lower().replace("jpeg", "jpg"))
    return {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id, "width": thumb.width,
            "height": thumb.height, "file_size": len(buf.getvalue())}
