"""The photo-text reader on images rendered here and skimage photos: what it reads, and the clear
outcome it gives for text-free, tiny, huge, thin, broken and non-Latin images."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from bench.ocr import folded_cer
from models.ocr import MAX_DECODE_SIDE, TextReader, decode
from tests.conftest import jpeg_bytes, sample_image
from tests.text_images import caption_photo, render_cyrillic_like, render_line


@pytest.fixture(scope="module")
def reader() -> TextReader:
    return TextReader()


@pytest.mark.parametrize("text, lang", [
    ("Meeting moved to 5 pm on Friday", "en"),
    ("Don't forget the milk and the eggs", "en"),
    ("Rendez-vous à la gare après le café", "fr"),
    ("Où est la bibliothèque ? Fermée le lundi", "fr"),
])
def test_reads_a_rendered_line_and_its_language(reader, text, lang):
    result = reader.read(render_line(text))
    assert result.status == "text"
    assert folded_cer(result.text, text) <= 0.05, result.text
    assert result.lang == lang
    assert result.lines == (result.text,) and len(result.scores) == 1 and result.scores[0] >= 0.8


def test_keeps_accents(reader):
    assert "à la gare après le café" in reader.read(render_line("Rendez-vous à la gare après le café")).text


def test_reads_lines_in_order_and_text_over_a_photo(reader):
    two = Image.new("RGB", (720, 200), "white")
    two.paste(render_line("First line of the notice"), (0, 0))
    two.paste(render_line("Second line comes after"), (0, 100))
    assert [folded_cer(got, want) <= 0.05 for got, want in
            zip(reader.read(two).lines, ["First line of the notice", "Second line comes after"])] == [True, True]
    meme = caption_photo(sample_image("astronaut"), "WHEN THE CODE WORKS")
    assert folded_cer(reader.read(meme).text, "WHEN THE CODE WORKS") <= 0.1


@pytest.mark.parametrize("angle", [15, 90, 180])
def test_reads_rotated_text(reader, angle):
    image = render_line("Meeting moved to 5 pm").rotate(angle, expand=True, fillcolor="white")
    assert folded_cer(reader.read(image).text, "Meeting moved to 5 pm") <= 0.1


@pytest.mark.parametrize("name", ["astronaut", "coffee", "chelsea", "rocket", "camera", "coins"])
def test_text_free_photo_reads_none_and_fails_the_cheap_test(reader, name):
    photo = sample_image(name)
    assert reader.likely_text(photo) is False
    assert reader.read(photo) == reader.read(photo, check_first=True)
    assert reader.read(photo).status == "none" and reader.read(photo).text == ""


def test_cheap_test_passes_text(reader):
    assert reader.likely_text(render_line("Meeting moved to 5 pm"))
    assert reader.likely_text(caption_photo(sample_image("chelsea"), "I CAN HAZ OCR"))


@pytest.mark.parametrize("size", [(8, 8), (2000, 10), (10, 1500)])
def test_tiny_and_thin_images_are_none_without_reading(reader, size):
    result = reader.read(Image.new("RGB", size, "white"), check_first=False)
    assert result.status == "none" and result.text == ""


def test_huge_photo_is_decoded_small_and_still_read(reader):
    line = render_line("Huge poster text")
    huge = Image.new("RGB", (8000, 6000), "white")
    huge.paste(line.resize((line.width * 8, line.height * 8)), (400, 2000))
    image = decode(jpeg_bytes(huge))
    assert max(image.size) <= MAX_DECODE_SIDE
    assert folded_cer(reader.read(image).text, "Huge poster text") <= 0.1


def test_huge_image_given_whole_is_read_at_bounded_size(reader):
    line = render_line("Huge poster text")
    huge = Image.new("RGB", (6000, 4000), "white")
    huge.paste(line.resize((line.width * 6, line.height * 6)), (300, 1500))
    assert folded_cer(reader.read(huge).text, "Huge poster text") <= 0.1


def test_non_latin_script_is_never_garbage_text(reader):
    result = reader.read(render_cyrillic_like())
    assert result.status in ("unreadable", "none")
    assert result.text == "" and result.lines == ()
    # Real Cyrillic through Pillow's font is drawn as missing-glyph boxes: not text either.
    assert reader.read(render_line("Привет, как дела сегодня?")).status in ("unreadable", "none")


def test_a_broken_photo_is_an_error_outcome(reader):
    data = jpeg_bytes(render_line("Meeting moved to 5 pm"))
    truncated = Image.open(io.BytesIO(data[: len(data) // 3]))
    result = reader.read(truncated)
    assert result.status == "error" and result.text == ""


def test_reader_never_goes_online(monkeypatch):
    import requests

    def refuse(*args, **kwargs):
        raise AssertionError("the reader tried the network")

    monkeypatch.setattr(requests, "get", refuse)
    monkeypatch.setattr(requests.Session, "request", refuse)
    fresh = TextReader()
    assert fresh.read(render_line("Offline reading works")).status == "text"
