"""The search facade: the one API the bot, the CLI and the benchmarks call.

Every query takes the viewer's scope and only ever returns posts visible from it
(`public` + the viewer's own chat, see scopes.py). Every result carries a score.

Three HNSW indexes, all labelled by post id:
  image    EfficientNet features (similar photos, duplicates, hashtag votes)
  text     photo vectors projected into the text encoder's space (find, captions, zero-shot tags)
  caption  caption vectors, label = post_id << 3 | k for the k-th caption (find, captions)
The `text` vectors are derived (projector output) and rebuilt whenever the projector changes;
image features, class probabilities and caption vectors are stored in Redis.
"""
from __future__ import annotations

import hashlib
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import numpy as np

from indexing import snapshots
from indexing.ann import VectorIndex
from indexing.chats import ChatSettings, Thresholds
from indexing.errors import BadImageError, EmptyQueryError, UnknownPostError
from indexing.scopes import PUBLIC, validate_scope, visible_scopes
from indexing.store import Post, PostStore
from models.embedding import EmbeddedPhoto, PhotoEmbedder
from models.encoders.base import ImageEncoder, TextEncoder, l2_normalize
from models.heads.hashtags import HashtagHead
from models.imaging import DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS, read_bytes
from models.phash import hamming
from models.projectors import projector_from_bytes
from models.tags import normalize_tags, tag_to_words
from models.training import TrainedHeads, TrainingData
from models.zeroshot import KnnCaptionProjector, class_hashtags, class_prompts, class_text_vectors

log = logging.getLogger(__name__)

MAX_CAPTIONS_PER_POST = 8  # caption labels use 3 bits
MAX_QUERY_CHARS = 1000
PROJECTOR_ARTIFACT = "projector"
HASHTAG_HEAD_ARTIFACT = "hashtag-head"



HASH_CANDIDATE_RADIUS = 16


