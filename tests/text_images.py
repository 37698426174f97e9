"""Images with text that the tests render themselves, with Pillow's bundled font only (no system fonts).

That font (Aileron) has no accents and no Cyrillic, so accents are drawn as strokes over the base
letter, and "Cyrillic" letters are made from Latin glyphs turned the way Cyrillic ones are (И is a
mirrored N, Я a mirrored R, Г a flipped L, П an upturned U, Ш a turned E): a line in a script the
recogniser has no letters for, without a font file.
"""
from __future__ import annotations

import unicodedata

from PIL import Image, ImageDraw, ImageFont, ImageOps

_ACUTE, _GRAVE, _CIRCUMFLEX, _CEDILLA = "\u0301", "\u0300", "\u0302", "\u0327"


def render_line(text: str, size: int = 40, fg="black", bg="white", pad: int = 20) -> Image.Image:
    """One line of text; é è à ê ç ô ù... get their accent drawn (other marks are left off)."""
    font = ImageFont.load_default(size=size)
    width = int(font.getlength(unicodedata.normalize("NFKD", text))) + 2 * pad
    image = Image.new("RGB", (width, size * 2 + pad), bg)
    draw = ImageDraw.Draw(image)
    x, y, stroke = float(pad), pad, max(2, size // 14)
    for ch in text:
        base, *marks = unicodedata.normalize("NFD", ch)
        draw.text((x, y), base, font=font, fill=fg)
        left, top, right, bottom = font.getbbox(base)
        cx, above, s = x + (left + right) / 2, y + top - size * 0.08, size * 0.12
        for mark in marks:
            if mark == _ACUTE:
                draw.line([(cx - s * 0.5, above), (cx + s * 0.6, above - s * 1.3)], fill=fg, width=stroke)
            elif mark == _GRAVE:
                draw.line([(cx + s * 0.5, above), (cx - s * 0.6, above - s * 1.3)], fill=fg, width=stroke)
            elif mark == _CIRCUMFLEX:
                draw.line([(cx - s, above), (cx, above - s * 1.2), (cx + s, above)], fill=fg, width=stroke)
            elif mark == _CEDILLA:
                draw.line([(cx, y + bottom), (cx + s * 0.4, y + bottom + s), (cx - s * 0.5, y + bottom + s * 1.6)],
                          fill=fg, width=stroke)
        x += font.getlength(base)
    return image


def caption_photo(photo: Image.Image, text: str, size: int = 44) -> Image.Image:
    """A meme: white text with a black outline across the top of a photo."""
    image = photo.convert("RGB").copy()
    font = ImageFont.load_default(size=size)
    width = font.getlength(text)
    ImageDraw.Draw(image).text(((image.width - width) / 2, 12), text, font=font, fill="white",
                               stroke_width=3, stroke_fill="black")
    return image


def _glyph(ch: str, size: int) -> Image.Image:
    font = ImageFont.load_default(size=size)
    image = Image.new("L", (int(font.getlength(ch)) + 4, size + 12), 255)
    ImageDraw.Draw(image).text((2, 2), ch, font=font, fill=0)
    return image


def render_cyrillic_like(word: str = "ПИЯГ ШИП ЯИГ ПИШИ", size: int = 40) -> Image.Image:
    turned = {
        "И": lambda: ImageOps.mirror(_glyph("N", size)),
        "Я": lambda: ImageOps.mirror(_glyph("R", size)),
        "Г": lambda: ImageOps.flip(_glyph("L", size)),
        "П": lambda: _glyph("U", size).rotate(180),
        "Ш": lambda: _glyph("E", size).rotate(90, expand=True).resize((int(size * 0.8), size + 12)),
    }
    pieces = [Image.new("L", (size // 2, size + 12), 255) if ch == " " else turned[ch]() for ch in word]
    height = max(p.height for p in pieces)
    image = Image.new("L", (sum(p.width for p in pieces) + 40, height + 40), 255)
    x = 20
    for piece in pieces:
        image.paste(piece, (x, 20 + (height - piece.height) // 2))
        x += piece.width
    return image.convert("RGB")
