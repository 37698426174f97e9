"""The python-telegram-bot Application: each feature's callbacks wired to its updates, the command menu
registered, the queue (bot.lanes) and inbox (bot.inbox) put in place."""
from __future__ import annotations

import asyncio
import logging

from telegram import BotCommand, Update
from telegram.ext import (Application, ApplicationBuilder, CallbackQueryHandler, CommandHandler, InlineQueryHandler,
                          MessageHandler, filters)

from bot.albums import Albums
from bot import buttons, forgetting
from bot.answers import Answers
from bot.commands import Commands
from bot.config import BotConfig
from bot.dupes import Dupes
from bot.errors import ErrorReplies
from bot.i18n import COMMANDS
from bot.imagefiles import IMAGE_DOCUMENT, PRIVATE_MOVING_STICKER, PRIVATE_STILL_STICKER
from bot.inbox import DurableApplication, Inbox
from bot.inline import Inline
from bot.lanes import UserLanes
from bot.maps import Maps
from bot.moderation import Moderation
from bot.photos import Photos
from bot.refetch import TelegramFiles
from bot.retry import RetryingRateLimiter
from bot.stickers import Stickers
from bot.telegram_io import PostSender, tell_waiting
from bot.throttle import Throttle
from bot.videos import Videos
from bot.workers import Workers
from indexing.search import ReadingWorker, SearchEngine

log = logging.getLogger(__name__)


class Features:
    """The bot's features over one engine, sharing its worker threads; `close` stops the threads."""

    def __init__(self, engine: SearchEngine, config: BotConfig) -> None:
        self.engine = engine
        self.config = config
        self.photo_source: TelegramFiles | None = None
        self.workers = Workers(config.engine_threads)
        self.throttle = Throttle(config.user_per_minute, config.user_burst)
        sender = PostSender(engine, self.workers, config.max_photo_bytes)
        answers = Answers(engine, config, self.workers, sender)
        self.errors = ErrorReplies(config.max_photo_bytes)
        self.commands = Commands(engine, self.workers, answers, config.max_photo_bytes)
        self.moderation = Moderation(engine, self.workers)
        self.dupes = Dupes(engine, self.workers)
        self.forgetting = forgetting.Forgetting(engine, self.workers)
        self.repost_buttons = buttons.RepostButtons(engine, self.workers)
        self.albums = Albums(engine, config, self.workers, answers, sender, self.moderation, self.errors.on_error)
        self.videos = Videos(engine, config, self.workers, answers, self.moderation, self.albums)
        self.photos = Photos(engine, config, self.workers, answers, self.moderation, self.albums, self.videos)
        self.stickers = Stickers(answers, config.max_photo_bytes)
        self.maps = Maps(engine, config, self.workers, sender)
        self.inline = Inline(engine, config, self.workers, sender)
        # Text in stored photos is read here, one photo at a time, only while no update is answered.
        self.reading = (ReadingWorker(engine.reading, reply_busy=self.workers.busy, put_text=engine.put_read_text).start()
                        if engine.reading is not None and config.read_text else None)

    async def tell_waiting(self, update: Update, waiting: int) -> None:
        await tell_waiting(update, waiting, self.config.user_per_minute)

    def fetch_from(self, source: TelegramFiles) -> None:
        """Let the engine fetch stored photos through this bot (removed again on close)."""
        self.photo_source = source
        self.engine.add_photo_source(source)
        if self.reading is not None:  # now the photos stored before reading began can be fetched and read
            self.reading.backfill_from(self.engine.fetch_photo)

    def close(self) -> None:
        if self.photo_source is not None:
            self.engine.remove_photo_source(self.photo_source)
        if self.reading is not None:
            self.reading.stop()
        self.workers.close()


