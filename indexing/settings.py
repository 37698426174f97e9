"""One settings object, read from the environment (and .env) by the entry points only."""
from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every setting of the service; `.env.example` lists them all with their defaults."""

    model_config = SettingsConfigDict(env_prefix="HASHLENS_", env_file=".env", extra="ignore")

    # Storage
    redis_url: str | None = Field(default=None, validation_alias=AliasChoices("REDIS_URL", "HASHLENS_REDIS_URL"))
    data_dir: Path = Path("data")  # embedded Redis files (AOF), model caches
    key_prefix: str = "hl"

    # Models
    image_model: str = "efficientnet-lite0"
    text_model: str = "all-minilm-l6-v2"
    inference_runtime: str = "auto"  # auto | openvino | onnxruntime (auto: OpenVINO where the CPU has bf16)
    threads: int = 2  # text encoder threads
    # One thread for the image model leaves the other core to decode the next batch (measured:
    # 106 photos/s with 1 + pipelined decoding vs 95 with 2 threads, same single-photo latency).
    image_threads: int = 1
    batch_size: int = 32
    max_photo_bytes: int = 20 * 1024 * 1024
    max_photo_pixels: int = 64_000_000

    # Search
    hnsw_m: int = 16
    hnsw_ef_construction: int = 200
    hnsw_ef_search: int = 96
    exact_search_max_posts: int = 20_000  # scopes this small are searched exactly (filtered HNSW is slow there)

    # Duplicates (defaults calibrated by `python -m bench dedup`, see docs/BENCHMARKS.md)
    dup_max_hamming: int = 16
    dup_min_cosine_with_hash: float = 0.60
    dup_min_cosine: float = 0.82

    # Telegram (issue 4)
    telegram_bot_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("TELEGRAM_BOT_TOKEN", "HASHLENS_TELEGRAM_BOT_TOKEN"))

    log_level: str = "INFO"

    model_cache_dir_override: Path | None = Field(default=None, validation_alias=AliasChoices("HASHLENS_MODEL_CACHE_DIR"))

    @property
    def model_cache_dir(self) -> Path:
        """Derived model files (ONNX exports, class-name vectors); shareable between data dirs."""
        return self.model_cache_dir_override or self.data_dir / "models"
