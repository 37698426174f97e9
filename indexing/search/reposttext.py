"""The text part of the re-post rule: two photos that look alike but say different things are no copies.

One meme template with other words, two screenshots of one app: the image rule (features, pHash)
calls them copies, their text tells them apart. Reading is slow next to a reply, and the background
queue reads every stored post (`Post.ocr_status`/`ocr_text`), so the rule reads synchronously only the
NEW photo, and only when the image rule already says "re-post" (rare): its pixels are at hand then.

For each stored copy the image rule matched, the two texts decide:
- both read, both with text: a copy only if every line of the stored text is found in the new
  photo's (`lines_found`: the least share of a stored line's letter trigrams present in the new
  text, at least `Thresholds.min_text_match`). Found, not equal: a re-post may add a watermark, and
  OCR misreads a letter or drops a space ("MEAT 3AM" for "ME AT 3 AM": spaces are ignored). One
  meme template with another bottom line, or one app's screen with other messages, misses a line;
- one with text (MIN_TEXT_CHARS folded letters or more), the other read as text-free: no copy (a
  blank template and a meme made from it);
- both text-free, or one side not comparable: the image rule alone, as before text was read. Not
  comparable is a stored post not read yet (status ""; the queue is behind), read as "unreadable"
  (a script the reader cannot spell) or "error", and a new photo that could not be read.
The new photo is read in full when a matched copy has text (its text is expected: the cheap first
test must not hide it), with the cheap first test when the copies are all text-free, and not at all
when no copy was read yet. Whole-text trigram Jaccard (models/textfold.similarity) was measured too
and cannot tell a new bottom line from a re-post's misreads (`bench dedup --memes`, docs/BENCHMARKS.md).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Iterable

from models.textfold import fold

if TYPE_CHECKING:
    from models.ocr import ReadText, TextReader

COMPARABLE = ("text", "none")  # read outcomes one can compare; "", "unreadable", "error" cannot be
MIN_TEXT_CHARS = 6  # folded letters that make a text, against a photo read text-free (not a stray "OK")


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
    """False when the two photos' texts say they are different photos; True when they say the same,
    or cannot tell (the image rule stands)."""
    if new_status not in COMPARABLE or stored_status not in COMPARABLE:
        return True
    new = new_text if new_status == "text" and _letters(new_text) else ""
    stored = stored_text if stored_status == "text" and _letters(stored_text) else ""
    if new and stored:
        return lines_found(stored, new) >= min_match
    # One side text-free: only a real text on the other side makes them different photos.
    return len(_letters(new or stored)) < MIN_TEXT_CHARS


def shared_reader() -> "TextReader":
    from models.ocr import shared_reader as reader  # rapidocr loads on the first candidate re-post only

    return reader()


class RepostText:
    """Reads a candidate re-post's text (lazily: the reader is built on the first one) and compares it."""

    def __init__(self, reader: Callable[[], "TextReader"] = shared_reader) -> None:
        self._reader = reader

    def read(self, data: bytes, check_first: bool) -> "ReadText":
        from models.ocr import decode  # as the queue decodes: a huge photo at a reduced scale

        return self._reader().read(decode(data), check_first=check_first)

    def differing(self, data: bytes | None, copies: Iterable, min_match: float) -> set[int]:
        """The ids of the stored `copies` (posts) whose text says the photo `data` is another photo."""
        compared = [p for p in copies if p.ocr_status in COMPARABLE]
        if data is None or not compared:
            return set()
        try:
            new = self.read(data, check_first=not any(p.ocr_status == "text" for p in compared))
        except (OSError, ValueError):  # bytes PIL cannot decode: the image rule stands
            return set()
        return {p.id for p in compared
                if not text_agrees(new.status, new.text, p.ocr_status, p.ocr_text, min_match)}