def build_application(engine: SearchEngine, token: str, config: BotConfig | None = None, *,
                      base_url: str | None = None, base_file_url: str | None = None,
                      concurrent_updates: int = 32) -> tuple[Application, Features]:
    """The Application, and the features its handlers call (close them once the application stopped)."""
    bot = Features(engine, config or BotConfig())
    lanes = bot.albums.lanes = UserLanes(bot.throttle)  # one user's updates in order, slowed, never dropped
    lanes.on_wait = bot.tell_waiting
    builder = (ApplicationBuilder().token(token)
               .update_queue(lanes)
               # waits out 429s (retry_after), 5 times at most; retries 5xx and timeouts with backoff
               .rate_limiter(RetryingRateLimiter(max_retries=5))
               .concurrent_updates(concurrent_updates)
               .application_class(DurableApplication)
               .post_init(post_init))
    if base_url:
        builder = builder.base_url(base_url).base_file_url(base_file_url or base_url.replace("/bot", "/file/bot"))
    app = builder.build()
    app.inbox = bot.albums.inbox = lanes.inbox = Inbox(engine.update_inbox(token.split(":")[0]))
    commands, photos, videos = bot.commands, bot.photos, bot.videos
    # Edited messages: a command is answered again (CommandHandler takes edits by default); a photo's
    # (a video's) new caption is stored (a command caption is answered as a new request). Videos are
    # matched first: an animation is also a document, maybe an image/gif one.
    app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE & (filters.VIDEO | filters.ANIMATION),
                                   videos.edited))
    app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE & (filters.PHOTO | IMAGE_DOCUMENT),
                                   photos.edited))
    app.add_handler(CommandHandler("start", commands.start))
    app.add_handler(CommandHandler("help", commands.help))
    app.add_handler(CommandHandler("find", commands.find))
    app.add_handler(CommandHandler("hashtags", photos.hashtags))
    app.add_handler(CommandHandler("similar", photos.similar))
    app.add_handler(CommandHandler("captions", photos.captions))
    app.add_handler(CommandHandler("dupes", bot.dupes.dupes))
    app.add_handler(CommandHandler("forget", bot.forgetting.forget))
    app.add_handler(CommandHandler("stats", commands.stats))
    app.add_handler(CommandHandler("map", bot.maps.map))
    app.add_handler(CommandHandler("clusters", bot.maps.clusters))
    app.add_handler(MessageHandler(filters.VIDEO | filters.ANIMATION | filters.VIDEO_NOTE, videos.video))
    app.add_handler(MessageHandler(filters.PHOTO | IMAGE_DOCUMENT, photos.photo))
    app.add_handler(MessageHandler(filters.Document.ALL, commands.not_a_photo))
    # stickers: answered in a private chat only (bot.stickers says why a group's are left alone)
    app.add_handler(MessageHandler(PRIVATE_STILL_STICKER, bot.stickers.still))
    app.add_handler(MessageHandler(PRIVATE_MOVING_STICKER, bot.stickers.moving))
    app.add_handler(MessageHandler(filters.COMMAND, commands.unknown))
    app.add_handler(MessageHandler(filters.TEXT & filters.ChatType.PRIVATE, commands.text))
    app.add_handler(InlineQueryHandler(bot.inline.query))
    app.add_handler(CallbackQueryHandler(bot.repost_buttons.press, pattern=buttons.PATTERN))
    app.add_handler(CallbackQueryHandler(bot.forgetting.confirm, pattern=forgetting.PATTERN))
    app.add_error_handler(bot.errors.on_error)
    app.bot_data["features"] = bot
    return app, bot


async def post_init(app: Application) -> None:
    """Before polling starts: the command menu, then the updates a killed predecessor left unhandled;
    and Telegram as a source of stored photos for an image-model migration (bot/refetch.py)."""
    features = app.bot_data.get("features")
    if features is not None:
        features.fetch_from(TelegramFiles(app.bot, asyncio.get_running_loop(), features.config.max_photo_bytes))
        features.engine.start_image_migration()  # stored photos of another image model: Telegram's ones too
    await register_commands(app)
    if getattr(app, "inbox", None) is not None:
        await app.inbox.replay(app)


async def register_commands(app: Application) -> None:
    for lang, commands in COMMANDS.items():
        await app.bot.set_my_commands([BotCommand(c, d) for c, d in commands],
                                      language_code=None if lang == "en" else lang)
    log.info("bot @%s ready", app.bot.username)


ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.INLINE_QUERY, Update.CALLBACK_QUERY]
