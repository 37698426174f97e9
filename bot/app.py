"""The python-telegram-bot Application: handlers wired, commands registered, secrets kept out of logs."""
from __future__ import annotations

import logging

from telegram import BotCommand, Update
from telegram.ext import (Application, ApplicationBuilder, CommandHandler, InlineQueryHandler, MessageHandler,
                          filters)

from bot.handlers import BotConfig, Handlers
from bot.inbox import DurableApplication, Inbox
from bot.lanes import UserLanes
from bot.locales import LOCALES
from bot.retry import RetryingRateLimiter
from indexing.search import SearchEngine

log = logging.getLogger(__name__)

COMMANDS: dict[str, list[tuple[str, str]]] = {lang: locale.COMMANDS for lang, locale in LOCALES.items()}


class RedactSecrets(logging.Filter):
    """Replaces the bot token wherever it would appear in a log line (URLs of the HTTP client...)."""

    def __init__(self, *secrets: str) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(s in message for s in self.secrets):
            for s in self.secrets:
                message = message.replace(s, "[redacted]")
            record.msg, record.args = message, None
        return True


def protect_logs(token: str) -> None:
    """Token out of every handler's output; httpx's per-request INFO lines (URLs carry the token) off."""
    redact = RedactSecrets(token)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redact)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)


def build_application(engine: SearchEngine, token: str, config: BotConfig | None = None, *,
                      base_url: str | None = None, base_file_url: str | None = None,
                      concurrent_updates: int = 32) -> tuple[Application, Handlers]:
    handlers = Handlers(engine, config or BotConfig())
    lanes = handlers.lanes = UserLanes(handlers.throttle)  # one user's updates in order, slowed, never dropped
    lanes.on_wait = handlers.tell_waiting
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
    app.inbox = handlers.inbox = lanes.inbox = Inbox(engine.update_inbox(token.split(":")[0]))
    h = handlers
    # Edited messages: a command is answered again (CommandHandler takes edits by default); a photo's
    # new caption is stored (a command caption is answered as a new request).
    app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE & (filters.PHOTO | filters.Document.IMAGE),
                                   h.edited_photo))
    app.add_handler(CommandHandler("start", h.start))
    app.add_handler(CommandHandler("help", h.help))
    app.add_handler(CommandHandler("find", h.find))
    app.add_handler(CommandHandler(["hashtags", "similar", "captions"], h.photo_command))
    app.add_handler(CommandHandler("dupes", h.dupes))
    app.add_handler(CommandHandler("forget", h.forget))
    app.add_handler(CommandHandler("stats", h.stats))
    app.add_handler(CommandHandler("map", h.map))
    app.add_handler(CommandHandler("clusters", h.clusters))
    app.add_handler(MessageHandler(filters.PHOTO | filters.Document.IMAGE, h.photo))
    app.add_handler(MessageHandler(filters.Document.ALL, h.not_a_photo))
    app.add_handler(MessageHandler(filters.COMMAND, h.unknown))
    app.add_handler(MessageHandler(filters.TEXT & filters.ChatType.PRIVATE, h.text))
    app.add_handler(InlineQueryHandler(h.inline))
    app.add_error_handler(h.on_error)
    return app, handlers


async def post_init(app: Application) -> None:
    """Before polling starts: the command menu, then the updates a killed predecessor left unhandled."""
    await register_commands(app)
    if getattr(app, "inbox", None) is not None:
        await app.inbox.replay(app)


async def register_commands(app: Application) -> None:
    for lang, commands in COMMANDS.items():
        await app.bot.set_my_commands([BotCommand(c, d) for c, d in commands],
                                      language_code=None if lang == "en" else lang)
    log.info("bot @%s ready", app.bot.username)


ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.INLINE_QUERY]
