"""One settings object, read from the environment (and .env) by the entry points only."""
from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from indexing.chats import Thresholds
from models.registry import DEFAULT_IMAGE_MODEL, DEFAULT_TEXT_MODEL


class Settings(BaseSettings):
    """Every setting of the service; `.env.example` lists them all with their defaults."""

    model_config = SettingsConfigDict(env_prefix="HASHLENS_", env_file=".env", extra="ignore")

    # Storage
    redis_url: str | None = Field(default=None, validation_alias=AliasChoices("REDIS_URL", "HASHLENS_REDIS_URL"))
    data_dir: Path = Path("data")  # embedded Redis files (AOF), model caches
    key_prefix: str = "hl"
    # REDIS_URL naming a cluster node: replicas that must confirm each transaction before it is
    # acknowledged (0 for a cluster without replicas; docs/DESIGN-NOTES.md, "Redis Cluster")
    redis_wait_replicas: int = 1

    # Models
    image_model: str = DEFAULT_IMAGE_MODEL
    text_model: str = DEFAULT_TEXT_MODEL
    inference_runtime: str = "auto"  # auto | openvino | onnxruntime (auto: OpenVINO where the CPU has bf16)
    threads: int = 2  # text encoder threads
    # One thread for the image model leaves the other core to decode the next batch (measured:
    # 106 photos/s with 1 + pipelined decoding vs 95 with 2 threads, same single-photo latency).
    image_threads: int = 1
    batch_size: int = 32
    max_photo_bytes: int = 20 * 1024 * 1024
    max_photo_pixels: int = 64_000_000
    # A store embedded by another image model is embedded again in the background (indexing/migration/);
    # a photo that cannot be fetched is tried again this many minutes later, this many runs in all.
    migration_retry_minutes: float = 10
    migration_attempts: int = 3

    # Search
    hnsw_m: int = 16
    hnsw_ef_construction: int = 200
    hnsw_ef_search: int = 96
    exact_search_max_posts: int = 20_000  # scopes this small are searched exactly (filtered HNSW is slow there)
    # The image index holds an uncentred PCA of the features this wide, fitted on the store's photos
    # at each rebuild and rescored on the full features (0: the full features; indexing/reduced.py).
    image_index_dims: int = 128
    # The text and caption indexes: a PCA of the text space this wide, one per language part, fitted at
    # each rebuild and when heads are installed, rescored on the full text space (0: the full space).
    text_index_dims: int = 192
    # Where the vector indexes live: hnswlib in every process (each holds its copy), or Milvus, shared by
    # every process (docs/milvus-design.md). `milvus_uri`: a Milvus Lite file (`*.db`: one process, or one
    # `milvus-lite server` for several) or a server (`http://milvus:19530`); unset: data_dir/milvus/hashlens.db.
    # Collections are named after `key_prefix`, so deployments sharing a Milvus never meet.
    vector_backend: Literal["hnswlib", "milvus"] = "hnswlib"
    milvus_uri: str | None = None
    milvus_token: SecretStr | None = None

    # Duplicates (defaults calibrated by `python -m bench dedup`, see docs/BENCHMARKS.md)
    dup_max_hamming: int = Thresholds.max_hamming
    dup_min_cosine_with_hash: float = Thresholds.min_cosine_with_hash
    dup_min_cosine: float = Thresholds.min_cosine
    dup_min_text_match: float = Thresholds.min_text_match

    # Hashtags never suggested (comma-separated, normalised like any hashtag)
    hashtag_blocklist: str = ""

    # Telegram. No token: the local playground (emulator + web page) instead of Telegram.
    telegram_bot_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("TELEGRAM_BOT_TOKEN", "HASHLENS_TELEGRAM_BOT_TOKEN"))
    telegram_api_url: str | None = None  # e.g. a local telegram-bot-api server: http://host:8081/bot
    telegram_file_url: str | None = None
    webhook_url: str | None = None  # set: webhook mode (Telegram POSTs updates here) instead of polling
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    webhook_secret: SecretStr | None = None
    upload_chat_id: int | None = None  # a private channel where inline mode uploads photos once
    photo_max_mb: float = 20.0  # photos the bot downloads (Telegram's getFile limit is 20 MB)
    user_per_minute: float = 30  # photos and searches one user may ask for per minute, after a burst (0: no limit)
    user_burst: int = 10
    read_text: bool = True  # read the text in stored photos, in the background (models/ocr.py, indexing/reading.py)
    playground_host: str = "127.0.0.1"
    playground_port: int = 8080

    # Scheduler (runs in the bot process unless `scheduler_in_bot` is off; `python -m bot scheduler` runs it alone).
    # Minutes between checks; 0 turns a job off. A check runs the job only when there is work for it.
    scheduler_in_bot: bool = True
    snapshot_minutes: float = 10  # publish a release (fast restarts) when posts changed
    rebuild_minutes: float = 60  # rebuild the indexes when deletions reach rebuild_min_deleted
    rebuild_min_deleted: float = 0.05
    retrain_minutes: float = 360  # retrain the heads when retrain_min_new labelled public posts arrived
    retrain_min_new: int = 200
    retrain_members: int | None = None  # heads per text part (None: models.training decides)
    keep_releases: int = 3  # rollback targets kept (`python -m indexing releases` lists them)

    # /map: photos drawn at most (sampled per cluster above it), days a layout stays cached, tile side
    # stored with every photo (pixels; 0 stores none at upload: maps draw those grey, or from the file for
    # photos imported from disk)
    map_max_photos: int = 2000
    map_cache_days: float = 7
    thumbnail_side: int = 64

    log_level: str = "INFO"

    model_cache_dir_override: Path | None = Field(default=None, validation_alias=AliasChoices("HASHLENS_MODEL_CACHE_DIR"))

    @property
    def milvus_location(self) -> str:
        """The Milvus uri the vector backend talks to (a Lite file under data_dir unless one is set)."""
        return self.milvus_uri or str(self.data_dir / "milvus" / "hashlens.db")

    @property
    def model_cache_dir(self) -> Path:
        """Derived model files (ONNX exports, class-name vectors); shareable between data dirs."""
        return self.model_cache_dir_override or self.data_dir / "models"


def cli_settings() -> Settings:
    """Settings for a command-line entry point, with logging configured and SIGTERM unwinding like
    Ctrl-C (so an embedded Redis this process started is shut down cleanly)."""
    import logging
    import signal
    import sys

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    settings = Settings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return settings
