"""The search facade: the one API the bot, the CLI, the jobs and the benchmarks call.

Every query takes the viewer's scope and only ever returns posts visible from it
(`public` + the viewer's own chat, see scopes.py). Every result carries a score.
Methods block: run them off the event loop.

The work is done by the package's modules, each with one job, composed here:
  catalogue   which posts exist, their scope and pHash (one lock)
  projection  photo features into the text space
  views       the indexes and heads a query reads (IndexView), made from artifacts and releases
  lifecycle   which view serves: install heads, rebuild, publish and adopt releases, swap
  writes      embed, add, delete, re-caption; others' posts from the change log
  retrieval   similar photos, find, captions
  hashtags    hashtag suggestions for a photo or a text (their caches: vocabulary)
  duplicates  copies of a photo, and the re-post policy
  moderation  admins' decisions on flags, and the chat's moderation statistics
  queryphotos a query photo's vectors (bytes, a post id or vectors) and which posts are that photo
"""
from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Callable

import numpy as np

from indexing.ann import HnswBackend
from indexing.chats import ChatSettings, Thresholds
from indexing.errors import BadImageError
from indexing.relevance import Relevance
from indexing.scopes import PUBLIC, validate_scope
from indexing.search.catalogue import Catalogue
from indexing.search.duplicates import Candidate, Duplicates, Verdict
from indexing.search.lifecycle import Lifecycle
from indexing.search.moderation import Moderation
from indexing.search.projection import Projection
from indexing.search.queryphotos import QueryPhoto, QueryPhotos
from indexing.search.retrieval import Retrieval
from indexing.search.hashtags import HashtagScorer, TagSources, TagSuggestion
from indexing.search.types import (AddResult, CaptionHit, DuplicateMatch, EngineOptions, Hit, IndexView, PhotoInput,
                                   PhotoVectors)
from indexing.search.views import Serving, Views
from indexing.search.writes import Writes
from indexing.store import Post, PostStore
from models.embedding import PhotoEmbedder
from models.encoders.base import ImageEncoder, TextEncoder
from models.imaging import read_bytes
from models.tags import normalize_tags
from models.training import TrainedHeads, TrainingData

log = logging.getLogger(__name__)

