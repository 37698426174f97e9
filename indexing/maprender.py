"""Draw a MapLayout: thumbnails on their grid cells, each cluster framed and labelled in its colour."""
from __future__ import annotations

import io
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from indexing.photomap import MapLayout

# Distinct on a dark background (Tableau 10 + 10 lighter ones); cluster n takes PALETTE[(n - 1) % 20].
PALETTE = [(78, 121, 167), (242, 142, 43), (225, 87, 89), (118, 183, 178), (89, 161, 79),
           (237, 201, 72), (176, 122, 161), (255, 157, 167), (156, 117, 95), (186, 176, 172),
           (160, 203, 232), (255, 190, 125), (140, 209, 125), (182, 153, 45), (73, 152, 148),
           (134, 188, 182), (212, 166, 200), (250, 191, 210), (215, 181, 166), (121, 112, 110)]
BACKGROUND = (24, 24, 27)
MISSING = (70, 70, 76)  # a photo whose thumbnail is not stored
FONT_FILES = ("DejaVuSans-Bold.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
              "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf")
PHOTO_MAX_SIDE = 2048  # Telegram shows photos up to 2560 px and recompresses; the document has it all


def colour(number: int) -> tuple[int, int, int]:
    return PALETTE[(number - 1) % len(PALETTE)]


@lru_cache(maxsize=8)
def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for name in FONT_FILES:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size)


def _text_colour(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    luminance = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]
    return (0, 0, 0) if luminance > 140 else (255, 255, 255)


def cluster_label(number: int, tags: list[str]) -> str:
    return " ".join([str(number)] + [f"#{t}" for t in tags])


def render(layout: MapLayout, thumbnails: list[bytes | None], cell: int = 64, title: str = "") -> Image.Image:
    """The map as one RGB image; `thumbnails` are the JPEG tiles of `layout.ids`, in order."""
    frame, gap = max(2, cell // 12), max(1, cell // 32)
    pitch = cell + 2 * frame + gap
    margin = cell // 2
    width = max(2 * margin + layout.columns * pitch, 480)
    # Text grows with the picture, so labels stay readable in the in-chat photo (shrunk to 2,048 px).
    text_size = max(12, cell // 3, width // 110)
    label_font, title_font = font(text_size), font(text_size * 3 // 2)
    header = title_font.size * 2 if title else 0
    legend_rows = len(layout.clusters[:20])
    legend_line = label_font.size + 8
    height = header + 2 * margin + layout.rows * pitch + (legend_rows * legend_line + margin if legend_rows else 0)
    image = Image.new("RGB", (width, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    if title:
        draw.text((margin, margin // 2), title, fill=(235, 235, 235), font=title_font)
    top = header + margin
    centres: dict[int, list[tuple[int, int]]] = {}
    for pid_index, ((col, row), number) in enumerate(zip(layout.cells, layout.cluster_of)):
        x, y = margin + col * pitch, top + row * pitch
        if number:
            draw.rectangle((x, y, x + cell + 2 * frame - 1, y + cell + 2 * frame - 1), fill=colour(number))
            centres.setdefault(number, []).append((x + pitch // 2, y + pitch // 2))
        tile = _tile(thumbnails[pid_index], cell)
        image.paste(tile, (x + frame, y + frame))
    for cluster in layout.clusters:
        points = centres.get(cluster.number)
        if not points:
            continue
        cx, cy = (sorted(p[0] for p in points)[len(points) // 2], sorted(p[1] for p in points)[len(points) // 2])
        _badge(draw, (cx, cy), cluster_label(cluster.number, cluster.tags[:2]), colour(cluster.number), label_font)
    y = top + layout.rows * pitch + margin // 2
    for cluster in layout.clusters[:20]:
        draw.rectangle((margin, y + 2, margin + label_font.size, y + 2 + label_font.size), fill=colour(cluster.number))
        # no words on the picture: one map serves readers of every language (the caption is theirs)
        text = f"{cluster_label(cluster.number, cluster.tags)}  ({cluster.size})"
        draw.text((margin + label_font.size + 10, y), text, fill=(230, 230, 230), font=label_font)
        y += legend_line
    return image


def _tile(data: bytes | None, cell: int) -> Image.Image:
    if data:
        try:
            tile = Image.open(io.BytesIO(data)).convert("RGB")
            return tile if tile.size == (cell, cell) else tile.resize((cell, cell), Image.BILINEAR)
        except (OSError, ValueError):
            pass  # a damaged tile is drawn as missing; the map still renders
    return Image.new("RGB", (cell, cell), MISSING)


def _badge(draw: ImageDraw.ImageDraw, centre: tuple[int, int], text: str, fill, label_font) -> None:
    left, top, right, bottom = draw.textbbox((0, 0), text, font=label_font)
    w, h = right - left + 12, bottom - top + 8
    x, y = centre[0] - w // 2, centre[1] - h // 2
    draw.rounded_rectangle((x, y, x + w, y + h), radius=h // 3, fill=fill, outline=(0, 0, 0), width=1)
    draw.text((x + 6 - left, y + 4 - top), text, fill=_text_colour(fill), font=label_font)


def to_jpeg(image: Image.Image, max_side: int | None = None, quality: int = 88) -> bytes:
    """JPEG bytes, shrunk to `max_side` first when given (the in-chat photo; the document keeps it all)."""
    if max_side and max(image.size) > max_side:
        image = image.copy()
        image.thumbnail((max_side, max_side), Image.LANCZOS)
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=quality, optimize=True)
    return buf.getvalue()


def save(image: Image.Image, path) -> None:
    """Write the map at full resolution: JPEG for a .jpg / .jpeg path, else the format the suffix names."""
    from pathlib import Path

    path = Path(path)
    if path.suffix.lower() in (".jpg", ".jpeg"):
        path.write_bytes(to_jpeg(image, quality=90))
    else:
        image.save(path)
