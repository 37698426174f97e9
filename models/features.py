"""Image features for training, cached on disk by content hash so a retrain never re-embeds a photo.

One .npz per encoder under `<cache_dir>/features/`: `sha` (n,) strings and `x` (n, d)
float16. Written atomically (temp file + rename), so a killed run leaves the old cache intact.
"""
from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from models.embedding import EmbeddedPhoto, PhotoEmbedder
from models.encoders.base import ImageEncoder
from models.errors import BadImageError
from models.imaging import read_bytes

log = logging.getLogger(__name__)


class FeatureCache:
    def __init__(self, cache_dir: str | os.PathLike, encoder_name: str) -> None:
        safe = encoder_name.replace("/", "_").replace(":", "_")
        self.path = Path(cache_dir) / "features" / f"{safe}.npz"
        self._rows: dict[str, np.ndarray] = {}
        self._dirty = False
        if self.path.exists():
            try:
                with np.load(self.path, allow_pickle=False) as data:
                    self._rows = dict(zip(data["sha"].tolist(), data["x"]))
            except (OSError, ValueError, KeyError) as exc:
                log.warning("feature cache %s unreadable (%s); starting afresh", self.path, exc)

    def __contains__(self, sha: str) -> bool:
        return sha in self._rows

    def __len__(self) -> int:
        return len(self._rows)

    def get(self, sha: str) -> np.ndarray:
        return self._rows[sha].astype(np.float32)

    def put(self, sha: str, vector: np.ndarray) -> None:
        self._rows[sha] = np.asarray(vector, np.float16)
        self._dirty = True

    def save(self) -> None:
        if not self._dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp.npz")
        shas = list(self._rows)
        np.savez(tmp, sha=np.array(shas), x=np.stack([self._rows[s] for s in shas]))
        tmp.replace(self.path)
        self._dirty = False


def file_features(paths: Sequence[str | os.PathLike], encoder: ImageEncoder, cache_dir: str | os.PathLike, *,
                  batch_size: int = 64,
                  progress: Callable[[int], None] | None = None) -> tuple[np.ndarray, list[str | None]]:
    """Features of the image files (rows of zeros for bad files) and their sha256 (None if unreadable)."""
    cache = FeatureCache(cache_dir, encoder.name)
    shas: list[str | None] = []
    todo: list[tuple[int, bytes]] = []
    for i, path in enumerate(paths):
        try:
            data = read_bytes(path)
        except BadImageError as exc:
            log.warning("skipping %s: %s", path, exc)
            shas.append(None)
            continue
        sha = hashlib.sha256(data).hexdigest()
        shas.append(sha)
        if sha in cache:
            if progress:
                progress(1)
        else:
            todo.append((i, data))
    if todo:
        embedder = PhotoEmbedder(encoder, batch_size=batch_size, thumbnail_side=0)
        try:
            for start in range(0, len(todo), 512):
                part = todo[start:start + 512]
                for (i, _), emb in zip(part, embedder.embed([d for _, d in part], return_errors=True)):
                    if isinstance(emb, EmbeddedPhoto):
                        cache.put(shas[i], emb.features)
                    else:
                        log.warning("skipping %s: %s", paths[i], emb)
                        shas[i] = None
                if progress:
                    progress(len(part))
                cache.save()  # keep what is done if the run is interrupted
        finally:
            embedder.close()
    out = np.zeros((len(paths), encoder.dim), np.float32)
    for i, sha in enumerate(shas):
        if sha is not None:
            out[i] = cache.get(sha)
    return out, shas
