"""Fakes for the search package's modules: a store held in dicts, a text encoder that looks words
up in a table, a projector that leaves text vectors as they are. No Redis, no encoders; the
indexes are the real in-memory ones (indexing/ann.py)."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np

from indexing.ann import HnswBackend
from indexing.chats import Thresholds
from indexing.relevance import Relevance
from indexing.search.catalogue import Catalogue
from indexing.search.duplicates import Duplicates
from indexing.search.projection import Projection
from indexing.search.queryphotos import QueryPhotos
from indexing.search.retrieval import Retrieval
from indexing.search.types import CAPTION_SHIFT, IndexView, PhotoVectors
from indexing.search.views import Serving
from indexing.store import Post

DIM = 4


def far_hash(name: str) -> int:
    """A pHash unrelated to any other name's (about 32 bits apart: far beyond every threshold)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big")


def unit(*values: float) -> np.ndarray:
    v = np.array(values, np.float32)
    return v / np.linalg.norm(v)


class FakeModeration:
    """Pairs an admin cleared, as moderation_records.py answers about them."""

    def __init__(self) -> None:
        self.cleared: set[tuple[str, int, int]] = set()

    def cleared_pairs(self, scope: str, pairs) -> set[tuple[int, int]]:
        return {(post, original) for post, original in pairs if (scope, post, original) in self.cleared}


class FakeStore:
    """The few PostStore reads retrieval and duplicates make."""

    def __init__(self) -> None:
        self.by_id: dict[int, Post] = {}
        self.moderation = FakeModeration()

    def get_post(self, post_id: int) -> Post | None:
        return self.by_id.get(post_id)

    def get_posts(self, ids) -> list[Post | None]:
        return [self.by_id.get(i) for i in ids]

    def find_by_sha(self, scope: str, sha: str) -> int | None:
        return next(iter(self.posts_by_sha(scope, sha)), None)

    def posts_by_sha(self, scope: str, sha: str) -> list[int]:
        return sorted(p.id for p in self.by_id.values() if p.scope == scope and p.sha256 == sha)

    def get_vectors(self, kind: str, model: str, ids, dim: int) -> list:
        return [None for _ in ids]


class FakeTextEncoder:
    name = "fake-text"
    dim = DIM

    def __init__(self, table: dict[str, np.ndarray]) -> None:
        self.table = table

    def encode(self, texts, language=None) -> np.ndarray:
        return np.array([self.table[t] for t in texts], np.float32)


class IdentityProjector:
    """Texts stay as the encoder made them; photos' text vectors are given by the test."""

    kind = "identity"
    cold_start = True
    fitted = True
    fitted_on = 0
    dim = DIM
    input_model = None
    text_models = frozenset()
    seen = np.zeros(0, np.uint64)

    def adapt_text(self, text_vecs: np.ndarray) -> np.ndarray:
        return np.asarray(text_vecs, np.float32)

    def project(self, features, class_text=None) -> np.ndarray:
        return np.asarray(features, np.float32)

    def to_bytes(self) -> bytes:
        return b""


@dataclass
class World:
    """A collection in memory and the search modules over it."""

    relevance: Relevance = Relevance()
    thresholds: Thresholds = Thresholds()
    words: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.store = FakeStore()
        self.catalogue = Catalogue()
        backend = HnswBackend()
        self.view = IndexView(backend.new(DIM), backend.new(DIM), backend.new(DIM, post_shift=CAPTION_SHIFT),
                              IdentityProjector(), "identity", None, "none")
        self.serving = Serving(self.view)
        image_encoder = SimpleNamespace(name="fake-image", dim=DIM, text_space=None, has_class_probs=False)
        text_encoder = FakeTextEncoder(self.words)
        self.photos = QueryPhotos(self.store, "fake-image", self.catalogue, embed_photo=self._no_embedding)
        self.duplicates = Duplicates(self.store, self.catalogue, self.serving, self.photos, self.thresholds)
        self.retrieval = Retrieval(self.store, text_encoder, self.catalogue, self.serving, self.photos,
                                   Projection(image_encoder, text_encoder, self.store, None), self.duplicates,
                                   self.thresholds, self.relevance)

    @staticmethod
    def _no_embedding(data: bytes) -> PhotoVectors:
        raise AssertionError("the fakes embed no bytes: pass PhotoVectors or a post id")

    def add(self, post_id: int, features: np.ndarray, text: np.ndarray | None = None, captions=(), *,
            scope: str = "public", phash: int | None = None, sha: str | None = None, **fields) -> Post:
        """A stored, indexed post: its photo's features and text-space vector, its captions' vectors
        (captions are words of the encoder's table)."""
        post = Post(id=post_id, scope=scope, sha256=sha or f"sha{post_id}",
                    phash=far_hash(f"post{post_id}") if phash is None else phash,
                    captions=list(captions), **fields)
        self.store.by_id[post_id] = post
        self.catalogue.remember([post])
        self.view.image.add([post_id], features[None])
        self.view.text.add([post_id], (features if text is None else text)[None])
        if captions:
            self.view.caption.add([post_id << CAPTION_SHIFT | k for k in range(len(captions))],
                                  np.array([self.words[c] for c in captions]))
        return post

    def photo(self, features: np.ndarray, phash: int | None = None, sha: str = "query") -> PhotoVectors:
        """A query photo (its bytes stored nowhere unless a post is given `sha`)."""
        phash = far_hash(sha) if phash is None else phash
        return PhotoVectors(features=features, class_probs=None, text=features, phash=phash, phash_mirror=phash,
                            sha256=sha, width=1, height=1, space="identity")
