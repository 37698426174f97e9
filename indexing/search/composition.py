"""The engine's parts that depend on its image model, made together: an image-model switch
(indexing/migration/switch.py) makes a second set beside the serving one and swaps it in whole.

Shared by both sets: the store, the text encoder, the catalogue and the posts' words (the posts
are the same whichever model embedded them). Each set has its own serving view, so a query that started on
the old parts finishes on them, never on an index of the other model's dimension.
"""
from __future__ import annotations

from pathlib import Path

from indexing.reading import ReadingQueue, stored_text
from indexing.scopes import visible_scopes
from indexing.relevance import Relevance
from indexing.search.backends import make_backend
from indexing.search.catalogue import Catalogue
from indexing.search.duplicates import Duplicates
from indexing.search.hashtags import HashtagScorer, TagSources
from indexing.search.lexical import LexicalIndex
from indexing.search.lifecycle import Lifecycle
from indexing.search.projection import Projection
from indexing.search.queryphotos import QueryPhotos
from indexing.search.retrieval import Retrieval
from indexing.search.types import EngineOptions
from indexing.search.views import Serving, Views
from indexing.search.writes import Writes
from indexing.store import PostStore
from models.embedding import PhotoEmbedder
from models.encoders.base import ImageEncoder, TextEncoder


class Parts:
    """Projection, views, lifecycle, writes and the query modules over one image encoder."""

    def __init__(self, store: PostStore, image_encoder: ImageEncoder, text_encoder: TextEncoder,
                 cache_dir: Path | None, options: EngineOptions, catalogue: Catalogue, blocklist: frozenset[str],
                 relevance: Relevance, lexicon: LexicalIndex, reading: ReadingQueue | None = None) -> None:
        self.image_encoder = image_encoder
        self.serving = Serving()
        self.projection = Projection(image_encoder, text_encoder, store, cache_dir)
        self.backend = make_backend(options, store, catalogue)  # hnswlib here, or Milvus shared by every process
        self.views = Views(store, image_encoder, text_encoder, self.projection, self.backend, options.image_index_dims,
                           options.text_index_dims)
        self.lifecycle = Lifecycle(store, image_encoder, text_encoder, self.views, catalogue, lexicon, self.serving,
                                   on_swap=lambda: self.hashtag_scorer.forget_vocabularies())
        embedder = PhotoEmbedder(image_encoder, batch_size=options.batch_size, max_pixels=options.max_photo_pixels,
                                 thumbnail_side=options.thumbnail_side)
        self.writes = Writes(store, image_encoder, text_encoder, embedder, self.projection, self.views, catalogue,
                             lexicon, self.serving, options.max_photo_bytes, reading)
        self.photos = QueryPhotos(store, image_encoder.name, catalogue, self.writes.embed_photo)
        self.duplicates = Duplicates(store, catalogue, self.serving, self.photos, options.thresholds)
        self.retrieval = Retrieval(store, text_encoder, catalogue, self.serving, self.photos, self.projection,
                                   self.duplicates, options.thresholds, relevance, lexicon)
        self.hashtag_scorer = HashtagScorer(TagSources(
            photo_vectors=self.photos.vectors, text_of=self.projection.text_of,
            encode_query=self.retrieval.encode_query, caption_matches=self.retrieval.caption_matches,
            visible=catalogue.visible, visible_count=catalogue.visible_count, posts=store.get_posts,
            tag_counts=store.tag_counts, posts_in=catalogue.posts_in, tags_generation=lambda: catalogue.tags_generation,
            encode_words=text_encoder.encode, relevance=lambda: self.retrieval.relevance,
            relevance_for=self.retrieval.relevance_for,
            photo_text=lambda vec, own_id, scope: stored_text(store, vec.sha256, own_id, sorted(visible_scopes(scope)))),
            blocklist)

    def close(self) -> None:
        """Let go of the vector backend (Milvus: its client, and a Lite file's embedded server)."""
        self.backend.close()
