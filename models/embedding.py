"""Photo bytes -> decoded, hashed, embedded: the one pipeline used by the engine and by training.

Decoding and preprocessing of the next batch run in a helper thread while the current batch
is in the model (the model takes one core, PIL the other).
"""
from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from models.encoders.base import ImageEncoder
from models.errors import BadImageError
from models.imaging import DEFAULT_MAX_PIXELS, THUMBNAIL_SIDE, decode_image, jpeg_bytes, square_thumbnail
from models.phash import phash_pair


@dataclass(frozen=True)
class EmbeddedPhoto:
    features: np.ndarray
    class_probs: np.ndarray | None
    phash: int
    phash_mirror: int
    sha256: str
    width: int
    height: int
    thumbnail: bytes = b""  # small square JPEG for /map (empty when disabled)


@dataclass(frozen=True)
class EmbeddedVideo:
    """A video seen through its keyframes (models.video): their mean features (at the frames' mean
    norm) stand for the video in the indexes, each frame's are kept for the video re-post rule."""

    features: np.ndarray
    class_probs: np.ndarray | None
    keyframes: np.ndarray  # one row per frame
    middle: EmbeddedPhoto  # the middle frame: its pHash and thumbnail are the video's
    poster: bytes  # the middle frame as JPEG, larger than the frames embedded (its text is read)
    sha256: str  # of the video file
    width: int
    height: int
    times_s: tuple[float, ...]
    duration_s: float


class PhotoEmbedder:
    def __init__(self, encoder: ImageEncoder, *, batch_size: int = 32, max_pixels: int = DEFAULT_MAX_PIXELS,
                 thumbnail_side: int = THUMBNAIL_SIDE) -> None:
        self.encoder = encoder
        self.batch_size = batch_size
        self.max_pixels = max_pixels
        self.thumbnail_side = thumbnail_side
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="photo-prep")

    @property
    def decode_side(self) -> int:
        """Decode JPEGs no larger than needed: JPEG draft mode then skips most of the work."""
        return max(256, self.encoder.input_side)

    def embed(self, datas: list[bytes], return_errors: bool = False) -> list:
        """EmbeddedPhoto per input; BadImageError raised for the first bad photo, or put in its place."""
        out: list = [None] * len(datas)
        chunks = [range(s, min(s + self.batch_size, len(datas))) for s in range(0, len(datas), self.batch_size)]
        if not chunks:
            return out
        pending = self._pool.submit(self._prepare_chunk, datas, chunks[0])
        for n in range(len(chunks)):
            decoded, pixels = pending.result()
            if n + 1 < len(chunks):
                pending = self._pool.submit(self._prepare_chunk, datas, chunks[n + 1])
            for i, item in decoded:
                if isinstance(item, BadImageError):
                    if not return_errors:
                        pending.cancel()
                        raise item
                    out[i] = item
            good = [(i, item) for i, item in decoded if not isinstance(item, BadImageError)]
            if not good:
                continue
            emb = self.encoder.encode_prepared(pixels)
            for j, (i, (d, (ph, ph_mirror), thumb)) in enumerate(good):
                out[i] = EmbeddedPhoto(
                    features=emb.features[j], class_probs=None if emb.class_probs is None else emb.class_probs[j],
                    phash=ph, phash_mirror=ph_mirror, sha256=hashlib.sha256(datas[i]).hexdigest(),
                    width=d.original_size[0], height=d.original_size[1], thumbnail=thumb)
        return out

    def embed_video(self, data: bytes) -> EmbeddedVideo:
        """A video, GIF or video note (or a still image: one frame) embedded from its keyframes.
        Raises BadImageError (models.video.BadVideoError) for bytes that are neither."""
        from models.video import read_keyframes  # FFmpeg loads with the first video only

        frames = read_keyframes(data)
        posters = [jpeg_bytes(frame) for frame in frames.frames]
        embedded = self.embed(posters)
        feats = np.array([e.features for e in embedded], np.float32)
        mean = feats.mean(axis=0)
        mean *= float(np.linalg.norm(feats, axis=1).mean()) / max(float(np.linalg.norm(mean)), 1e-12)
        probs = None
        if embedded[0].class_probs is not None:
            probs = np.array([e.class_probs for e in embedded], np.float32).mean(axis=0)
        middle = len(embedded) // 2
        return EmbeddedVideo(features=mean, class_probs=probs, keyframes=feats, middle=embedded[middle],
                             poster=jpeg_bytes(frames.middle), sha256=hashlib.sha256(data).hexdigest(), width=frames.width,
                             height=frames.height, times_s=tuple(frames.times_s), duration_s=frames.duration_s)

    def _prepare_chunk(self, datas: list[bytes], chunk: range):
        """Decode, hash, thumbnail and preprocess one batch: [(index, (decoded, hashes, thumbnail) | error)],
        model input."""
        decoded = []
        for i in chunk:
            try:
                d = decode_image(datas[i], max_pixels=self.max_pixels, decode_side=self.decode_side)
                thumb = square_thumbnail(d.image, self.thumbnail_side) if self.thumbnail_side else b""
                decoded.append((i, (d, phash_pair(d.image), thumb)))
            except BadImageError as exc:
                decoded.append((i, exc))
        images = [item[0].image for _, item in decoded if not isinstance(item, BadImageError)]
        return decoded, (self.encoder.prepare(images) if images else None)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
