"""Load: N simulated users drive the real bot through the emulator for a fixed time.

Each user loops over a mix of actions, waiting for each answer before the next (closed loop):
a photo in their private chat (hashtags + album), `/find <caption>` (intro + album), and a photo
in a shared group with `/hashtags` as caption, half of them re-posts of earlier group photos
(collected, checked for re-posts, answered), each user in one of five groups. Reported:
throughput (all, and per kind of action), p50/p95/p99 latency per action, errors (an error reply or
no reply within the timeout), lost posts (a photo the bot answered that is not stored), and the
bot's sends a second (a message or an album is one send): Telegram allows 30 a second in all and
20 a minute into one group, and the bot's rate limiter keeps to both, so with answers of ~2 sends
each the bot cannot answer more than ~15 actions a second of this mix, nor more than ~20 group
photos a minute per group (docs/BENCHMARKS.md).
"""
from __future__ import annotations

import hashlib
import random
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.bot import TOKEN, BotThread
from bench.common import SEED, bench_engine, emit, fill_index, latency_ms, load_items, log_progress
from bench.replies import wait_answer

GROUPS = [-1003000000001 - i for i in range(5)]  # Telegram lets a bot send 20 messages a minute into
# one group (AIORateLimiter keeps to it): the group traffic is spread over several groups, as in life
ERROR_MARKS = ("Sorry, something went wrong", "unavailable")
MIX = {"photo": 4, "find": 4, "group": 2}  # the actions' weights


def add_args(p) -> None:
    p.add_argument("--index-size", type=int, default=10_000)
    p.add_argument("--users", type=int, default=20)
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("--timeout", type=float, default=None, help="no answer within this long (default 30 s) is an "
                   "error; with --burst: how long to wait for all answers (default 600 s)")
    p.add_argument("--burst", action="store_true", help="instead: one user floods the bot process (bench.burst)")
    p.add_argument("--burst-photos", type=int, default=30)
    p.add_argument("--albums", type=int, default=3)
    p.add_argument("--album-size", type=int, default=5)
    p.add_argument("--kinds", default=",".join(MIX), help="the actions users take, of " + ", ".join(
        f"{kind} ({weight})" for kind, weight in MIX.items()) + ": e.g. photo,find for private chats alone "
        "(group photos are paced by Telegram's 20 messages a minute per group)")


class Users:
    def __init__(self, client, photos: list[bytes], texts: list[str], timeout: float, kinds: list[str]) -> None:
        self.client = client
        self.kinds = kinds
        self.photos = photos
        self.texts = texts
        self.timeout = timeout
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = {"photo": [], "find": [], "group": []}
        self.errors: list[str] = []
        self.answered_photos: list[tuple[str, bytes]] = []  # (scope, photo) the bot answered
        self.group_posted: dict[int, list[tuple[int, bytes]]] = {g: [] for g in GROUPS}  # (author, photo)
        self.reposts = self.flagged = 0
        self.sends = 0  # the bot's sendMessage / sendPhoto / sendMediaGroup calls in the answers

    def act(self, user: int, rng: random.Random) -> None:
        kind = rng.choices(self.kinds, weights=[MIX[k] for k in self.kinds])[0]
        t0 = time.perf_counter()
        chat, message = user, {}
        repost = False
        if kind == "photo":
            message = {"photo": rng.choice(self.photos)}
        elif kind == "find":
            message = {"text": f"/find {rng.choice(self.texts)}"}
        else:
            chat = GROUPS[user % len(GROUPS)]
            with self.lock:
                # photos only others posted: a member's own photo again is not flagged (the chat's default)
                mine = {photo for author, photo in self.group_posted[chat] if author == user}
                posted = [photo for _, photo in self.group_posted[chat] if photo not in mine]
                repost = bool(posted) and rng.random() < 0.5
                photo = rng.choice(posted) if repost else rng.choice(self.photos)
            message = {"photo": photo, "caption": "/hashtags"}
        sent = self.client.send(user, chat, **message)[-1]
        # in a group, only the replies to this message count: others talk there too
        replies, whole = wait_answer(self.client, chat, sent["message_id"], kind, self.timeout, minimum=1 + repost,
                                     reply_to=sent["message_id"] if chat in GROUPS else None)
        seconds = time.perf_counter() - t0
        text = " ".join((r.get("text") or r.get("caption") or "") for r in replies)
        with self.lock:
            if not whole or any(mark in text for mark in ERROR_MARKS):
                self.errors.append(f"{kind}: {len(replies)} replies: {text[:120]}")
                return
            self.latency[kind].append(seconds)
            self.sends += sends_of(replies)
            if kind == "photo":
                self.answered_photos.append((f"chat:{user}", message["photo"]))
            elif kind == "group":
                self.answered_photos.append((f"chat:{chat}", message["photo"]))
                self.group_posted[chat].append((user, message["photo"]))
                self.reposts += repost
                self.flagged += repost and any("already posted here" in (r.get("text") or "") for r in replies)


