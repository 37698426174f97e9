"""Projectors: photo features -> a space where texts are matched, and texts -> the same space.

Every projector is a `Projector` (below). Kinds: the cold-start `KnnCaptionProjector`, the
learned `ProjectionHead`, and `ProjectorEnsemble`, which fuses several of them. Artifacts load by
the `kind` they carry.
"""
from __future__ import annotations

import io
import json
import zipfile
from typing import Protocol

import numpy as np

from models.heads.projection import ProjectionHead
from models.heads.training_utils import NO_PHOTOS
from models.zeroshot import KnnCaptionProjector


class Projector(Protocol):
    """What the engine, ingestion and the jobs may ask of any projector."""

    kind: str
    # True for the cold-start bridge: ingestion refits it as captions arrive. False for trained
    # heads (alone or in an ensemble): only a retrain replaces them.
    cold_start: bool
    # Captioned photos it was fitted or trained on (0: not fitted, or not recorded by an old artifact).
    fitted_on: int
    # Digests of the photos it was trained on (models.heads.training_utils.photo_digests), when
    # recorded: the promotion rule never scores it on them. Empty for the cold-start bridge, which
    # the retrain judges refitted on the candidate's posts.
    seen: np.ndarray
    # The image model whose features it reads (None: the cold-start bridge, refitted on whatever the
    # engine stores; a learned head that records none ("") is taken for another model's).
    input_model: str | None

    @property
    def fitted(self) -> bool: ...

    @property
    def text_models(self) -> frozenset[str]:
        """The text models its text side was made for, when recorded (empty: not recorded)."""

    @property
    def dim(self) -> int | None: ...

    def project(self, features: np.ndarray, class_text: np.ndarray | None) -> np.ndarray: ...

    def adapt_text(self, text_vecs: np.ndarray) -> np.ndarray: ...

    def to_bytes(self) -> bytes: ...


class ProjectorEnsemble:
    """Weighted fusion of projectors in one vector space.

    Members' unit vectors are concatenated, each scaled by sqrt(weight) (weights sum to 1), on
    both the photo side and the text side, so one dot product in the fused space equals the
    weighted mean of the members' cosines: one index, one search, no re-ranking pass.
    """

    kind = "ensemble"
    cold_start = False  # its learned members are replaced by retraining, never refitted

    def __init__(self, members: list, weights: list[float] | None = None, input_model: str = "",
                 seen: np.ndarray = NO_PHOTOS) -> None:
        if not members:
            raise ValueError("an ensemble needs members")
        self.seen = seen
        weights = np.asarray(weights if weights is not None else [1.0] * len(members), np.float64)
        self.members = members
        self.weights = (weights / weights.sum()).tolist()
        self.input_model = input_model or next((m.input_model or "" for m in members), "")

    @property
    def fitted(self) -> bool:
        return all(m.fitted for m in self.members)

    @property
    def fitted_on(self) -> int:
        return max(m.fitted_on for m in self.members)

    @property
    def dim(self) -> int:
        return sum(m.dim for m in self.members)

    @property
    def text_models(self) -> frozenset[str]:
        return frozenset().union(*(m.text_models for m in self.members))

    def project(self, features: np.ndarray, class_text: np.ndarray | None = None) -> np.ndarray:
        return np.concatenate([np.sqrt(w) * m.project(features, class_text)
                               for m, w in zip(self.members, self.weights)], axis=1).astype(np.float32)

    def adapt_text(self, text_vecs: np.ndarray) -> np.ndarray:
        return np.concatenate([np.sqrt(w) * m.adapt_text(text_vecs)
                               for m, w in zip(self.members, self.weights)], axis=1).astype(np.float32)

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        np.savez(buf, kind=np.array(self.kind), weights=np.array(self.weights),
                 input_model=np.array(self.input_model), seen=self.seen,
                 **{f"member{i}": np.frombuffer(m.to_bytes(), np.uint8) for i, m in enumerate(self.members)})
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes) -> "ProjectorEnsemble":
        with np.load(io.BytesIO(blob), allow_pickle=False) as data:
            n = sum(1 for name in data.files if name.startswith("member"))
            members = [projector_from_bytes(data[f"member{i}"].tobytes()) for i in range(n)]
            seen = data["seen"].astype(np.uint64) if "seen" in data.files else NO_PHOTOS  # older artifacts: none
            return cls(members, data["weights"].tolist(), str(data["input_model"]), seen)


# What a truncated or foreign .npz blob raises on the way in.
UNREADABLE = (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile, json.JSONDecodeError)
PROJECTOR_KINDS = {cls.kind: cls for cls in (KnnCaptionProjector, ProjectionHead, ProjectorEnsemble)}


def projector_from_bytes(blob: bytes) -> Projector:
    """Load a projector artifact; raises ValueError for anything unreadable."""
    try:
        with np.load(io.BytesIO(blob), allow_pickle=False) as data:
            kind = str(data["kind"]) if "kind" in data.files else KnnCaptionProjector.kind
    except UNREADABLE as exc:
        raise ValueError(f"not a projector artifact: {exc}") from exc
    if kind not in PROJECTOR_KINDS:
        raise ValueError(f"unknown projector kind {kind!r}")
    try:
        return PROJECTOR_KINDS[kind].from_bytes(blob)
    except UNREADABLE as exc:
        raise ValueError(f"damaged {kind} artifact: {exc}") from exc


def part_columns(projector: Projector, spaces) -> list[tuple[tuple[int, int], ...]]:
    """The text space's columns by language part (models/textspace.py), as (start, stop) ranges: a
    head's columns belong to the part its `text_slice` reads (a head that reads the whole of a
    several-part text vector is a part of its own); any other member (the kNN caption bridge, a
    space that is the text vector itself) is the text vector's own columns, split like it."""
    spaces = [tuple(s) for s in spaces]
    cols: list[list[tuple[int, int]]] = [[] for _ in spaces]
    start = 0
    members = projector.members if isinstance(projector, ProjectorEnsemble) else [projector]
    for member in members:
        if isinstance(member, ProjectionHead):
            part = member.params.get("text_slice")
            width = member.dim
            if part is None and len(spaces) > 1:
                cols.append([(start, start + width)])
            else:
                cols[spaces.index(tuple(part)) if part is not None else 0].append((start, start + width))
        else:
            width = spaces[-1][1]
            for i, (a, b) in enumerate(spaces):
                cols[i].append((start + a, start + b))
        start += width
    return [tuple(c) for c in cols if c]
