"""Projectors (photo features -> text space) by kind, so a stored artifact loads as the right class."""
from __future__ import annotations

import io

import numpy as np

from models.heads.projection import ProjectionHead
from models.zeroshot import KnnCaptionProjector

PROJECTOR_KINDS = {KnnCaptionProjector.kind: KnnCaptionProjector, ProjectionHead.kind: ProjectionHead}


def projector_from_bytes(blob: bytes):
    """Load a projector artifact; raises ValueError for anything unreadable."""
    try:
        with np.load(io.BytesIO(blob), allow_pickle=False) as data:
            names = set(data.files)
    except (OSError, ValueError, EOFError) as exc:
        raise ValueError(f"not a projector artifact: {exc}") from exc
    kind = ProjectionHead.kind if "w0" in names else KnnCaptionProjector.kind
    try:
        return PROJECTOR_KINDS[kind].from_bytes(blob)
    except (KeyError, OSError, EOFError) as exc:
        raise ValueError(f"damaged {kind} artifact: {exc}") from exc