class SearchEngine:
    """Storage + encoders + indexes behind one query API (built by indexing/service.py's `build_engine`)."""

    def __init__(self, store: PostStore, image_encoder: ImageEncoder, text_encoder: TextEncoder, *,
                 cache_dir: str | Path | None = None, options: EngineOptions = EngineOptions()) -> None:
        self.store = store
        self.image_encoder = image_encoder
        self.text_encoder = text_encoder
        self.options = options
        self.blocklist = frozenset(normalize_tags(list(options.hashtag_blocklist)))  # never suggested
        self.catalogue = Catalogue()
        self.serving = Serving()
        self.projection = Projection(image_encoder, text_encoder, store, Path(cache_dir) if cache_dir else None)
        backend = HnswBackend(options.hnsw_m, options.hnsw_ef_construction, options.hnsw_ef_search,
                              options.exact_search_max_posts)
        views = Views(store, image_encoder, text_encoder, self.projection, backend)
        self.lifecycle = Lifecycle(store, image_encoder, text_encoder, views, self.catalogue, self.serving,
                                   on_swap=lambda: self.hashtag_scorer.forget_vocabularies())
        embedder = PhotoEmbedder(image_encoder, batch_size=options.batch_size, max_pixels=options.max_photo_pixels,
                                 thumbnail_side=options.thumbnail_side)
        self.writes = Writes(store, image_encoder, text_encoder, embedder, self.projection, views, self.catalogue,
                             self.serving, options.max_photo_bytes)
        self.photos = QueryPhotos(store, image_encoder.name, self.catalogue, self.writes.embed_photo)
        self.duplicates = Duplicates(store, self.catalogue, self.serving, self.photos, options.thresholds)
        self.moderation = Moderation(store)
        self.retrieval = Retrieval(store, text_encoder, self.catalogue, self.serving, self.photos, self.projection,
                                   self.duplicates, options.thresholds, options.relevance or Relevance.load())
        catalogue = self.catalogue
        self.hashtag_scorer = HashtagScorer(TagSources(
            photo_vectors=self.photos.vectors, text_of=self.projection.text_of,
            encode_query=self.retrieval.encode_query, caption_matches=self.retrieval.caption_matches,
            visible=catalogue.visible, visible_count=catalogue.visible_count, posts=store.get_posts,
            tag_counts=store.tag_counts, posts_in=catalogue.posts_in, tags_generation=lambda: catalogue.tags_generation,
            encode_words=text_encoder.encode, relevance=lambda: self.retrieval.relevance,
            relevance_for=self.retrieval.relevance_for), self.blocklist)
        self._follower = None

    # -- settings and the serving view's parts ---------------------------------------------------
    @property
    def image_model(self) -> str:
        return self.image_encoder.name

    @property
    def text_model(self) -> str:
        return self.text_encoder.name

    @property
    def thresholds(self) -> Thresholds:
        return self.options.thresholds

    @property
    def max_photo_bytes(self) -> int:
        return self.options.max_photo_bytes

    @property
    def max_photo_pixels(self) -> int:
        return self.options.max_photo_pixels

    @property
    def relevance(self) -> Relevance:
        """Floors, calibration, evidence weights (a benchmark may try others)."""
        return self.retrieval.relevance

    @relevance.setter
    def relevance(self, relevance: Relevance) -> None:
        self.retrieval.relevance = relevance

    @property
    def view(self) -> IndexView:
        """What a query reads: read it once per query, a swap replaces it as a whole."""
        return self.serving.view

    image_index = property(lambda self: self.view.image)
    text_index = property(lambda self: self.view.text)
    caption_index = property(lambda self: self.view.caption)
    projector = property(lambda self: self.view.projector)
    projector_version = property(lambda self: self.view.projector_version)
    hashtag_head = property(lambda self: self.view.hashtag_head)
    hashtag_head_version = property(lambda self: self.view.hashtag_head_version)
    release_version = property(lambda self: self.view.release)

    # -- start, follow, stop -----------------------------------------------------------------------
    def open(self) -> "SearchEngine":
        """Load encoders, then the current release (heads + index snapshots), caught up with Redis."""
        t0 = time.monotonic()
        self.store.ping()
        self.image_encoder.load()
        self.text_encoder.load()
        self.projection.load()
        self.lifecycle.open()
        log.info("search engine ready: %d posts, %d scopes, release %s, projector %s, in %.1f s",
                 len(self.catalogue), len(self.catalogue.scope_members), self.view.release,
                 self.view.projector_version, time.monotonic() - t0)
        return self

    def follow(self) -> "SearchEngine":
        """Apply other processes' writes and releases as they happen (a background thread)."""
        from indexing.follower import ChangeFollower

        if self._follower is None:
            self._follower = ChangeFollower(self).start()
        return self

    def close(self) -> None:
        if self._follower is not None:
            self._follower.stop()
            self._follower = None

    # What the change follower (indexing/follower.py) asks.
    @property
    def change_position(self) -> str:
        """The change-log entry the serving view applied last."""
        return self.lifecycle.position

    def changes_applied(self, entry_id: str) -> None:
        self.lifecycle.applied(entry_id)

    def resync(self) -> None:
        """Re-read every post and the current release (after an outage or a trimmed change log)."""
        self.lifecycle.resync()

    def serves(self, version: str) -> bool:
        """Whether this release is the one served here (waits for one this process is publishing)."""
        return self.lifecycle.serves(version)

    def live_post_ids(self) -> set[int]:
        return self.catalogue.live_ids()

    # -- photos in, posts out ----------------------------------------------------------------------
    def embed_photos(self, datas: list[bytes], return_errors: bool = False) -> list:
        """Photo bytes → PhotoVectors (BadImageError for a bad one, or in its place with return_errors)."""
        return self.writes.embed_photos(datas, return_errors)

    def embed_photo(self, photo: bytes) -> PhotoVectors:
        return self.writes.embed_photo(photo)

    def add_photos(self, photos: list[PhotoInput], vectors: list[PhotoVectors] | None = None) -> list[AddResult]:
        """Store photos and index them at once; bytes stored once per scope, a group's messages once each."""
        return self.writes.add_photos(photos, vectors)

    def add_photo(self, photo: PhotoInput) -> AddResult:
        return self.writes.add_photos([photo])[0]

    def update_caption(self, scope: str, sha256: str, captions: list[str], tags: list[str]) -> bool:
        """The first post of these bytes in `scope` takes new captions and hashtags (False: no such post)."""
        return self.writes.update_caption(scope, sha256, captions, tags)

    def update_caption_of_message(self, scope: str, message_id: int, captions: list[str], tags: list[str],
                                  sha256: str | None = None) -> bool:
        """The post of that message takes new captions and hashtags (False: none, or of other bytes)."""
        return self.writes.update_caption_of_message(scope, message_id, captions, tags, sha256)

    def encode_stored_captions(self, ids: list[int]) -> int:
        """Encode stored captions with this engine's text model (the migration, indexing/migrate.py)."""
        return self.writes.encode_stored_captions(ids)

    def delete_posts(self, ids: list[int]) -> int:
        return self.writes.delete_posts(ids)

    def forget_scope(self, scope: str) -> int:
        """Delete every post of a scope (a chat's /forget), and its moderation decisions and events.
        Returns how many posts were deleted."""
        deleted = self.writes.forget_scope(scope)
        self.store.moderation.forget(scope)
        return deleted

    def apply_added(self, ids: list[int]) -> int:
        """Index posts another process stored (from the change log)."""
        return self.writes.apply_added(ids)

    def apply_deleted(self, ids: list[int]) -> None:
        self.writes.apply_deleted(ids)

    def apply_captions_changed(self, ids: list[int]) -> None:
        self.writes.apply_captions_changed(ids)

    # -- queries -----------------------------------------------------------------------------------
    def similar(self, photo: QueryPhoto, scope: str, k: int = 5) -> list[Hit]:
        """The k most similar visible photos: never the query photo or a copy of it, one post per photo."""
        return self.retrieval.similar_to_any([photo], scope, k)

    def similar_to_any(self, photos: list[QueryPhoto], scope: str, k: int = 5) -> list[Hit]:
        """The k visible photos most similar to any of the photos (an album), none of them a copy of one."""
        return self.retrieval.similar_to_any(photos, scope, k)

    def find(self, text: str, scope: str, k: int = 5, photo: QueryPhoto | None = None, photo_weight: float = 0.5,
             include_public: bool = True, language: str | None = None) -> list[Hit]:
        """Visible photos matching a text, optionally together with a photo ('like this, but at night')."""
        return self.retrieval.find(text, scope, k, photo, photo_weight, include_public, language)

    def find_scored(self, text: str, scope: str, k: int = 5, photo: QueryPhoto | None = None,
                    photo_weight: float = 0.5, include_public: bool = True,
                    one_per_photo: bool = True, language: str | None = None) -> list[tuple[int, float]]:
        """`find` as (post id, score) pairs, best first, without loading the posts. `one_per_photo=False`
        keeps copies of one photo (a benchmark ranking one post among thousands: the collapsing
        compares each kept result with the others, k^2 feature products)."""
        v = self.view
        return self.retrieval.find_scored(v, self.retrieval.encode_query(text, v, language), scope, k, photo,
                                          photo_weight, include_public, one_per_photo)

    def text_match(self, text: str, ids: list[int]) -> np.ndarray:
        """How well each given post matches a text: its photo or best caption, scored as `find` scores them."""
        v = self.view
        return self.retrieval.text_scores(self.retrieval.encode_query(text, v), ids, v)

    def encode_query(self, text: str, v: IndexView | None = None, language: str | None = None) -> np.ndarray:
        """A text in the space where it meets photos and captions, as a query."""
        return self.retrieval.encode_query(text, v, language)

    def captions(self, photo: QueryPhoto, scope: str, k: int = 5) -> list[CaptionHit]:
        """Visible captions that match a photo, best first (a copy's own captions first)."""
        return self.retrieval.captions(photo, scope, k)

    def hashtags(self, photo: QueryPhoto, scope: str, k: int = 8, min_score: float | None = None,
                 caption: str | None = None, language: str | None = None) -> list[TagSuggestion]:
        """Hashtags for a photo, with a caption fused with the caption's own (indexing/search/hashtags.py);
        tags under `min_score` (default: the hashtag floor) left out, except those the caption names."""
        return self.hashtag_scorer.for_photo(photo, scope, self.view, k, min_score, caption, language)

    def text_hashtags(self, text: str, scope: str, k: int = 8, min_score: float | None = None,
                      language: str | None = None) -> list[TagSuggestion]:
        """Hashtags for a caption alone (someone drafting a post before choosing the photo)."""
        return self.hashtag_scorer.for_text(text, scope, self.view, k, min_score, language)

    # -- duplicates ----------------------------------------------------------------------------------
    def duplicate_candidates(self, photo: QueryPhoto, scope: str, include_public: bool = False,
                             k: int = 10) -> list[Candidate]:
        """(post id, feature cosine, pHash Hamming distance) of the posts this photo may re-post."""
        return self.duplicates.candidates(photo, scope, include_public, k)

    def duplicate_of(self, photo: QueryPhoto, scope: str, include_public: bool = False,
                     thresholds: Thresholds | None = None) -> DuplicateMatch | None:
        """The stored post this photo re-posts (within `scope`, plus public if asked), or None."""
        return self.duplicates.duplicate_of(photo, scope, include_public, thresholds)

    def check_repost(self, photo: QueryPhoto, scope: str, settings: ChatSettings, message_id: int | None = None,
                     *, author_id: int | None = None, origin: str = "",
                     size: tuple[int, int] | None = None) -> Verdict:
        """Whether a photo re-posts one of the chat's, and its original (the policy: duplicates.py);
        `author_id` posted it, `origin` is "", "forward" or "automatic", `size` its (width, height)."""
        return self.duplicates.check_repost(photo, scope, settings, message_id, author_id=author_id, origin=origin,
                                            size=size)

    # -- moderation (decisions and statistics: `engine.moderation`, indexing/search/moderation.py) --------
    def post_by_message(self, scope: str, message_id: int) -> Post | None:
        """The post stored from that message of the scope's chat, or None."""
        return self.store.post_by_message(validate_scope(scope), message_id)

    def forget_post(self, post_id: int) -> bool:
        """Delete one post from the store and every index (a later copy is not flagged against it)."""
        return self.writes.delete_posts([post_id]) == 1

    # -- heads, rebuilds, releases -------------------------------------------------------------------
    def refit_projector(self, min_captioned: int = 50, replace_learned: bool = False) -> str | None:
        """Fit the cold-start projector on public photos + captions (not a learned one, unless asked)."""
        return self.lifecycle.refit_projector(min_captioned, replace_learned)

    def install_heads(self, heads: TrainedHeads, version: str | None = None, info: dict | None = None) -> dict[str, str]:
        """Make trained heads current for every process (stored in Redis with a new release)."""
        return self.lifecycle.install_heads(heads, version, info)

    def training_data(self, scope: str = PUBLIC, ids: list[int] | None = None) -> TrainingData:
        """Stored features, caption vectors and hashtags of a scope's posts, or of the given posts."""
        return self.lifecycle.training_data(scope, ids)

    def project_stored(self, ids: list[int], features: np.ndarray, projector) -> np.ndarray:
        """Stored posts' features (one row per id) in the text space of a projector (not necessarily
        the serving one: the promotion rule compares candidates)."""
        return self.projection.project_stored(ids, features, projector)

    def rebuild(self, info: dict | None = None, progress: Callable[[int, int], None] | None = None) -> str:
        """Build every index afresh from Redis (deleted posts compacted away), swap, publish a release."""
        return self.lifecycle.rebuild(info, progress)

    def publish_release(self, info: dict | None = None, keep: int = 3, lock_wait_s: float = 600) -> str:
        """Snapshot the serving indexes as a new release and make it every process's current one."""
        return self.lifecycle.publish_release(info, keep, lock_wait_s)

    def adopt_release(self, version: str, compact_above: float = 0.2) -> bool:
        """Serve another process's release (what changed rebuilt here, then swapped in)."""
        return self.lifecycle.adopt_release(version, compact_above)

    # -- what a chat front-end needs besides search -------------------------------------------------
    def chat_settings(self, scope: str) -> ChatSettings:
        return ChatSettings.from_redis(self.store.get_settings(validate_scope(scope)))

    def save_chat_settings(self, scope: str, settings: ChatSettings) -> None:
        self.store.set_settings(validate_scope(scope), settings.to_redis())

    def scope_ids(self, scope: str) -> list[int]:
        """Ids of the posts stored in one scope (from memory), sorted."""
        return self.catalogue.scope_ids(scope)

    def image_vectors(self, ids: list[int]) -> np.ndarray:
        """The photos' image vectors from the serving index (zeros for posts it does not hold)."""
        return self.view.image.get_or_zero(ids)

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

    def photo_maps(self, max_photos: int, cache_days: float, thumbnail_side: int):
        """The /map and /clusters service over this engine (indexing/maps.py)."""
        from indexing.maps import PhotoMaps

        return PhotoMaps(self, max_photos, cache_days, thumbnail_side)

    def update_inbox(self, bot_id: str):
        """Where a bot keeps its updates until handled (bot/inbox.py)."""
        return self.store.update_inbox(bot_id)

    def stats(self, scope: str | None = None) -> dict:
        per_scope = self.catalogue.scope_sizes()
        v = self.view
        out = {"posts": sum(per_scope.values()), "scopes": len(per_scope),
               "image_model": self.image_model, "text_model": self.text_model, "release": v.release,
               "projector": v.projector_version, "hashtag_head": v.hashtag_head_version,
               "captions_indexed": len(v.caption), "jobs": self.store.job_states()}
        if scope is not None:
            out["posts_in_scope"] = per_scope.get(scope, 0)
            out["top_tags"] = sorted(self.store.tag_counts([scope]).items(), key=lambda kv: -kv[1])[:10]
        return out
