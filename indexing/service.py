"""Builds a ready SearchEngine from Settings: Redis (REDIS_URL or embedded), encoders, indexes."""
from __future__ import annotations

import logging
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from indexing.keys import Keys
from indexing.migration.captions import start_migration
from indexing.migration.plan import serving_image_model
from indexing.redis_server import connect
from indexing.search import EngineOptions, SearchEngine, Thresholds
from indexing.settings import Settings
from indexing.store import PostStore
from models.encoders.base import ImageEncoder, TextEncoder
from models.registry import get_image_encoder, get_text_encoder

log = logging.getLogger(__name__)


def build_engine(store: PostStore, encoders: tuple[ImageEncoder, TextEncoder], cache_dir: str | Path | None,
                 options: EngineOptions = EngineOptions()) -> SearchEngine:
    """The one place an engine is made (service, benchmarks, tests): opened, i.e. encoders loaded and
    the current release served, caught up with the store."""
    image, text = encoders
    return SearchEngine(store, image, text, cache_dir=cache_dir, options=options).open()


def load_encoders(image_model: str, text_model: str, *, threads: int, image_threads: int,
                  cache_dir: str | Path | None, runtime: str) -> tuple[ImageEncoder, TextEncoder]:
    return (get_image_encoder(image_model, threads=image_threads, cache_dir=cache_dir, runtime=runtime),
            get_text_encoder(text_model, threads=threads, cache_dir=cache_dir, runtime=runtime))


def engine_options(settings: Settings) -> EngineOptions:
    """The deployment's settings of the engine."""
    return EngineOptions(
        thresholds=Thresholds(settings.dup_max_hamming, settings.dup_min_cosine_with_hash, settings.dup_min_cosine,
                              settings.dup_min_text_match),
        hnsw_m=settings.hnsw_m, hnsw_ef_construction=settings.hnsw_ef_construction,
        hnsw_ef_search=settings.hnsw_ef_search, exact_search_max_posts=settings.exact_search_max_posts,
        image_index_dims=settings.image_index_dims, text_index_dims=settings.text_index_dims,
        batch_size=settings.batch_size, max_photo_bytes=settings.max_photo_bytes,
        max_photo_pixels=settings.max_photo_pixels, hashtag_blocklist=tuple(t for t in settings.hashtag_blocklist.split(",") if t.strip()),
        thumbnail_side=settings.thumbnail_side, read_text=settings.read_text,
        vector_backend=settings.vector_backend, milvus_uri=settings.milvus_location,
        milvus_token=settings.milvus_token.get_secret_value() if settings.milvus_token else "")


@contextmanager
def open_engine(settings: Settings, follow: bool = False, migrate_photos: bool = True) -> Iterator[SearchEngine]:
    """The engine, with the embedded Redis stopped (AOF flushed) on exit if this process started it.

    An embedded Redis is supervised (restarted if it dies) while the engine is open. `follow`: the
    engine applies other processes' posts and releases as they happen (long-running services), and
    migrates stored vectors made by other models; `migrate_photos=False`: the caller starts the image
    migration itself (the bot, once it can fetch photos from Telegram: `engine.start_image_migration`).
    """
    client, server = connect(settings.redis_url, settings.data_dir, wait_replicas=settings.redis_wait_replicas)
    if server is not None:
        server.supervise()
    engine, migration = None, None
    try:
        store = PostStore(client, Keys.for_client(client, settings.key_prefix))
        serving = serving_image_model(store, settings.image_model)  # the store's model until a migration is done
        encoders = load_encoders(serving, settings.text_model, threads=settings.threads,
                                 image_threads=settings.image_threads, cache_dir=settings.model_cache_dir,
                                 runtime=settings.inference_runtime)
        engine = build_engine(store, encoders, settings.model_cache_dir, engine_options(settings))
        if serving != settings.image_model:
            engine.migrate_image_model(settings.image_model, lambda: get_image_encoder(
                settings.image_model, threads=settings.image_threads, cache_dir=settings.model_cache_dir,
                runtime=settings.inference_runtime), retry_s=settings.migration_retry_minutes * 60,
                max_attempts=settings.migration_attempts, members=settings.retrain_members)
        if follow:
            engine.follow()
            migration = start_migration(engine)  # stored captions made by another text model
            if migrate_photos:
                engine.start_image_migration()  # stored photos embedded by another image model
        yield engine
    finally:
        if migration is not None:  # stop between batches: a half-done migration resumes at the next start
            migration[1].set()
            migration[0].join(timeout=30)
        if engine is not None:
            engine.close()
        client.close()
        if server is not None:
            server.stop()
