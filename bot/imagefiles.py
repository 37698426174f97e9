"""Which Telegram files go the photo way, besides photos: image documents (by MIME type or by name, as
clients send a HEIC as `application/octet-stream` named IMG_0001.HEIC) and still stickers. The bytes
decide in the end: a file that is no image after all gets the "not a photo" answer (bot.errors).
What the bot does with stickers: bot.stickers.
"""
from __future__ import annotations

from telegram import Document, Message, Sticker
from telegram.ext import filters

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".jfif", ".png", ".webp", ".gif", ".bmp", ".tif", ".tiff", ".heic", ".heif",
                    ".hif", ".avif")


def is_image_document(document: Document | None) -> bool:
    """An image by its MIME type or by its name (the bytes are checked when decoded)."""
    if document is None:
        return False
    name = (document.file_name or "").lower()
    return (document.mime_type or "").startswith("image/") or name.endswith(IMAGE_EXTENSIONS)


def is_still_sticker(sticker: Sticker | None) -> bool:
    return sticker is not None and not sticker.is_animated and not sticker.is_video


class _ImageDocument(filters.MessageFilter):
    """A document message that is an image file (a GIF Telegram turned into an animation is not: it
    goes the video way)."""

    def filter(self, message: Message) -> bool:
        return message.animation is None and is_image_document(message.document)


IMAGE_DOCUMENT = _ImageDocument(name="IMAGE_DOCUMENT")
PRIVATE_STILL_STICKER = filters.Sticker.STATIC & filters.ChatType.PRIVATE
PRIVATE_MOVING_STICKER = (filters.Sticker.ANIMATED | filters.Sticker.VIDEO) & filters.ChatType.PRIVATE
