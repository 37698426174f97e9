"""Index views: the three indexes and the heads they were built with, made from stored heads and
release snapshots, filled and caught up from the vectors Redis keeps.

  image    image-model features, label = post id
  text     photo vectors projected into the text space (derived: rebuilt when the projector changes)
  caption  caption vectors through the projector's text side, label = post_id << 3 | k

Each may hold a PCA of its vectors instead (indexing/reduced.py), fitted on the store's own data
when built afresh: the image index its features', the text and caption indexes one block basis of
the text space (a PCA per language part) fitted on both photos and captions for the view's projector.
"""
from __future__ import annotations

import logging
import threading
import time
from functools import partial
from typing import Callable

import numpy as np

from indexing import releases
from indexing.reduced import (REFIT_GROWTH, Basis, ReducedIndex, basis_of, fit_basis, fit_block_basis, min_photos,
                              sample_ids)
from indexing.search.projection import Projection
from indexing.search.types import CAPTION_SHIFT, MAX_CAPTIONS_PER_POST, IndexView, caption_labels
from indexing.store import PostStore
from indexing.vectorindex import IndexBackend, VectorIndex
from models.encoders.base import ImageEncoder, TextEncoder
from models.heads.hashtags import HashtagHead
from models.projectors import Projector, part_columns, projector_from_bytes
from models.zeroshot import KnnCaptionProjector

log = logging.getLogger(__name__)

PROJECTOR_ARTIFACT = "projector"
HASHTAG_HEAD_ARTIFACT = "hashtag-head"
Heads = tuple[Projector, str, HashtagHead | None, str]  # (projector, its version, hashtag head, its version)
# The text basis is fitted on at most this many photos (projected: ~0.7 ms each) and their captions.
TEXT_FIT_SAMPLE = 10_000


class Serving:
    """The view queries read now, and the lock that orders index writes against swaps."""

    def __init__(self, view: IndexView | None = None) -> None:
        self.view = view
        self.lock = threading.RLock()


