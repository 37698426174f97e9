"""The search facade: the one API the bot, the CLI and the benchmarks call.

Every query takes the viewer's scope and only ever returns posts visible from it
(`public` + the viewer's own chat, see scopes.py). Every result carries a score.

Three HNSW indexes, all labelled by post id:
  image    EfficientNet features (similar photos, duplicates, hashtag votes)
  text     photo vectors projected into the text encoder's space (find, captions, zero-shot tags)
  caption  caption vectors, label = post_id << 3 | k for the k-th caption (find, captions)
The `text` vectors are derived (projector output) and rebuilt whenever the projector changes;
image features, class probabilities and caption vectors are stored in Redis.

The indexes and the heads they were built with form one `IndexView`; a query reads the view once,
so a swap (new heads, a rebuild, another process's release) never mixes two versions in one answer.
"""
from __future__ import annotations

import hashlib
import logging
import threading
import time
import uuid
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Iterable

import numpy as np

from indexing import releases
from indexing.ann import VectorIndex
from indexing.chats import ChatSettings, Thresholds
from indexing.distinct import distinct
from indexing.errors import BadImageError, EmptyQueryError, UnknownPostError
from indexing.holdout import trainable_post_ids
from indexing.relevance import ONLY_ITSELF, Answer, Relevance, why_empty
from indexing.scopes import PUBLIC, validate_scope, visible_scopes
from indexing.search.hashtags import HashtagScorer, TagSources, TagSuggestion
from indexing.store import Post, PostStore
from models import textspace
from models.embedding import EmbeddedPhoto, PhotoEmbedder
from models.encoders.base import ImageEncoder, TextEncoder, l2_normalize
from models.heads.hashtags import HashtagHead
from models.imaging import DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS, THUMBNAIL_SIDE, read_bytes
from models.phash import hamming
from models.projectors import Projector, projector_from_bytes
from models.tags import normalize_tags
from models.training import TrainedHeads, TrainingData, fit_caption_bridge
from models.zeroshot import KnnCaptionProjector, class_prompts, class_text_vectors

log = logging.getLogger(__name__)

MAX_CAPTIONS_PER_POST = 8  # caption labels use 3 bits
MAX_QUERY_CHARS = 1000
PROJECTOR_ARTIFACT = "projector"
HASHTAG_HEAD_ARTIFACT = "hashtag-head"



HASH_CANDIDATE_RADIUS = 16


def decide_duplicate(candidates: list[tuple[int, float, int]], th: Thresholds) -> tuple[int, float, int] | None:
    """The most similar candidate that passes the thresholds, or None (shared by the bot and the benchmark)."""
    for pid, cos, ham in sorted(candidates, key=lambda c: -c[1]):
        if th.matches(cos, ham):
            return pid, cos, ham
    return None


@dataclass(frozen=True)
class PhotoVectors:
    """Everything computed from one photo's pixels."""

    features: np.ndarray
    class_probs: np.ndarray | None
    text: np.ndarray
    phash: int
    phash_mirror: int
    sha256: str
    width: int
    height: int
    space: str = "none"  # the projector version `text` was made with
    thumbnail: bytes = b""  # small square JPEG, stored with the post for /map


def _hash_distances(vec: PhotoVectors, hashes: np.ndarray) -> np.ndarray:
    """Hamming distance of each stored hash to the photo or to its mirror image, whichever is nearer."""
    return np.minimum(hamming(vec.phash, hashes), hamming(vec.phash_mirror, hashes))


@dataclass(frozen=True)
class Hit:
    post: Post
    score: float


@dataclass(frozen=True)
class CaptionHit:
    caption: str
    score: float
    post_id: int


@dataclass(frozen=True)
class DuplicateMatch:
    post: Post
    cosine: float
    hamming: int


@dataclass
class AddResult:
    post_id: int
    created: bool  # False: the same bytes were already stored in that scope


@dataclass
class PhotoInput:
    """A photo to store, with what came with it."""

    data: bytes
    scope: str = PUBLIC
    captions: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    source: str = ""
    chat_id: int | None = None
    message_id: int | None = None
    file_id: str | None = None
    file_unique_id: str | None = None
    document_file_id: str | None = None
    repost_of: int | None = None  # the first post of this photo in the chat (indexing/reposts.py)


@dataclass(frozen=True)
class IndexView:
    """What one query reads: the indexes and the heads they were built with, swapped as one reference."""

    image: VectorIndex
    text: VectorIndex
    caption: VectorIndex
    projector: Projector
    projector_version: str
    hashtag_head: HashtagHead | None
    hashtag_head_version: str
    release: str = "none"  # the release these indexes were loaded from or published as


class ScopeFilter:
    """The posts visible from a viewer, answering `in` and `len` without building a set."""

    def __init__(self, engine: "SearchEngine", scopes: frozenset[str]) -> None:
        self._scope_of = engine._scope_of
        self._members = [engine._scope_members.get(s, set()) for s in scopes]
        self.scopes = scopes

    def __contains__(self, post_id: int) -> bool:
        return self._scope_of.get(post_id) in self.scopes

    def __len__(self) -> int:
        return sum(len(m) for m in self._members)

    def __iter__(self):
        for members in self._members:
            yield from list(members)


