"""Photos with known text, rendered here: the set `bench ocr` reads and `bench dedup --memes` re-posts.

Phrases (bench/queries/ocr_phrases.jsonl, English and French) are drawn on photos in several fonts,
sizes, colours and angles: a block of text on the photo (on a translucent band or outlined), meme
captions (white, outlined, top and bottom), a chat screenshot (bubbles, one app's colours) and a
settings screen; text-free photos are the photos themselves. The ground truth is the rendered lines
in reading order joined by "\n". Everything is seeded: one seed, one set.
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

PHRASES = Path(__file__).parent / "queries" / "ocr_phrases.jsonl"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
# DejaVu faces when the system has them; None is Pillow's own scalable font (Aileron), always there.
FACES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSerif.ttf", "DejaVuSansMono.ttf",
         "DejaVuSansCondensed-Bold.ttf", "DejaVuSerif-Italic.ttf", None)
MEME_FACES = ("DejaVuSans-Bold.ttf", "DejaVuSansCondensed-Bold.ttf", None)
SETTINGS_TITLE = {"en": "Settings", "fr": "Réglages"}
KINDS = ("photo_text", "meme", "chat", "settings", "none")
SHARES = (0.35, 0.25, 0.1, 0.05, 0.25)  # of the set, in KINDS order
# Ink on the photo and what keeps it readable there (a band behind it or an outline around it).
INKS = ((255, 255, 255), (20, 20, 20), (255, 220, 0), (200, 30, 30), (20, 60, 160), (0, 120, 60))
THEMES = {"light": {"back": (236, 229, 221), "bar": (7, 94, 84), "title": (255, 255, 255), "mine": (220, 248, 198),
                    "theirs": (255, 255, 255), "ink": (30, 30, 30)},
          "dark": {"back": (14, 22, 33), "bar": (23, 33, 43), "title": (240, 240, 240), "mine": (43, 82, 120),
                   "theirs": (24, 37, 51), "ink": (235, 235, 235)},
          "blue": {"back": (255, 255, 255), "bar": (0, 122, 255), "title": (255, 255, 255), "mine": (0, 122, 255),
                   "theirs": (229, 229, 234), "ink": (0, 0, 0)}}


@dataclass(frozen=True)
class TextPhoto:
    name: str
    kind: str  # one of KINDS
    lang: str  # "en", "fr", "" for a text-free photo
    text: str  # the rendered lines in reading order joined by "\n" ("" for a text-free photo)
    image: Image.Image


@dataclass(frozen=True)
class MemeStyle:
    """How a meme is drawn, kept apart from its words: one template, one style, many texts."""
    face: str | None
    size_share: float  # letter height as a share of the photo's width


def load_phrases(path: Path = PHRASES) -> dict[tuple[str, str], list[str]]:
    """(kind, lang) -> phrases; the file's first row says how they were made and has no text."""
    out: dict[tuple[str, str], list[str]] = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        row = json.loads(line) if line.strip() else {}
        if "text" in row:
            out.setdefault((row["kind"], row["lang"]), []).append(row["text"])
    return out


def font(face: str | None, size: int) -> ImageFont.FreeTypeFont:
    size = max(8, int(size))
    if face is not None and (FONT_DIR / face).exists():
        return ImageFont.truetype(str(FONT_DIR / face), size)
    return ImageFont.load_default(size=size)


def wrap(text: str, fnt, width: float) -> list[str]:
    """The text's lines (its own line breaks kept) broken between words to fit `width` pixels."""
    out = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            trial = f"{line} {word}".strip()
            if line and fnt.getlength(trial) > width:
                out.append(line)
                line = word
            else:
                line = trial
        out.append(line)
    return [line for line in out if line]


def _fitting_font(face, lines_text: str, size: int, width: float, max_lines: int = 3):
    """The font at `size` or smaller whose wrapped text fits in `max_lines` lines of `width`."""
    while True:
        fnt = font(face, size)
        lines = wrap(lines_text, fnt, width)
        if size <= 12 or (len(lines) <= max_lines and all(fnt.getlength(ln) <= width for ln in lines)):
            return fnt, lines
        size = int(size * 0.85)


