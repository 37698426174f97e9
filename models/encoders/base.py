"""Encoder base classes: public load()/encode() are template methods, subclasses write _load/_encode."""
from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Sequence

import numpy as np
from PIL import Image


def l2_normalize(x: np.ndarray) -> np.ndarray:
    """Row-wise L2 normalisation that leaves all-zero rows at zero."""
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=-1, keepdims=True)
    return x / np.maximum(norms, 1e-12)


def softmax(scores: np.ndarray, temperature: float, axis: int = -1) -> np.ndarray:
    """Weights over similarity scores that sum to 1 along `axis`, sharper as the temperature falls."""
    weights = np.exp((scores - scores.max(axis=axis, keepdims=True)) / temperature)
    return weights / weights.sum(axis=axis, keepdims=True)


@dataclass(frozen=True)
class ImageEmbedding:
    """What an image encoder returns for a batch of n photos."""

    features: np.ndarray  # (n, dim) float32, L2-normalised
    class_probs: np.ndarray | None  # (n, 1000) float32 ImageNet probabilities, or None


class Encoder(ABC):
    """Lazy, idempotent, thread-safe loading shared by all encoders."""

    name: str
    dim: int

    def __init__(self) -> None:
        self._loaded = False
        self._load_lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._loaded

    def load(self) -> "Encoder":
        """Load weights once; later calls return at once."""
        if not self._loaded:
            with self._load_lock:
                if not self._loaded:
                    self._load()
                    self._loaded = True
        return self

    @abstractmethod
    def _load(self) -> None: ...


class ImageEncoder(Encoder):
    """Turns RGB PIL images into normalised feature vectors (+ class probabilities when it has them)."""

    has_class_probs: bool = False
    input_side: int = 224  # pixels the model looks at; decoding needs no more than a little above it
    # Name of the text encoder whose space the features live in (CLIP-like models), else None.
    text_space: str | None = None

    def encode(self, images: Sequence[Image.Image]) -> ImageEmbedding:
        if not images:
            return ImageEmbedding(np.zeros((0, self.dim), np.float32), None)
        return self.encode_prepared(self.prepare(list(images)))

    def prepare(self, images: list[Image.Image]):
        """CPU-side preprocessing, separate so callers can overlap it with the previous batch's inference."""
        return images

    def encode_prepared(self, prepared) -> ImageEmbedding:
        self.load()
        return self._encode(prepared)

    @abstractmethod
    def _encode(self, prepared) -> ImageEmbedding: ...


class TextEncoder(Encoder):
    """Turns strings into normalised vectors."""

    # (start, stop) columns of each encoder's part when the space is several side by side
    # (models/encoders/multilingual.py); empty: one space.
    spaces: tuple[tuple[int, int], ...] = ()

    def encode(self, texts: Sequence[str], language: str | None = None) -> np.ndarray:
        """`language`: the user's language (e.g. 'fr-CA'), a hint for encoders that weigh by language."""
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        self.load()
        return l2_normalize(self._encode(list(texts)))

    @abstractmethod
    def _encode(self, texts: list[str]) -> np.ndarray: ...
