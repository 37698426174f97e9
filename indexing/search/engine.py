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

from indexing.chats import ChatSettings, Thresholds
from indexing.migration.photos import ImageMigration
from indexing.migration.sources import LocalFiles, PhotoSource
from indexing.reading import ReadingQueue
from indexing.relevance import Relevance
from indexing.scopes import PUBLIC, validate_scope
from indexing.search.catalogue import Catalogue
from indexing.search.composition import Parts
from indexing.search.duplicates import Candidate, Verdict
from indexing.search.frontend import FrontEnd
from indexing.search.migrating import MigratingModels
from indexing.search.gate import WriteGate, gated
from indexing.search.lexical import LexicalIndex
from indexing.search.moderation import Moderation
from indexing.search.queryphotos import QueryPhoto
from indexing.search.retrieval import change_asked
from indexing.search.hashtags import TagSuggestion
from indexing.search.types import (AddResult, CaptionHit, DuplicateMatch, EngineOptions, Hit, IndexView, PhotoInput,
                                   PhotoVectors, VideoVectors)
from indexing.store import Post, PostStore
from models.encoders.base import ImageEncoder, TextEncoder
from models.tags import normalize_tags
from models.training import TrainedHeads, TrainingData

log = logging.getLogger(__name__)

class SearchEngine(FrontEnd, MigratingModels):
    """Storage + encoders + indexes behind one query API (built by indexing/service.py's `build_engine`)."""

    def __init__(self, store: PostStore, image_encoder: ImageEncoder, text_encoder: TextEncoder, *,
                 cache_dir: str | Path | None = None, options: EngineOptions = EngineOptions()) -> None:
        self.store = store
        self.text_encoder = text_encoder
        self.options = options
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self.blocklist = frozenset(normalize_tags(list(options.hashtag_blocklist)))  # never suggested
        self.catalogue = Catalogue()
        self.lexicon = LexicalIndex()  # the posts' words: read from their photos, and their captions
        self.moderation = Moderation(store)
        self.reading = ReadingQueue(store) if options.read_text else None  # photos whose text waits to be read
        self.gate = WriteGate()  # writes pass together, an image-model switch alone
        self.parts = self.make_parts(image_encoder, options.relevance or Relevance.load())
        self.image_migration: ImageMigration | None = None  # the store moving to another image model
        self.photo_sources: list[PhotoSource] = [LocalFiles(options.max_photo_bytes)]  # where its photos are again
        self._follower = None

    def make_parts(self, image_encoder: ImageEncoder, relevance: Relevance) -> Parts:
        """Everything that depends on the image model (indexing/search/composition.py)."""
        return Parts(self.store, image_encoder, self.text_encoder, self.cache_dir, self.options, self.catalogue,
                     self.blocklist, relevance, self.lexicon, self.reading)

    # The serving parts, read once per call: a switch replaces them as a whole.
    image_encoder = property(lambda self: self.parts.image_encoder)
    serving = property(lambda self: self.parts.serving)
    projection = property(lambda self: self.parts.projection)
    lifecycle = property(lambda self: self.parts.lifecycle)
    writes = property(lambda self: self.parts.writes)
    photos = property(lambda self: self.parts.photos)
    duplicates = property(lambda self: self.parts.duplicates)
    retrieval = property(lambda self: self.parts.retrieval)
    hashtag_scorer = property(lambda self: self.parts.hashtag_scorer)

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
        if self.image_migration is not None:
            self.image_migration.stop()
        if self._follower is not None:
            self._follower.stop()
            self._follower = None
        self.parts.close()

    # What the change follower (indexing/follower.py) asks.
    @property
    def change_position(self) -> str:
        """The change-log entry the serving view applied last."""
        return self.lifecycle.position

    def changes_applied(self, entry_id: str) -> None:
        self.lifecycle.applied(entry_id)

    def resync(self) -> None:
        """Re-read every post and the current release (after an outage or a trimmed change log)."""
        with self.gate.shared():
            self.lifecycle.resync()
        current = self.store.releases.current_version()
        if current and current != self.view.release:
            self.adopt_release(current)  # another image model's: the migration's switch, or refused (logged)

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

    def embed_video(self, video: bytes) -> VideoVectors:
        """A video, GIF or video note (or a still thumbnail) → its keyframes' vectors; add_photos stores
        it with PhotoInput(media=...), and every query taking a photo takes it too."""
        return self.writes.embed_video(video)

    @gated
    def add_photos(self, photos: list[PhotoInput], vectors: list[PhotoVectors] | None = None) -> list[AddResult]:
        """Store photos and index them at once; bytes stored once per scope, a group's messages once each."""
        return self.writes.add_photos(photos, vectors)

    @gated
    def add_photo(self, photo: PhotoInput) -> AddResult:
        return self.writes.add_photos([photo])[0]

    @gated
    def update_caption(self, scope: str, sha256: str, captions: list[str], tags: list[str]) -> bool:
        """The first post of these bytes in `scope` takes new captions and hashtags (False: no such post)."""
        return self.writes.update_caption(scope, sha256, captions, tags)

    @gated
    def update_caption_of_message(self, scope: str, message_id: int, captions: list[str], tags: list[str],
                                  sha256: str | None = None) -> bool:
        """The post of that message takes new captions and hashtags (False: none, or of other bytes)."""
        return self.writes.update_caption_of_message(scope, message_id, captions, tags, sha256)

    @gated
    def encode_stored_captions(self, ids: list[int]) -> int:
        """Encode stored captions with this engine's text model (the migration, indexing/migration/captions.py)."""
        return self.writes.encode_stored_captions(ids)

    @gated
    def put_read_text(self, post_id: int, status: str, text: str = "", lang: str = "") -> bool:
        """Store the text read from a post's photo and make it searchable here at once (other processes
        learn it from the change log). False when the post is gone (nothing is written)."""
        return self.writes.put_read_text(post_id, status, text, lang)

    @gated
    def delete_posts(self, ids: list[int]) -> int:
        return self.writes.delete_posts(ids)

    @gated
    def forget_scope(self, scope: str) -> int:
        """Delete every post of a scope (a chat's /forget), and its moderation decisions and events.
        Returns how many posts were deleted."""
        deleted = self.writes.forget_scope(scope)
        self.store.moderation.forget(scope)
        return deleted

    @gated
    def apply_added(self, ids: list[int]) -> int:
        """Index posts another process stored (from the change log)."""
        return self.writes.apply_added(ids)

    @gated
    def apply_deleted(self, ids: list[int]) -> None:
        self.writes.apply_deleted(ids)

    @gated
    def apply_captions_changed(self, ids: list[int]) -> None:
        self.writes.apply_captions_changed(ids, from_log=True)

    @gated
    def apply_text_changed(self, ids: list[int]) -> None:
        """Posts whose photo's text another process read (from the change log)."""
        self.writes.apply_text_changed(ids)

    # -- queries -----------------------------------------------------------------------------------
    def similar(self, photo: QueryPhoto, scope: str, k: int = 5) -> list[Hit]:
        """The k most similar visible photos: never the query photo or a copy of it, one post per photo."""
        return self.retrieval.similar_to_any([photo], scope, k)

    def similar_to_any(self, photos: list[QueryPhoto], scope: str, k: int = 5) -> list[Hit]:
        """The k visible photos most similar to any of the photos (an album), none of them a copy of one."""
        return self.retrieval.similar_to_any(photos, scope, k)

    def find(self, text: str, scope: str, k: int = 5, photo: QueryPhoto | None = None, photo_weight: float = 0.5,
             include_public: bool = True, language: str | None = None) -> list[Hit]:
        """Visible photos matching a text (its meaning, and its words in the photos' read text and
        captions: `Hit.words`), optionally together with a photo ('like this, but at night')."""
        return self.retrieval.find(text, scope, k, photo, photo_weight, include_public, language)

    def find_scored(self, text: str, scope: str, k: int = 5, photo: QueryPhoto | None = None,
                    photo_weight: float = 0.5, include_public: bool = True,
                    one_per_photo: bool = True, language: str | None = None) -> list[tuple[int, float]]:
        """`find` as (post id, text-space score) pairs in its order (words matches fused in), no floor
        applied, without loading the posts. `one_per_photo=False`
        keeps copies of one photo (a benchmark ranking one post among thousands: the collapsing
        compares each kept result with the others, k^2 feature products)."""
        parts = self.parts
        v, retrieval = parts.serving.view, parts.retrieval
        text = change_asked(text) if photo is not None else text  # as `find` reads it
        return retrieval.find_scored(v, retrieval.encode_query(text, v, language), text, scope, k, photo,
                                     photo_weight, include_public, one_per_photo)

    def text_match(self, text: str, ids: list[int]) -> np.ndarray:
        """How well each given post matches a text: its photo or best caption, scored as `find` scores them."""
        parts = self.parts
        v, retrieval = parts.serving.view, parts.retrieval
        return retrieval.text_scores(retrieval.encode_query(text, v), ids, v)

    def encode_query(self, text: str, v: IndexView | None = None, language: str | None = None) -> np.ndarray:
        """A text in the space where it meets photos and captions, as a query."""
        return self.retrieval.encode_query(text, v, language)

    def captions(self, photo: QueryPhoto, scope: str, k: int = 5) -> list[CaptionHit]:
        """Visible captions that match a photo, best first (a copy's own captions first)."""
        return self.retrieval.captions(photo, scope, k)

    def hashtags(self, photo: QueryPhoto, scope: str, k: int = 8, min_score: float | None = None,
                 caption: str | None = None, language: str | None = None,
                 photo_text: str | None = None) -> list[TagSuggestion]:
        """Hashtags for a photo, with a caption fused with the caption's own (indexing/search/hashtags.py)
        and the hashtags its own text names (`photo_text`, by default what was read from it if stored);
        tags under `min_score` (default: the hashtag floor) left out, except those the caption or photo names."""
        parts = self.parts
        return parts.hashtag_scorer.for_photo(photo, scope, parts.serving.view, k, min_score, caption, language,
                                              photo_text)

    def text_hashtags(self, text: str, scope: str, k: int = 8, min_score: float | None = None,
                      language: str | None = None) -> list[TagSuggestion]:
        """Hashtags for a caption alone (someone drafting a post before choosing the photo)."""
        parts = self.parts
        return parts.hashtag_scorer.for_text(text, scope, parts.serving.view, k, min_score, language)

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
                     size: tuple[int, int] | None = None, image: bytes | None = None,
                     file_unique_id: str | None = None) -> Verdict:
        """Whether a photo re-posts one of the chat's, and its original (the policy: duplicates.py);
        `author_id` posted it, `origin` is "", "forward" or "automatic", `size` its (width, height),
        `image` its bytes when `photo` is its vectors (the text rule reads them on a candidate re-post).
        A VideoVectors (embed_video) re-posts only videos, by keyframes; `file_unique_id` (optional) finds
        an exact re-send of the same Telegram file at once."""
        return self.duplicates.check_repost(photo, scope, settings, message_id, author_id=author_id, origin=origin,
                                            size=size, image=image, file_unique_id=file_unique_id)

    # -- moderation (decisions and statistics: `engine.moderation`, indexing/search/moderation.py) --------
    def post_by_message(self, scope: str, message_id: int) -> Post | None:
        """The post stored from that message of the scope's chat, or None."""
        return self.store.post_by_message(validate_scope(scope), message_id)

    @gated
    def forget_post(self, post_id: int) -> bool:
        """Delete one post from the store and every index (a later copy is not flagged against it)."""
        return self.writes.delete_posts([post_id]) == 1

    # -- heads, rebuilds, releases -------------------------------------------------------------------
    @gated
    def refit_projector(self, min_captioned: int = 50, replace_learned: bool = False) -> str | None:
        """Fit the cold-start projector on public photos + captions (not a learned one, unless asked)."""
        return self.lifecycle.refit_projector(min_captioned, replace_learned)

    @gated
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

    @gated
    def rebuild(self, info: dict | None = None, progress: Callable[[int, int], None] | None = None) -> str:
        """Build every index afresh from Redis (deleted posts compacted away), swap, publish a release."""
        return self.lifecycle.rebuild(info, progress)

    @gated
    def publish_release(self, info: dict | None = None, keep: int = 3, lock_wait_s: float = 600) -> str:
        """Snapshot the serving indexes as a new release and make it every process's current one."""
        return self.lifecycle.publish_release(info, keep, lock_wait_s)

    def adopt_release(self, version: str, compact_above: float = 0.2) -> bool:
        """Serve another process's release (what changed rebuilt here, then swapped in); one made by the
        image model this engine migrates to switches it to that model."""
        other_model = self.adopt_other_models_release(version)
        if other_model is not None:
            return other_model
        with self.gate.shared():
            return self.lifecycle.adopt_release(version, compact_above)
