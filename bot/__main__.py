"""python -m bot: run the hashlens service.

Today (issue 2) the service is the engine: embedded Redis (unless REDIS_URL), the packaged
models, the indexes, and the demo photos imported on a first start. It stays up so that
`python -m indexing find/similar/hashtags ...` in another terminal share its Redis. The
Telegram bot and the local playground replace this loop in issue 4.
"""
from __future__ import annotations

import logging
import signal
import sys
import threading

from indexing.errors import IndexingError
from indexing.settings import Settings

log = logging.getLogger("bot")


def main() -> int:
    settings = Settings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from bot.demo import write_demo_set
    from indexing.ingest import ingest
    from indexing.service import open_engine
    from indexing.sources import detect_and_read

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        with open_engine(settings) as engine:
            if engine.store.count() == 0:
                demo = write_demo_set(settings.data_dir / "demo")
                report = ingest(engine, detect_and_read(demo), scope="public")
                engine.snapshot()
                log.info("demo photos imported: %s", report.summary().splitlines()[0])
            stats = engine.stats()
            print(f"hashlens is up: {stats['posts']} photos indexed (data in {settings.data_dir}).\n"
                  "Try, in another terminal:\n"
                  "  .venv/bin/python -m indexing find \"a cup of coffee\"\n"
                  f"  .venv/bin/python -m indexing hashtags {settings.data_dir}/demo/images/chelsea.jpg\n"
                  "  .venv/bin/python -m indexing ingest PATH   # your own folder or data set\n"
                  "Ctrl-C stops the service (Redis data is kept).", flush=True)
            try:
                stop.wait()
            except KeyboardInterrupt:
                pass
            log.info("stopping")
    except IndexingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