def sends_of(replies: list[dict]) -> int:
    """The bot's calls behind these replies: one per message, one per album."""
    albums = {r["media_group_id"] for r in replies if r.get("media_group_id")}
    return len(albums) + sum(1 for r in replies if not r.get("media_group_id"))


def run(args) -> dict:
    if args.burst:
        from bench import burst

        return burst.run(args)
    from bot.emulator.client import EmulatorClient
    from bot.emulator.server import ThreadedEmulator
    from bot.emulator.world import World

    kinds = [kind for kind in args.kinds.split(",") if kind]
    if not kinds or set(kinds) - set(MIX):
        raise SystemExit(f"--kinds: some of {', '.join(MIX)}")
    rng = random.Random(SEED)
    items = load_items(args, args.split)
    rng.shuffle(items)
    split = min(200, len(items) // 2)  # photos users send / photos of the library
    queries, pool = items[:split], items[split:]
    with bench_engine(args) as engine, tempfile.TemporaryDirectory(prefix="hashlens-copies-") as copies:
        log_progress(args, "building a %d-photo index", args.index_size)
        fill_index(engine, pool, args.index_size, Path(copies))
        emulator = ThreadedEmulator(World(TOKEN)).start()
        client = EmulatorClient(emulator.url)
        for group in GROUPS:
            client.group(group, f"Load group {group}", admins=[], creator=None)
        from bot.config import BotConfig

        # Simulated users act as fast as the bot answers, beyond any human rate: the per-user limit
        # (measured on its own by --burst) would slow them down, so it is off here to measure the service.
        bot = BotThread(engine, emulator.base_url, emulator.base_file_url, BotConfig(user_per_minute=0)).start()
        users = Users(client, [q.path.read_bytes() for q in queries], [c for q in queries for c in q.captions[:1]],
                      args.timeout or 30, kinds)
        log_progress(args, "%d users for %.0f s", args.users, args.seconds)
        stop_at = time.perf_counter() + args.seconds

        def user_loop(n: int) -> int:
            user_rng = random.Random(SEED + n)
            done = 0
            while time.perf_counter() < stop_at:
                users.act(20_000 + n, user_rng)
                done += 1
            return done

        try:
            t0 = time.perf_counter()
            with ThreadPoolExecutor(args.users) as pool_:
                actions = sum(pool_.map(user_loop, range(args.users)))
            elapsed = time.perf_counter() - t0
            lost = [(scope, p) for scope, p in users.answered_photos
                    if engine.store.find_by_sha(scope, hashlib.sha256(p).hexdigest()) is None]
        finally:
            bot.stop()
            client.close()
            emulator.stop()
    result = {
        "task": "load", "users": args.users, "seconds": round(elapsed, 1), "index_photos": args.index_size,
        "actions": actions, "throughput_per_s": round(actions / elapsed, 2),
        "throughput_per_s_by_kind": {kind: round(len(values) / elapsed, 2) for kind, values in users.latency.items()
                                     if kind in kinds},
        "bot_sends_per_s": round(users.sends / elapsed, 2),
        "kinds": kinds, "latency": {kind: latency_ms(values) for kind, values in users.latency.items() if kind in kinds},
        "all": latency_ms([v for values in users.latency.values() for v in values]),
        "errors": len(users.errors), "error_samples": users.errors[:5],
        "lost_posts": len(lost), "reposts": users.reposts, "reposts_flagged": users.flagged,
        "settings": {"data": args.data, "image_model": args.image_model, "runtime": args.runtime},
    }
    emit(result, args)
    return result
