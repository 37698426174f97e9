"""Stored photos fetched again from Telegram (getFile), for an image-model migration.

The store keeps a photo's Telegram file id, not its bytes. The migration runs in a background
thread of the engine; the bot's API client lives on the bot's event loop, so each download is
scheduled there and waited for from the thread.
"""
from __future__ import annotations

import asyncio
import concurrent.futures

from telegram import Bot
from telegram.error import TelegramError

from indexing.search import PhotoUnavailable, Post

TIMEOUT_S = 60


class TelegramFiles:
    """A PhotoSource (indexing.search): posts with a photo or document file id."""

    def __init__(self, bot: Bot, loop: asyncio.AbstractEventLoop, max_bytes: int) -> None:
        self.bot = bot
        self.loop = loop
        self.max_bytes = max_bytes

    def can_fetch(self, post: Post) -> bool:
        return bool(post.file_id or post.document_file_id)

    def fetch(self, post: Post) -> bytes:
        if self.loop.is_closed():
            raise PhotoUnavailable("the bot has stopped")
        future = asyncio.run_coroutine_threadsafe(self._download(post.file_id or post.document_file_id), self.loop)
        try:
            return future.result(TIMEOUT_S)
        except concurrent.futures.TimeoutError as exc:
            future.cancel()
            raise PhotoUnavailable(f"Telegram did not send the file in {TIMEOUT_S} s") from exc

    async def _download(self, file_id: str) -> bytes:
        try:
            file = await self.bot.get_file(file_id)
            if file.file_size and file.file_size > self.max_bytes:
                raise PhotoUnavailable(f"the file is {file.file_size} bytes, over the bot's limit")
            return bytes(await file.download_as_bytearray())
        except TelegramError as exc:
            raise PhotoUnavailable(f"Telegram: {exc}") from exc