def decide_duplicate(candidates: list[tuple[int, float, int]], th: Thresholds) -> tuple[int, float, int] | None:
    """The most similar candidate that passes the thresholds, or None (shared by the bot and the benchmark)."""
    for pid, cos, ham in sorted(candidates, key=lambda c: -c[1]):
        if cos >= th.min_cosine or (ham <= th.max_hamming and cos >= th.min_cosine_with_hash):
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
class TagSuggestion:
    tag: str
    score: float
    why: str  # e.g. "seen on 7 similar posts", "looks like: espresso"


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
                 hashtag_blocklist: Iterable[str] = ()) -> None:
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
        self._tag_vectors: dict[str, np.ndarray] = {}
        # Per visible-scope set: (generation, tags, their vectors); rebuilt when any tag count changes.
        self._vocabularies: dict[frozenset[str], tuple[int, list[str], np.ndarray]] = {}
        self._tags_generation = 0
        self.projector = KnnCaptionProjector()
        self.projector_version = "none"
        self.hashtag_head: HashtagHead | None = None
        self.hashtag_head_version = "none"
        self.blocklist = frozenset(normalize_tags(list(hashtag_blocklist)))  # never suggested
        self.class_vectors: np.ndarray | None = None
        self._embedder = PhotoEmbedder(image_encoder, batch_size=batch_size, max_pixels=max_photo_pixels)
        self.image_index: VectorIndex | None = None
        self.text_index: VectorIndex | None = None
        self.caption_index: VectorIndex | None = None

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
        """Load encoders, the projector and the indexes (from snapshots, then caught up with Redis)."""
        t0 = time.monotonic()
        self.store.ping()
        self.image_encoder.load()
        self.text_encoder.load()
        if self.image_encoder.has_class_probs:
            self.class_vectors = self._load_class_vectors()
        self._load_heads()
        ids, scopes, phashes = self.store.all_meta()
        with self._lock:
            self._scope_of = dict(zip(ids.tolist(), scopes))
            self._scope_members = {}
            for pid, scope in self._scope_of.items():
                self._scope_members.setdefault(scope, set()).add(pid)
            self._phash = dict(zip(ids.tolist(), phashes.tolist()))
        live = set(ids.tolist())
        self.image_index = self._open_index("image", self.image_encoder.dim, live, self._image_vectors_for)
        self.text_index = self._open_index("text", self.space_dim, live, self._text_vectors_for,
                                           require={"projector": self.projector_version})
        self.caption_index = self._open_index("caption", self.space_dim, live, self._caption_vectors_for,
                                              post_shift=3, require={"projector": self.projector_version})
        log.info("search engine ready: %d posts, %d scopes, projector %s, in %.1f s",
                 len(live), len(self._scope_members), self.projector_version, time.monotonic() - t0)
        return self

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

    def _load_heads(self) -> None:
        found = self._stored_head(PROJECTOR_ARTIFACT, "projector artifact", projector_from_bytes,
                                  "using the cold-start class bridge")
        if found is not None:
            self.projector_version, self.projector = found
        found = self._stored_head(HASHTAG_HEAD_ARTIFACT, "hashtag head", HashtagHead.from_bytes,
                                  "hashtags come from similar posts only")
        if found is not None:
            self.hashtag_head_version, self.hashtag_head = found

    def _stored_head(self, artifact: str, what: str, parse, fallback: str) -> tuple[str, object] | None:
        """(version, head) of the current stored artifact, or None, logged, when it is unreadable or
        was trained on another image model's features (a cold-start projector records none)."""
        found = self.store.get_artifact(artifact)
        if found is None:
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
        return version, head

    @property
    def space_dim(self) -> int:
        """Dimension of the space where texts meet photos (the projector's, else the text encoder's)."""
        return getattr(self.projector, "dim", None) or self.text_encoder.dim

    def _open_index(self, name: str, dim: int, live: set[int], vectors_for, post_shift: int = 0,
                    require: dict | None = None) -> VectorIndex:
        index = None
        meta_wanted = {"image_model": self.image_model, "text_model": self.text_model, **(require or {})}
        found = snapshots.load_snapshot(self.store.r, self.store.keys, name)
        if found is not None:
            meta, blob = found
            if all(meta.get(k) == v for k, v in meta_wanted.items()) and meta.get("dim") == dim:
                try:
                    index = VectorIndex.from_bytes(blob, dim, post_shift=post_shift, **self._index_args)
                except RuntimeError as exc:
                    log.error("snapshot %s/%s unreadable (%s); rebuilding from Redis", name, meta["version"], exc)
            else:
                log.info("snapshot %s/%s was made by other models; rebuilding", name, meta.get("version"))
        if index is None:
            index = VectorIndex(dim, post_shift=post_shift, **self._index_args)
        # Catch up with Redis: drop what was deleted, add what was stored after the snapshot.
        stale = [label for label in index.labels() if (label >> post_shift) not in live]
        index.remove(stale)
        present = {label >> post_shift for label in index.labels()}
        missing = sorted(live - present)
        for start in range(0, len(missing), 2000):
            labels, vecs = vectors_for(missing[start:start + 2000])
            index.add(labels, vecs)
        if stale or missing:
            log.info("index %s: %d stale removed, %d missing added", name, len(stale), len(missing))
        return index

    def _image_vectors_for(self, ids: list[int]) -> tuple[list[int], np.ndarray]:
        vecs = self.store.get_vectors("image", self.image_model, ids, self.image_encoder.dim)
        keep = [(i, v[0]) for i, v in zip(ids, vecs) if v is not None]
        if len(keep) < len(ids):
            log.warning("%d posts have no %s vector (made by another model?)", len(ids) - len(keep), self.image_model)
        return [i for i, _ in keep], np.array([v for _, v in keep], np.float32).reshape(-1, self.image_encoder.dim)

    def _text_vectors_for(self, ids: list[int]) -> tuple[list[int], np.ndarray]:
        labels, feats = self._image_vectors_for(ids)
        probs = None
        if self.class_vectors is not None:
            raw = self.store.get_vectors("probs", self.image_model, labels, 1000)
            probs = np.array([p[0] if p is not None else np.zeros(1000, np.float32) for p in raw], np.float32)
        return labels, self._project(feats, probs)

    def _caption_vectors_for(self, ids: list[int]) -> tuple[list[int], np.ndarray]:
        labels, rows = [], []
        for pid, vecs in zip(ids, self.store.get_vectors("captions", self.text_model, ids, self.text_encoder.dim)):
            if vecs is None:
                continue
            for k, vec in enumerate(vecs[:MAX_CAPTIONS_PER_POST]):
                labels.append(pid << 3 | k)
                rows.append(vec)
        raw = np.array(rows, np.float32).reshape(-1, self.text_encoder.dim)
        return labels, self.projector.adapt_text(raw) if len(raw) else np.zeros((0, self.space_dim), np.float32)

    def _project(self, features: np.ndarray, probs: np.ndarray | None) -> np.ndarray:
        if self.image_encoder.text_space == self.text_model:
            return l2_normalize(features)  # CLIP-like encoders already share the text space
        class_text = class_text_vectors(probs, self.class_vectors) if probs is not None else None
        if class_text is None and not self.projector.fitted:
            return np.zeros((len(features), self.space_dim), np.float32)
        return self.projector.project(features, class_text)

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
        text = self._project(feats, probs)
        for j, i in enumerate(good):
            embedded[i] = PhotoVectors(text=text[j], **vars(embedded[i]))
        return embedded

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
        flat = [c for caps in captions_all for c in caps[:MAX_CAPTIONS_PER_POST]]
        flat_vecs = self.text_encoder.encode(flat) if flat else np.zeros((0, self.text_encoder.dim), np.float32)
        offset = 0
        now = time.time()
        stored_posts = []
        for i, vec, caps in zip(todo, vecs_todo, captions_all):
            p = photos[i]
            n_caps = min(len(caps), MAX_CAPTIONS_PER_POST)
            cap_vecs = flat_vecs[offset:offset + n_caps]
            offset += n_caps
            post = Post(id=self.store.allocate_id(), scope=p.scope, sha256=vec.sha256, phash=vec.phash,
                        captions=caps, tags=normalize_tags(p.tags), source=p.source, chat_id=p.chat_id,
                        message_id=p.message_id, file_id=p.file_id, file_unique_id=p.file_unique_id,
                        width=vec.width, height=vec.height, created_s=now, image_model=self.image_model)
            stored = {("image", self.image_model): vec.features}
            if vec.class_probs is not None:
                stored[("probs", self.image_model)] = vec.class_probs
            if n_caps:
                stored[("captions", self.text_model)] = cap_vecs
            self.store.add(post, stored)  # acknowledged once Redis has it (AOF); indexes follow
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
        with self._lock:
            for post, _, _ in stored:
                self._scope_of[post.id] = post.scope
                self._scope_members.setdefault(post.scope, set()).add(post.id)
                self._phash[post.id] = post.phash
            if any(post.tags for post, _, _ in stored):
                self._tags_generation += 1
        ids = [post.id for post, _, _ in stored]
        self.image_index.add(ids, np.array([vec.features for _, vec, _ in stored]))
        self.text_index.add(ids, np.array([vec.text for _, vec, _ in stored]))
        labels = [post.id << 3 | k for post, _, caps in stored for k in range(len(caps))]
        if labels:
            raw = np.concatenate([caps for _, _, caps in stored if len(caps)])
            self.caption_index.add(labels, self.projector.adapt_text(raw))

    def forget_scope(self, scope: str) -> int:
        """Delete every post of a scope (a chat's /forget). Returns how many were deleted."""
        validate_scope(scope)
        ids = self.store.scope_post_ids(scope)
        deleted = self.delete_posts(ids)
        return deleted

    def delete_posts(self, ids: list[int]) -> int:
        kinds = [("image", self.image_model), ("probs", self.image_model), ("captions", self.text_model)]
        deleted = 0
        for start in range(0, len(ids), 1000):
            batch = ids[start:start + 1000]
            deleted += self.store.delete(batch, kinds)
            with self._lock:
                self._tags_generation += 1
                for pid in batch:
                    scope = self._scope_of.pop(pid, None)
                    if scope is not None:
                        self._scope_members.get(scope, set()).discard(pid)
                    self._phash.pop(pid, None)
            self.image_index.remove(batch)
            self.text_index.remove(batch)
            self.caption_index.remove([pid << 3 | k for pid in batch for k in range(MAX_CAPTIONS_PER_POST)])
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

    def _photo_vectors(self, photo: bytes | int | PhotoVectors) -> tuple[PhotoVectors, int | None]:
        """Vectors of a query photo: bytes are embedded, an int is a stored post id."""
        if isinstance(photo, PhotoVectors):
            return photo, None
        if isinstance(photo, int):
            if photo not in self.image_index:
                raise UnknownPostError(f"no indexed post {photo}")
            feats = self.image_index.get([photo])[0]
            text = self.text_index.get([photo])
            probs = self.store.get_vectors("probs", self.image_model, [photo], 1000)[0]
            post = self.store.get_post(photo)
            ph = post.phash if post else self._phash.get(photo, 0)
            return PhotoVectors(features=feats, class_probs=None if probs is None else probs[0],
                                text=text[0] if len(text) else np.zeros(self.space_dim, np.float32),
                                phash=ph, phash_mirror=ph, sha256=post.sha256 if post else "",
                                width=post.width if post else 0, height=post.height if post else 0), photo
        return self.embed_photo(photo), None

    def _hits(self, scored: list[tuple[int, float]], k: int, exclude: int | None = None) -> list[Hit]:
        scored = [(pid, s) for pid, s in scored if pid != exclude][:k]
        posts = self.store.get_posts([pid for pid, _ in scored])
        return [Hit(post, round(s, 4)) for post, (_, s) in zip(posts, scored) if post is not None]

    def similar(self, photo: bytes | int | PhotoVectors, scope: str, k: int = 5) -> list[Hit]:
        """The k most similar visible photos (the query photo itself excluded when it is stored)."""
        vec, own_id = self._photo_vectors(photo)
        found = self.image_index.search(vec.features, k + 1, self._visible(scope))
        return self._hits(found, k, exclude=own_id)

    def encode_query(self, text: str) -> np.ndarray:
        """A text in the space where it meets photos and captions (through the projector's text side)."""
        text = (text or "").strip()
        if not text:
            raise EmptyQueryError("the query text is empty")
        return self.projector.adapt_text(self.text_encoder.encode([text[:MAX_QUERY_CHARS]]))[0]

    def find(self, text: str, scope: str, k: int = 5, photo: bytes | int | PhotoVectors | None = None,
             photo_weight: float = 0.5, include_public: bool = True) -> list[Hit]:
        """Visible photos matching a text, optionally together with a photo ('like this, but at night')."""
        return self._hits(self.find_scored(text, scope, k, photo, photo_weight, include_public), k)

    def find_scored(self, text: str, scope: str, k: int = 5, photo: bytes | int | PhotoVectors | None = None,
                    photo_weight: float = 0.5, include_public: bool = True) -> list[tuple[int, float]]:
        """`find` as (post id, score) pairs, best first, without loading the posts."""
        query = self.encode_query(text)
        visible = self._visible(scope, include_public=include_public)
        pool = max(4 * k, 40)
        candidates = {pid for pid, _ in self.text_index.search(query, pool, visible)}
        candidates |= {label >> 3 for label, _ in self.caption_index.search(query, pool, visible)}
        photo_vec, own_id = (None, None)
        if photo is not None:
            photo_vec, own_id = self._photo_vectors(photo)
            candidates |= {pid for pid, _ in self.image_index.search(photo_vec.features, pool, visible)}
        candidates.discard(own_id)
        if not candidates:
            return []
        ids = sorted(candidates)
        text_scores = self._text_scores(query, ids)
        if photo_vec is not None:
            image_sims = self.image_index.get(ids) @ photo_vec.features
            text_scores = (1 - photo_weight) * text_scores + photo_weight * image_sims
        order = np.argsort(-text_scores)[:k]
        return [(ids[i], float(text_scores[i])) for i in order]

    def _text_scores(self, query: np.ndarray, ids: list[int]) -> np.ndarray:
        """Per post: the better of its photo's text-space match and its best caption match."""
        photo_scores = self.text_index.get(ids) @ query
        caption_labels = [pid << 3 | j for pid in ids for j in range(MAX_CAPTIONS_PER_POST)
                          if (pid << 3 | j) in self.caption_index]
        best_caption = dict.fromkeys(ids, -1.0)
        if caption_labels:
            sims = self.caption_index.get(caption_labels) @ query
            for label, s in zip(caption_labels, sims):
                best_caption[label >> 3] = max(best_caption[label >> 3], float(s))
        return np.array([max(p, best_caption[pid]) for pid, p in zip(ids, photo_scores)], np.float32)

    def captions(self, photo: bytes | int | PhotoVectors, scope: str, k: int = 5) -> list[CaptionHit]:
        """Visible captions that match a photo, best first; a duplicate's own captions come first."""
        vec, own_id = self._photo_vectors(photo)
        visible = self._visible(scope)
        out: dict[str, CaptionHit] = {}
        dup = self.duplicate_of(vec, scope, include_public=True)
        if dup is not None and dup.post.id != own_id:
            for caption in dup.post.captions:
                out.setdefault(caption, CaptionHit(caption, round(dup.cosine, 4), dup.post.id))
        found = [(label, s) for label, s in self.caption_index.search(vec.text, 4 * k, visible)
                 if label >> 3 != own_id]
        posts = {p.id: p for p in self.store.get_posts(sorted({label >> 3 for label, _ in found})) if p}
        for label, s in found:
            post = posts.get(label >> 3)
            if post is None or (label & 7) >= len(post.captions):
                continue
            caption = post.captions[label & 7]
            out.setdefault(caption, CaptionHit(caption, round(s, 4), post.id))
        return sorted(out.values(), key=lambda h: -h.score)[:k]

    def hashtags(self, photo: bytes | int | PhotoVectors, scope: str, k: int = 8,
                 min_score: float = 0.05) -> list[TagSuggestion]:
        """Hashtags for a photo: votes of similar tagged posts + zero-shot match against the tag vocabulary."""
        vec, own_id = self._photo_vectors(photo)
        visible_scopes_ = visible_scopes(scope)
        votes, voters = self._neighbour_votes(vec, scope, own_id)
        zero_shot = self._zero_shot_tags(vec.text, visible_scopes_)
        learned = self.hashtag_head.top(vec.features, 4 * k) if self.hashtag_head is not None else {}
        # Each source is a probability-like score in [0, 1]; the learned head is calibrated, the
        # votes are the similarity-weighted share of neighbours with the tag. With a head, the two
        # count equally; the zero-shot match only breaks ties between them.
        w_votes, w_head, w_zero = (0.5, 0.5, 0.25) if learned else (1.0, 0.0, 0.5)
        scores: dict[str, float] = {}
        why: dict[str, str] = {}
        for tag, v in votes.items():
            scores[tag] = w_votes * v
            why[tag] = f"seen on {voters[tag]} similar post{'s' if voters[tag] != 1 else ''}"
        for tag, h in learned.items():
            scores[tag] = scores.get(tag, 0.0) + w_head * h
            why.setdefault(tag, "learned from tagged posts")
        for tag, z in zero_shot.items():
            scores[tag] = scores.get(tag, 0.0) + w_zero * z
            why.setdefault(tag, "matches the photo's content")
        for tag in self.blocklist & scores.keys():
            del scores[tag]
        if not scores and vec.class_probs is not None:
            # Nothing tagged yet: the ImageNet classes themselves make the hashtags.
            for tag, p in class_hashtags(vec.class_probs, k):
                scores[tag] = p
                why[tag] = "looks like it (ImageNet class)"
        ranked = sorted(scores.items(), key=lambda kv: -kv[1])
        return [TagSuggestion(t, round(min(s, 1.0), 4), why[t]) for t, s in ranked if s >= min_score][:k]

    def _neighbour_votes(self, vec: PhotoVectors, scope: str, own_id: int | None,
                         neighbours: int = 25, temperature: float = 0.05) -> tuple[dict[str, float], dict[str, int]]:
        found = [(pid, s) for pid, s in self.image_index.search(vec.features, neighbours + 1, self._visible(scope))
                 if pid != own_id][:neighbours]
        if not found:
            return {}, {}
        posts = self.store.get_posts([pid for pid, _ in found])
        sims = np.array([s for _, s in found], np.float32)
        weights = np.exp((sims - sims.max()) / temperature)
        tagged = [(p, w) for p, w in zip(posts, weights) if p is not None and p.tags]
        if not tagged:
            return {}, {}
        total = sum(w for _, w in tagged)
        votes: dict[str, float] = {}
        voters: dict[str, int] = {}
        for post, w in tagged:
            for tag in post.tags:
                votes[tag] = votes.get(tag, 0.0) + float(w / total)
                voters[tag] = voters.get(tag, 0) + 1
        return votes, voters

    def _vocabulary(self, scopes: frozenset[str], max_vocab: int = 5000) -> tuple[list[str], np.ndarray]:
        """The most used hashtags visible from these scopes and their text vectors (cached)."""
        with self._lock:
            generation = self._tags_generation
            cached = self._vocabularies.get(scopes)
        if cached is not None and cached[0] == generation:
            return cached[1], cached[2]
        counts = self.store.tag_counts(scopes, min_count=1)
        tags = sorted(counts, key=lambda t: (-counts[t], t))[:max_vocab]
        missing = [t for t in tags if t not in self._tag_vectors]
        if missing:
            for tag, v in zip(missing, self.text_encoder.encode([tag_to_words(t) for t in missing])):
                self._tag_vectors[tag] = v
        matrix = np.array([self._tag_vectors[t] for t in tags], np.float32).reshape(-1, self.text_encoder.dim)
        matrix = self.projector.adapt_text(matrix) if len(tags) else np.zeros((0, self.space_dim), np.float32)
        with self._lock:
            self._vocabularies[scopes] = (generation, tags, matrix)
        return tags, matrix

    def _zero_shot_tags(self, text_vec: np.ndarray, scopes: frozenset[str], top: int = 20,
                        temperature: float = 0.05) -> dict[str, float]:
        """Vocabulary hashtags whose words match the photo's text-space vector (softmax over the vocabulary)."""
        if not np.any(text_vec):
            return {}
        tags, matrix = self._vocabulary(scopes)
        if not tags:
            return {}
        sims = matrix @ text_vec
        probs = np.exp((sims - sims.max()) / temperature)
        probs /= probs.sum()
        order = np.argsort(-probs)[:top]
        return {tags[i]: float(probs[i]) for i in order}

    def duplicate_candidates(self, photo: bytes | int | PhotoVectors, scope: str, include_public: bool = False,
                             k: int = 10) -> list[tuple[int, float, int]]:
        """(post id, feature cosine, pHash Hamming distance) of the posts this photo may re-post.

        Candidates come from two sides, since each signal misses what the other catches: the
        nearest features (crops, borders) and every hash within the widest Hamming radius we
        decide on (recompression, resizing, mirroring via the mirrored hash).
        """
        vec, own_id = self._photo_vectors(photo)
        visible = self._visible(scope, include_public=include_public)
        cosines = {pid: s for pid, s in self.image_index.search(vec.features, k, visible) if pid != own_id}
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
            present = [pid for pid in extra if pid in self.image_index]
            for pid, cos in zip(present, self.image_index.get(present) @ vec.features):
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
    # maintenance
    # ------------------------------------------------------------------------------------
    def refit_projector(self, min_captioned: int = 50, replace_learned: bool = False) -> str | None:
        """Fit the cold-start projector on public photos + captions, store it, re-project the text index.

        Only `public` posts are used: the projector serves every chat, so a chat's private
        captions must never shape what another chat's queries return. A learned projector in
        service is kept (retraining it is `python -m models train`'s job) unless asked.
        """
        if self.projector.kind != KnnCaptionProjector.kind and not replace_learned:
            log.info("projector not refitted: the learned projector %s is in service", self.projector_version)
            return None
        data = self.training_data()
        captioned = [i for i, c in enumerate(data.captions) if len(c)]
        if len(captioned) < min_captioned:
            log.info("projector not fitted: %d captioned public photos (need %d)", len(captioned), min_captioned)
            return None
        caption_means = np.array([data.captions[i].mean(axis=0) for i in captioned], np.float32)
        projector = KnnCaptionProjector().fit(data.features, data.features[captioned], caption_means)
        version = self.set_projector(projector)
        log.info("projector %s fitted on %d captioned of %d photos", version, len(captioned), len(data.features))
        return version

    def set_projector(self, projector, version: str | None = None) -> str:
        """Store a projector (cold-start or learned head) as the current one and re-project the text index."""
        version = self.store.put_artifact(PROJECTOR_ARTIFACT, projector.to_bytes(), version)
        self.projector, self.projector_version = projector, version
        with self._lock:
            self._vocabularies.clear()  # tag vectors live in the projector's space
        self.rebuild_text_index()
        return version

    def set_hashtag_head(self, head: HashtagHead, version: str | None = None) -> str:
        version = self.store.put_artifact(HASHTAG_HEAD_ARTIFACT, head.to_bytes(), version)
        self.hashtag_head, self.hashtag_head_version = head, version
        return version

    def install_heads(self, heads: TrainedHeads, version: str | None = None) -> dict[str, str]:
        """Make trained heads current (stored in Redis, so restarts and other processes load them)."""
        for head in (heads.projector, heads.hashtag_head):
            if head is not None and head.input_model != self.image_model:
                raise ValueError(f"heads were trained on {head.input_model} features, this engine makes "
                                 f"{self.image_model}")
        installed = {}
        if heads.projector is not None:
            installed["projector"] = self.set_projector(heads.projector, version)
        if heads.hashtag_head is not None:
            installed["hashtag_head"] = self.set_hashtag_head(heads.hashtag_head, version)
        return installed

    def training_data(self, scope: str = PUBLIC) -> TrainingData:
        """Stored features, caption vectors and hashtags of a scope's posts (public only by default:
        heads serve every chat, so private chats never shape them)."""
        ids = sorted(self.store.scope_post_ids(scope))
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
            tags=[posts[i].tags for i in keep], input_model=self.image_model, text_model=self.text_model)

    def rebuild_text_index(self) -> None:
        """Re-project every photo and caption with the current projector into new indexes, then swap them in."""
        photos = VectorIndex(self.space_dim, **self._index_args)
        captions = VectorIndex(self.space_dim, post_shift=3, **self._index_args)
        ids = sorted(self._scope_of)
        for start in range(0, len(ids), 2000):
            photos.add(*self._text_vectors_for(ids[start:start + 2000]))
            captions.add(*self._caption_vectors_for(ids[start:start + 2000]))
        # reference swaps: queries in flight finish on the old indexes
        self.text_index, self.caption_index = photos, captions

    def snapshot(self) -> dict[str, str]:
        """Write versioned snapshots of all indexes to Redis and flip their pointers."""
        versions = {}
        base = {"image_model": self.image_model, "text_model": self.text_model}
        for name, index, extra in (("image", self.image_index, {}),
                                   ("text", self.text_index, {"projector": self.projector_version}),
                                   ("caption", self.caption_index, {"projector": self.projector_version})):
            meta = dict(base, dim=index.dim, count=len(index), **extra)
            versions[name] = snapshots.save_snapshot(self.store.r, self.store.keys, name, index.to_bytes(), meta)
        return versions

    # ------------------------------------------------------------------------------------
    # what a chat front-end needs besides search
    # ------------------------------------------------------------------------------------
    def chat_settings(self, scope: str) -> ChatSettings:
        return ChatSettings.from_redis(self.store.get_settings(validate_scope(scope)))

    def save_chat_settings(self, scope: str, settings: ChatSettings) -> None:
        self.store.set_settings(validate_scope(scope), settings.to_redis())

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

    def stats(self, scope: str | None = None) -> dict:
        with self._lock:
            per_scope = {s: len(m) for s, m in self._scope_members.items() if m}
        out = {"posts": sum(per_scope.values()), "scopes": len(per_scope),
               "image_model": self.image_model, "text_model": self.text_model,
               "projector": self.projector_version, "hashtag_head": self.hashtag_head_version,
               "captions_indexed": len(self.caption_index)}
        if scope is not None:
            out["posts_in_scope"] = per_scope.get(scope, 0)
            out["top_tags"] = sorted(self.store.tag_counts([scope]).items(), key=lambda kv: -kv[1])[:10]
        return out
