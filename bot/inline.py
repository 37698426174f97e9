"""Inline mode: `@bot words` in any chat answers with public photos (and videos, GIFs) only (the result may be
posted anywhere)."""
from __future__ import annotations

from telegram import (InlineQueryResultCachedMpeg4Gif, InlineQueryResultCachedPhoto, InlineQueryResultCachedVideo,
                      Update)
from telegram.ext import ContextTypes

from bot.config import BotConfig
from bot.parsing import unquoted
from bot.i18n import t
from bot.telegram_io import PostSender, user_language, writes_in
from bot.workers import Workers
from indexing.search import ANIMATION, PUBLIC, VIDEO, VIDEO_NOTE, Post, SearchEngine

QUERY_CHARS = 256  # Telegram's limit on an inline query
CAPTION_CHARS = 200
TITLE_CHARS = 64
CACHE_S = 30  # how long Telegram may reuse an answer


def result_of(post: Post, file_id: str, lang: str):
    """A post as the inline result of its kind: a cached photo, video (it needs a title: its caption's
    start, else the word "video") or MPEG-4 GIF (Telegram keeps animations as MP4)."""
    caption = post.captions[0][:CAPTION_CHARS] if post.captions else None
    if post.media == VIDEO:
        title = (caption or t(lang, "video_title"))[:TITLE_CHARS]
        return InlineQueryResultCachedVideo(str(post.id), file_id, title=title, caption=caption)
    if post.media == ANIMATION:
        return InlineQueryResultCachedMpeg4Gif(str(post.id), file_id, caption=caption)
    return InlineQueryResultCachedPhoto(str(post.id), file_id, caption=caption)


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
                if hit.post.media == VIDEO_NOTE:  # no inline result type shows a video note
                    continue
                file_id = hit.post.file_id or await self._upload(context, hit.post)
                if file_id:
                    results.append(result_of(hit.post, file_id, user_language(update)))
        await update.inline_query.answer(results, cache_time=CACHE_S, is_personal=False)

    async def _upload(self, context, post) -> str | None:
        """Inline results are cached photos: one without a file id is uploaded to the upload chat once."""
        if self.config.upload_chat_id is None:
            return None
        return await self.sender.upload(context, post, self.config.upload_chat_id)
