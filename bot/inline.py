"""Inline mode: `@bot words` in any chat answers with public photos only (the result may be posted anywhere)."""
from __future__ import annotations

from telegram import InlineQueryResultCachedPhoto, Update
from telegram.ext import ContextTypes

from bot.config import BotConfig
from bot.parsing import unquoted
from bot.telegram_io import PostSender, writes_in
from bot.workers import Workers
from indexing.search import PUBLIC, SearchEngine

QUERY_CHARS = 256  # Telegram's limit on an inline query
CAPTION_CHARS = 200
CACHE_S = 30  # how long Telegram may reuse an answer


class Inline:
    def __init__(self, engine: SearchEngine, config: BotConfig, workers: Workers, sender: PostSender) -> None:
        self.engine = engine
        self.config = config
        self.workers = workers
        self.sender = sender

    async def query(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = unquoted(update.inline_query.query)
        results = []
        if query:
            hits = await self.workers.run(self.engine.find, query[:QUERY_CHARS], PUBLIC, self.config.inline_k,
                                          include_public=True, language=writes_in(update))
            for hit in hits:
                file_id = hit.post.file_id or await self._upload(context, hit.post)
                if file_id:
                    caption = hit.post.captions[0][:CAPTION_CHARS] if hit.post.captions else None
                    results.append(InlineQueryResultCachedPhoto(str(hit.post.id), file_id, caption=caption))
        await update.inline_query.answer(results, cache_time=CACHE_S, is_personal=False)

    async def _upload(self, context, post) -> str | None:
        """Inline results are cached photos: one without a file id is uploaded to the upload chat once."""
        if self.config.upload_chat_id is None:
            return None
        return await self.sender.upload(context, post, self.config.upload_chat_id)
