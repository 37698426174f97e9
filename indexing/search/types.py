"""The search package's values: what callers pass in and get back, and the view a query reads."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from indexing.chats import Thresholds
from indexing.relevance import Relevance
from indexing.scopes import PUBLIC
from indexing.store import Post
from indexing.vectorindex import VectorIndex
from models.heads.hashtags import HashtagHead
from models.imaging import DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS, THUMBNAIL_SIDE
from models.projectors import Projector

MAX_CAPTIONS_PER_POST = 8  # caption labels use 3 bits: label = post_id << CAPTION_SHIFT | k
CAPTION_SHIFT = 3
MAX_QUERY_CHARS = 1000


def caption_labels(ids, per_post: int = MAX_CAPTIONS_PER_POST) -> list[int]:
    """Every caption label the posts may own."""
    return [pid << CAPTION_SHIFT | k for pid in ids for k in range(per_post)]


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


@dataclass(frozen=True)
class VideoVectors(PhotoVectors):
    """A video, animation or video note seen through its keyframes (models.video): `features` are
    their normalised mean (what the image index holds, so /similar, /find and hashtags treat a video
    like a photo), `keyframes` each frame's features (what the video re-post rule compares), `poster`
    the middle frame as JPEG (the frame whose text is read, and uploaded when a video must be shown as
    a photo). pHash and thumbnail are the middle frame's; sha256 and size the video file's."""

    keyframes: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))
    times_s: tuple[float, ...] = ()
    duration_s: float = 0.0
    poster: bytes = b""


@dataclass(frozen=True)
class Hit:
    post: Post
    score: float
    words: float = 0.0  # how well the query's words match the photo's read text or captions (find only)


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
    repost_of: int | None = None  # the first post of this photo in the chat (indexing/search/duplicates.py)
    user_id: int | None = None  # the author (Post.user_id)
    origin: str = ""  # "", "forward" or "automatic" (Post.origin)
    media: str = ""  # Post.media: "" a photo, or "video", "animation", "video_note"
    created_s: float | None = None  # when it was posted (a history import: the message's date); None: now


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


@dataclass(frozen=True)
class EngineOptions:
    """The engine's tunables (indexing/service.py maps the deployment's Settings onto them)."""

    thresholds: Thresholds = Thresholds()  # what counts as a copy (duplicates, distinct answers)
    hnsw_m: int = 16
    hnsw_ef_construction: int = 200
    hnsw_ef_search: int = 96
    exact_search_max_posts: int = 4000  # scopes this small are searched exactly
    image_index_dims: int = 128  # the image index holds a PCA of the features this wide (0: the full features)
    text_index_dims: int = 192  # the text and caption indexes: a PCA of the text space by language part (0: full)
    batch_size: int = 32  # photos per image-model batch
    max_photo_bytes: int = DEFAULT_MAX_BYTES
    max_photo_pixels: int = DEFAULT_MAX_PIXELS
    hashtag_blocklist: tuple[str, ...] = ()  # never suggested
    thumbnail_side: int = THUMBNAIL_SIDE
    relevance: Relevance | None = None  # floors, calibration, evidence weights (None: the shipped table)
    read_text: bool = True  # queue stored photos to have their text read (indexing/reading.py)
    vector_backend: str = "hnswlib"  # or "milvus": one copy of the indexes shared by every process
    milvus_uri: str = ""  # a Milvus Lite file (*.db) or a server (http://host:19530)
    milvus_token: str = ""
