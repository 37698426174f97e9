"""The text part of the re-post rule: two photos that look alike but say different things are no copies.

One meme template with other words, two screenshots of one app: the image rule (features, pHash)
calls them copies, their text tells them apart. Reading is slow next to a reply, and the background
queue reads every stored post (`Post.ocr_status`/`ocr_text`), so the rule reads synchronously only the
NEW photo, and only when the image rule already says "re-post" (rare): its pixels are at hand then.

For each stored copy the image rule matched, the two texts decide only when both photos were read
with text (MIN_TEXT_CHARS folded letters or more each): they are copies if one text holds the other
(`lines_found` either way: the least share of a line's letter trigrams found in the other text, at
least `Thresholds.min_text_match`). Held, not equal: a re-post adds a watermark, a smaller copy
loses a line of small print, OCR misreads a letter or drops a space ("MEAT 3AM" for "ME AT 3 AM":
spaces are ignored). One meme template with another line, or one app's screen with other
messages, has a line on each side that the other lacks: no copy.
Everything else keeps the image rule, as before text was read: a stored post not read yet (status
""; the queue is behind), unreadable or in error, and a photo read as text-free against one with
text. The last costs the blank template of a meme, but a sign or a shirt read on a photo and not on
its mirrored, shrunk or cropped copy is far more common (`bench dedup` lost 2.6 % of its recall when
that counted as "different").
The new photo is read in full when a matched copy has text, and not at all otherwise; when its text
differs it is read once more flipped (a mirrored re-post's text reads as garbage until flipped back). Whole-text
trigram Jaccard (models/textfold.similarity) was measured too and cannot tell a new bottom line from
a re-post's misreads at 0 false flags (`bench dedup --memes`, docs/BENCHMARKS.md).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Iterable

from models.textfold import fold

if TYPE_CHECKING:
    from models.ocr import ReadText, TextReader

MIN_TEXT_CHARS = 6  # folded letters that make a text worth comparing


def _letters(text: str) -> str:
    return fold(text).replace(" ", "")


def _trigrams(letters: str) -> set[str]:
    return {letters[i:i + 3] for i in range(len(letters) - 2)}


def lines_found(stored: str, new: str) -> float:
    """How much of the stored text the new text holds: for each stored line, the share of its letter
    trigrams (spaces ignored) found in the new text; the least of them (1.0: every line is there)."""
    new_letters = _letters(new)
    new_grams = _trigrams(new_letters)
    shares = []
    for line in stored.splitlines():
        letters = _letters(line)
        if len(letters) < 3:  # "OK", "5": found or not
            shares.append(float(bool(letters) and letters in new_letters))
        else:
            grams = _trigrams(letters)
            shares.append(len(grams & new_grams) / len(grams))
    return min(shares, default=0.0)


def text_agrees(new_status: str, new_text: str, stored_status: str, stored_text: str, min_match: float) -> bool:
    """False when the two photos' texts say they are different photos; True when one holds the other,
    or they cannot tell (the image rule stands)."""
    if new_status != "text" or stored_status != "text":
        return True
    if min(len(_letters(new_text)), len(_letters(stored_text))) < MIN_TEXT_CHARS:
        return True  # a stray short reading ("OK", "8") says nothing
    return max(lines_found(stored_text, new_text), lines_found(new_text, stored_text)) >= min_match


def agrees_as_read_or_flipped(new: tuple[str, str], stored: tuple[str, str], min_match: float,
                              flipped: Callable[[], tuple[str, str]] | None = None, agrees=text_agrees) -> bool:
    """The rule on (status, text) pairs: the new photo's text agrees with the stored copy's as read, or,
    when it does not, read flipped back (`flipped()`, asked only then: a mirrored re-post's text reads
    as garbage). `agrees` is the comparison (the benchmark tries others)."""
    if agrees(*new, *stored, min_match):
        return True
    if flipped is None:
        return False
    status, text = flipped()  # only a real text read flipped back may agree: a short stray reading "cannot tell"
    return status == "text" and len(_letters(text)) >= MIN_TEXT_CHARS and agrees(status, text, *stored, min_match)


def shared_reader() -> "TextReader":
    from models.ocr import shared_reader as reader  # rapidocr loads on the first candidate re-post only

    return reader()


class RepostText:
    """Reads a candidate re-post's text (lazily: the reader is built on the first one) and compares it."""

    def __init__(self, reader: Callable[[], "TextReader"] = shared_reader) -> None:
        self._reader = reader

    def read(self, data: bytes, check_first: bool, mirrored: bool = False) -> "ReadText":
        from PIL import ImageOps

        from models.ocr import decode  # as the queue decodes: a huge photo at a reduced scale

        image = decode(data)
        return self._reader().read(ImageOps.mirror(image) if mirrored else image, check_first=check_first)

    def differing(self, data: bytes | None, copies: Iterable, min_match: float) -> set[int]:
        """The ids of the stored `copies` (posts) whose text says the photo `data` is another photo."""
        compared = [p for p in copies if p.ocr_status == "text"]
        if data is None or not compared:
            return set()
        try:
            new = self.read(data, check_first=False)  # text is expected: the first test must not hide it
        except (OSError, ValueError):  # bytes PIL cannot decode: the image rule stands
            return set()
        flipped_read: list[tuple[str, str]] = []

        def flipped() -> tuple[str, str]:  # read once, and only if some copy's text differs
            if not flipped_read:
                again = self.read(data, check_first=False, mirrored=True)
                flipped_read.append((again.status, again.text))
            return flipped_read[0]

        return {p.id for p in compared
                if not agrees_as_read_or_flipped((new.status, new.text), (p.ocr_status, p.ocr_text), min_match, flipped)}
