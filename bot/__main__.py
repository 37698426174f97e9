"""python -m bot: run the hashlens service; python -m bot scheduler: run only the scheduled jobs.

With TELEGRAM_BOT_TOKEN: the Telegram bot (polling, or webhook when HASHLENS_WEBHOOK_URL is set).
Without: the local playground — the same bot against the project's Bot API emulator, and a web
chat page on http://127.0.0.1:8080 to talk to it. Either way: embedded Redis unless REDIS_URL,
the packaged models, the demo photos imported on a first start, and the scheduler (retrain,
rebuild, snapshot) in the same process unless HASHLENS_SCHEDULER_IN_BOT=false.
"""
from __future__ import annotations

import logging
import sys
from urllib.parse import urlsplit

from indexing.search import IndexingError
from indexing.settings import Settings, cli_settings

log = logging.getLogger("bot")


def _import_demo_if_empty(engine, settings: Settings) -> None:
    from bot.demo import write_demo_set
    from indexing.ingest import ingest
    from indexing.locks import JobLock, LockBusy
    from indexing.sources import detect_and_read

    if engine.post_count() != 0:
        return
    # Workers started together on an empty store (docker-compose.scale.yml's replicas) would each
    # import the demo set, and the same photo checked by two at once is stored twice: one imports it.
    try:
        with JobLock(engine.store, "demo-import", ttl_s=120, wait_s=600):
            if engine.post_count() != 0:
                return  # another worker imported it meanwhile
            demo = write_demo_set(settings.data_dir / "demo")
            report = ingest(engine, detect_and_read(demo), scope="public")
            engine.publish_release()
            log.info("demo photos imported: %s", report.summary().splitlines()[0])
    except LockBusy as exc:
        log.warning("demo photos not imported: %s", exc)


def _config(settings: Settings, upload_chat_id: int | None = None):
    from bot.config import BotConfig

    return BotConfig(max_photo_bytes=int(settings.photo_max_mb * 1024 * 1024),
                     upload_chat_id=upload_chat_id if upload_chat_id is not None else settings.upload_chat_id,
                     user_per_minute=settings.user_per_minute, user_burst=settings.user_burst,
                     map_max_photos=settings.map_max_photos, map_cache_days=settings.map_cache_days,
                     thumbnail_side=settings.thumbnail_side, read_text=settings.read_text)


def webhook_path(url: str) -> str:
    """The path the webhook server answers on: the whole path of the public URL (a proxy passes it on
    unchanged), `https://h/bots/hashlens` -> `bots/hashlens`."""
    return urlsplit(url).path.strip("/")


def run_telegram(engine, settings: Settings) -> None:
    from bot.app import ALLOWED_UPDATES, build_application
    from bot.logs import protect_logs

    token = settings.telegram_bot_token.get_secret_value()
    protect_logs(token)
    app, features = build_application(engine, token, _config(settings), base_url=settings.telegram_api_url,
                                      base_file_url=settings.telegram_file_url)
    try:
        if settings.webhook_url:
            secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
            app.run_webhook(listen=settings.webhook_listen, port=settings.webhook_port, webhook_url=settings.webhook_url,
                            url_path=webhook_path(settings.webhook_url), secret_token=secret,
                            allowed_updates=ALLOWED_UPDATES)
        else:
            # run_polling handles SIGINT/SIGTERM: stops fetching, lets in-flight updates finish, then returns
            app.run_polling(allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False)
    finally:
        features.close()


def run_scheduler(argv: list[str], settings: Settings) -> int:
    """`python -m bot scheduler [--once JOB [--force]]`: the jobs alone, beside any number of bots."""
    import argparse
    import json

    from indexing.jobs import JOBS
    from indexing.scheduler import JobScheduler
    from indexing.service import open_engine

    p = argparse.ArgumentParser(prog="python -m bot scheduler", description="run the scheduled jobs")
    p.add_argument("--once", choices=JOBS, help="run this job now and exit (its result as JSON)")
    p.add_argument("--force", action="store_true", help="with --once: run even if there is no work for it")
    args = p.parse_args(argv)
    # the bots migrate stored photos to a new image model (they can fetch them from Telegram); this
    # process switches when their release is published
    with open_engine(settings, follow=True, migrate_photos=False) as engine:
        scheduler = JobScheduler(engine, settings, blocking=args.once is None)
        if args.once:
            result = scheduler.run(args.once, force=args.force)
            print(json.dumps(result, indent=2, default=str))
            return 1 if "error" in result else 0
        scheduler.start()  # blocks; SIGTERM/Ctrl-C end it
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    settings = cli_settings()  # SIGTERM in the playground is handled by its event loop instead
    from indexing.scheduler import JobScheduler
    from indexing.service import open_engine

    try:
        if argv[:1] == ["scheduler"]:
            return run_scheduler(argv[1:], settings)
        # the image migration starts once the bot can fetch stored photos from Telegram (bot/app.py post_init)
        with open_engine(settings, follow=True, migrate_photos=False) as engine:
            _import_demo_if_empty(engine, settings)
            scheduler = JobScheduler(engine, settings).start() if settings.scheduler_in_bot else None
            try:
                if settings.telegram_bot_token:
                    run_telegram(engine, settings)
                else:
                    from bot.playground import run_playground

                    run_playground(engine, settings, _config)
            finally:
                if scheduler is not None:
                    scheduler.stop()
            log.info("stopped")
    except IndexingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
