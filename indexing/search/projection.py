"""Photo features into the space where they meet texts: the view's projector, fed the photo's
ImageNet classes as text (the cold-start class bridge) when the image model has them."""
from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from indexing.search.types import IndexView, PhotoVectors
from indexing.store import PostStore
from models.encoders.base import ImageEncoder, TextEncoder, l2_normalize
from models.projectors import Projector
from models.zeroshot import class_prompts, class_text_vectors

log = logging.getLogger(__name__)

CLASSES = 1000  # ImageNet-1k class probabilities, stored per post as the "probs" vectors


class Projection:
    def __init__(self, image_encoder: ImageEncoder, text_encoder: TextEncoder, store: PostStore,
                 cache_dir: Path | None) -> None:
        self.image_encoder = image_encoder
        self.text_encoder = text_encoder
        self.store = store
        self.cache_dir = cache_dir
        self.class_vectors: np.ndarray | None = None  # the class names in the text space, once loaded

    def load(self) -> None:
        """Encode (or read back from the cache) the class names, when the image model has classes."""
        if self.image_encoder.has_class_probs:
            self.class_vectors = self._load_class_vectors()

    def _load_class_vectors(self) -> np.ndarray:
        path = None
        if self.cache_dir:
            safe = self.text_encoder.name.replace("/", "_").replace(":", "_")
            path = self.cache_dir / f"imagenet-classes-{safe}.npy"
            if path.exists():
                try:
                    return np.load(path)
                except (OSError, ValueError):
                    log.warning("class vector cache %s unreadable; recomputing", path)
        vectors = self.text_encoder.encode(class_prompts())
        if path:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp.npy")
            np.save(tmp, vectors)
            tmp.replace(path)
        return vectors

    def space_dim(self, projector: Projector) -> int:
        """Dimension of the space where texts meet photos (the projector's, else the text encoder's)."""
        return projector.dim or self.text_encoder.dim

    def project(self, features: np.ndarray, probs: np.ndarray | None, projector: Projector) -> np.ndarray:
        if self.image_encoder.text_space == self.text_encoder.name:
            return l2_normalize(features)  # CLIP-like encoders already share the text space
        class_text = class_text_vectors(probs, self.class_vectors) if probs is not None else None
        if class_text is None and not projector.fitted:
            return np.zeros((len(features), self.space_dim(projector)), np.float32)
        return projector.project(features, class_text)

    def project_stored(self, ids: list[int], features: np.ndarray, projector: Projector) -> np.ndarray:
        """Stored posts' features (one row per id) projected, with their stored class probabilities."""
        return self.project(features, self.stored_probs(ids), projector)

    def stored_probs(self, ids: list[int]) -> np.ndarray | None:
        """The posts' class probabilities (zeros where missing); None when the bridge does not use them."""
        if self.class_vectors is None:
            return None
        raw = self.store.get_vectors("probs", self.image_encoder.name, ids, CLASSES)
        return np.array([p[0] if p is not None else np.zeros(CLASSES, np.float32) for p in raw],
                        np.float32).reshape(-1, CLASSES)  # (0, CLASSES) for none: a post left out has no vectors

    def text_of(self, vec: PhotoVectors, v: IndexView) -> np.ndarray:
        """The photo's text-space vector in view `v` (re-projected if the heads changed since it was made)."""
        if vec.space == v.projector_version:
            return vec.text
        probs = vec.class_probs[None] if vec.class_probs is not None else None
        return self.project(vec.features[None], probs, v.projector)[0]
