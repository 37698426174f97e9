"""/map and /clusters: the chat's photos grouped by similarity, as a picture (and its full-size file)
or as a list with a typical photo per group. Layouts come from the engine's photo maps."""
from __future__ import annotations

from telegram import Update
from telegram.constants import ChatAction, ParseMode
from telegram.ext import ContextTypes

from bot import render
from bot.config import BotConfig, scope_of
from bot.i18n import t
from bot.parsing import query_of
from bot.telegram_io import ALBUM_MAX, PostSender, reply, thread_of, user_language, working
from bot.workers import Workers
from indexing.search import SearchEngine

QUERY_CHARS = 200
CLUSTERS_SHOWN = 30
DRAWING_NOTICE_ABOVE = 300  # photos: a new layout of more takes seconds, so the user is told


class Maps:
    def __init__(self, engine: SearchEngine, config: BotConfig, workers: Workers, sender: PostSender) -> None:
        self.engine = engine
        self.workers = workers
        self.sender = sender
        self.maps = engine.photo_maps(config.map_max_photos, config.map_cache_days, config.thumbnail_side)

    async def map(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/map [#tag | text]: the chat's photos grouped by similarity, as a photo and a full-size document."""
        photo_map = await self._photo_map(update, context)
        if photo_map is None:
            return
        chat_id, reply_to = update.effective_chat.id, update.effective_message.message_id
        by_file_id = bool(photo_map.photo_file_id and photo_map.document_file_id)  # Telegram has both already
        if not by_file_id:
            await self.workers.run_map(self.maps.draw, photo_map)
        photo = await context.bot.send_photo(chat_id, photo_map.photo_file_id or photo_map.photo,
                                             caption=render.map_caption(user_language(update), photo_map),
                                             parse_mode=ParseMode.HTML, reply_to_message_id=reply_to,
                                             message_thread_id=thread_of(update.effective_message))
        document = await context.bot.send_document(
            chat_id, photo_map.document_file_id or photo_map.document, caption=t(user_language(update), "map_document"),
            filename="hashlens-map.jpg", disable_content_type_detection=True, reply_to_message_id=reply_to,
            message_thread_id=thread_of(update.effective_message))
        if not by_file_id and photo.photo and document.document:
            await self.workers.run(self.maps.remember_files, photo_map, photo.photo[-1].file_id,
                                   document.document.file_id)

    async def clusters(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/clusters [#tag | text]: the groups of the chat's map, biggest first, with a typical photo each."""
        photo_map = await self._photo_map(update, context)
        if photo_map is None:
            return
        layout = photo_map.layout
        if not layout.clusters:
            await reply(update, render.clusters_none(user_language(update), layout.total))
            return
        shown = layout.clusters[:CLUSTERS_SHOWN]
        await reply(update, render.clusters_text(user_language(update), photo_map, shown))
        posts = await self.workers.run(self.engine.posts, [c.sample for c in shown])
        items = [(post, render.cluster_caption(user_language(update), c)) for c, post in zip(shown, posts) if post]
        for start in range(0, len(items), ALBUM_MAX):  # a typical photo each, in albums of 10 (Telegram's limit)
            await self.sender.send_posts(update, context, items[start:start + ALBUM_MAX], fallback_tiles=True)

    async def _photo_map(self, update: Update, context):
        """The layout for /map and /clusters (told when there is nothing to map, or while it is computed)."""
        scope = scope_of(update.effective_chat.id)
        await working(update, context, ChatAction.UPLOAD_PHOTO)
        selection = await self.workers.run(self.maps.selection, scope, query_of(context.args)[:QUERY_CHARS])
        if not selection.ids:  # a filter never empties a map (see PhotoMaps.selection): the scope is empty
            await reply(update, t(user_language(update), "map_empty"))
            return None
        photo_map = await self.workers.run(self.maps.cached, selection)
        if photo_map is None:
            if len(selection.ids) > DRAWING_NOTICE_ABOVE:
                await reply(update, t(user_language(update), "map_drawing", n=len(selection.ids)))
            photo_map = await self.workers.run_map(self.maps.layout, selection)
        if photo_map.scope != scope:
            await reply(update, t(user_language(update), "map_public"))
        return photo_map
