"""Moderation: a busy group of `--members` members posts photos for `--seconds` through the real bot.

`python -m bot` runs with its DEFAULT configuration on a fresh embedded Valkey, pointed at the Bot API
emulator, as in a real group where it is an admin. Members post at `--rate` photos a second (the whole
group, Poisson arrivals); `--repost-share` of the posts are re-posts of a photo posted earlier, by a
member who never posted it, edited a little (recompressed, resized, cropped). The admin presses "Not a
re-post" on `--clear-share` of the flags of re-posts (evenly spread, the first one included); each
photo so cleared is then posted again (edited anew, as its poster posted it) by another member.

Reported: posts and re-posts sent; re-posts flagged against an earlier post of the same photo,
flagged more than once, missed; false flags (on a new photo, or naming a post of another photo);
cleared pairs, and their photo posted again: flagged against the original it was cleared from (must
be 0), against the copy the admin cleared (a re-post of that copy), or not at all; posts the bot did
not store; the flag latency, from the post sent to the flag visible in the group.
"""
from __future__ import annotations

import io
import math
import random
import re
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from bench.burst import start_bot
from bench.common import SEED, emit, latency_ms, load_items, log_progress
from indexing.processes import stop_process

TOKEN = "616161:MODERATION"
GROUP = -1006100000001
ADMIN = 61_000
FIRST_MEMBER = 61_001
CLEAR = "rp:clear:"
_LINK = re.compile(r"https://t\.me/c/\d+/(\d+)")


def add_args(p) -> None:
    p.add_argument("--members", type=int, default=50)
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("--rate", type=float, default=1.0, help="photos posted per second by the whole group "
                   "(Telegram lets a bot send 20 messages a minute into one group: flags count)")
    p.add_argument("--repost-share", type=float, default=0.2)
    p.add_argument("--clear-share", type=float, default=0.05, help="flags the admin clears (Not a re-post)")
    p.add_argument("--timeout", type=float, default=120, help="how long to wait for the last flags")


def edited(data: bytes, rng: random.Random) -> bytes:
    """A re-post as members make them: the photo recompressed, a little smaller, a little cropped."""
    with Image.open(io.BytesIO(data)) as im:
        im = im.convert("RGB")
        w, h = im.size
        cut = rng.uniform(0.0, 0.05)
        im = im.crop((int(w * cut), int(h * cut), w - int(w * cut), h - int(h * cut)))
        scale = rng.uniform(0.75, 1.0)
        im = im.resize((max(1, int(im.width * scale)), max(1, int(im.height * scale))), Image.BICUBIC)
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=rng.randint(70, 88))
        return buf.getvalue()


@dataclass
class Post:
    message_id: int
    member: int
    source: int  # which photo of the data set it shows
    kind: str  # original | repost | cleared (a re-post of a photo whose flag the admin cleared)
    sent_at: float
    file_id: str
    cleared_from: int | None = None  # for kind "cleared": the post id of the original it was cleared from


@dataclass
class Flag:
    message_id: int
    post: int  # the message it replies to
    seen_at: float
    original: int | None  # the original message it names (resolved at the end for button data)
    original_post_id: int | None  # from the "Not a re-post" button: the original's post id
    clear_data: str | None


@dataclass
class Group:
    """What the members did and what they saw the bot do, shared by the poster and the watcher."""
    photos: list[bytes]
    members: list[int]
    repost_share: float
    rng: random.Random
    lock: threading.Lock = field(default_factory=threading.Lock)
    posts: dict[int, Post] = field(default_factory=dict)
    posters: dict[int, set[int]] = field(default_factory=dict)  # source -> members who posted it
    flags: list[Flag] = field(default_factory=list)
    cleared: list[tuple[int, int]] = field(default_factory=list)  # (re-post message, original post id) pairs
    to_repost: list[tuple[int, int, bytes]] = field(default_factory=list)  # cleared (source, original post id, photo)
    sent_photos: dict[int, bytes] = field(default_factory=dict)  # message id -> the photo posted
    answers: list[dict] = field(default_factory=list)
    next_original: int = 0

    def next_post(self) -> tuple[int, int, str, bytes, int | None]:
        """(member, source, kind, photo, cleared_from) of the next post."""
        with self.lock:
            while self.to_repost:  # the photo of a cleared pair again, edited anew
                source, original, photo = self.to_repost.pop(0)
                if len(self.posters[source]) < len(self.members):  # (by someone who never posted it)
                    return self._by_newcomer(source), source, "cleared", edited(photo, self.rng), original
            reposted = [s for s, who in self.posters.items() if len(who) < len(self.members)]
            if reposted and (self.rng.random() < self.repost_share or self.next_original >= len(self.photos)):
                source = self.rng.choice(reposted)
                return self._by_newcomer(source), source, "repost", edited(self.photos[source], self.rng), None
            if self.next_original >= len(self.photos):
                raise SystemExit(f"only {len(self.photos)} photos: lower --seconds or --rate")
            source, self.next_original = self.next_original, self.next_original + 1
            return self.rng.choice(self.members), source, "original", self.photos[source], None

    def _by_newcomer(self, source: int) -> int:
        return self.rng.choice([m for m in self.members if m not in self.posters.get(source, set())])

    def sent(self, message: dict, photo: bytes, member: int, source: int, kind: str, cleared_from: int | None) -> None:
        with self.lock:
            self.sent_photos[message["message_id"]] = photo
            self.posts[message["message_id"]] = Post(message["message_id"], member, source, kind, time.perf_counter(),
                                                     message["photo"][-1]["file_id"], cleared_from)
            self.posters.setdefault(source, set()).add(member)