class Views:
    def __init__(self, store: PostStore, image_encoder: ImageEncoder, text_encoder: TextEncoder,
                 projection: Projection, backend: IndexBackend, image_dims: int = 0, text_dims: int = 0) -> None:
        self.store = store
        self.image_encoder = image_encoder
        self.text_encoder = text_encoder
        self.projection = projection
        self.backend = backend
        self.image_dims = image_dims  # the image index's PCA dimensions when one is fitted (0: full features)
        self.text_dims = text_dims  # the text and caption indexes' (0: the full text space)

    # -- heads ---------------------------------------------------------------------------------
    def heads(self, versions: dict[str, str] | None) -> Heads:
        """The given artifact versions, or the current ones; an unreadable or mismatched artifact
        falls back to the cold start, logged."""
        versions = versions or {}
        projector, projector_version = KnnCaptionProjector(), "none"
        head, head_version = None, "none"
        found = self._stored_head(PROJECTOR_ARTIFACT, versions.get(PROJECTOR_ARTIFACT), "projector artifact",
                                  projector_from_bytes, "using the cold-start class bridge")
        if found is not None:
            projector_version, projector = found
        found = self._stored_head(HASHTAG_HEAD_ARTIFACT, versions.get(HASHTAG_HEAD_ARTIFACT), "hashtag head",
                                  HashtagHead.from_bytes, "hashtags come from similar posts only")
        if found is not None:
            head_version, head = found
        return projector, projector_version, head, head_version

    def _stored_head(self, artifact: str, version: str | None, what: str, parse: Callable,
                     fallback: str) -> tuple[str, Projector | HashtagHead] | None:
        """(version, head) of a stored artifact, or None, logged, when it is unreadable or was
        trained on another image model's features (a cold-start projector records none)."""
        if version == "none":
            return None
        found = self.store.get_artifact(artifact, version)
        if found is None:
            if version is not None:
                log.error("%s %s is missing; %s", what, version, fallback)
            return None
        version, blob = found
        try:
            head = parse(blob)
        except ValueError as exc:
            log.error("%s %s is unreadable (%s); %s", what, version, exc, fallback)
            return None
        image_model = self.image_encoder.name
        if head.input_model is not None and head.input_model != image_model:
            log.error("%s %s was trained on %s features, this engine makes %s; %s (retrain with "
                      "`python -m models train`)", what, version, head.input_model, image_model, fallback)
            return None
        if what == "projector artifact" and not self._reads_text_model(head):
            log.warning("%s %s was made for another text model than %s; %s until the scheduler trains heads "
                        "in the new text space", what, version, self.text_encoder.name, fallback)
            return None
        return version, head

    def _reads_text_model(self, projector: Projector) -> bool:
        """Whether a projector reads this engine's text vectors: its text side must take them and land
        in the space its photo side projects to; heads that record their text model must name ours."""
        if projector.text_models - {self.text_encoder.name}:
            return False
        try:
            return projector.dim is None or \
                projector.adapt_text(np.zeros((1, self.text_encoder.dim), np.float32)).shape[1] == projector.dim
        except ValueError:
            return False

    # -- views ---------------------------------------------------------------------------------
    def empty(self, projector: Projector, projector_version: str, head: HashtagHead | None, head_version: str,
              release: str = "none", image: VectorIndex | None = None, text_basis: Basis | None = None,
              text: VectorIndex | None = None, caption: VectorIndex | None = None) -> IndexView:
        """A view of the given indexes, new empty ones for the others."""
        return IndexView(image if image is not None else self.new_image(None),
                         text if text is not None else self.new_text(text_basis, projector),
                         caption if caption is not None else self.new_caption(text_basis, projector),
                         projector, projector_version, head, head_version, release)

    def from_current_artifacts(self) -> IndexView:
        return self.empty(*self.heads(None))

    def from_release(self, release: releases.Release | None) -> IndexView | None:
        """The indexes and heads of a release, or None when it cannot serve this engine (logged)."""
        if release is None:
            return None
        projector, projector_version, head, head_version = self.heads(release.manifest.get("artifacts"))
        space = self.projection.space_dim(projector)
        wanted = {"image": self.image_encoder.dim, "text": space, "caption": space}
        indexes = {}
        text_basis = None
        for name, dim in wanted.items():
            snap = release.indexes.get(name)
            meta = snap.meta if snap else {}
            if (meta.get("image_model"), meta.get("text_model"), meta.get("dim")) != \
                    (self.image_encoder.name, self.text_encoder.name, dim) or \
                    (name != "image" and meta.get("projector") != projector_version):
                log.info("release %s: the %s index was made by other models or heads; rebuilding it",
                         release.version, name)
                continue
            try:
                if name == "caption":  # its basis is the text index's, kept with that snapshot
                    basis = text_basis if (meta.get("basis") or {}).get("version") == \
                        (text_basis.version if text_basis else None) else self._mismatched(meta)
                else:
                    basis = self.snapshot_basis(meta, snap.basis, dim)
                    text_basis = basis if name == "text" else text_basis
                indexes[name] = self.backend.from_snapshot(snap.blob, basis.dims if basis else dim, snap.live,
                                                           snap.vectors,
                                                           post_shift=CAPTION_SHIFT if name == "caption" else 0)
                if basis is not None:
                    indexes[name] = self.reduced(name, indexes[name], basis, projector)
            except (RuntimeError, ValueError) as exc:
                log.error("release %s: %s index unreadable (%s); rebuilding it", release.version, name, exc)
        return self.empty(projector, projector_version, head, head_version, release.version, text_basis=text_basis,
                          **indexes)

    @staticmethod
    def _mismatched(meta: dict):
        raise ValueError(f"its basis {meta.get('basis')} is not the text index's")

    # -- the indexes' bases (indexing/reduced.py) ------------------------------------------------
    def reduced(self, name: str, inner: VectorIndex, basis: Basis, projector: Projector) -> ReducedIndex:
        """An index of one kind over a basis's projection, its full rows read back from Redis."""
        if name == "image":
            return ReducedIndex(inner, basis, self.stored_features)
        if name == "text":  # not rescored: a photo's full row is its features through the projector (~0.8 ms)
            return ReducedIndex(inner, basis, None)
        return ReducedIndex(inner, basis, partial(self.stored_caption_rows, projector=projector))

    def new_image(self, basis: Basis | None) -> VectorIndex:
        """An empty image index: over the basis's projection, or the full features without one."""
        if basis is None:
            return self.backend.new(self.image_encoder.dim)
        return self.reduced("image", self.backend.new(basis.dims), basis, None)

    def new_text(self, basis: Basis | None, projector: Projector) -> VectorIndex:
        """An empty text index: over a text basis's projection, or the full text space without one."""
        if basis is None:
            return self.backend.new(self.projection.space_dim(projector))
        return self.reduced("text", self.backend.new(basis.dims), basis, projector)

    def new_caption(self, basis: Basis | None, projector: Projector) -> VectorIndex:
        if basis is None:
            return self.backend.new(self.projection.space_dim(projector), post_shift=CAPTION_SHIFT)
        return self.reduced("caption", self.backend.new(basis.dims, post_shift=CAPTION_SHIFT), basis, projector)

    def fitted_image(self, ids: list[int]) -> VectorIndex:
        """An empty image index for these posts (a rebuild, a migration): over a basis fitted on their
        features when the setting asks for one and there are enough of them, else full."""
        return self.new_image(self.fit_image_basis(ids))

    def fit_image_basis(self, ids: list[int]) -> Basis | None:
        if self.image_dims <= 0 or len(ids) < min_photos(self.image_dims):
            return None
        t0 = time.monotonic()
        sample = sample_ids(ids)
        rows = [self.stored_features(sample[i:i + 2000]) for i in range(0, len(sample), 2000)]
        basis = fit_basis(np.concatenate(rows), self.image_dims, len(ids), releases.new_version())
        log.info("image index basis %s: %d dimensions fitted on %d of %d photos in %.1f s", basis.version,
                 basis.dims, len(sample), len(ids), time.monotonic() - t0)
        return basis

    def basis_due(self, index: VectorIndex) -> bool:
        """Whether a rebuild would fit the image index a (new) basis: none yet and enough photos, or the
        store has grown REFIT_GROWTH times since the basis was fitted."""
        if self.image_dims <= 0:
            return False
        basis = basis_of(index)
        if basis is None:
            return len(index) >= min_photos(self.image_dims)
        return len(index) >= REFIT_GROWTH * basis.photos

    def snapshot_basis(self, meta: dict, blob: bytes, dim: int | None = None) -> Basis | None:
        """The basis a release's index was built on (None: the full vectors, as releases made before it).
        ValueError when it does not fit the index's full vectors (`dim`; the image model's features)."""
        if not meta.get("basis"):
            return None
        return Basis.from_bytes(blob, dim or self.image_encoder.dim, meta["basis"])

    def fit_text_basis(self, ids: list[int], projector: Projector) -> Basis | None:
        """A block basis of the text space (indexing/reduced.py) fitted on these posts' photos projected by
        `projector` and their captions, when the setting asks for one and there are enough photos."""
        space = self.projection.space_dim(projector)
        if not self.reduces_text(projector) or self.text_dims >= space or len(ids) < min_photos(self.text_dims):
            return None
        t0 = time.monotonic()
        sample = sample_ids(ids, TEXT_FIT_SAMPLE)
        rows = []
        for start in range(0, len(sample), 2000):
            chunk = sample[start:start + 2000]
            rows += [self.text_vectors_for(chunk, projector)[1], self.caption_vectors_for(chunk, projector)[1]]
        spaces = getattr(self.text_encoder, "spaces", None) or ((0, self.text_encoder.dim),)
        try:
            basis = fit_block_basis(np.concatenate(rows), part_columns(projector, spaces), self.text_dims, len(ids),
                                    releases.new_version())
        except ValueError as exc:  # a part no photo speaks for (no projector fitted yet): keep the full space
            log.info("text index basis not fitted: %s", exc)
            return None
        log.info("text index basis %s: %d dimensions (%s a part) fitted on %d of %d photos in %.1f s", basis.version,
                 basis.dims, "+".join(map(str, basis.kept)), len(sample), len(ids), time.monotonic() - t0)
        return basis

    def reduces_text(self, projector: Projector) -> bool:
        """Whether the text indexes may be reduced for this projector. Not for the cold-start bridge: its
        space is already small (896-d) and cutting it to 192 cost 1.1-1.8 points of recall (bench
        text2image), while the learned heads' 2,688-d space loses none."""
        return self.text_dims > 0 and not projector.cold_start

    def text_basis_due(self, index: VectorIndex, projector: Projector) -> bool:
        """Whether a rebuild would fit the text indexes a (new) basis (as `basis_due` for the image index)."""
        if not self.reduces_text(projector):
            return False
        basis = basis_of(index)
        if basis is None:
            return len(index) >= min_photos(self.text_dims) and self.text_dims < index.dim
        return len(index) >= REFIT_GROWTH * basis.photos

    def stored_caption_rows(self, labels: list[int], projector: Projector) -> np.ndarray:
        """The caption labels' vectors through the projector's text side, from the stored sentence vectors."""
        dim = self.text_encoder.dim
        raw = np.zeros((len(labels), dim), np.float32)
        posts = sorted({label >> CAPTION_SHIFT for label in labels})
        stored = dict(zip(posts, self.store.get_vectors("captions", self.text_encoder.name, posts, dim)))
        for i, label in enumerate(labels):
            vecs, k = stored[label >> CAPTION_SHIFT], label & ((1 << CAPTION_SHIFT) - 1)
            if vecs is not None and k < len(vecs):
                raw[i] = vecs[k]
        out = projector.adapt_text(raw) if len(raw) else np.zeros((0, self.projection.space_dim(projector)), np.float32)
        out[~np.any(raw, axis=1)] = 0.0
        return out

    def stored_features(self, ids: list[int]) -> np.ndarray:
        """The posts' full image features from Redis, one row each, zeros for a post without them."""
        dim = self.image_encoder.dim
        rows = np.zeros((len(ids), dim), np.float32)
        for i, vec in enumerate(self.store.get_vectors("image", self.image_encoder.name, ids, dim)):
            if vec is not None:
                rows[i] = vec[0]
        return rows

    def caught_up(self, view: IndexView, live: set[int]) -> IndexView:
        """Drop from the view's indexes what is deleted, add what was stored since they were written.

        Posts missing from the text index (one label per post) are the new ones; the caption index,
        written with it, gets their captions (most posts have none, so it cannot tell by itself).
        Shared indexes (Milvus) hold what other processes wrote too, maybe posts `live` (this process's
        catalogue) does not know yet: only posts the store no longer holds are dropped from them.
        """
        new_posts: list[int] = []
        for name, index, vectors_for in (("image", view.image, self.image_vectors_for),
                                         ("text", view.text, partial(self.text_vectors_for, projector=view.projector)),
                                         ("caption", view.caption,
                                          partial(self.caption_vectors_for, projector=view.projector))):
            shift = index.post_shift
            labels = index.labels()
            stale = [label for label in labels.tolist() if (label >> shift) not in live]
            if stale and self.backend.shared:
                gone = self._gone(sorted({label >> shift for label in stale}))
                stale = [label for label in stale if (label >> shift) in gone]
            index.remove(stale)
            if name == "caption":
                missing = new_posts
            else:
                present = set((labels >> shift).tolist()) if len(labels) else set()
                missing = sorted(live - present)
                if name == "text":
                    new_posts = missing
            for start in range(0, len(missing), 2000):
                index.add(*vectors_for(missing[start:start + 2000]))
            if stale or missing:
                log.info("index %s: %d stale removed, %d missing added", name, len(stale), len(missing))
        return view

    def _gone(self, post_ids: list[int]) -> set[int]:
        gone = set()
        for start in range(0, len(post_ids), 2000):
            chunk = post_ids[start:start + 2000]
            gone.update(pid for pid, scope in zip(chunk, self.store.scopes_of(chunk)) if scope is None)
        return gone

    def write_changes(self, view: IndexView, op: str, ids: list[int]) -> None:
        """One change-log entry's posts written to the view's indexes as Redis holds them now (a post
        deleted since is skipped): replayed into new shared indexes that other processes did not write."""
        if op == "add":
            labels, feats = self.image_vectors_for(ids)
            view.image.add(labels, feats)
            view.text.add(labels, self.projection.project_stored(labels, feats, view.projector))
        if op in ("add", "captions"):
            view.caption.remove(caption_labels(ids))
            view.caption.add(*self.caption_vectors_for(ids, view.projector))
        if op == "del":
            view.image.remove(ids)
            view.text.remove(ids)
            view.caption.remove(caption_labels(ids))

    def seal(self, *indexes: VectorIndex) -> None:
        """New indexes made ready to serve (Milvus: flushed and indexed; hnswlib: nothing to do)."""
        for index in indexes:
            self.backend.seal(index)

    def fill(self, view: IndexView, ids: list[int], image: bool, text: bool, step: int = 2000,
             progress: Callable[[int, int], None] | None = None) -> None:
        """Add the posts' stored vectors to the view's image and/or text + caption indexes."""
        for start in range(0, len(ids), step):
            chunk = ids[start:start + step]
            if image or text:
                labels, feats = self.image_vectors_for(chunk)  # read once: the text index projects them too
            if image:
                view.image.add(labels, feats)
            if text:
                view.text.add(labels, self.projection.project_stored(labels, feats, view.projector))
                view.caption.add(*self.caption_vectors_for(chunk, view.projector))
            if progress is not None:
                progress(min(start + step, len(ids)), len(ids))

    # -- stored vectors, as index rows ---------------------------------------------------------
    def image_vectors_for(self, ids: list[int]) -> tuple[list[int], np.ndarray]:
        model, dim = self.image_encoder.name, self.image_encoder.dim
        vecs = self.store.get_vectors("image", model, ids, dim)
        keep = [(i, v[0]) for i, v in zip(ids, vecs) if v is not None]
        if len(keep) < len(ids):
            log.warning("%d posts have no %s vector (made by another model?)", len(ids) - len(keep), model)
        return [i for i, _ in keep], np.array([v for _, v in keep], np.float32).reshape(-1, dim)

    def text_vectors_for(self, ids: list[int], projector: Projector) -> tuple[list[int], np.ndarray]:
        labels, feats = self.image_vectors_for(ids)
        return labels, self.projection.project_stored(labels, feats, projector)

    def caption_vectors_for(self, ids: list[int], projector: Projector) -> tuple[list[int], np.ndarray]:
        labels, rows = [], []
        dim = self.text_encoder.dim
        for pid, vecs in zip(ids, self.store.get_vectors("captions", self.text_encoder.name, ids, dim)):
            if vecs is None:
                continue
            for k, vec in enumerate(vecs[:MAX_CAPTIONS_PER_POST]):
                labels.append(pid << CAPTION_SHIFT | k)
                rows.append(vec)
        raw = np.array(rows, np.float32).reshape(-1, dim)
        if not len(raw):
            return labels, np.zeros((0, self.projection.space_dim(projector)), np.float32)
        return labels, projector.adapt_text(raw)
