"""Bot latency through the emulator: a photo update -> the bot's full reply, `/find` -> its album.

The real bot (python-telegram-bot Application, HTTP to the emulator, AIORateLimiter) runs in
this process on a `--index-size` public index; users are simulated over the emulator's control
API. Latency = from the moment the update is queued to the moment the last message of the reply
(hashtags + album of similar photos; intro + album for /find) is stored by the emulator. The
network to Telegram is excluded by construction; everything else is included.
"""
from __future__ import annotations

import asyncio
import random
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.common import SEED, bench_engine, emit, fill_index, latency_ms, load_items, log_progress
from bench.replies import wait_answer

TOKEN = "424242:BENCH"


def add_args(p) -> None:
    p.add_argument("--index-size", type=int, default=10_000)
    p.add_argument("--photos", type=int, default=100, help="photo updates to time (one user at a time)")
    p.add_argument("--finds", type=int, default=100, help="/find updates to time")
    p.add_argument("--users", type=int, default=20, help="then this many users send a photo at once")


class BotThread:
    """The bot's Application polling the emulator, on its own event loop in a thread."""

    def __init__(self, engine, base_url: str, base_file_url: str, config=None) -> None:
        from bot.app import ALLOWED_UPDATES, build_application
        from bot.config import BotConfig

        self.app, self.handlers = build_application(engine, TOKEN, config or BotConfig(), base_url=base_url,
                                                    base_file_url=base_file_url)
        self._allowed = ALLOWED_UPDATES
        self._loop = asyncio.new_event_loop()
        self._stop = asyncio.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._loop.run_until_complete, args=(self._main(),), daemon=True)

    async def _main(self) -> None:
        async with self.app:
            await self.app.start()
            await self.app.updater.start_polling(poll_interval=0.0, timeout=10, allowed_updates=self._allowed)
            self._ready.set()
            await self._stop.wait()
            await self.app.updater.stop()
            await self.app.stop()

    def start(self) -> "BotThread":
        self._thread.start()
        if not self._ready.wait(60):
            raise RuntimeError("the bot did not start")
        return self

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(60)
        self.handlers.close()


def _timed(client, user: int, kind: str, **message) -> tuple[float, bool]:
    """Seconds from sending to the whole answer (wait_answer), and whether it came whole."""
    t0 = time.perf_counter()
    sent = client.send(user, **message)
    _, whole = wait_answer(client, user, sent[-1]["message_id"], kind, timeout=60)
    return time.perf_counter() - t0, whole


def run(args) -> dict:
    from bot.emulator.client import EmulatorClient
    from bot.emulator.server import ThreadedEmulator
    from bot.emulator.world import World

    rng = random.Random(SEED)
    items = load_items(args, args.split)
    rng.shuffle(items)
    queries, pool = items[: max(args.photos, args.users)], items[max(args.photos, args.users):]
    with bench_engine(args) as engine, tempfile.TemporaryDirectory(prefix="hashlens-copies-") as copies:
        log_progress(args, "building a %d-photo index", args.index_size)
        build_s = fill_index(engine, pool, args.index_size, Path(copies))
        baseline = engine.store.count()
        emulator = ThreadedEmulator(World(TOKEN)).start()
        client = EmulatorClient(emulator.url)
        bot = BotThread(engine, emulator.base_url, emulator.base_file_url).start()
        try:
            _timed(client, 10, "photo", photo=queries[0].path.read_bytes())  # warm-up
            log_progress(args, "timing %d photo updates", args.photos)
            photo_t, short = [], 0
            for n in range(args.photos):
                seconds, whole = _timed(client, 100 + n, "photo", photo=queries[n].path.read_bytes())
                photo_t.append(seconds)
                short += not whole
            log_progress(args, "timing %d /find updates", args.finds)
            texts = [c for i in items for c in i.captions[1:2]] or ["a photo"]
            find_t = []
            for n in range(args.finds):
                seconds, whole = _timed(client, 100 + n, "find", text=f"/find {texts[n % len(texts)]}")
                find_t.append(seconds)
                short += not whole
            log_progress(args, "%d users sending a photo at once", args.users)
            with ThreadPoolExecutor(args.users) as pool_:
                together = list(pool_.map(lambda n: _timed(client, 5000 + n, "photo",
                                                           photo=queries[n].path.read_bytes()), range(args.users)))
            answered = sum(1 for _, whole in together if whole)
            time.sleep(1.0)  # photos are stored right after the reply is sent
            sent_photos = 1 + args.photos + args.users  # warm-up + timed + concurrent, each in its own chat
            lost = sent_photos - (engine.store.count() - baseline)
        finally:
            bot.stop()
            client.close()
            emulator.stop()
    result = {
        "task": "bot", "index_photos": args.index_size, "index_build_s": round(build_s, 1),
        "photo_to_reply": latency_ms(photo_t, (50, 95)), "find_to_reply": latency_ms(find_t, (50, 95)),
        "concurrent": {"users": args.users, "answered": answered, **latency_ms([s for s, _ in together], (50, 95))},
        "incomplete_replies": short, "lost_posts": lost,
        "settings": {"data": args.data, "image_model": args.image_model, "text_model": args.text_model,
                     "runtime": args.runtime},
    }
    emit(result, args)
    return result