def read_flag(message: dict, seen_at: float) -> Flag | None:
    """A bot message replying to a member's post with a re-post flag: the "Not a re-post" button, or
    (a bot without buttons) a link to the original message."""
    replied = (message.get("reply_to_message") or {}).get("message_id")
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    clear = next((b["callback_data"] for row in rows for b in row if b.get("callback_data", "").startswith(CLEAR)),
                 None)
    link = _LINK.search(message.get("html") or "")
    if replied is None or (clear is None and link is None):
        return None
    original_post = int(clear.split(":")[3]) if clear else None
    return Flag(message["message_id"], replied, seen_at, int(link.group(1)) if link else None, original_post, clear)


class Watcher(threading.Thread):
    """Sees each bot message in the group as it appears; the admin clears every n-th flag."""

    def __init__(self, client, group: Group, clear_share: float) -> None:
        super().__init__(name="watcher", daemon=True)
        self.client, self.group, self.clear_share = client, group, clear_share
        self.stop = threading.Event()
        self.presses = ThreadPoolExecutor(2)
        self.pending: list = []
        self.cleared_candidates = 0  # flags of re-posts seen so far, every n-th is cleared

    def run(self) -> None:
        after = 0
        while not self.stop.is_set():
            for message in self.client.wait(GROUP, after, count=1, timeout=1.0):
                after = max(after, message["message_id"])
                flag = read_flag(message, time.perf_counter())
                if flag is None:
                    continue
                with self.group.lock:
                    post = self.group.posts.get(flag.post)
                    self.group.flags.append(flag)
                    if flag.clear_data is None or post is None or post.kind != "repost":
                        continue  # the admin clears flags of first re-posts only (no endless chains)
                    n, self.cleared_candidates = self.cleared_candidates, self.cleared_candidates + 1
                if math.floor(n * self.clear_share) != math.floor((n - 1) * self.clear_share):
                    self.pending.append(self.presses.submit(self.clear, flag))

    def clear(self, flag: Flag) -> None:
        answer = self.client.press(GROUP, flag.message_id, ADMIN, flag.clear_data, timeout=60)
        with self.group.lock:
            self.group.answers.append(answer)
            post = self.group.posts.get(flag.post)
            self.group.cleared.append((flag.post, flag.original_post_id))
            if post is not None:
                self.group.to_repost.append((post.source, flag.original_post_id, self.group.sent_photos[post.message_id]))

    def finish(self) -> None:
        for future in self.pending:
            future.result()
        self.stop.set()
        self.join(10)
        self.presses.shutdown()


def run(args) -> dict:
    from bot.emulator.client import EmulatorClient
    from bot.emulator.server import ThreadedEmulator
    from bot.emulator.world import World
    from indexing.keys import Keys
    from indexing.redis_server import connect
    from indexing.store import PostStore

    rng = random.Random(SEED)
    items = load_items(args, args.split)
    rng.shuffle(items)
    members = [FIRST_MEMBER + n for n in range(args.members)]
    group = Group([item.path.read_bytes() for item in items[:args.limit or len(items)]], members,
                  args.repost_share, rng)
    scope = f"chat:{GROUP}"
    with tempfile.TemporaryDirectory(prefix="hashlens-moderation-", dir="/tmp") as tmp:
        redis, server = connect(args.redis_url, Path(tmp) / "redis", dies_with_owner=True)  # even if killed
        emulator = ThreadedEmulator(World(TOKEN)).start()
        c = emulator.client = EmulatorClient(emulator.url)
        c.group(GROUP, "Moderation bench", admins=[ADMIN], creator=ADMIN)
        proc = watcher = None
        try:
            log_progress(args, "starting the bot (default configuration)")
            proc = start_bot(emulator, args.redis_url or server.url, Path(tmp), args, token=TOKEN, prefix="moderation")
            store = PostStore(redis, Keys.for_client(redis, proc.env["HASHLENS_KEY_PREFIX"]))
            watcher = Watcher(c, group, args.clear_share)
            watcher.start()
            log_progress(args, "%d members posting %.1f photos/s for %.0f s", args.members, args.rate, args.seconds)
            t0 = time.perf_counter()
            next_at = t0
            while next_at < t0 + args.seconds:
                time.sleep(max(0.0, next_at - time.perf_counter()))
                post_one(c, group)
                next_at += rng.expovariate(args.rate)
            log_progress(args, "waiting for the last flags and clears")
            wait_settled(c, group, watcher, store, scope, args.timeout)
            watcher.finish()
            report = score(group, store, scope)
        finally:
            if watcher is not None:
                watcher.stop.set()
            if proc is not None:
                stop_process(proc, timeout_s=120)
            c.close()
            emulator.stop()
            redis.close()
            if server:
                server.stop()
    result = {"task": "moderation", "members": args.members, "seconds": args.seconds, "rate_per_s": args.rate,
              **report, "settings": {"data": args.data, "image_model": args.image_model, "config": "default",
                                     "repost_share": args.repost_share, "clear_share": args.clear_share}}
    emit(result, args)
    return result


