"""`bench load --burst`: one user floods the real bot process, which must store and answer everything.

`python -m bot` runs with its DEFAULT configuration (flood limit included) on a fresh data dir,
pointed at the Bot API emulator. One user sends a burst of `--burst-photos` photos and then
`--albums` albums of `--album-size` photos, as fast as the emulator takes them. Reported: how
many photos were stored (in the user's chat scope) and answered (a reply quoting the photo, or
for an album one of its photos), and the time from the first photo sent to the last reply.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import SEED, emit, load_items, log_progress
from indexing.processes import stop_process

TOKEN = "515151:BURST"
USER = 77_001
ROOT = Path(__file__).resolve().parents[1]


def start_bot(emulator, redis_url: str, data_dir: Path, args, token: str = TOKEN,
              prefix: str = "burst") -> subprocess.Popen:
    env = dict(os.environ, TELEGRAM_BOT_TOKEN=token, HASHLENS_TELEGRAM_API_URL=emulator.base_url,
               HASHLENS_TELEGRAM_FILE_URL=emulator.base_file_url, REDIS_URL=redis_url,
               HASHLENS_KEY_PREFIX=f"{prefix}{int(time.time())}", HASHLENS_DATA_DIR=str(data_dir),
               HASHLENS_MODEL_CACHE_DIR=str(Path(args.model_cache).resolve()), HASHLENS_IMAGE_MODEL=args.image_model,
               HASHLENS_LOG_LEVEL="WARNING")
    log = open(data_dir / "bot.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "bot"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 600
    while "setMyCommands" not in emulator.client.state()["calls"]:
        if proc.poll() is not None or time.time() > deadline:
            raise SystemExit("the bot did not start:\n" + (data_dir / "bot.log").read_text()[-3000:])
        time.sleep(0.5)
    proc.env = env
    return proc


def run(args) -> dict:
    import random

    from bot.emulator.client import EmulatorClient
    from bot.emulator.server import ThreadedEmulator
    from bot.emulator.world import World
    from indexing.keys import Keys
    from indexing.redis_server import connect
    from indexing.store import PostStore

    items = load_items(args, args.split)
    random.Random(SEED).shuffle(items)
    n_photos = args.burst_photos + args.albums * args.album_size
    if len(items) < n_photos:
        raise SystemExit(f"{args.data} has {len(items)} photos, {n_photos} needed")
    photos = [item.path.read_bytes() for item in items[:n_photos]]
    with tempfile.TemporaryDirectory(prefix="hashlens-burst-", dir="/tmp") as tmp:
        client, server = connect(args.redis_url, Path(tmp) / "redis", dies_with_owner=True)  # even if killed
        emulator = ThreadedEmulator(World(TOKEN)).start()
        emulator.client = EmulatorClient(emulator.url)
        proc = None
        try:
            log_progress(args, "starting the bot (default configuration)")
            proc = start_bot(emulator, args.redis_url or server.url, Path(tmp), args)
            c = emulator.client
            log_progress(args, "sending %d photos and %d albums of %d", args.burst_photos, args.albums,
                         args.album_size)
            t0 = time.time()
            sent = [c.send(USER, photo=p) for p in photos[:args.burst_photos]]
            rest = photos[args.burst_photos:]
            sent += [c.send(USER, photos=rest[a * args.album_size:(a + 1) * args.album_size])
                     for a in range(args.albums)]
            answered = wait_answers(c, sent, args.timeout or 600)
            sends = [at for method, at in list(emulator.world.calls)
                     if method.startswith("send") and method != "sendChatAction"]
            last_reply_s = max(sends) - t0 if sends else float("nan")
            store = PostStore(client, Keys.for_client(client, proc.env["HASHLENS_KEY_PREFIX"]))
            shas = [hashlib.sha256(c.file(m["photo"][-1]["file_id"])).hexdigest() for messages in sent for m in messages]
            stored = sum(store.find_by_sha(f"chat:{USER}", sha) is not None for sha in shas)
            replies = [m for m in c.messages(USER) if m["from"]["is_bot"]]
        finally:
            if proc is not None:
                stop_process(proc, timeout_s=120)
            emulator.client.close()
            emulator.stop()
            client.close()
            if server:
                server.stop()
    result = {"task": "load-burst", "photos": n_photos, "stored": stored, "answered": answered,
              "seconds_to_last_reply": round(last_reply_s, 1), "bot_messages": len(replies),
              "error_replies": sum("Sorry" in (m.get("text") or "") for m in replies),
              "burst": {"photos": args.burst_photos, "albums": args.albums, "album_size": args.album_size},
              "settings": {"data": args.data, "image_model": args.image_model, "config": "default"}}
    emit(result, args)
    return result


def wait_answers(c, sent: list[list[dict]], timeout: float, settle_s: float = 3.0) -> int:
    """How many photos are answered (a bot message quoting their message, or one of their album's),
    once all are and nothing more was sent for `settle_s` (the last albums of similar photos), or at the timeout."""
    group_of = {m["message_id"]: n for n, messages in enumerate(sent) for m in messages}
    deadline = time.time() + timeout
    quiet_since, seen = time.time(), -1
    while True:
        replies = [m for m in c.messages(USER) if m["from"]["is_bot"]]
        if len(replies) != seen:
            seen, quiet_since = len(replies), time.time()
        done = {group_of[q] for m in replies if (q := (m.get("reply_to_message") or {}).get("message_id")) in group_of}
        answered = sum(len(sent[n]) for n in done)
        if (answered == len(group_of) and time.time() - quiet_since >= settle_s) or time.time() > deadline:
            return answered
        time.sleep(0.2)
