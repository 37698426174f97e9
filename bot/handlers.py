"""What the bot does with each kind of update. Talks to `indexing.search.SearchEngine` only.

Engine calls block (CPU work), so they run in a small thread pool; the event loop keeps
answering other chats meanwhile. Every reply is HTML; user text is escaped by `i18n.t`.
"""
from __future__ import annotations

import asyncio
import hashlib
import html
import json
import logging
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import partial

from telegram import (InlineQueryResultCachedPhoto, InputMediaPhoto, Message, Update)
from telegram.constants import ChatAction, ChatMemberStatus, ChatType, ParseMode
from telegram.error import Forbidden, TelegramError
from telegram.ext import ContextTypes

from bot.i18n import bad_photo_reason, language, megabytes, shorten, t
from bot.resend import showable_photo
from bot.throttle import Throttle
from indexing.chats import MAX_WINDOW_DAYS
from indexing.errors import BadImageError, EmptyQueryError, StorageUnavailableError
from indexing.maprender import cluster_label
from indexing.maps import PhotoMap, PhotoMaps
from indexing.relevance import ONLY_ITSELF, TOO_FEW_POSTS
from indexing.priority import background_priority
from indexing.scopes import PUBLIC
from indexing.search import NOT_A_REPOST, WORD, Hit, PhotoInput, PhotoVectors, Repost, SearchEngine
from indexing.store import Post
from models.tags import normalize_tags

log = logging.getLogger(__name__)

JOB_NAMES = ("rebuild", "retrain", "snapshot")  # the scheduler's jobs /stats reports (indexing/jobs.py)
HINT_EVERY_S = 600  # the "send me more photos with captions" hint, at most this often per chat
ALBUM_QUIET_S = 0.8  # Telegram delivers an album as separate updates; wait this long for the rest
_HASHTAG = re.compile(r"(?<![\w#])#(\w+)")
_QUOTES = "\"'“”«»‘’"


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


MAX_TEXT_CHARS = 1000  # of a caption to suggest hashtags for (Telegram allows 4,096)
PHOTO_COMMANDS = ("hashtags", "similar", "captions")


@dataclass
class _Album:
    messages: list[Message] = field(default_factory=list)
    update_ids: list[int] = field(default_factory=list)
    task: asyncio.Task | None = None


def scope_of(chat_id: int) -> str:
    return f"chat:{chat_id}"


def command_text(text: str | None) -> tuple[str | None, str]:
    """('find', 'dogs on a beach') from '/find@hashlens_bot "dogs on a beach"'."""
    if not text or not text.startswith("/"):
        return None, ""
    head, _, rest = text.partition(" ")
    return head[1:].split("@")[0].lower(), rest.strip().strip(_QUOTES).strip()