def _centred(draw, lines, fnt, width: int, y: float, fill, stroke: int = 0, stroke_fill=None) -> float:
    for line in lines:
        draw.text(((width - fnt.getlength(line)) / 2, y), line, font=fnt, fill=fill, stroke_width=stroke,
                  stroke_fill=stroke_fill)
        y += fnt.size * 1.2
    return y


def photo_text(photo: Image.Image, text: str, rng: random.Random) -> tuple[Image.Image, str]:
    """A block of text somewhere on the photo, at some size, colour and angle (a poster, a notice)."""
    im = photo.convert("RGB")
    w, h = im.size
    fnt, lines = _fitting_font(rng.choice(FACES), text, rng.uniform(0.045, 0.09) * w, 0.8 * w)
    ink = rng.choice(INKS)
    contrast = (0, 0, 0) if sum(ink) > 380 else (255, 255, 255)
    banded = rng.random() < 0.5
    line_h = fnt.size * 1.25
    bw = int(max(fnt.getlength(ln) for ln in lines) + fnt.size)
    bh = int(line_h * len(lines) + fnt.size * 0.6)
    block = Image.new("RGBA", (bw, bh), (*contrast, 170) if banded else (0, 0, 0, 0))
    draw = ImageDraw.Draw(block)
    for n, line in enumerate(lines):
        draw.text((fnt.size / 2, fnt.size * 0.3 + n * line_h), line, font=fnt, fill=ink,
                  stroke_width=0 if banded else max(1, fnt.size // 14), stroke_fill=contrast)
    block = block.rotate(rng.choice((0, 0, 0, -15, -8, 8, 15, 90)), expand=True, resample=Image.BICUBIC)
    if block.width > w or block.height > h:
        block.thumbnail((w, h))
    im.paste(block, (rng.randint(0, w - block.width), rng.randint(0, h - block.height)), block)
    return im, "\n".join(lines)


def meme_style(rng: random.Random) -> MemeStyle:
    return MemeStyle(rng.choice(MEME_FACES), rng.uniform(0.07, 0.1))


def meme(photo: Image.Image, text: str, style: MemeStyle) -> tuple[Image.Image, str]:
    """Meme captions: the text's first line on top, the rest at the bottom, white outlined in black."""
    im = photo.convert("RGB")
    w, h = im.size
    top, _, bottom = text.partition("\n")
    draw = ImageDraw.Draw(im)
    drawn = []
    for part, at_top in ((top, True), (bottom, False)):
        if not part:
            continue
        fnt, lines = _fitting_font(style.face, part, style.size_share * w, 0.94 * w, max_lines=2)
        y = 0.03 * h if at_top else h - 0.03 * h - fnt.size * 1.2 * len(lines)
        _centred(draw, lines, fnt, w, y, (255, 255, 255), max(2, fnt.size // 12), (0, 0, 0))
        drawn += lines
    return im, "\n".join(drawn)


def chat(title: str, messages: list[str], theme: str, width: int = 540, picture: Image.Image | None = None
         ) -> tuple[Image.Image, str]:
    """A phone chat screenshot: the app's bar with the chat's name, then bubbles left and right."""
    colours = THEMES[theme]
    height = int(width * 16 / 9)
    im = Image.new("RGB", (width, height), colours["back"])
    draw = ImageDraw.Draw(im)
    bar = int(width * 0.13)
    draw.rectangle((0, 0, width, bar), fill=colours["bar"])
    title_font = font("DejaVuSans-Bold.ttf", width * 0.05)
    draw.text((width * 0.06, (bar - title_font.size) / 2), title, font=title_font, fill=colours["title"])
    fnt = font("DejaVuSans.ttf", width * 0.037)
    y, drawn = bar + width * 0.05, [title]
    if picture is not None:  # a photo someone sent, above the messages
        pic = picture.convert("RGB").copy()
        pic.thumbnail((int(width * 0.6), int(height * 0.3)))
        im.paste(pic, (int(width * 0.05), int(y)))
        y += pic.height + width * 0.04
    for n, message in enumerate(messages):
        lines = wrap(message, fnt, width * 0.62)
        bw = max(fnt.getlength(ln) for ln in lines) + fnt.size * 1.2
        bh = fnt.size * 1.3 * len(lines) + fnt.size * 0.8
        x = width * 0.04 if n % 2 == 0 else width * 0.96 - bw
        if y + bh > height - width * 0.04:
            break
        mine = n % 2 == 1
        draw.rounded_rectangle((x, y, x + bw, y + bh), radius=fnt.size * 0.6,
                               fill=colours["mine"] if mine else colours["theirs"])
        ink = (255, 255, 255) if mine and theme == "blue" else colours["ink"]
        for k, line in enumerate(lines):
            draw.text((x + fnt.size * 0.6, y + fnt.size * 0.4 + k * fnt.size * 1.3), line, font=fnt, fill=ink)
        drawn += lines
        y += bh + width * 0.035
    return im, "\n".join(drawn)


def settings_screen(title: str, labels: list[str], dark: bool, width: int = 540) -> tuple[Image.Image, str]:
    """A phone settings screen: a title, then a row per setting with its switch (no text) on the right."""
    dark_colours, light_colours = ((0, 0, 0), (240, 240, 240), (50, 50, 50)), ((242, 242, 247), (0, 0, 0), (200, 200, 200))
    back, ink, rule = dark_colours if dark else light_colours
    im = Image.new("RGB", (width, int(width * 16 / 9)), back)
    draw = ImageDraw.Draw(im)
    title_font, fnt = font("DejaVuSans-Bold.ttf", width * 0.07), font("DejaVuSans.ttf", width * 0.042)
    draw.text((width * 0.05, width * 0.08), title, font=title_font, fill=ink)
    y, row = width * 0.25, width * 0.13
    for n, label in enumerate(labels):
        draw.text((width * 0.05, y + (row - fnt.size) / 2), label, font=fnt, fill=ink)
        on = n % 3 != 1
        sx, sy = width * 0.78, y + row * 0.25
        draw.rounded_rectangle((sx, sy, sx + row * 0.9, sy + row * 0.5), radius=row * 0.25,
                               fill=(52, 199, 89) if on else (120, 120, 128))
        knob = sx + (row * 0.45 if on else 0)
        draw.ellipse((knob + 3, sy + 3, knob + row * 0.45 - 3, sy + row * 0.5 - 3), fill=(255, 255, 255))
        y += row
        draw.line((width * 0.05, y, width, y), fill=rule)
    return im, "\n".join([title, *labels])


def build_set(photos: list[Image.Image], phrases: dict, seed: int = 1234, names: list[str] | None = None
              ) -> list[TextPhoto]:
    """One rendered photo per given photo (in order), of kinds in SHARES' proportions, English and French."""
    rng = random.Random(seed)
    kinds = [k for k, share in zip(KINDS, SHARES) for _ in range(max(1, round(share * len(photos))))]
    rng.shuffle(kinds)
    out = []
    for n, photo in enumerate(photos):
        kind, lang = kinds[n % len(kinds)], ("en", "fr")[n % 2]
        name = names[n] if names else f"photo{n}"
        if kind == "none":
            out.append(TextPhoto(name, kind, "", "", photo.convert("RGB")))
            continue
        if kind == "photo_text":
            source = rng.choice(("notice", "sign", "menu"))
            im, text = photo_text(photo, rng.choice(phrases[(source, lang)]), rng)
        elif kind == "meme":
            im, text = meme(photo, rng.choice(phrases[("meme", lang)]), meme_style(rng))
        elif kind == "chat":
            messages = rng.sample(phrases[("chat", lang)], rng.randint(3, 5))
            im, text = chat(rng.choice(phrases[("app", lang)]), messages, rng.choice(sorted(THEMES)),
                            picture=photo if rng.random() < 0.5 else None)
        else:
            labels = rng.sample(phrases[("setting", lang)], rng.randint(4, 7))
            im, text = settings_screen(SETTINGS_TITLE[lang], labels, dark=rng.random() < 0.5)
        out.append(TextPhoto(name, kind, lang, text, im))
    return out
