"""python -m bot: run the hashlens service.

With TELEGRAM_BOT_TOKEN: the Telegram bot (polling, or webhook when HASHLENS_WEBHOOK_URL is set).
Without: the local playground — the same bot against the project's Bot API emulator, and a web
chat page on http://127.0.0.1:8080 to talk to it. Either way: embedded Redis unless REDIS_URL,
the packaged models, and the demo photos imported on a first start.
"""
from __future__ import annotations

import logging
import sys

from indexing.errors import IndexingError
from indexing.settings import Settings, cli_settings

log = logging.getLogger("bot")


def _import_demo_if_empty(engine, settings: Settings) -> None:
    from bot.demo import write_demo_set
    from indexing.ingest import ingest
    from indexing.sources import detect_and_read

    if engine.store.count() == 0:
        demo = write_demo_set(settings.data_dir / "demo")
        report = ingest(engine, detect_and_read(demo), scope="public")
        engine.snapshot()
        log.info("demo photos imported: %s", report.summary().splitlines()[0])


def _config(settings: Settings, upload_chat_id: int | None = None):
    from bot.handlers import BotConfig

    return BotConfig(max_photo_bytes=int(settings.photo_max_mb * 1024 * 1024),
                     upload_chat_id=upload_chat_id if upload_chat_id is not None else settings.upload_chat_id)


def run_telegram(engine, settings: Settings) -> None:
    from bot.app import ALLOWED_UPDATES, build_application, protect_logs

    token = settings.telegram_bot_token.get_secret_value()
    protect_logs(token)
    app, handlers = build_application(engine, token, _config(settings), base_url=settings.telegram_api_url,
                                      base_file_url=settings.telegram_file_url)
    try:
        if settings.webhook_url:
            secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
            app.run_webhook(listen=settings.webhook_listen, port=settings.webhook_port, webhook_url=settings.webhook_url,
                            url_path=settings.webhook_url.rstrip("/").rsplit("/", 1)[-1], secret_token=secret,
                            allowed_updates=ALLOWED_UPDATES)
        else:
            # run_polling handles SIGINT/SIGTERM: stops fetching, lets in-flight updates finish, then returns
            app.run_polling(allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False)
    finally:
        handlers.close()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    settings = cli_settings()  # SIGTERM in the playground is handled by its event loop instead
    from indexing.service import open_engine

    try:
        with open_engine(settings) as engine:
            _import_demo_if_empty(engine, settings)
            if settings.telegram_bot_token:
                run_telegram(engine, settings)
            else:
                from bot.playground import run_playground

                run_playground(engine, settings, _config)
            log.info("stopped")
    except IndexingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
