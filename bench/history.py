"""History import: a data set's photos posted in a made-up group's Telegram Desktop export, imported as
`python -m indexing import-telegram` does; posts stored per second, a re-run's time, and the planted
re-posts of the history found (their `repost_of`). Beside it, in the same run, the same photos stored
by `ingest` (the bulk path: no re-post rule, one insert per batch): the import's rate as a share of it.

The export (bench/tgexport.py) has `--chatter` text and service messages between two photos, and a
`--copies` share of the photos posted again later by another member, recompressed and a little
smaller. Each photo's caption is its first data-set caption, with its tags as hashtags.
"""
from __future__ import annotations

import io
import random
import tempfile
import time
from pathlib import Path

from PIL import Image

from bench.common import SEED, bench_engine, emit, load_items, log_progress
from bench.tgexport import ExportWriter
from indexing.ingest import ingest
from indexing.scopes import PUBLIC, chat_scope
from indexing.telegram_export import read_export
from indexing.telegram_import import import_history

BARE_ID = 1555000111
CHAT_ID = int(f"-100{BARE_ID}")


def add_args(p) -> None:
    p.add_argument("--chatter", type=int, default=6, help="text and service messages between two photos")
    p.add_argument("--copies", type=float, default=0.05, help="share of the photos posted again later")


def _recompressed(path: Path) -> bytes:
    with Image.open(path) as im:
        im = im.convert("RGB")
        im = im.resize((max(1, im.width * 9 // 10), max(1, im.height * 9 // 10)))
        out = io.BytesIO()
        im.save(out, "JPEG", quality=70)
        return out.getvalue()


def _write(folder: Path, items, args) -> dict[int, int]:
    """The export; returns each planted copy's message id -> its original's."""
    rng = random.Random(SEED)
    writer = ExportWriter(folder, BARE_ID, name="Bench group", start_s=time.time() - 20 * 86400,
                          step_s=20 * 86400 / max(1, len(items) * (args.chatter + 1)))
    members = [(f"Member {i}", f"user{1000 + i}") for i in range(50)]
    originals, copies, later = {}, {}, []
    for n, item in enumerate(items):
        for _ in range(args.chatter):
            name, from_id = rng.choice(members)
            if rng.random() < 0.05:
                writer.service(name, from_id)
            else:
                writer.text(name, from_id, f"message {rng.randrange(10 ** 6)} in the group")
        data = Path(item.path).read_bytes()
        with Image.open(io.BytesIO(data)) as im:
            size = im.size
        caption = " ".join([item.captions[0] if item.captions else ""] + [f"#{t}" for t in item.tags[:3]]).strip()
        writer.photo(*rng.choice(members), data, size, caption)
        originals[n] = writer.messages[-1]["id"]
        if rng.random() < args.copies:
            later.append((n + rng.randrange(5, 50), n))
        for _, original in [c for c in later if c[0] == n]:
            copy = _recompressed(Path(items[original].path))
            with Image.open(io.BytesIO(copy)) as im:
                writer.photo(*rng.choice(members), copy, im.size)
            copies[writer.messages[-1]["id"]] = originals[original]
    writer.save()
    return copies


def run(args) -> None:
    items = load_items(args, args.split)[: args.limit or None]
    with tempfile.TemporaryDirectory(prefix="hashlens-history-", dir="/tmp") as tmp, bench_engine(args) as engine:
        copies = _write(Path(tmp), items, args)
        chat = read_export(tmp, CHAT_ID)
        log_progress(args, "history: %d messages, %d photos (%d planted copies)", chat.messages, len(chat.media),
                     len(copies))
        report = import_history(engine, chat)
        started = time.perf_counter()
        rerun = import_history(engine, read_export(tmp, CHAT_ID))
        rerun_s = time.perf_counter() - started
        scope = chat_scope(CHAT_ID)
        posts = {p.message_id: p for p in engine.store.get_posts(engine.store.scope_post_ids(scope)) if p}
        found = sum(posts[c].repost_of == posts[o].id for c, o in copies.items() if c in posts and o in posts)
        other = sum(p.repost_of is not None for m, p in posts.items() if m not in copies)
        started = time.perf_counter()
        bulk = ingest(engine, items, scope=PUBLIC, batch_size=engine.options.batch_size * 8, refit=False)
        bulk_s = time.perf_counter() - started
    emit({"task": "history", "messages": chat.messages, "photos": len(chat.media), "imported": report.imported,
          "skipped": len(report.skipped), "seconds": round(report.seconds, 2),
          "posts_per_s": round(report.imported / report.seconds, 1) if report.seconds else None,
          "ingest_posts_per_s": round(bulk.imported / bulk_s, 1),
          "import_to_ingest_rate": round(report.imported / report.seconds / (bulk.imported / bulk_s), 2),
          "rerun_seconds": round(rerun_s, 2), "rerun_imported": rerun.imported,
          "planted_copies": len(copies), "copies_linked_to_their_original": found,
          "other_posts_recorded_as_copies": other, "image_model": args.image_model}, args)