def post_one(c, group: Group) -> None:
    member, source, kind, photo, cleared_from = group.next_post()
    message = c.send(member, GROUP, photo=photo, first_name=f"Member {member}")[0]
    group.sent(message, photo, member, source, kind, cleared_from)


def wait_settled(c, group: Group, watcher: Watcher, store, scope: str, timeout: float, quiet_s: float = 5.0) -> None:
    """Until every post is stored, every clear answered and its photo posted again, and no flag came
    for `quiet_s` (a re-post nobody flags is a miss, not something to wait for), or the timeout."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        while group.to_repost:  # photos cleared after the posting time are posted again too
            post_one(c, group)
        with group.lock:
            last = max([f.seen_at for f in group.flags] + [p.sent_at for p in group.posts.values()])
        if (store.count(scope) >= len(group.posts) and all(f.done() for f in watcher.pending)
                and not group.to_repost and time.perf_counter() - last >= quiet_s):
            return
        time.sleep(0.5)


def score(group: Group, store, scope: str) -> dict:
    """Each post's flags checked against what was posted: the original a flag names must be an earlier
    post of the same photo, and for a cleared photo posted again never the original it was cleared
    from (flagged against the copy the admin cleared, it is a re-post of that copy: counted apart)."""
    post_ids = {}
    for post in group.posts.values():  # each message its own post, the same file posted again too
        stored = store.post_by_message(scope, post.message_id)
        post_ids[post.message_id] = stored.id if stored is not None else None
    message_of = {pid: mid for mid, pid in post_ids.items() if pid is not None}
    flags_of: dict[int, list[Flag]] = {}
    for flag in group.flags:
        if flag.original_post_id is not None:
            flag.original = message_of.get(flag.original_post_id)
        flags_of.setdefault(flag.post, []).append(flag)
    count = dict.fromkeys(("flagged", "missed", "false", "again", "cleared_flagged", "cleared_unflagged"), 0)
    latency = []
    for post in group.posts.values():
        earlier = {q.message_id for q in group.posts.values() if q.source == post.source and
                   q.message_id < post.message_id}
        forbidden = message_of.get(post.cleared_from) if post.kind == "cleared" else None
        flags = flags_of.get(post.message_id, [])
        count["again"] += sum(forbidden is not None and f.original == forbidden for f in flags)
        count["false"] += sum(f.original not in earlier for f in flags)
        right = [f for f in flags if f.original in earlier and f.original != forbidden]
        if post.kind == "repost" and right:
            count["flagged"] += 1
            latency.append(min(f.seen_at for f in right) - post.sent_at)
        elif post.kind == "repost":
            count["missed"] += not flags  # flags naming a wrong original are false flags, counted above
        elif post.kind == "cleared":
            count["cleared_flagged"] += bool(right)
            count["cleared_unflagged"] += not flags
    kinds = [p.kind for p in group.posts.values()]
    return {"posts": len(kinds), "reposts": kinds.count("repost"), "reposts_flagged": count["flagged"],
            "missed": count["missed"], "false_flags": count["false"],
            "flagged_more_than_once": sum(len(flags_of.get(p.message_id, [])) > 1 for p in group.posts.values()),
            "flags_with_buttons": sum(f.clear_data is not None for f in group.flags),
            "cleared_pairs": len(group.cleared), "cleared_reposts": kinds.count("cleared"),
            "cleared_pairs_flagged_again": count["again"],
            "cleared_reposts_flagged_against_the_cleared_copy": count["cleared_flagged"],
            "cleared_reposts_not_flagged": count["cleared_unflagged"],
            "stored_posts": store.count(scope), "lost_posts": sum(pid is None for pid in post_ids.values()),
            "flag_latency": latency_ms(latency, (50, 95)),
            "clear_answers": sorted({a.get("text", "") for a in group.answers})}
