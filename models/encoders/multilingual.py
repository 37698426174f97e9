"""An English specialist beside a multilingual encoder, as one text space: `all-minilm-l6-v2+use-m3`.

MiniLM knows English captions best; USE multilingual v3 puts 16 languages in one space. Summed,
the two ensemble like two image encoders do (English text -> photo R@1 +1.2 and R@10 +3.7 over
MiniLM alone on held-out Flickr8k photos), and a French query still finds English-captioned photos
through the USE half.

A vector is [sqrt(w) * minilm, sqrt(1 - w) * use], each half unit-length. A text that is not
English has its MiniLM half set to zero (MiniLM reads French as noise: French R@10 6 through it
alone, 52 summed with USE, 65 through USE alone, on tune-fr.jsonl). So the vector's squared norm,
its *coverage*, says which spaces speak for the text: 1 for English, 1 - w otherwise.
Projectors keep that norm (models/heads/projection.py); scores divide by it
(models/textspace.py), so an answer's score means the same whatever the language.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from models.encoders.base import TextEncoder
from models.language import english_probability

# P(English) at or above which the English-only half speaks for a text (a hard gate: a soft mix
# gave the same recall on the tuning set, and a hard one keeps scores exact).
ENGLISH_GATE = 0.5


class MultilingualTextEncoder(TextEncoder):
    def __init__(self, english: TextEncoder, multilingual: TextEncoder, english_weight: float = 0.5) -> None:
        super().__init__()
        self.english = english
        self.multilingual = multilingual
        self.english_weight = english_weight
        self.name = f"{english.name}+{multilingual.name}"
        self.dim = english.dim + multilingual.dim
        # (start, stop) of each part in a vector: heads are trained per part (models/training.py)
        self.spaces = ((0, english.dim), (english.dim, self.dim))

    def _load(self) -> None:
        self.english.load()
        self.multilingual.load()

    def encode(self, texts: Sequence[str], language: str | None = None) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        self.load()
        english = np.array([english_probability(t, language) >= ENGLISH_GATE for t in texts])
        out = np.zeros((len(texts), self.dim), np.float32)
        if english.any():
            chosen = [t for t, e in zip(texts, english) if e]
            out[english, : self.english.dim] = np.sqrt(self.english_weight) * self.english.encode(chosen)
        out[:, self.english.dim:] = np.sqrt(1 - self.english_weight) * self.multilingual.encode(texts)
        return out

    def _encode(self, texts: list[str]) -> np.ndarray:  # encode() is overridden: vectors keep their coverage
        return self.encode(texts)
