"""Several image encoders as one: concatenated features, optionally averaged with the mirror image.

Name syntax (registry): parts joined by '+', e.g. `efficientnet-lite0+efficientnet-lite2+mirror`.
`mirror` is not a model: it makes every part named before it see the photo and its left-right
mirror and average the two (test-time augmentation); `a+mirror+b` mirrors `a` only. The features then cannot tell a photo from its mirror image,
which a re-posted flipped photo needs anyway, and the learned text bridge gains ~1 point of
Recall@1 for it. Each part's features are L2-normalised and the concatenation is scaled so the
whole vector has unit norm: a cosine is the mean of the parts' cosines.
"""
from __future__ import annotations

import numpy as np

from models.encoders.base import ImageEmbedding, ImageEncoder, l2_normalize

MIRROR = "mirror"


class CompositeImageEncoder(ImageEncoder):
    def __init__(self, parts: list[ImageEncoder], mirror: bool | int = False) -> None:
        """`mirror`: True for every part, or how many of the first parts see the mirror image too."""
        super().__init__()
        if not parts:
            raise ValueError("a composite encoder needs at least one part")
        self.parts = parts
        self.mirrored = len(parts) if mirror is True else int(mirror)
        names = [p.name for p in parts]
        self.name = "+".join(names[:self.mirrored] + [MIRROR] * bool(self.mirrored) + names[self.mirrored:])
        self.dim = sum(p.dim for p in parts)
        self.input_side = max(p.input_side for p in parts)
        self.has_class_probs = any(p.has_class_probs for p in parts)

    def _load(self) -> None:
        for part in self.parts:
            part.load()

    def prepare(self, images):
        prepared = [part.prepare(images) for part in self.parts]
        # NCHW batches: mirroring is a flip of the last axis, no second resize
        return [np.concatenate([x, x[..., ::-1]]) if i < self.mirrored else x for i, x in enumerate(prepared)]

    def _encode(self, prepared) -> ImageEmbedding:
        feats, probs = [], None
        for i, (part, x) in enumerate(zip(self.parts, prepared)):
            emb = part.encode_prepared(x)
            f, p = emb.features, emb.class_probs
            if i < self.mirrored:
                n = len(f) // 2
                f = f[:n] + f[n:]
                p = None if p is None else (p[:n] + p[n:]) / 2
            feats.append(l2_normalize(f))
            if probs is None and p is not None:
                probs = p  # the first part that classifies (the parts agree on ImageNet's classes)
        return ImageEmbedding((np.concatenate(feats, axis=1) / np.sqrt(len(feats))).astype(np.float32), probs)
