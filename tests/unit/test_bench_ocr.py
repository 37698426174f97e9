"""`bench ocr`'s set and metrics on photos scikit-image ships: what is rendered is known text, and the
reader's reading of it is scored as CER, exact phrases and the first test's rates."""
from __future__ import annotations

import io
import random

import pytest
from PIL import Image

from bench.ocr import cer, every_line_found, first_test_metrics, folded_cer, text_metrics
from bench.ocr_set import KINDS, TextPhoto, build_set, chat, load_phrases, meme, meme_style
from tests.conftest import jpeg_bytes, sample_image

PHOTOS = ("astronaut", "coffee", "chelsea", "rocket", "coins", "camera", "hubble_deep_field", "immunohistochemistry")


@pytest.fixture(scope="module")
def rendered() -> list[TextPhoto]:
    photos = [sample_image(n) for n in PHOTOS] * 2
    return build_set(photos, load_phrases(), seed=7)


def test_the_phrases_cover_both_languages_and_every_kind_rendered():
    phrases = load_phrases()
    for kind in ("notice", "sign", "menu", "meme", "chat", "setting", "app"):
        assert phrases[(kind, "en")] and phrases[(kind, "fr")], kind
    assert sum(len(v) for v in phrases.values()) >= 100
    assert all("\n" in m for m in phrases[("meme", "fr")])  # top and bottom lines


def test_the_set_mixes_kinds_and_languages_with_their_ground_truth(rendered):
    assert {p.kind for p in rendered} == set(KINDS)
    assert {p.lang for p in rendered if p.text} == {"en", "fr"}
    for p in rendered:
        assert bool(p.text) == (p.kind != "none") and (p.lang == "") == (p.kind == "none")
    again = build_set([sample_image(n) for n in PHOTOS] * 2, load_phrases(), seed=7)
    assert [p.text for p in again] == [p.text for p in rendered]  # one seed, one set
    other = build_set([sample_image(n) for n in PHOTOS] * 2, load_phrases(), seed=8)
    assert [p.text for p in other] != [p.text for p in rendered]


def test_a_text_free_photo_is_the_photo_and_a_meme_changes_it():
    photo = sample_image("chelsea")
    text_free = build_set([photo] * 8, load_phrases(), seed=1)
    blank = next(p for p in text_free if p.kind == "none")
    assert blank.image.tobytes() == photo.tobytes()
    drawn, truth = meme(photo, "WHEN THE CODE WORKS\nON THE FIRST TRY", meme_style(random.Random(1)))
    assert drawn.size == photo.size and drawn.tobytes() != photo.tobytes()
    assert truth.replace("\n", " ") == "WHEN THE CODE WORKS ON THE FIRST TRY"


def test_error_rates_and_exact_phrases():
    assert cer("Meeting moved", "Meeting moved") == 0.0
    assert cer("Meeting  moved\nto 5", "Meeting moved to 5") == 0.0  # whitespace and line breaks collapsed
    assert cer("Meting moved", "Meeting moved") == pytest.approx(1 / 13)
    assert cer("", "abcd") == 1.0 and cer("a very long misreading", "ab") == 1.0  # capped
    assert cer("Fete a 5 PM", "Fête à 5 pm") > 0.2 and folded_cer("Fete a 5 PM", "Fête à 5 pm") == 0.0
    assert every_line_found("x\nQUAND LE CAFE EST PRET\nET QUE TU ES EN RETARD", "QUAND LE CAFÉ EST PRÊT\nET QUE TU ES EN RETARD")
    assert not every_line_found("QUAND LE CAFE EST PRET", "QUAND LE CAFÉ EST PRÊT\nET QUE TU ES EN RETARD")
    assert not every_line_found("ME AT 3 AMOUR", "ME AT 3 AM")  # a line is found as words, not letters
    photo = TextPhoto("a", "meme", "en", "ONE\nTWO", Image.new("RGB", (4, 4)))
    free = TextPhoto("b", "none", "", "", Image.new("RGB", (4, 4)))
    assert text_metrics([(photo, "ONE TWO"), (free, "noise")]) == {"n": 1, "cer": 0.0, "cer_folded": 0.0,
                                                                  "exact_phrase_rate": 1.0}
    rates = first_test_metrics([(photo, True), (photo, False), (free, True), (free, False), (free, False)])
    assert rates["recall_on_text"] == 0.5 and rates["pass_rate_on_text_free"] == pytest.approx(0.3333, abs=1e-4)


def test_the_reader_reads_the_rendered_memes_and_screenshots():
    from models.ocr import TextReader

    reader = TextReader()
    rng = random.Random(3)
    photo = sample_image("coffee")
    drawn = [meme(photo, "QUAND LE CAFÉ EST PRÊT\nET QUE TU ES EN RETARD", meme_style(rng)),
             chat("Team chat", ["Meeting moved to 5 pm", "ok see you there", "Bring the slides please"], "dark")]
    for image, truth in drawn:
        read = reader.read(Image.open(io.BytesIO(jpeg_bytes(image, quality=85))))
        assert read.status == "text" and folded_cer(read.text, truth) <= 0.1, (read.text, truth)
    assert reader.read(Image.open(io.BytesIO(jpeg_bytes(sample_image("hubble_deep_field"))))).status == "none"


def test_a_phrase_is_asked_as_a_person_types_it():
    from bench.ocr_find import typed

    assert typed("Fermé le lundi, à 18 h !") == "ferme le lundi a 18 h"
    assert typed("WHEN THE CODE WORKS") == "when the code works"
    assert typed("L'été arrive…") == "l'ete arrive"