class SearchEngine:
    """Storage + encoders + indexes behind one query API. Methods block: run them off the event loop."""

    def __init__(self, store: PostStore, image_encoder: ImageEncoder, text_encoder: TextEncoder, *,
                 cache_dir: str | Path | None = None, thresholds: Thresholds = Thresholds(),
                 hnsw_m: int = 16, hnsw_ef_construction: int = 200, hnsw_ef_search: int = 96,
                 exact_search_max_posts: int = 4000, batch_size: int = 32,
                 max_photo_bytes: int = DEFAULT_MAX_BYTES, max_photo_pixels: int = DEFAULT_MAX_PIXELS,
                 hashtag_blocklist: Iterable[str] = (), thumbnail_side: int = THUMBNAIL_SIDE,
                 relevance: Relevance | None = None) -> None:
        self.store = store
        self.image_encoder = image_encoder
        self.text_encoder = text_encoder
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self.thresholds = thresholds
        self.batch_size = batch_size
        self.max_photo_bytes = max_photo_bytes
        self.max_photo_pixels = max_photo_pixels
        self._index_args = dict(m=hnsw_m, ef_construction=hnsw_ef_construction, ef_search=hnsw_ef_search,
                                exact_max=exact_search_max_posts)
        self._lock = threading.RLock()  # guards the in-memory maps below
        self._scope_of: dict[int, str] = {}
        self._scope_members: dict[str, set[int]] = {}
        self._phash: dict[int, int] = {}
        self._tags_generation = 0  # changes whenever any post's tags may have (the hashtag caches' key)
        self._swap_lock = threading.RLock()  # index writes vs view swaps
        self.publishing = threading.Lock()  # held while this process writes a release
        self.origin = uuid.uuid4().hex[:12]  # tells this process's releases from others' in the change log
        self._position = "0-0"  # change-log entry applied last
        self._follower = None
        self.view: IndexView | None = None
        self.blocklist = frozenset(normalize_tags(list(hashtag_blocklist)))  # never suggested
        self.class_vectors: np.ndarray | None = None
        self.relevance = relevance or Relevance.load()  # floors, calibration, evidence weights
        self._learned_relevance = self.relevance.with_learned_heads()
        self._embedder = PhotoEmbedder(image_encoder, batch_size=batch_size, max_pixels=max_photo_pixels,
                                       thumbnail_side=thumbnail_side)
        self._hashtag_scorer = HashtagScorer(TagSources(
            photo_vectors=self._photo_vectors, text_of=self._text_of, encode_query=self.encode_query,
            caption_matches=self._caption_matches, visible=self._visible, visible_count=self._visible_count,
            posts=store.get_posts, tag_counts=store.tag_counts, posts_in=self._posts_in,
            tags_generation=lambda: self._tags_generation, encode_words=text_encoder.encode,
            relevance=lambda: self.relevance, relevance_for=self._relevance), self.blocklist)

    # The serving view's parts, for callers that read one thing (queries read `self.view` once).
    image_index = property(lambda self: self.view.image)
    text_index = property(lambda self: self.view.text)
    caption_index = property(lambda self: self.view.caption)
    projector = property(lambda self: self.view.projector)
    projector_version = property(lambda self: self.view.projector_version)
    hashtag_head = property(lambda self: self.view.hashtag_head)
    hashtag_head_version = property(lambda self: self.view.hashtag_head_version)
    release_version = property(lambda self: self.view.release)

    # ------------------------------------------------------------------------------------
    # start-up
    # ------------------------------------------------------------------------------------
    @property
    def image_model(self) -> str:
        return self.image_encoder.name

    @property
    def text_model(self) -> str:
        return self.text_encoder.name

    def open(self) -> "SearchEngine":
        """Load encoders, then the current release (heads + index snapshots), caught up with Redis."""
        t0 = time.monotonic()
        self.store.ping()
        self.image_encoder.load()
        self.text_encoder.load()
        if self.image_encoder.has_class_probs:
            self.class_vectors = self._load_class_vectors()
        position = self.store.changes_position()  # before reading posts: nothing after it is missed
        view = self._view_from_release(releases.load_release(self.store.r, self.store.keys))
        if view is None:
            view = self._view_from_current_artifacts()
        self._sync_meta()
        with self._lock:
            live = set(self._scope_of)
        self.view = self._caught_up(view, live)
        self._position = position
        log.info("search engine ready: %d posts, %d scopes, release %s, projector %s, in %.1f s",
                 len(live), len(self._scope_members), self.view.release, self.view.projector_version,
                 time.monotonic() - t0)
        return self

    def _sync_meta(self) -> None:
        """Replace the in-memory post maps by what Redis holds now."""
        ids, scopes, phashes = self.store.all_meta()
        members: dict[str, set[int]] = {}
        for pid, scope in zip(ids.tolist(), scopes):
            members.setdefault(scope, set()).add(pid)
        with self._lock:
            self._scope_of = dict(zip(ids.tolist(), scopes))
            self._scope_members = members
            self._phash = dict(zip(ids.tolist(), phashes.tolist()))
            self._tags_generation += 1

    def _load_class_vectors(self) -> np.ndarray:
        path = None
        if self.cache_dir:
            safe = self.text_model.replace("/", "_").replace(":", "_")
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

    def _heads(self, versions: dict[str, str] | None) -> tuple[object, str, HashtagHead | None, str]:
        """(projector, its version, hashtag head, its version): the given artifact versions, or the
        current ones; an unreadable or mismatched artifact falls back to the cold start, logged."""
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

    def _stored_head(self, artifact: str, version: str | None, what: str, parse,
                     fallback: str) -> tuple[str, object] | None:
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
        trained_on = getattr(head, "input_model", None)
        if trained_on is not None and trained_on != self.image_model:
            log.error("%s %s was trained on %s features, this engine makes %s; %s (retrain with "
                      "`python -m models train`)", what, version, trained_on, self.image_model, fallback)
            return None
        if what == "projector artifact" and not self._reads_text_model(head):
            log.warning("%s %s was made for another text model than %s; %s until the scheduler trains heads "
                        "in the new text space", what, version, self.text_model, fallback)
            return None
        return version, head

    def _reads_text_model(self, projector) -> bool:
        """Whether a projector reads this engine's text vectors: its text side must take them and land
        in the space its photo side projects to; heads that record their text model must name ours."""
        members = getattr(projector, "members", [projector])
        if any(getattr(m, "params", {}).get("text_model") not in (None, "", self.text_model) for m in members):
            return False
        try:
            return projector.dim is None or \
                projector.adapt_text(np.zeros((1, self.text_encoder.dim), np.float32)).shape[1] == projector.dim
        except ValueError:
            return False

    def _space_dim_of(self, projector) -> int:
        return getattr(projector, "dim", None) or self.text_encoder.dim

    @property
    def space_dim(self) -> int:
        """Dimension of the space where texts meet photos (the projector's, else the text encoder's)."""
        return self._space_dim_of(self.view.projector)

    def _empty_view(self, projector, projector_version: str, head, head_version: str, release: str = "none",
                    image: VectorIndex | None = None) -> IndexView:
        dim = self._space_dim_of(projector)
        return IndexView(image or VectorIndex(self.image_encoder.dim, **self._index_args),
                         VectorIndex(dim, **self._index_args), VectorIndex(dim, post_shift=3, **self._index_args),
                         projector, projector_version, head, head_version, release)

    def _view_from_current_artifacts(self) -> IndexView:
        return self._empty_view(*self._heads(None))

    def _view_from_release(self, release: releases.Release | None) -> IndexView | None:
        """The indexes and heads of a release, or None when it cannot serve this engine (logged)."""
        if release is None:
            return None
        projector, projector_version, head, head_version = self._heads(release.manifest.get("artifacts"))
        wanted = {"image": self.image_encoder.dim, "text": self._space_dim_of(projector),
                  "caption": self._space_dim_of(projector)}
        indexes = {}
        for name, dim in wanted.items():
            snap = release.indexes.get(name)
            meta = snap.meta if snap else {}
            if (meta.get("image_model"), meta.get("text_model"), meta.get("dim")) != \
                    (self.image_model, self.text_model, dim) or \
                    (name != "image" and meta.get("projector") != projector_version):
                log.info("release %s: the %s index was made by other models or heads; rebuilding it",
                         release.version, name)
                continue
            try:
                indexes[name] = VectorIndex.from_bytes(snap.blob, dim, snap.live, snap.vectors,
                                                       post_shift=3 if name == "caption" else 0, **self._index_args)
            except RuntimeError as exc:
                log.error("release %s: %s index unreadable (%s); rebuilding it", release.version, name, exc)
        view = self._empty_view(projector, projector_version, head, head_version, release.version)
        return replace(view, **indexes)

    def _caught_up(self, view: IndexView, live: set[int]) -> IndexView:
        """Drop from the view's indexes what is deleted, add what was stored since they were written.

        Posts missing from the text index (one label per post) are the new ones; the caption index,
        written with it, gets their captions (most posts have none, so it cannot tell by itself).
        """
        new_posts: list[int] = []
        for name, index, vectors_for in (("image", view.image, self._image_vectors_for),
                                         ("text", view.text, partial(self._text_vectors_for, projector=view.projector)),
                                         ("caption", view.caption,
                                          partial(self._caption_vectors_for, projector=view.projector))):
            shift = index.post_shift
            labels = index.labels()
            stale = [label for label in labels.tolist() if (label >> shift) not in live]
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

    def _swap_in(self, view: IndexView) -> None:
        """Serve `view` from now on. Queries in flight finish on the view they started with; posts
        stored while the view was built are added to it first (writers wait for the swap)."""
        with self._swap_lock:
            with self._lock:
                live = set(self._scope_of)
            self.view = self._caught_up(view, live)
            self._hashtag_scorer.forget_vocabularies()

    def _image_vectors_for(self, ids: list[int]) -> tuple[list[int], np.ndarray]:
        vecs = self.store.get_vectors("image", self.image_model, ids, self.image_encoder.dim)
        keep = [(i, v[0]) for i, v in zip(ids, vecs) if v is not None]
        if len(keep) < len(ids):
            log.warning("%d posts have no %s vector (made by another model?)", len(ids) - len(keep), self.image_model)
        return [i for i, _ in keep], np.array([v for _, v in keep], np.float32).reshape(-1, self.image_encoder.dim)

    def _text_vectors_for(self, ids: list[int], projector) -> tuple[list[int], np.ndarray]:
        labels, feats = self._image_vectors_for(ids)
        probs = None
        if self.class_vectors is not None:
            raw = self.store.get_vectors("probs", self.image_model, labels, 1000)
            probs = np.array([p[0] if p is not None else np.zeros(1000, np.float32) for p in raw], np.float32)
        return labels, self._project(feats, probs, projector)

    def _caption_vectors_for(self, ids: list[int], projector) -> tuple[list[int], np.ndarray]:
        labels, rows = [], []
        for pid, vecs in zip(ids, self.store.get_vectors("captions", self.text_model, ids, self.text_encoder.dim)):
            if vecs is None:
                continue
            for k, vec in enumerate(vecs[:MAX_CAPTIONS_PER_POST]):
                labels.append(pid << 3 | k)
                rows.append(vec)
        raw = np.array(rows, np.float32).reshape(-1, self.text_encoder.dim)
        if not len(raw):
            return labels, np.zeros((0, self._space_dim_of(projector)), np.float32)
        return labels, projector.adapt_text(raw)

    def _project(self, features: np.ndarray, probs: np.ndarray | None, projector) -> np.ndarray:
        if self.image_encoder.text_space == self.text_model:
            return l2_normalize(features)  # CLIP-like encoders already share the text space
        class_text = class_text_vectors(probs, self.class_vectors) if probs is not None else None
        if class_text is None and not projector.fitted:
            return np.zeros((len(features), self._space_dim_of(projector)), np.float32)
        return projector.project(features, class_text)

    # ------------------------------------------------------------------------------------
    # following other processes: the change log
    # ------------------------------------------------------------------------------------
    def follow(self) -> "SearchEngine":
        """Apply other processes' writes and releases as they happen (a background thread)."""
        from indexing.follower import ChangeFollower

        if self._follower is None:
            self._follower = ChangeFollower(self).start()
        return self

    def live_post_ids(self) -> set[int]:
        with self._lock:
            return set(self._scope_of)

    def encode_stored_captions(self, ids: list[int]) -> int:
        """Encode stored posts' captions with this engine's text model, store and index them (the
        migration to a new text model, indexing/migrate.py). Returns how many posts had captions."""
        posts = [p for p in self.store.get_posts(ids) if p is not None and p.captions]
        out = {p.id: vecs for p, vecs in zip(posts, self._encode_captions([p.captions for p in posts]))}
        self.store.put_caption_vectors(out, self.text_model, sum(1 for p in posts if p.scope == PUBLIC))
        self.apply_captions_changed(list(out))
        return len(out)

    def _encode_captions(self, per_post: list[list[str]]) -> list[np.ndarray]:
        """Each post's caption vectors (its first MAX_CAPTIONS_PER_POST captions), encoded in one batch."""
        flat = [c for caps in per_post for c in caps[:MAX_CAPTIONS_PER_POST]]
        vecs = self.text_encoder.encode(flat) if flat else np.zeros((0, self.text_encoder.dim), np.float32)
        out, offset = [], 0
        for caps in per_post:
            n = min(len(caps), MAX_CAPTIONS_PER_POST)
            out.append(vecs[offset:offset + n])
            offset += n
        return out

    def close(self) -> None:
        if self._follower is not None:
            self._follower.stop()
            self._follower = None

    # ------------------------------------------------------------------------------------
    # photos in
    # ------------------------------------------------------------------------------------
    def embed_photos(self, datas: list[bytes], return_errors: bool = False) -> list:
        """Decode and embed photo bytes in batches (see PhotoEmbedder), plus their text-space vectors.

        Raises BadImageError for the first bad photo, or with return_errors=True puts the
        exception in that photo's place and embeds the others.
        """
        embedded = self._embedder.embed(datas, return_errors=return_errors)
        good = [i for i, e in enumerate(embedded) if isinstance(e, EmbeddedPhoto)]
        if not good:
            return embedded
        feats = np.array([embedded[i].features for i in good], np.float32)
        probs = None
        if embedded[good[0]].class_probs is not None:
            probs = np.array([embedded[i].class_probs for i in good], np.float32)
        v = self.view
        text = self._project(feats, probs, v.projector)
        for j, i in enumerate(good):
            embedded[i] = PhotoVectors(text=text[j], space=v.projector_version, **vars(embedded[i]))
        return embedded

    def _text_of(self, vec: PhotoVectors, v: IndexView) -> np.ndarray:
        """The photo's text-space vector in view `v` (re-projected if the heads changed since it was made)."""
        if vec.space == v.projector_version:
            return vec.text
        probs = vec.class_probs[None] if vec.class_probs is not None else None
        return self._project(vec.features[None], probs, v.projector)[0]

    def embed_photo(self, photo: bytes) -> PhotoVectors:
        return self.embed_photos([read_bytes(photo, self.max_photo_bytes)])[0]

    def add_photos(self, photos: list[PhotoInput], vectors: list[PhotoVectors] | None = None) -> list[AddResult]:
        """Store photos (skipping bytes already stored in the same scope) and index them at once."""
        for p in photos:
            validate_scope(p.scope)
        results: list[AddResult | None] = [None] * len(photos)
        todo = []
        for i, p in enumerate(photos):
            sha = vectors[i].sha256 if vectors is not None else hashlib.sha256(p.data).hexdigest()
            existing = self.store.find_by_sha(p.scope, sha)
            if existing is not None:
                results[i] = AddResult(existing, created=False)
            else:
                todo.append(i)
        if vectors is None:
            vecs_todo = self.embed_photos([photos[i].data for i in todo]) if todo else []
        else:
            vecs_todo = [vectors[i] for i in todo]
        captions_all = [[c.strip()[:MAX_QUERY_CHARS] for c in photos[i].captions if c and c.strip()]
                        for i in todo]
        now = time.time()
        stored_posts = []
        for i, vec, caps, cap_vecs in zip(todo, vecs_todo, captions_all, self._encode_captions(captions_all)):
            p = photos[i]
            post = Post(id=self.store.allocate_id(), scope=p.scope, sha256=vec.sha256, phash=vec.phash,
                        captions=caps, tags=normalize_tags(p.tags), source=p.source, chat_id=p.chat_id,
                        message_id=p.message_id, file_id=p.file_id, file_unique_id=p.file_unique_id,
                        document_file_id=p.document_file_id, width=vec.width, height=vec.height, created_s=now,
                        image_model=self.image_model, repost_of=p.repost_of)
            stored = {("image", self.image_model): vec.features}
            if vec.class_probs is not None:
                stored[("probs", self.image_model)] = vec.class_probs
            if len(cap_vecs):
                stored[("captions", self.text_model)] = cap_vecs
            self.store.add(post, stored, vec.thumbnail)  # acknowledged once Redis has it (AOF); indexes follow
            stored_posts.append((post, vec, cap_vecs))
            results[i] = AddResult(post.id, created=True)
        self._index_posts(stored_posts)
        return results  # type: ignore[return-value]

    def add_photo(self, photo: PhotoInput) -> AddResult:
        return self.add_photos([photo])[0]

    def _index_posts(self, stored: list[tuple[Post, PhotoVectors, np.ndarray]]) -> None:
        """Add stored posts to the in-memory maps and indexes, one batched insert per index."""
        if not stored:
            return
        with self._swap_lock:
            self._remember(post for post, _, _ in stored)
            v = self.view
            ids = [post.id for post, _, _ in stored]
            v.image.add(ids, np.array([vec.features for _, vec, _ in stored]))
            v.text.add(ids, np.array([self._text_of(vec, v) for _, vec, _ in stored]))
            labels = [post.id << 3 | k for post, _, caps in stored for k in range(len(caps))]
            if labels:
                raw = np.concatenate([caps for _, _, caps in stored if len(caps)])
                v.caption.add(labels, v.projector.adapt_text(raw))

    def _remember(self, posts: Iterable[Post]) -> None:
        with self._lock:
            for post in posts:
                self._scope_of[post.id] = post.scope
                self._scope_members.setdefault(post.scope, set()).add(post.id)
                self._phash[post.id] = post.phash
                if post.tags:
                    self._tags_generation += 1

    def _forget_locally(self, ids: list[int]) -> None:
        with self._swap_lock:
            with self._lock:
                self._tags_generation += 1
                for pid in ids:
                    scope = self._scope_of.pop(pid, None)
                    if scope is not None:
                        self._scope_members.get(scope, set()).discard(pid)
                    self._phash.pop(pid, None)
            v = self.view
            v.image.remove(ids)
            v.text.remove(ids)
            v.caption.remove([pid << 3 | k for pid in ids for k in range(MAX_CAPTIONS_PER_POST)])

    def apply_added(self, ids: list[int]) -> int:
        """Index posts another process stored (from the change log); known ones are skipped."""
        with self._lock:
            ids = [pid for pid in ids if pid not in self._scope_of]
        posts = [p for p in self.store.get_posts(ids) if p is not None]  # deleted since: skipped
        if not posts:
            return 0
        with self._swap_lock:
            v = self.view
            ids = [p.id for p in posts]
            labels, feats = self._image_vectors_for(ids)
            self._remember(p for p in posts if p.id in set(labels))
            v.image.add(labels, feats)
            v.text.add(*self._text_vectors_for(labels, v.projector))
            v.caption.add(*self._caption_vectors_for(labels, v.projector))
        return len(labels)

    def apply_deleted(self, ids: list[int]) -> None:
        with self._lock:
            ids = [pid for pid in ids if pid in self._scope_of]
        if ids:
            self._forget_locally(ids)

    def forget_scope(self, scope: str) -> int:
        """Delete every post of a scope (a chat's /forget). Returns how many were deleted."""
        validate_scope(scope)
        return self.delete_posts(self.store.scope_post_ids(scope))

    def delete_posts(self, ids: list[int]) -> int:
        kinds = [("image", self.image_model), ("probs", self.image_model), ("captions", self.text_model)]
        deleted = 0
        for start in range(0, len(ids), 1000):
            batch = ids[start:start + 1000]
            deleted += self.store.delete(batch, kinds)
            self._forget_locally(batch)
        return deleted
    # ------------------------------------------------------------------------------------
    # queries
    # ------------------------------------------------------------------------------------
    def _visible(self, viewer: str, include_public: bool = True) -> ScopeFilter | None:
        scopes = visible_scopes(viewer) if include_public else frozenset({validate_scope(viewer)})
        with self._lock:
            filt = ScopeFilter(self, scopes)
            if len(filt) == len(self._scope_of):
                return None  # nothing invisible exists: search unfiltered
            return filt

    def _photo_vectors(self, photo: bytes | int | PhotoVectors, v: IndexView) -> tuple[PhotoVectors, int | None]:
        """Vectors of a query photo: bytes are embedded, an int is a stored post id."""
        if isinstance(photo, PhotoVectors):
            return photo, None
        if isinstance(photo, int):
            if photo not in v.image:
                raise UnknownPostError(f"no indexed post {photo}")
            feats = v.image.get([photo])[0]
            text = v.text.get([photo])
            probs = self.store.get_vectors("probs", self.image_model, [photo], 1000)[0]
            post = self.store.get_post(photo)
            ph = post.phash if post else self._phash.get(photo, 0)
            return PhotoVectors(features=feats, class_probs=None if probs is None else probs[0],
                                text=text[0] if len(text) else np.zeros(v.text.dim, np.float32),
                                phash=ph, phash_mirror=ph, sha256=post.sha256 if post else "",
                                width=post.width if post else 0, height=post.height if post else 0,
                                space=v.projector_version), photo
        return self.embed_photo(photo), None

    def _hits(self, scored: list[tuple[int, float]], k: int) -> list[Hit]:
        scored = scored[:k]
        posts = self.store.get_posts([pid for pid, _ in scored])
        return [Hit(post, round(s, 4)) for post, (_, s) in zip(posts, scored) if post is not None]

    def _same_photo(self, vec: PhotoVectors, own_id: int | None, scopes: Iterable[str]) -> set[int]:
        """The stored posts that are the query photo itself: its own post, and the same bytes stored
        in the visible scopes (a photo sent as a reply is downloaded byte for byte)."""
        found = {self.store.find_by_sha(scope, vec.sha256) for scope in scopes} if vec.sha256 else set()
        return (found | {own_id}) - {None}

    def _distinct(self, ranked: list[tuple[int, float]], k: int, v: IndexView,
                  queries: list[PhotoVectors] = ()) -> list[tuple[int, float]]:
        """The best k of `ranked` with the query photos and their copies left out and each group of
        copies of one photo collapsed to its best-ranked post (see indexing/distinct.py)."""
        ids = [pid for pid, _ in ranked]
        with self._lock:
            hashes = np.array([self._phash.get(pid, 0) for pid in ids], np.uint64)
        return distinct(ranked, v.image.get_or_zero(ids), hashes, self.thresholds, k, queries)

    def similar(self, photo: bytes | int | PhotoVectors, scope: str, k: int = 5) -> list[Hit]:
        """The k most similar visible photos: never the query photo or a copy of it, one post per photo."""
        return self.similar_to_any([photo], scope, k)

    def similar_to_any(self, photos: list[bytes | int | PhotoVectors], scope: str, k: int = 5) -> list[Hit]:
        """The k visible photos most similar to any of the photos (an album), none of them a copy of one."""
        v = self.view
        visible, scopes = self._visible(scope), visible_scopes(scope)
        pool = 3 * k + 10  # room for the copies left out
        best: dict[int, float] = {}
        queries, exclude = [], set()
        for photo in photos:
            vec, own_id = self._photo_vectors(photo, v)
            queries.append(vec)
            exclude |= self._same_photo(vec, own_id, scopes)
            for pid, s in v.image.search(vec.features, pool, visible):
                best[pid] = max(best.get(pid, -1.0), s)
        ranked = sorted(((pid, s) for pid, s in best.items() if pid not in exclude), key=lambda c: -c[1])
        answer = self._above_floor(self._hits(self._distinct(ranked, k, v, queries), k), "similar", scope)
        if not answer and (exclude & best.keys() or any(s >= self.thresholds.min_cosine for s in best.values())):
            answer.why_empty = ONLY_ITSELF  # the photo is known (sent before, or a copy of a stored one)
        return answer

    def encode_query(self, text: str, v: IndexView | None = None, language: str | None = None) -> np.ndarray:
        """A text in the space where it meets photos and captions (through the projector's text side),
        as a query (models/textspace.py); `language`: the user's, a hint for short texts."""
        text = (text or "").strip()
        if not text:
            raise EmptyQueryError("the query text is empty")
        vec = self.text_encoder.encode([text[:MAX_QUERY_CHARS]], language=language)
        return textspace.as_query((v or self.view).projector.adapt_text(vec)[0])

    def _caption_matches(self, query: np.ndarray, k: int, visible, v: IndexView) -> list[tuple[int, float]]:
        """(caption label, score) of the k captions nearest a query, scored over the text-space parts
        both sides speak for (a French caption against an English query: the multilingual part)."""
        found = v.caption.search(query, k, visible)
        if not found:
            return []
        labels = [label for label, _ in found]
        sims = textspace.scores(v.caption.get_or_zero(labels), query)
        return sorted(zip(labels, sims.tolist()), key=lambda c: -c[1])

    def find(self, text: str, scope: str, k: int = 5, photo: bytes | int | PhotoVectors | None = None,
             photo_weight: float = 0.5, include_public: bool = True, language: str | None = None) -> list[Hit]:
        """Visible photos matching a text, optionally together with a photo ('like this, but at night');
        one post per photo, never the query photo or a copy of it, none under the find floor."""
        v = self.view
        query = self.encode_query(text, v, language)
        hits = self._hits(self._find_scored(v, query, scope, k, photo, photo_weight, include_public), k)
        kind = "find" if textspace.covers_all(query) else "find_other_language"
        return self._above_floor(hits, kind, scope, include_public)

    def find_scored(self, text: str, scope: str, k: int = 5, photo: bytes | int | PhotoVectors | None = None,
                    photo_weight: float = 0.5, include_public: bool = True,
                    one_per_photo: bool = True, language: str | None = None) -> list[tuple[int, float]]:
        """`find` as (post id, score) pairs, best first, without loading the posts. `one_per_photo=False`
        keeps copies of one photo (a benchmark ranking one post among thousands: the collapsing
        compares each kept result with the others, k^2 feature products)."""
        v = self.view
        return self._find_scored(v, self.encode_query(text, v, language), scope, k, photo, photo_weight,
                                 include_public, one_per_photo)

    def _find_scored(self, v: IndexView, query: np.ndarray, scope: str, k: int, photo, photo_weight: float,
                     include_public: bool, one_per_photo: bool = True) -> list[tuple[int, float]]:
        """find_scored for a text already encoded on view `v` (one view from encoding to ranking)."""
        visible = self._visible(scope, include_public=include_public)
        pool = max(4 * k, 40)
        candidates = {pid for pid, _ in v.text.search(query, pool, visible)}
        candidates |= {label >> 3 for label, _ in v.caption.search(query, pool, visible)}
        photo_vec = None
        if photo is not None:
            photo_vec, own_id = self._photo_vectors(photo, v)
            candidates |= {pid for pid, _ in v.image.search(photo_vec.features, pool, visible)}
            scopes = visible_scopes(scope) if include_public else {scope}
            candidates -= self._same_photo(photo_vec, own_id, scopes)
        if not candidates:
            return []
        ids = sorted(candidates)
        text_scores = self._text_scores(query, ids, v)
        if photo_vec is not None:
            image_sims = v.image.get_or_zero(ids) @ photo_vec.features
            text_scores = (1 - photo_weight) * text_scores + photo_weight * image_sims
        ranked = [(ids[i], float(text_scores[i])) for i in np.argsort(-text_scores)]
        if not one_per_photo:
            return ranked[:k]
        return self._distinct(ranked, k, v, [photo_vec] if photo_vec is not None else [])

    def _text_scores(self, query: np.ndarray, ids: list[int], v: IndexView) -> np.ndarray:
        """Per post: the better of its photo's text-space match and its best caption match."""
        photo_scores = textspace.scores(v.text.get_or_zero(ids), query)
        caption_labels = [pid << 3 | j for pid in ids for j in range(MAX_CAPTIONS_PER_POST)
                          if (pid << 3 | j) in v.caption]
        best_caption = dict.fromkeys(ids, -1.0)
        if caption_labels:
            sims = textspace.scores(v.caption.get_or_zero(caption_labels), query)
            for label, s in zip(caption_labels, sims):
                best_caption[label >> 3] = max(best_caption[label >> 3], float(s))
        return np.array([max(p, best_caption[pid]) for pid, p in zip(ids, photo_scores)], np.float32)

    def captions(self, photo: bytes | int | PhotoVectors, scope: str, k: int = 5) -> list[CaptionHit]:
        """Visible captions that match a photo, best first; a copy's own captions come first (they
        describe this very photo, e.g. the public collection's caption of a photo someone forwards),
        the query photo's own captions never (its post, or the same bytes in the viewer's own chat:
        the message it was sent in)."""
        v = self.view
        vec, own_id = self._photo_vectors(photo, v)
        visible = self._visible(scope)
        itself = self._same_photo(vec, own_id, [validate_scope(scope)])
        out: dict[str, CaptionHit] = {}
        dup = decide_duplicate([c for c in self.duplicate_candidates(vec, scope, include_public=True)
                                if c[0] not in itself], self.thresholds)
        dup_post = self.store.get_post(dup[0]) if dup else None
        if dup_post is not None:
            for caption in dup_post.captions:
                out.setdefault(caption, CaptionHit(caption, round(dup[1], 4), dup_post.id))
        found = [(label, s) for label, s in self._caption_matches(self._text_of(vec, v), 4 * k, visible, v)
                 if label >> 3 not in itself]
        posts = {p.id: p for p in self.store.get_posts(sorted({label >> 3 for label, _ in found})) if p}
        for label, s in found:
            post = posts.get(label >> 3)
            if post is None or (label & 7) >= len(post.captions):
                continue
            caption = post.captions[label & 7]
            out.setdefault(caption, CaptionHit(caption, round(s, 4), post.id))
        ranked = sorted(out.values(), key=lambda h: -h.score)[:k]
        # a duplicate's own captions are right whatever their score; the others must clear the floor
        visible_posts = self._visible_count(scope)
        floor = self._relevance().floors_for(visible_posts).captions
        copy_of = dup_post.id if dup_post is not None else None
        return Answer([h for h in ranked if h.score >= floor or h.post_id == copy_of], why_empty(visible_posts))

    def _visible_count(self, scope: str, include_public: bool = True) -> int:
        visible = self._visible(scope, include_public)
        if visible is None:
            with self._lock:
                return len(self._scope_of)
        return len(visible)

    def _relevance(self, v: IndexView | None = None) -> Relevance:
        """The floors and calibration that hold for the view's heads (relevance.py: measured with the
        cold-start bridges; with learned heads only the image-cosine floor applies)."""
        projector = (v or self.view).projector
        return self.relevance if projector.cold_start else self._learned_relevance

    def _above_floor(self, hits: list[Hit], kind: str, scope: str, include_public: bool = True) -> Answer:
        """The hits that clear the answer kind's relevance floor (an empty answer says why)."""
        visible = self._visible_count(scope, include_public)
        floor = getattr(self._relevance().floors_for(visible), kind)
        return Answer([h for h in hits if h.score >= floor], why_empty(visible))

    def hashtags(self, photo: bytes | int | PhotoVectors, scope: str, k: int = 8,
                 min_score: float | None = None, caption: str | None = None,
                 language: str | None = None) -> list[TagSuggestion]:
        """Hashtags for a photo: votes of similar tagged posts + the learned head + zero-shot match against
        the tag vocabulary + its ImageNet classes; with a caption, fused with the caption's own hashtags
        (`text_hashtags`). Photo scores are calibrated probabilities (relevance.py); tags below
        `min_score` (default: the hashtag floor) are left out, except those the caption's words bring."""
        return self._hashtag_scorer.for_photo(photo, scope, self.view, k, min_score, caption, language)

    def text_hashtags(self, text: str, scope: str, k: int = 8, min_score: float | None = None,
                      language: str | None = None) -> list[TagSuggestion]:
        """Hashtags for a caption alone (someone drafting a post before choosing the photo): the tags its
        words name, and others whose score clears `min_score` (default: the hashtag floor; these text
        scores are not calibrated, so the photo's floor is a cautious stand-in, docs/DESIGN-NOTES.md)."""
        return self._hashtag_scorer.for_text(text, scope, self.view, k, min_score, language)

    def _posts_in(self, scopes: frozenset[str]) -> int:
        with self._lock:
            return sum(len(self._scope_members.get(s, ())) for s in scopes)

    def duplicate_candidates(self, photo: bytes | int | PhotoVectors, scope: str, include_public: bool = False,
                             k: int = 10) -> list[tuple[int, float, int]]:
        """(post id, feature cosine, pHash Hamming distance) of the posts this photo may re-post.

        Candidates come from two sides, since each signal misses what the other catches: the
        nearest features (crops, borders) and every hash within the widest Hamming radius we
        decide on (recompression, resizing, mirroring via the mirrored hash).
        """
        v = self.view
        vec, own_id = self._photo_vectors(photo, v)
        visible = self._visible(scope, include_public=include_public)
        cosines = {pid: s for pid, s in v.image.search(vec.features, k, visible) if pid != own_id}
        with self._lock:
            pool = list(visible) if visible is not None else list(self._phash)
            hashes = np.array([self._phash.get(pid, 0) for pid in pool], np.uint64)
        distances: dict[int, int] = {}
        if len(pool):
            dist = _hash_distances(vec, hashes)
            distances = {pool[i]: int(dist[i]) for i in np.flatnonzero(dist <= HASH_CANDIDATE_RADIUS)[:200]}
            unhashed = [pid for pid in cosines if pid not in distances and pid in self._phash]
            if unhashed:
                dist = _hash_distances(vec, np.array([self._phash[pid] for pid in unhashed], np.uint64))
                distances.update(zip(unhashed, dist.tolist()))
        extra = [pid for pid in distances if pid not in cosines and pid != own_id][:50]
        if extra:
            present = v.image.labels_of(extra)
            for pid, cos in zip(present, v.image.get_or_zero(present) @ vec.features):
                cosines[pid] = float(cos)
        return sorted(((pid, cos, distances.get(pid, 64)) for pid, cos in cosines.items()), key=lambda c: -c[1])

    def duplicate_of(self, photo: bytes | int | PhotoVectors, scope: str, include_public: bool = False,
                     thresholds: Thresholds | None = None) -> DuplicateMatch | None:
        """The stored post this photo re-posts (within `scope`, plus public if asked), or None."""
        best = decide_duplicate(self.duplicate_candidates(photo, scope, include_public), thresholds or self.thresholds)
        if best is None:
            return None
        post = self.store.get_post(best[0])
        return DuplicateMatch(post, round(best[1], 4), best[2]) if post else None

    # ------------------------------------------------------------------------------------
    # maintenance: heads, rebuilds, releases
    # ------------------------------------------------------------------------------------
    def refit_projector(self, min_captioned: int = 50, replace_learned: bool = False) -> str | None:
        """Fit the cold-start projector on public photos + captions, store it, re-project the text index.

        Only `public` posts are used: the projector serves every chat, so a chat's private
        captions must never shape what another chat's queries return; and not the held-out tenth
        (indexing/holdout.py), on which retraining compares heads. A learned projector in
        service is kept (retraining it is the scheduler's or `python -m models train`'s job) unless asked.
        """
        if not self.projector.cold_start and not replace_learned:
            log.info("projector not refitted: the learned projector %s is in service", self.projector_version)
            return None
        data = self.training_data(ids=trainable_post_ids(self.store))  # never the held-out tenth
        if data.captioned < min_captioned:
            log.info("projector not fitted: %d captioned public photos outside the held-out tenth (need %d)",
                     data.captioned, min_captioned)
            return None
        projector = fit_caption_bridge(data)
        version = self.set_projector(projector)
        log.info("projector %s fitted on %d captioned of %d photos", version, data.captioned, len(data.features))
        return version

    def set_projector(self, projector, version: str | None = None) -> str:
        """Make a projector (cold-start or learned) current: text indexes re-projected, a release published."""
        return self.install(projector=projector, version=version)["projector"]

    def set_hashtag_head(self, head: HashtagHead, version: str | None = None) -> str:
        return self.install(hashtag_head=head, version=version)["hashtag_head"]

    def install_heads(self, heads: TrainedHeads, version: str | None = None, info: dict | None = None) -> dict[str, str]:
        """Make trained heads current for every process (stored in Redis with a new release)."""
        for head in (heads.projector, heads.hashtag_head):
            if head is not None and head.input_model != self.image_model:
                raise ValueError(f"heads were trained on {head.input_model} features, this engine makes "
                                 f"{self.image_model}")
        return self.install(projector=heads.projector, hashtag_head=heads.hashtag_head, version=version, info=info)

    def install(self, projector=None, hashtag_head: HashtagHead | None = None, version: str | None = None,
                info: dict | None = None) -> dict[str, str]:
        """Store new heads, build indexes for them beside the serving ones, swap, publish a release."""
        old = self.view
        installed = {}
        new = dict(projector=old.projector, projector_version=old.projector_version,
                   hashtag_head=old.hashtag_head, hashtag_head_version=old.hashtag_head_version)
        if projector is not None:
            installed["projector"] = self.store.put_artifact(PROJECTOR_ARTIFACT, projector.to_bytes(), version)
            new.update(projector=projector, projector_version=installed["projector"])
        if hashtag_head is not None:
            installed["hashtag_head"] = self.store.put_artifact(HASHTAG_HEAD_ARTIFACT, hashtag_head.to_bytes(), version)
            new.update(hashtag_head=hashtag_head, hashtag_head_version=installed["hashtag_head"])
        if projector is None:  # the text indexes stay valid: only the head changes
            view = replace(old, **new)
        else:
            view = self._empty_view(new["projector"], new["projector_version"], new["hashtag_head"],
                                    new["hashtag_head_version"], old.release, image=old.image)
        self._swap_in(view)
        installed["release"] = self.publish_release(info)
        return installed

    def rebuild(self, info: dict | None = None, progress=None) -> str:
        """Build every index afresh from Redis (deleted posts compacted away), swap, publish a release."""
        old = self.view
        view = self._empty_view(old.projector, old.projector_version, old.hashtag_head, old.hashtag_head_version,
                                old.release)
        self._fill(view, image=True, text=True, progress=progress)
        self._swap_in(view)
        return self.publish_release(dict(info or {}, rebuilt=True))

    def _fill(self, view: IndexView, image: bool, text: bool, step: int = 2000, progress=None) -> None:
        """Add every known post's stored vectors to the view's image and/or text + caption indexes."""
        with self._lock:
            ids = sorted(self._scope_of)
        for start in range(0, len(ids), step):
            chunk = ids[start:start + step]
            if image:
                view.image.add(*self._image_vectors_for(chunk))
            if text:
                view.text.add(*self._text_vectors_for(chunk, view.projector))
                view.caption.add(*self._caption_vectors_for(chunk, view.projector))
            if progress is not None:
                progress(min(start + step, len(ids)), len(ids))

    def publish_release(self, info: dict | None = None, keep: int = 3, lock_wait_s: float = 600) -> str:
        """Snapshot the serving indexes as a new release and make it every process's current one."""
        from indexing.locks import JobLock

        with JobLock(self.store, "release", ttl_s=300, wait_s=lock_wait_s), self.publishing:
            v = self.view
            base = {"image_model": self.image_model, "text_model": self.text_model}
            snaps = {}
            for name, index, extra in (("image", v.image, {}), ("text", v.text, {"projector": v.projector_version}),
                                       ("caption", v.caption, {"projector": v.projector_version})):
                blob, live, vectors = index.to_bytes()
                snaps[name] = releases.IndexSnapshot(dict(base, dim=index.dim, **extra), blob, live, vectors)
            artifacts = {PROJECTOR_ARTIFACT: v.projector_version, HASHTAG_HEAD_ARTIFACT: v.hashtag_head_version}
            version = releases.save_release(self.store.r, self.store.keys, snaps, artifacts,
                                            dict(info or {}, origin=self.origin, posts=len(v.image)), keep=keep)
            with self._swap_lock:
                if self.view.image is v.image and self.view.text is v.text:
                    self.view = replace(self.view, release=version)
        log.info("release %s published (%d posts, projector %s, hashtag head %s)", version, len(v.image),
                 v.projector_version, v.hashtag_head_version)
        return version

    def snapshot(self) -> str:
        return self.publish_release()

    def load_release(self, version: str | None = None) -> bool:
        """Serve a release's snapshots (a restart's fast path, or on request): loaded beside the
        serving view, then swapped in. False when it cannot serve here (the current view stays)."""
        release = releases.load_release(self.store.r, self.store.keys, version)
        if release is None or release.version == self.view.release:
            return False
        view = self._view_from_release(release)
        if view is None:
            return False
        with self._lock:
            live = set(self._scope_of)
        self._swap_in(self._caught_up(view, live))  # the bulk outside the swap lock, the rest inside
        log.info("now serving release %s (projector %s, hashtag head %s)", release.version,
                 view.projector_version, view.hashtag_head_version)
        return True

    def adopt_release(self, version: str, compact_above: float = 0.2) -> bool:
        """Serve another process's release while answering queries: what this process already holds
        is kept, what changed is rebuilt beside the serving view from Redis, then swapped in.

        Why not load the snapshots here too: hnswlib's load_index holds the GIL (~1 ms per MB),
        stalling every query for the length of a load; its add_items does not. A follower that
        applied the same change log already has the release's posts: only new heads need new text
        and caption indexes, and only many deletion marks need a fresh image index.
        """
        manifest = releases.manifest_of(self.store.r, self.store.keys, version)
        if manifest is None or version == self.view.release:
            return False
        old = self.view
        projector, projector_version, head, head_version = self._heads(manifest.get("artifacts"))
        view = replace(old, hashtag_head=head, hashtag_head_version=head_version, release=version)
        rebuild_text = projector_version != old.projector_version
        rebuild_image = old.image.deleted_share > compact_above
        if rebuild_text or rebuild_image:
            fresh = self._empty_view(projector, projector_version, head, head_version, version,
                                     image=None if rebuild_image else old.image)
            # small steps: the serving view answers queries in between
            self._fill(fresh, image=rebuild_image, text=rebuild_text, step=500)
            if not rebuild_text:
                fresh = replace(fresh, text=old.text, caption=old.caption)
            view = fresh
        self._swap_in(view)
        log.info("now serving release %s (projector %s, hashtag head %s; rebuilt here: %s)", version,
                 projector_version, head_version,
                 ", ".join(n for n, b in (("image", rebuild_image), ("text", rebuild_text)) if b) or "nothing")
        return True

    def training_data(self, scope: str = PUBLIC, ids: list[int] | None = None) -> TrainingData:
        """Stored features, caption vectors and hashtags of a scope's posts (public only by default:
        heads serve every chat, so private chats never shape them), or of the given posts."""
        ids = sorted(self.store.scope_post_ids(scope)) if ids is None else ids
        posts, feats, caps = [], [], []
        for start in range(0, len(ids), 2000):
            chunk = ids[start:start + 2000]
            posts += self.store.get_posts(chunk)
            feats += self.store.get_vectors("image", self.image_model, chunk, self.image_encoder.dim)
            caps += self.store.get_vectors("captions", self.text_model, chunk, self.text_encoder.dim)
        keep = [i for i, (p, f) in enumerate(zip(posts, feats)) if p is not None and f is not None]
        empty = np.zeros((0, self.text_encoder.dim), np.float32)
        return TrainingData(
            features=np.array([feats[i][0] for i in keep], np.float32).reshape(-1, self.image_encoder.dim),
            captions=[caps[i].astype(np.float32) if caps[i] is not None else empty for i in keep],
            tags=[posts[i].tags for i in keep], input_model=self.image_model, text_model=self.text_model,
            post_ids=[ids[i] for i in keep], photo_shas=[posts[i].sha256 for i in keep],
            text_spaces=getattr(self.text_encoder, "spaces", ()))

    # ------------------------------------------------------------------------------------
    # what a chat front-end needs besides search
    # ------------------------------------------------------------------------------------
    def chat_settings(self, scope: str) -> ChatSettings:
        return ChatSettings.from_redis(self.store.get_settings(validate_scope(scope)))

    def save_chat_settings(self, scope: str, settings: ChatSettings) -> None:
        self.store.set_settings(validate_scope(scope), settings.to_redis())

    def scope_ids(self, scope: str) -> list[int]:
        """Ids of the posts stored in one scope (from memory), sorted."""
        with self._lock:
            return sorted(self._scope_members.get(validate_scope(scope), ()))

    def image_vectors(self, ids: list[int]) -> np.ndarray:
        """The photos' image vectors from the serving index (zeros for posts it does not hold)."""
        return self.view.image.get_or_zero(ids)

    def text_match(self, text: str, ids: list[int]) -> np.ndarray:
        """How well each given post matches a text: its photo or best caption, scored as `find` scores them."""
        v = self.view
        return self._text_scores(self.encode_query(text, v), ids, v)

    def update_caption(self, scope: str, sha256: str, captions: list[str], tags: list[str]) -> bool:
        """The post of these bytes in `scope` takes new captions and hashtags (a caption edited on
        Telegram): stored, re-encoded and re-indexed. False when the scope has no such post."""
        post_id = self.store.find_by_sha(scope, sha256)
        post = self.store.get_post(post_id) if post_id is not None else None
        if post is None:
            return False
        caps = [c.strip()[:MAX_QUERY_CHARS] for c in captions if c and c.strip()][:MAX_CAPTIONS_PER_POST]
        self.store.replace_caption(post, caps, normalize_tags(tags), self._encode_captions([caps])[0],
                                   self.text_model)
        self.apply_captions_changed([post.id])
        return True

    def apply_captions_changed(self, ids: list[int]) -> None:
        """Re-index the stored captions of posts whose captions changed (here, or in another process:
        the change log), and let the hashtag caches see their new tags."""
        with self._lock:
            ids = [pid for pid in ids if pid in self._scope_of]
            self._tags_generation += 1
        if not ids:
            return
        with self._swap_lock:
            v = self.view
            v.caption.remove([pid << 3 | k for pid in ids for k in range(MAX_CAPTIONS_PER_POST)])
            v.caption.add(*self._caption_vectors_for(ids, v.projector))

    def mark_message_deleted(self, post_id: int) -> None:
        """The bot deleted the post's message (a re-post in delete mode): it is never a link target."""
        self.store.set_fields(post_id, message_deleted="1")

    def remember_file_id(self, post_id: int, file_id: str) -> None:
        """Telegram's id of a photo the bot uploaded once, so it is sent by id afterwards."""
        self.store.set_fields(post_id, file_id=file_id)

    def photo_bytes(self, post: Post) -> bytes | None:
        """The stored photo's file, for posts imported from disk (None if it is gone)."""
        if not post.source:
            return None
        try:
            return read_bytes(post.source, self.max_photo_bytes)
        except BadImageError:
            return None

    def posts(self, ids: list[int]) -> list[Post | None]:
        """The stored posts (None where one is gone), in the order asked."""
        return self.store.get_posts(ids)

    def post(self, post_id: int) -> Post | None:
        return self.store.get_post(post_id)

    def thumbnails(self, ids: list[int]) -> list[bytes | None]:
        """The posts' small square JPEGs (the /map tiles), None where a post has none."""
        return self.store.get_thumbnails(ids)

    def post_count(self, scope: str | None = None) -> int:
        """Posts stored (in one scope, or everywhere), as Redis counts them."""
        return self.store.count(scope)

    def check_repost(self, photo: bytes | int | PhotoVectors, scope: str, settings: ChatSettings,
                     message_id: int | None = None) -> "reposts.Verdict":
        """Whether a photo re-posts one of the chat's (the re-post policy: indexing/reposts.py)."""
        from indexing import reposts

        return reposts.check(self, photo, scope, settings, message_id)

    def photo_maps(self, max_photos: int, cache_days: float, thumbnail_side: int):
        """The /map and /clusters service over this engine (indexing/maps.py)."""
        from indexing.maps import PhotoMaps

        return PhotoMaps(self, max_photos, cache_days, thumbnail_side)

    def update_inbox(self, bot_id: str):
        """Where a bot keeps its updates until handled (bot/inbox.py)."""
        from indexing.store import UpdateInbox

        return UpdateInbox(self.store.r, self.store.keys, bot_id)

    def stats(self, scope: str | None = None) -> dict:
        with self._lock:
            per_scope = {s: len(m) for s, m in self._scope_members.items() if m}
        v = self.view
        out = {"posts": sum(per_scope.values()), "scopes": len(per_scope),
               "image_model": self.image_model, "text_model": self.text_model, "release": v.release,
               "projector": v.projector_version, "hashtag_head": v.hashtag_head_version,
               "captions_indexed": len(v.caption), "jobs": self.store.job_states()}
        if scope is not None:
            out["posts_in_scope"] = per_scope.get(scope, 0)
            out["top_tags"] = sorted(self.store.tag_counts([scope]).items(), key=lambda kv: -kv[1])[:10]
        return out