def job_detail(lang: str, state: dict[str, str]) -> str:
    """One short clause about a scheduled job's state: its progress, or when it finished and how."""
    if state.get("state") == "running":
        return f" ({state['progress']})" if state.get("progress") else ""
    finished = float(state.get("finished_s", 0) or 0)
    ago = t(lang, "job_ago", minutes=max(0, int((time.time() - finished) // 60))) if finished else ""
    try:
        result = json.loads(state.get("result", "{}"))
    except ValueError:
        result = {}
    if result.get("reason"):  # the job's outcome in the reader's language (jobs.py records why)
        what = t(lang, f"job_{result['reason']}", **{k: v for k, v in result.items() if isinstance(v, (int, str))})
    elif result.get("error"):
        what = t(lang, "job_failed")  # the error itself is in the logs, in English
    else:
        what = t(lang, "job_release", release=result["release"]) if result.get("release") else ""
    return f"{ago}" + (t(lang, "colon") + what[:160] if what else "")


def caption_hashtags(caption: str | None) -> list[str]:
    return normalize_tags(_HASHTAG.findall(caption or ""))


class Handlers:
    def __init__(self, engine: SearchEngine, config: BotConfig) -> None:
        self.engine = engine
        self.config = config
        self._pool = ThreadPoolExecutor(max_workers=config.engine_threads, thread_name_prefix="engine")
        # Maps get a thread of their own at a lower priority: a new layout takes seconds of both cores,
        # and must not hold up the engine threads that answer photos meanwhile.
        self._map_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="map", initializer=background_priority)
        self._albums: dict[tuple[int, str], _Album] = {}
        self.inbox = None  # bot.inbox.Inbox: album updates are cleared from it once answered
        self.lanes = None  # bot.lanes.UserLanes: told when an album is collected and answered
        self._hinted: dict[int, float] = {}  # chat id -> when the "send more photos" hint was last given
        self.throttle = Throttle(config.user_per_minute, config.user_burst)
        self.maps = PhotoMaps(engine, config.map_max_photos, config.map_cache_days, config.thumbnail_side)

    async def run(self, fn, *args, **kwargs):
        return await asyncio.get_running_loop().run_in_executor(self._pool, partial(fn, *args, **kwargs))

    async def run_map(self, fn, *args, **kwargs):
        return await asyncio.get_running_loop().run_in_executor(self._map_pool, partial(fn, *args, **kwargs))

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self._map_pool.shutdown(wait=True)

    # -- helpers ---------------------------------------------------------------------------
    async def tell_waiting(self, update: Update, waiting: int) -> None:
        """Once per flood: the user's updates wait their turn (bot.lanes), they are not lost."""
        if update.effective_message is None:
            return
        try:
            await self.reply(update, t(self.lang(update), "queued", waiting=waiting,
                                       per_minute=int(self.config.user_per_minute)))
        except TelegramError as exc:
            log.info("could not tell user %s their updates wait: %s", update.effective_user.id, exc)

    @staticmethod
    def lang(update: Update) -> str:
        user = update.effective_user
        return language(user.language_code if user else None)

    @staticmethod
    def writes_in(update: Update) -> str | None:
        """The language the user's Telegram client reports (any, not only those we answer in): a hint
        for reading their short queries ("neige" is French for a French user)."""
        user = update.effective_user
        return user.language_code if user else None

    async def reply(self, update: Update, text: str, **kwargs) -> Message | None:
        """Quoted in groups, and always for a photo: in a burst, it says which photo is answered."""
        message = update.effective_message
        quote = message.chat.type != ChatType.PRIVATE or bool(message.photo or message.document)
        return await message.reply_html(text, do_quote=quote, **kwargs)

    async def working(self, update: Update, context, action: str = ChatAction.TYPING) -> None:
        try:
            await context.bot.send_chat_action(update.effective_chat.id, action)
        except TelegramError as exc:  # a chat action is a courtesy; never fail the request on it
            log.debug("chat action failed: %s", exc)

    async def photo_of(self, message: Message | None) -> bytes | None:
        """The bytes of the photo (or image document) in a message; None if it has none.

        Raises BadImageError when the file is over the size limit, with the sizes in its message.
        """
        if message is None:
            return None
        if message.photo:
            item = message.photo[-1]
        elif message.document and (message.document.mime_type or "").startswith("image/"):
            item = message.document
        else:
            return None
        if item.file_size and item.file_size > self.config.max_photo_bytes:
            raise _TooBig(item.file_size)
        file = await item.get_file()
        return bytes(await file.download_as_bytearray())

    async def send_hits(self, update: Update, context, hits: list[Hit], intro: str | None = None,
                        label: str = "similar_caption") -> int:
        """Photos of hits as one album (or one photo), each captioned with its score; returns how many."""
        lang = self.lang(update)
        items = []
        for hit in hits:
            caption = t(lang, label, score=hit.score)
            if hit.post.captions:
                caption += " · " + html.escape(hit.post.captions[0][:300])
            items.append((hit.post, caption))
        return await self.send_posts(update, context, items, intro)

    async def send_posts(self, update: Update, context, items: list[tuple[Post, str]], intro: str | None = None,
                         fallback_tiles: bool = False) -> int:
        """Stored posts' photos as one album (or one photo) with the given HTML captions; returns how many.
        A post with neither a Telegram file id nor a file on disk is skipped (or, with `fallback_tiles`,
        shown as its small /map tile)."""
        chat_id = update.effective_chat.id
        media, uploaded = [], []
        tiles = (dict(zip([p.id for p, _ in items], await self.run(self.engine.store.get_thumbnails,
                                                                  [p.id for p, _ in items])))
                 if fallback_tiles else {})
        for post, caption in items[:10]:
            source, is_tile = post.file_id or await self.run(self.engine.photo_bytes, post), False
            if source is None and post.document_file_id:  # sent to the bot as a file: uploaded as a photo once
                source = await showable_photo(context.bot, post.document_file_id, self.config.max_photo_bytes)
            if source is None and tiles.get(post.id):
                source, is_tile = tiles[post.id], True
            if source is None:
                continue
            media.append(InputMediaPhoto(source, caption=caption, parse_mode=ParseMode.HTML))
            # A photo uploaded from disk is sent by file id from now on (never a tile: it would stick).
            uploaded.append(post.id if not post.file_id and not is_tile else None)
        if not media:
            return 0
        if intro:
            await self.reply(update, intro)
        reply_to = update.effective_message.message_id
        if len(media) == 1:
            sent = [await context.bot.send_photo(chat_id, media[0].media, caption=media[0].caption,
                                                 parse_mode=ParseMode.HTML, reply_to_message_id=reply_to)]
        else:
            sent = list(await context.bot.send_media_group(chat_id, media, reply_to_message_id=reply_to))
        for post_id, message in zip(uploaded, sent):
            if post_id is not None and message.photo:
                await self.run(self.engine.remember_file_id, post_id, message.photo[-1].file_id)
        return len(sent)

    def nothing_fits(self, update: Update, lang: str, key: str, answer, **values) -> str:
        """The "nothing fits" reply for an empty answer (the engine's relevance floors left nothing:
        indexing/relevance.py): "apart from the photo itself" when the only close one is a copy of it,
        and, once in a while per chat (not under every photo of a burst), what would help while the
        collection is too small to know."""
        why = getattr(answer, "why_empty", None)
        if why == ONLY_ITSELF and key == "similar_none":
            return t(lang, "similar_only_itself")
        text = t(lang, key, **values)
        if why == TOO_FEW_POSTS and self._hint_due(update):
            private = update.effective_chat is None or update.effective_chat.type == ChatType.PRIVATE
            text += "\n" + t(lang, "nothing_yet_hint" if private else "nothing_yet_hint_group")
        return text

    def _hint_due(self, update: Update) -> bool:
        chat_id = update.effective_chat.id if update.effective_chat else 0
        now = time.monotonic()
        if now - self._hinted.get(chat_id, -HINT_EVERY_S) < HINT_EVERY_S:
            return False
        if len(self._hinted) > 100_000:  # forget old chats rather than grow forever
            self._hinted.clear()
        self._hinted[chat_id] = now
        return True

    def hashtag_text(self, lang: str, tags, for_text: bool = False, update: Update | None = None) -> str:
        if not tags:
            key = "no_text_hashtags" if for_text else "no_hashtags"
            return self.nothing_fits(update, lang, key, tags) if update is not None else t(lang, key)
        line = " ".join(f"#{s.tag}" for s in tags)
        scored = " · ".join(f"#{html.escape(s.tag)} {s.score:.2f}" for s in tags)
        out = t(lang, "text_hashtags" if for_text else "hashtags", line=line, scored_html=scored)
        words = [s.tag for s in tags if s.from_words]
        if words and not for_text:  # a photo with a caption: say which came from the words
            out += "\n" + t(lang, "from_words", tags=" ".join(f"#{w}" for w in words))
        return out

    async def answer_text(self, update: Update, context, text: str) -> None:
        """Hashtags that fit a caption, and the photos that match it (someone drafting a post)."""
        lang, scope = self.lang(update), scope_of(update.effective_chat.id)
        await self.working(update, context)
        hint = self.writes_in(update)
        tags = await self.run(self.engine.text_hashtags, text[:MAX_TEXT_CHARS], scope, self.config.hashtags_k,
                              language=hint)
        hits = await self.run(self.engine.find, text[:MAX_TEXT_CHARS], scope, self.config.similar_k, language=hint)
        await self.reply(update, self.hashtag_text(lang, tags, for_text=True, update=update))
        await self.send_hits(update, context, hits, label="match_caption")

    # -- commands --------------------------------------------------------------------------
    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.reply(update, t(self.lang(update), "start", name=update.effective_user.first_name or ""))

    async def help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.reply(update, t(self.lang(update), "help", bot=context.bot.username or "bot"))

    async def find(self, update: Update, context: ContextTypes.DEFAULT_TYPE,
                   photo: bytes | PhotoVectors | None = None) -> None:
        """/find words; in reply to a photo, or as a photo's caption (`photo`), words + that photo."""
        lang = self.lang(update)
        message = update.effective_message
        _, query = command_text(message.text or message.caption)
        if not query:
            await self.reply(update, t(lang, "find_usage"))
            return
        await self.working(update, context, ChatAction.UPLOAD_PHOTO)
        if photo is None:
            photo = await self.photo_of(message.reply_to_message)
        hits = await self.run(self.engine.find, query[:1000], scope_of(update.effective_chat.id),
                              self.config.find_k, photo=photo, language=self.writes_in(update))
        said = shorten(query, 200)
        sent = await self.send_hits(update, context, hits, t(lang, "find_results", query=said), "match_caption")
        if not sent:
            await self.reply(update, self.nothing_fits(update, lang, "find_none", hits, query=said))

    async def photo_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/hashtags, /similar, /captions as a reply to a photo (with a photo, `photo` handles it)."""
        command, rest = command_text(update.effective_message.text)
        photo = await self.photo_of(update.effective_message.reply_to_message)
        if photo is None and command == "hashtags" and WORD.search(rest):
            await self.answer_text(update, context, rest)  # /hashtags <a caption>
            return
        if photo is None:
            await self.reply(update, t(self.lang(update), "need_photo"))
            return
        await self.answer_photo(update, context, photo, {command})

    async def dupes(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        lang, chat = self.lang(update), update.effective_chat
        if chat.type == ChatType.PRIVATE:
            await self.reply(update, t(lang, "groups_only"))
            return
        scope = scope_of(chat.id)
        current = await self.run(self.engine.chat_settings, scope)
        args = [a.lower() for a in context.args or []]
        if args:
            if not await self.is_admin(update, context):
                await self.reply(update, t(lang, "admins_only"))
                return
            try:
                if args[0] in ("reply", "delete", "off", "on"):
                    current = current.changed(dupes="reply" if args[0] == "on" else args[0])
                elif args[0] == "sensitivity" and len(args) == 2:
                    current = current.changed(sensitivity=args[1])
                elif args[0] == "window" and len(args) == 2 and args[1].rstrip("d").isdigit():
                    current = current.changed(window_days=int(args[1].rstrip("d")))
                else:
                    raise ValueError(args[0])
            except ValueError:  # the settings' own messages are English: the user gets the usage instead
                await self.reply(update, t(lang, "dupes_bad", max_days=MAX_WINDOW_DAYS))
                return
            await self.run(self.engine.save_chat_settings, scope, current)
        await self.reply(update, t(lang, "dupes_settings", mode=t(lang, f"mode_{current.dupes}"),
                                   sensitivity=t(lang, f"sensitivity_{current.sensitivity}"),
                                   window=current.window_days))

    async def forget(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        lang, chat = self.lang(update), update.effective_chat
        if chat.type != ChatType.PRIVATE and not await self.is_admin(update, context):
            await self.reply(update, t(lang, "admins_only"))
            return
        await self.working(update, context)
        n = await self.run(self.engine.forget_scope, scope_of(chat.id))
        await self.reply(update, t(lang, "forgot_private" if chat.type == ChatType.PRIVATE else "forgot", n=n))

    async def stats(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        lang, scope = self.lang(update), scope_of(update.effective_chat.id)
        chat_stats = await self.run(self.engine.stats, scope)
        public = await self.run(self.engine.stats, PUBLIC)
        settings = await self.run(self.engine.chat_settings, scope)
        jobs = "".join(t(lang, "job_line", job=t(lang, f"job_name_{name}"),
                         state=t(lang, f"job_state_{state.get('state', 'running')}"), detail=job_detail(lang, state))
                       for name, state in sorted(chat_stats.get("jobs", {}).items()) if name in JOB_NAMES)
        private = update.effective_chat.type == ChatType.PRIVATE
        await self.reply(update, t(lang, "stats_private" if private else "stats",
                                   chat_posts=chat_stats.get("posts_in_scope", 0),
                                   public_posts=public.get("posts_in_scope", 0), mode=t(lang, f"mode_{settings.dupes}"),
                                   release=chat_stats.get("release", "none"),
                                   heads=(chat_stats.get("projector", "none") if chat_stats.get("projector", "none")
                                          != "none" else t(lang, "heads_none")),
                                   jobs_html=jobs))

    async def map(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/map [#tag | text]: the chat's photos grouped by similarity, as a photo and a full-size document."""
        lang = self.lang(update)
        photo_map = await self._photo_map(update, context)
        if photo_map is None:
            return
        chat_id, reply_to = update.effective_chat.id, update.effective_message.message_id
        by_file_id = bool(photo_map.photo_file_id and photo_map.document_file_id)  # Telegram has both already
        if not by_file_id:
            await self.run_map(self.maps.draw, photo_map)
        caption = self._map_caption(lang, photo_map)
        photo = await context.bot.send_photo(chat_id, photo_map.photo_file_id or photo_map.photo, caption=caption,
                                             parse_mode=ParseMode.HTML, reply_to_message_id=reply_to)
        document = await context.bot.send_document(
            chat_id, photo_map.document_file_id or photo_map.document, caption=t(lang, "map_document"),
            filename="hashlens-map.jpg", disable_content_type_detection=True, reply_to_message_id=reply_to)
        if not by_file_id and photo.photo and document.document:
            await self.run(self.maps.remember_files, photo_map, photo.photo[-1].file_id, document.document.file_id)

    async def clusters(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/clusters [#tag | text]: the groups of the chat's map, biggest first, with a typical photo each."""
        lang = self.lang(update)
        photo_map = await self._photo_map(update, context)
        if photo_map is None:
            return
        layout = photo_map.layout
        if not layout.clusters:
            await self.reply(update, t(lang, "clusters_none", n=layout.total))
            return
        shown = layout.clusters[:30]
        lines = [self._cluster_line(lang, c) for c in shown]
        if layout.unclustered:
            lines.append(t(lang, "clusters_rest", n=layout.unclustered))
        await self.reply(update, f"<b>{self._map_title(lang, photo_map)}</b>\n" + "\n".join(lines))
        posts = await self.run(self.engine.store.get_posts, [c.sample for c in shown])
        items = [(post, html.escape(cluster_label(c.number, c.tags))) for c, post in zip(shown, posts) if post]
        for start in range(0, len(items), 10):  # a typical photo each, in albums of 10 (Telegram's limit)
            await self.send_posts(update, context, items[start:start + 10], fallback_tiles=True)

    async def _photo_map(self, update: Update, context) -> PhotoMap | None:
        """The layout for /map and /clusters (told when there is nothing to map, or while it is computed)."""
        lang, scope = self.lang(update), scope_of(update.effective_chat.id)
        _, query = command_text(update.effective_message.text)
        query = query.strip().strip(_QUOTES).strip()[:200]
        await self.working(update, context, ChatAction.UPLOAD_PHOTO)
        selection = await self.run(self.maps.selection, scope, query)
        if not selection.ids:  # a filter never empties a map (see PhotoMaps.selection): the scope is empty
            await self.reply(update, t(lang, "map_empty"))
            return None
        photo_map = await self.run(self.maps.cached, selection)
        if photo_map is None:
            if len(selection.ids) > 300:
                await self.reply(update, t(lang, "map_drawing", n=len(selection.ids)))
            photo_map = await self.run_map(self.maps.layout, selection)
        if photo_map.scope != scope:
            await self.reply(update, t(lang, "map_public"))
        return photo_map

    @staticmethod
    def _cluster_line(lang: str, cluster) -> str:
        return t(lang, "cluster_line", number=cluster.number, size=cluster.size,
                 tags=" ".join(f"#{x}" for x in cluster.tags) or "—")

    @staticmethod
    def _map_title(lang: str, photo_map: PhotoMap) -> str:
        layout, groups = photo_map.layout, len(photo_map.layout.clusters)
        return t(lang, "map_title_public" if photo_map.scope == PUBLIC else "map_title", total=layout.total,
                 about=t(lang, "map_about", query=photo_map.query) if photo_map.query else "",
                 drawn=t(lang, "map_drawn", n=len(layout.ids)) if len(layout.ids) < layout.total else "",
                 groups=t(lang, "map_groups_one") if groups == 1 else t(lang, "map_groups", n=groups))

    @staticmethod
    def _map_caption(lang: str, photo_map: PhotoMap) -> str:
        lines = [f"<b>{Handlers._map_title(lang, photo_map)}</b>"]
        lines += [Handlers._cluster_line(lang, c) for c in photo_map.layout.clusters[:12]]
        caption = "\n".join(lines)
        return caption if len(caption) <= 1000 else caption[:caption.rfind("\n", 0, 1000)]

    async def unknown(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_chat.type == ChatType.PRIVATE or self._addressed_to_me(update, context):
            await self.reply(update, t(self.lang(update), "unknown_command"))

    async def text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Plain text in a private chat: a caption someone is drafting (words), or a hint (no words)."""
        text = update.effective_message.text or ""
        if WORD.search(text):
            await self.answer_text(update, context, text)
        else:
            await self.reply(update, t(self.lang(update), "text_hint"))

    async def not_a_photo(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_chat.type == ChatType.PRIVATE:
            await self.reply(update, t(self.lang(update), "not_a_photo"))

    @staticmethod
    def _addressed_to_me(update: Update, context) -> bool:
        text = update.effective_message.text or ""
        return f"@{(context.bot.username or '').lower()}" in text.split(" ")[0].lower()

    async def is_admin(self, update: Update, context) -> bool:
        member = await context.bot.get_chat_member(update.effective_chat.id, update.effective_user.id)
        return member.status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)

    # -- photos ----------------------------------------------------------------------------
    async def photo(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message.media_group_id:
            self._collect_album(update, context)
            return
        command, _ = command_text(message.caption)
        photo = await self.photo_of(message)
        if command == "find":  # a photo captioned `/find words`: stored, then words + photo searched
            vec = await self.run(self.engine.embed_photo, photo)
            if update.effective_chat.type == ChatType.PRIVATE:
                await self.run(self.engine.add_photos, [self._photo_input(message, photo)], [vec])
            else:
                await self.collect_group_photo(update, context, message, photo, vec)
            await self.find(update, context, photo=vec)
        elif update.effective_chat.type == ChatType.PRIVATE:
            wanted = {command} if command in PHOTO_COMMANDS else {"hashtags", "similar"}
            await self.answer_photo(update, context, photo, wanted, store=True)
        else:
            vec = await self.run(self.engine.embed_photo, photo)
            await self.collect_group_photo(update, context, message, photo, vec)
            if command in PHOTO_COMMANDS:
                await self.answer_photo(update, context, photo, {command}, vec=vec)

    async def edited_photo(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A photo's caption was edited: the stored post takes the new caption and hashtags. A new
        command caption is answered as a request; in a private chat the photo is answered again."""
        message = update.effective_message
        if message.media_group_id is None:
            command, _ = command_text(message.caption)
        else:
            command = None  # one part of an album: its caption is updated, the album not answered again
        photo = await self.photo_of(message)
        if not command:
            caption = message.caption or ""
            sha = hashlib.sha256(photo).hexdigest()
            updated = await self.run(self.engine.update_caption, scope_of(message.chat.id), sha,
                                     [caption] if caption else [], caption_hashtags(caption))
            if not updated:  # never stored (sent before the bot joined?): stored now
                vec = await self.run(self.engine.embed_photo, photo)
                await self.run(self.engine.add_photos, [self._photo_input(message, photo)], [vec])
        if command or (update.effective_chat.type == ChatType.PRIVATE and message.media_group_id is None):
            await self.photo(update, context)

    async def answer_photo(self, update: Update, context, photo: bytes, wanted: set[str], store: bool = False,
                           vec: PhotoVectors | None = None) -> None:
        lang, scope = self.lang(update), scope_of(update.effective_chat.id)
        await self.working(update, context)
        if vec is None:
            vec = await self.run(self.engine.embed_photo, photo)
        caption = update.effective_message.caption if update.effective_message else None
        caption = caption if caption and not command_text(caption)[0] else None  # words, not a command
        tags = await self.run(self.engine.hashtags, vec, scope, self.config.hashtags_k, caption=caption,
                              language=self.writes_in(update)) if "hashtags" in wanted else None
        captions = await self.run(self.engine.captions, vec, scope, 5) if "captions" in wanted else None
        similar = await self.run(self.engine.similar, vec, scope, self.config.similar_k) if "similar" in wanted else None
        if store:  # a private chat's photos stay in that chat's scope, searchable there later; stored
            # before any reply, so a photo the bot has answered is never lost to a crash
            await self.run(self.engine.add_photos, [self._photo_input(update.effective_message, photo)], [vec])
        if tags is not None:
            await self.reply(update, self.hashtag_text(lang, tags, update=update))
        if captions is not None:
            lines = "\n".join(f"• {html.escape(h.caption)} <i>({h.score:.2f})</i>" for h in captions)
            await self.reply(update, t(lang, "captions", lines_html=lines) if captions else
                             self.nothing_fits(update, lang, "no_captions", captions))
        if similar is not None and not await self.send_hits(update, context, similar):
            await self.reply(update, self.nothing_fits(update, lang, "similar_none", similar))

    def _photo_input(self, message: Message, photo: bytes) -> PhotoInput:
        caption = message.caption or ""
        item = message.photo[-1] if message.photo else message.document
        command, _ = command_text(caption)
        # A photo sent as a file has no photo file id: its document's id is kept, to upload it as a
        # photo the first time a result shows it (bot.resend)
        return PhotoInput(photo, scope_of(message.chat.id), captions=[caption] if caption and not command else [],
                          tags=caption_hashtags(caption), source="telegram", chat_id=message.chat.id,
                          message_id=message.message_id, file_id=item.file_id if message.photo else None,
                          document_file_id=None if message.photo else item.file_id,
                          file_unique_id=item.file_unique_id)

    async def collect_group_photo(self, update: Update, context, message: Message, photo: bytes,
                                  vec: PhotoVectors) -> None:
        """Store a group's photo (embedded as `vec`) in the group's scope, recording the photo's first post
        there; flag it if it re-posts one within the chat's window (the policy: indexing/search/duplicates.py)."""
        scope = scope_of(message.chat.id)
        settings = await self.run(self.engine.chat_settings, scope)
        verdict = NOT_A_REPOST
        if settings.dupes != "off":  # checked before storing, so the photo cannot match itself
            verdict = await self.run(self.engine.check_repost, vec, scope, settings, message.message_id)
        stored = await self.run(self.engine.add_photos,
                                [replace(self._photo_input(message, photo), repost_of=verdict.original_id)], [vec])
        if verdict.repost is not None:
            # (not created: the same bytes were stored from an earlier message, which stays)
            await self.flag_repost(update, context, message, verdict.repost, settings.dupes,
                                   stored[0].post_id if stored[0].created else None)

    async def flag_repost(self, update: Update, context, message: Message, repost: Repost,
                          mode: str, post_id: int | None = None) -> None:
        """Tell the chat a photo re-posts `repost.original`; in delete mode delete it, and mark the post it
        stored (`post_id`) so its message is never linked to."""
        lang = self.lang(update)
        original = repost.original
        days = int((time.time() - original.created_s) // 86400)
        when = t(lang, "when_today") if days == 0 else t(lang, "when_days", days=days)
        label = html.escape(t(lang, "original"))
        chat_id = str(message.chat.id)
        if chat_id.startswith("-100") and original.message_id:
            link = f'<a href="https://t.me/c/{chat_id[4:]}/{original.message_id}">{label}</a>'
        else:
            link = f"{label} (#{original.message_id})" if original.message_id else label
        if mode == "delete":
            try:
                await message.delete()
            except TelegramError as exc:  # not allowed to delete: fall back to replying
                log.warning("could not delete a re-post in chat %s: %s", message.chat.id, exc)
            else:
                if post_id is not None:
                    await self.run(self.engine.mark_message_deleted, post_id)
                await context.bot.send_message(message.chat.id, t(lang, "repost_deleted", link_html=link),
                                               parse_mode=ParseMode.HTML)
                return
        await message.reply_html(t(lang, "repost", when_html=when, link_html=link), do_quote=True)

    # -- albums ----------------------------------------------------------------------------
    def _collect_album(self, update: Update, context) -> None:
        message = update.effective_message
        key = (message.chat.id, message.media_group_id)
        album = self._albums.setdefault(key, _Album())
        if self.lanes is not None:
            self.lanes.hold_album(update)  # the album's other parts come before anything else of the user
        album.messages.append(message)
        album.update_ids.append(update.update_id)
        if album.task is not None:
            album.task.cancel()
        album.task = asyncio.create_task(self._album_after_quiet(key, update, context))

    async def _album_after_quiet(self, key, update: Update, context) -> None:
        await asyncio.sleep(ALBUM_QUIET_S)
        album = self._albums.pop(key, None)
        if album is None:
            return
        try:
            await self.answer_album(update, context, sorted(album.messages, key=lambda m: m.message_id))
        except Exception as exc:  # the task is ours: report like the application's error handler
            await self.on_error(update, context, exc)
        finally:
            if self.lanes is not None:
                self.lanes.album_done(update)
        if self.inbox is not None:
            self.inbox.done(*album.update_ids)

    async def answer_album(self, update: Update, context, messages: list[Message]) -> None:
        photos = [await self.photo_of(m) for m in messages]
        vectors = await self.run(self.engine.embed_photos, photos, return_errors=True)
        bad = next((v for v in vectors if isinstance(v, BadImageError)), None)
        readable = [(m, p, v) for m, p, v in zip(messages, photos, vectors) if not isinstance(v, BadImageError)]
        if update.effective_chat.type != ChatType.PRIVATE:
            for message, photo, vec in readable:  # the album's readable photos are still collected
                await self.collect_group_photo(update, context, message, photo, vec)
        elif readable:  # the readable photos are stored and answered; the others are told about after
            await self._answer_private_album(update, context, *map(list, zip(*readable)))
        if bad is not None:
            raise bad

    async def _answer_private_album(self, update: Update, context, messages: list[Message], photos: list[bytes],
                                    vectors: list[PhotoVectors]) -> None:
        lang, scope = self.lang(update), scope_of(update.effective_chat.id)
        await self.working(update, context)
        lines = []
        for n, vec in enumerate(vectors, 1):
            tags = await self.run(self.engine.hashtags, vec, scope, self.config.hashtags_k)
            lines.append(t(lang, "album_photo", n=n, line=" ".join(f"#{s.tag}" for s in tags)) if tags
                         else t(lang, "album_photo_none", n=n))
        # One album of similar photos for the whole request: none of the album's photos, one post per photo.
        best = await self.run(self.engine.similar_to_any, vectors, scope, max(self.config.similar_k, 2))
        await self.run(self.engine.add_photos, [self._photo_input(m, p) for m, p in zip(messages, photos)], vectors)
        await self.reply(update, t(lang, "album", n=len(photos)) + "\n" + "\n".join(lines))
        if not await self.send_hits(update, context, best):
            await self.reply(update, self.nothing_fits(update, lang, "similar_none", best))

    # -- inline mode -----------------------------------------------------------------------
    async def inline(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """`@bot words` in any chat: public photos only (the result may be posted anywhere)."""
        query = update.inline_query.query.strip().strip(_QUOTES).strip()
        results = []
        if query:
            hits = await self.run(self.engine.find, query[:256], PUBLIC, self.config.inline_k, include_public=True,
                                  language=self.writes_in(update))
            for hit in hits:
                file_id = hit.post.file_id or await self._upload_for_inline(context, hit.post)
                if file_id:
                    caption = hit.post.captions[0][:200] if hit.post.captions else None
                    results.append(InlineQueryResultCachedPhoto(str(hit.post.id), file_id, caption=caption))
        await update.inline_query.answer(results, cache_time=30, is_personal=False)

    async def _upload_for_inline(self, context, post) -> str | None:
        if self.config.upload_chat_id is None:
            return None
        data = await self.run(self.engine.photo_bytes, post)
        if data is None and post.document_file_id:  # sent to the bot as a file
            data = await showable_photo(context.bot, post.document_file_id, self.config.max_photo_bytes)
        if data is None:
            return None
        message = await context.bot.send_photo(self.config.upload_chat_id, data, disable_notification=True)
        file_id = message.photo[-1].file_id
        await self.run(self.engine.remember_file_id, post.id, file_id)
        return file_id

    # -- errors ----------------------------------------------------------------------------
    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE, error: Exception | None = None) -> None:
        error = error or context.error
        if not isinstance(update, Update):
            log.error("error outside an update: %r", error, exc_info=error)
            return
        if isinstance(error, Forbidden):  # kicked from the group, or blocked by the user: nobody to tell
            log.info("chat %s no longer lets me write (update %s): %s",
                     update.effective_chat.id if update.effective_chat else None, update.update_id, error)
            return
        lang = self.lang(update)
        if isinstance(error, _TooBig):
            text = t(lang, "too_big", size=megabytes(error.size, lang),
                     limit=megabytes(self.config.max_photo_bytes, lang))
        elif isinstance(error, BadImageError):
            text = t(lang, "bad_photo", reason=t(lang, bad_photo_reason(error)))
        elif isinstance(error, EmptyQueryError):
            text = t(lang, "find_usage")
        elif isinstance(error, StorageUnavailableError):
            log.error("storage unavailable (update %s, chat %s): %s", update.update_id,
                      update.effective_chat.id if update.effective_chat else None, error)
            text = t(lang, "storage_down")
        else:
            log.error("error handling update %s (chat %s, user %s)", update.update_id,
                      update.effective_chat.id if update.effective_chat else None,
                      update.effective_user.id if update.effective_user else None, exc_info=error)
            text = t(lang, "error")
        if update.effective_message is not None:
            try:
                await self.reply(update, text)
            except TelegramError as exc:  # Forbidden here too: kicked while answering
                log.warning("could not send the error reply: %s", exc)


class _TooBig(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(f"file of {size} bytes is over the limit")
        self.size = size
