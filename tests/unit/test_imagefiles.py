"""Which Telegram files the bot takes for photos before reading them (bot.imagefiles)."""
from telegram import Document, Sticker

from bot.imagefiles import is_image_document, is_still_sticker


def document(name: str | None, mime: str | None) -> Document:
    return Document("id", "unique", file_name=name, mime_type=mime)


def test_an_image_file_is_known_by_its_type_or_by_its_name():
    assert is_image_document(document("IMG_0042.HEIC", "application/octet-stream"))  # an iPhone's, untyped
    assert is_image_document(document("photo", "image/heic"))
    assert is_image_document(document("scan.AVIF", None))
    assert is_image_document(document("cat.webp", "image/webp"))
    assert not is_image_document(document("report.pdf", "application/pdf"))
    assert not is_image_document(document("png", "application/octet-stream"))  # a name, not an extension
    assert not is_image_document(document(None, None)) and not is_image_document(None)


def test_only_a_still_sticker_is_read_as_a_picture():
    def sticker(animated: bool, video: bool) -> Sticker:
        return Sticker("id", "unique", 512, 512, animated, video, Sticker.REGULAR)

    assert is_still_sticker(sticker(False, False))
    assert not is_still_sticker(sticker(True, False)) and not is_still_sticker(sticker(False, True))
    assert not is_still_sticker(None)
