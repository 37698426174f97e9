"""What both Keras heads share: quiet seeded TensorFlow, a validation split, early stopping, and the
record of the photos a head was trained on."""
from __future__ import annotations

import os

import numpy as np


def keras_and_tf(seed: int):
    """Import Keras (TensorFlow backend) only when training, seeded for repeatable runs."""
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    return keras, tf


def validation_split(rng: np.random.Generator, usable: list[int] | np.ndarray, fraction: float,
                     what: str) -> tuple[np.ndarray, np.ndarray]:
    """(validation, training) indices of the usable examples; no validation under 20 of them."""
    usable = np.asarray(usable)
    if len(usable) < 2:
        raise ValueError(f"need at least two {what} photos to train")
    order = rng.permutation(usable)
    n_val = int(len(order) * fraction) if len(order) >= 20 else 0
    return order[:n_val], order[n_val:]


class EarlyStopping:
    """Remembers the best epoch's weights; says when `patience` epochs in a row brought nothing."""

    def __init__(self, patience: int) -> None:
        self.patience = patience
        self.best = -np.inf
        self.best_weights = None
        self._bad_epochs = 0

    def should_stop(self, score: float, weights) -> bool:
        """`weights` is called only when the score improved (copying weights every epoch is waste)."""
        if score > self.best + 1e-6:
            self.best, self.best_weights, self._bad_epochs = score, weights(), 0
            return False
        self._bad_epochs += 1
        return self._bad_epochs >= self.patience


NO_PHOTOS = np.zeros(0, np.uint64)


def photo_digests(shas) -> np.ndarray:
    """Photos (their sha256, hex) -> sorted unique 64-bit prefixes: what a head records of the photos
    it was trained on (8 bytes a photo), so the promotion rule never scores it on one of them."""
    return np.unique(np.array([int(s[:16], 16) for s in shas if s], np.uint64))


def seen_by(digests: np.ndarray, shas: list[str]) -> np.ndarray:
    """Which of these photos (sha256, hex; "" when unknown: not seen) are among the recorded digests."""
    known = np.array([bool(s) for s in shas], bool)
    seen = np.zeros(len(shas), bool)
    seen[known] = np.isin(np.array([int(s[:16], 16) for s in shas if s], np.uint64), digests)
    return seen
