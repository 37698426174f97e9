"""Does reading text in the background slow the bot's answers? (issue 19: "the queue's effect on
photo -> reply p95, none allowed beyond noise").

The real bot (bench.bot.BotThread) answers photos through the emulator on a store of `--index-size`
photos; the photos sent are bench.ocr_set's rendered set (two in three carry text, so the reader has
real work: ~0.6 s a text photo). One user sends a photo, waits for the whole answer, pauses a random
0-1.5 s (as people do; the reader runs in those gaps, and a photo often arrives while it is reading),
and sends the next. The bot runs in blocks that alternate reading on (the default: the ReadingWorker
in the bot process) and off (`HASHLENS_READ_TEXT=false`: no worker), ABAB..., so drift in the
machine's load falls on both alike. Reported: photo -> reply p50/p95 per variant, the ratio, and how
many photos the reader read while the "on" blocks ran (the index's photos are queued when stored, so
it has work from the first photo sent).
"""
from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path

from PIL import Image

from bench.bot import TOKEN, BotThread
from bench.common import bench_engine, emit, fill_index, latency_ms, load_items, log_progress
from bench.ocr_set import build_set, load_phrases
from bench.replies import wait_answer


def add_args(p) -> None:
    p.add_argument("--reply-index-size", type=int, default=2000, help="photos stored before timing")
    p.add_argument("--reply-photos", type=int, default=160, help="photos timed, half with reading on")
    p.add_argument("--reply-blocks", type=int, default=8, help="alternating on/off blocks")


def _jpeg(image: Image.Image) -> bytes:
    import io

    buf = io.BytesIO()
    image.convert("RGB").save(buf, "JPEG", quality=85)
    return buf.getvalue()


def reply_latency(args) -> dict:
    from bot.config import BotConfig
    from bot.emulator.client import EmulatorClient
    from bot.emulator.server import ThreadedEmulator
    from bot.emulator.world import World

    rng = random.Random(args.seed)
    items = load_items(args, args.split)
    rng.shuffle(items)
    sent_items, pool = items[: args.reply_photos], items[args.reply_photos:]
    rendered = build_set([Image.open(i.path).convert("RGB") for i in sent_items], load_phrases(), args.seed,
                         [i.path.name for i in sent_items])
    photos = [_jpeg(p.image) for p in rendered]
    per_block = max(1, len(photos) // args.reply_blocks)
    times: dict[str, list[float]] = {"reading_on": [], "reading_off": []}
    read_during_on, incomplete = 0, 0
    with bench_engine(args) as engine, tempfile.TemporaryDirectory(prefix="hashlens-copies-") as copies:
        log_progress(args, "building a %d-photo index", args.reply_index_size)
        fill_index(engine, pool, args.reply_index_size, Path(copies))
        emulator = ThreadedEmulator(World(TOKEN)).start()
        client = EmulatorClient(emulator.url)
        try:
            for block in range(args.reply_blocks):
                variant = "reading_on" if block % 2 == 0 else "reading_off"
                bot = BotThread(engine, emulator.base_url, emulator.base_file_url,
                                BotConfig(read_text=variant == "reading_on")).start()
                try:
                    _send(client, 50, photos[-1])  # warm-up of this bot (not timed)
                    log_progress(args, "block %d: %s", block + 1, variant)
                    for n in range(block * per_block, min((block + 1) * per_block, len(photos))):
                        time.sleep(rng.uniform(0, 1.5))
                        seconds, whole = _send(client, 1000 + n, photos[n])
                        times[variant].append(seconds)
                        incomplete += not whole
                    if variant == "reading_on":  # the index's photos queued first, then the ones sent
                        read_during_on += bot.handlers.reading.read
                finally:
                    bot.stop()
        finally:
            client.close()
            emulator.stop()
    on, off = latency_ms(times["reading_on"], (50, 95)), latency_ms(times["reading_off"], (50, 95))
    return {"reading_on": on, "reading_off": off,
            "p95_ratio_on_vs_off": round(on["p95_ms"] / off["p95_ms"], 3) if off.get("p95_ms") else None,
            "p50_ratio_on_vs_off": round(on["p50_ms"] / off["p50_ms"], 3) if off.get("p50_ms") else None,
            "photos_read_while_on": read_during_on, "incomplete_replies": incomplete,
            "text_photos_sent": sum(bool(p.text) for p in rendered), "index_photos": args.reply_index_size,
            "blocks": args.reply_blocks}


def _send(client, user: int, photo: bytes) -> tuple[float, bool]:
    """Seconds to the whole answer, and whether it came whole."""
    t0 = time.perf_counter()
    sent = client.send(user, photo=photo)
    _, whole = wait_answer(client, user, sent[-1]["message_id"], "photo", timeout=60)
    return time.perf_counter() - t0, whole


def run(args) -> dict:
    result = {"task": "ocr", "mode": "reply_latency", **reply_latency(args),
              "settings": {"data": args.data, "seed": args.seed}}
    emit(result, args)
    return result
