"""A photo the bot received as a file (an image document), made sendable as a photo.

Telegram's photo ids and document ids are not interchangeable: a document's file id cannot be
sent with sendPhoto or in a photo album. So the first time such a post is shown, its file is
downloaded (getFile) and uploaded as a photo; the caller keeps the new photo's file id
(engine.remember_file_id), and every later result sends that id.
"""
from __future__ import annotations

import io
import logging

from PIL import Image
from telegram import Bot
from telegram.error import TelegramError

log = logging.getLogger(__name__)

MAX_PHOTO_UPLOAD = 10 * 1024 * 1024  # Telegram's sendPhoto limit
MAX_SIDES_SUM = 10_000  # Telegram's photo limit: width + height
RESIZED_SIDE = 2560


async def showable_photo(bot: Bot, document_file_id: str, max_bytes: int) -> bytes | None:
    """The document's bytes, re-encoded when Telegram would refuse them as a photo; None when the
    file cannot be had (too large to download, gone)."""
    try:
        file = await bot.get_file(document_file_id)
        if file.file_size and file.file_size > max_bytes:
            return None
        data = bytes(await file.download_as_bytearray())
    except TelegramError as exc:
        log.warning("document %s not downloadable to show it: %s", document_file_id, exc)
        return None
    return _within_photo_limits(data)


def _within_photo_limits(data: bytes) -> bytes | None:
    try:
        with Image.open(io.BytesIO(data)) as im:
            if len(data) <= MAX_PHOTO_UPLOAD and sum(im.size) <= MAX_SIDES_SUM and im.format in ("JPEG", "PNG"):
                return data
            im = im.convert("RGB")
            im.thumbnail((RESIZED_SIDE, RESIZED_SIDE))
            buf = io.BytesIO()
            im.save(buf, "JPEG", quality=88)
            return buf.getvalue()
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        log.warning("a stored document is not an image Telegram takes as a photo: %s", exc)
        return None
