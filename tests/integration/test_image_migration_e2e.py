"""End to end: the bot restarted with another image model answers with the old one, shows the
migration in /stats, fetches the photos it was sent on Telegram again through getFile, and switches."""
from __future__ import annotations

import os
import re
import time

import redis

from indexing.keys import Keys
from indexing.migration.records import MigrationRecords
from indexing.store import PostStore
from tests.conftest import jpeg_bytes, sample_image
from tests.integration.chat import bot_on_emulator, emulator_with_groups

TOKEN = "987655:E2E-MIGRATION-TOKEN"
USER = 701
A, B = "efficientnet-lite0", "efficientnet-lite0+mirror"
PROGRESS = re.compile(r"Re-embedding photos for the new image model: (\d+) / (\d+)")


def _ask(client, text: str | None = None, photo: bytes | None = None, count: int = 1) -> str:
    sent = client.send(USER, USER, text=text, photo=photo)
    replies = client.wait(USER, sent[-1]["message_id"], count, timeout=60)
    return "\n".join(r.get("text") or r.get("caption") or "" for r in replies)


def test_a_bot_restarted_with_another_image_model_migrates_its_telegram_photos_and_shows_progress(
        redis_server, session_dir, tmp_path, encoders):
    data, prefix = tmp_path / "bot-data", f"e2emig{os.getpid()}"
    data.mkdir()
    client = redis.Redis.from_url(redis_server)
    store = PostStore(client, Keys(prefix))
    settings = dict(key_prefix=prefix, migration_retry_minutes="0.1")  # 6 s between runs
    with emulator_with_groups(TOKEN, {}) as emu:
        with bot_on_emulator(emu, TOKEN, redis_server, data, session_dir / "models", image_model=A, **settings):
            _ask(emu.client, photo=jpeg_bytes(sample_image("coffee")), count=2)  # stored, by its file id only
        posts = [p for p in store.get_posts(sorted(store.scope_post_ids(f"chat:{USER}"))) if p]
        assert len(posts) == 1 and posts[0].file_id and posts[0].source == "telegram" and posts[0].image_model == A
        telegram_post = posts[0].id
        demo = sorted((data / "demo" / "images").glob("*.jpg"))
        demo[0].unlink()  # one demo photo gone from disk: retried, then its thumbnail stands in
        fetched_before = emu.client.state()["calls"].count("getFile")

        with bot_on_emulator(emu, TOKEN, redis_server, data, session_dir / "models", image_model=B, **settings) as bot:
            deadline = time.time() + 20  # the job starts once the bot can fetch from Telegram
            while not PROGRESS.search(stats := _ask(emu.client, text="/stats")):
                assert time.time() < deadline, (stats, bot.log_path.read_text()[-3000:])
                time.sleep(0.5)
            progress = PROGRESS.search(stats)  # A serves meanwhile; the job waits to fetch the missing photo again
            assert int(progress.group(2)) == store.count() and int(progress.group(1)) < store.count()
            deadline = time.time() + 180
            while MigrationRecords(store).store_model() != B:
                assert time.time() < deadline, bot.log_path.read_text()[-3000:]
                time.sleep(0.5)
            assert telegram_post in store.vector_ids("image", B)  # fetched again through getFile
            assert emu.client.state()["calls"].count("getFile") > fetched_before
            failures = MigrationRecords(store).failures(B)
            assert [r["outcome"] for r in failures.values()] == ["thumbnail"], failures
            deadline = time.time() + 30
            while PROGRESS.search(stats):  # the switch is followed by the release: /stats no longer shows it
                assert time.time() < deadline, stats
                stats = _ask(emu.client, text="/stats")
            assert "now serves" in bot.log_path.read_text()
    manifest = store.releases.manifest(store.releases.current_version())
    assert manifest["indexes"]["image"]["image_model"] == B
    client.close()
