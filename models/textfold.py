"""Text folded for matching words read from photos: case, accents and the usual OCR confusions ignored.

One fold for both sides (what was read, what a user types), so "Fête à 5 PM" and "fete a 5pm"
match, and an OCR that reads "0" for "o" still finds the word. Trigrams of the folded words are
what lexical search and the text-aware re-post rule compare (as pg_trgm does for Immich's OCR search).
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Characters an OCR reads for a letter (and users type for one): compared as that letter.
_CONFUSIONS = str.maketrans({"0": "o", "1": "l", "|": "l", "5": "s", "$": "s", "@": "a"})
_NOT_WORD = re.compile(r"[^\w]+")


def fold(text: str) -> str:
    """Lower-case words without accents or punctuation, OCR look-alikes mapped, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    plain = plain.replace("œ", "oe").replace("æ", "ae").replace("ß", "ss").translate(_CONFUSIONS)
    return " ".join(_NOT_WORD.sub(" ", plain).replace("_", " ").split())


def trigrams(folded: str) -> set[str]:
    """Each word padded like pg_trgm ("  w", " wo", "wor", "ord", "rd "), so short words count too."""
    grams: set[str] = set()
    for word in folded.split():
        grams |= word_trigrams(word)
    return grams


@lru_cache(maxsize=8192)
def word_trigrams(word: str) -> frozenset[str]:
    """One folded word's padded trigrams, remembered: the same words come back in post after post."""
    padded = f"  {word} "
    return frozenset(padded[i:i + 3] for i in range(len(padded) - 2))


def similarity(a: str, b: str) -> float:
    """Jaccard of the two texts' trigrams (after folding): 1.0 same words, 0.0 nothing shared or empty."""
    ga, gb = trigrams(fold(a)), trigrams(fold(b))
    if not ga or not gb:
        return 0.0
    return len(ga & gb) / len(ga | gb)
