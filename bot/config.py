"""The bot's settings (from indexing.settings, see bot/__main__.py) and the scope a chat's photos live in."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class BotConfig:
    max_photo_bytes: int = 20 * 1024 * 1024  # Telegram's getFile limit is 20 MB
    hashtags_k: int = 8
    similar_k: int = 4
    find_k: int = 5
    inline_k: int = 10
    upload_chat_id: int | None = None  # where inline mode uploads photos to learn their file_id
    engine_threads: int = 2
    user_per_minute: float = 30  # photos and searches per user and minute, after a burst (0: no limit)
    user_burst: int = 10
    map_max_photos: int = 2000  # drawn on one /map (sampled per cluster above it)
    map_cache_days: float = 7
    thumbnail_side: int = 64
    read_text: bool = True  # read the text in stored photos in the background (indexing/reading.py)


MAX_TEXT_CHARS = 1000  # of a caption to suggest hashtags for (Telegram allows 4,096)


def scope_of(chat_id: int) -> str:
    return f"chat:{chat_id}"
