"""What the end-to-end tests share: an emulator with groups, reading the bot's replies, and its store."""
from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path

from tests.processes import stop_process

ROOT = Path(__file__).resolve().parents[2]


@contextlib.contextmanager
def bot_on_emulator(emulator, token: str, redis_url: str, data_dir: Path, model_cache: Path, **settings: str):
    """`python -m bot` in Telegram mode, pointed at the emulator (extra `HASHLENS_*` settings as keyword
    arguments), once it has registered its commands; stopped with SIGTERM afterwards. The process
    carries `log_path`, its output."""
    log_path = data_dir / "bot.log"
    env = dict(os.environ, TELEGRAM_BOT_TOKEN=token, HASHLENS_TELEGRAM_API_URL=emulator.base_url,
               HASHLENS_TELEGRAM_FILE_URL=emulator.base_file_url, REDIS_URL=redis_url,
               HASHLENS_DATA_DIR=str(data_dir), HASHLENS_MODEL_CACHE_DIR=str(model_cache),
               HASHLENS_IMAGE_MODEL="efficientnet-lite0", HASHLENS_LOG_LEVEL="INFO")
    env.update({f"HASHLENS_{name.upper()}": value for name, value in settings.items()})
    with open(log_path, "w") as log_file:
        proc = subprocess.Popen([sys.executable, "-m", "bot"], cwd=ROOT, env=env, stdout=log_file,
                                stderr=subprocess.STDOUT)
        try:
            deadline = time.time() + 240
            while "setMyCommands" not in emulator.client.state()["calls"]:
                assert proc.poll() is None, log_path.read_text()[-3000:]
                assert time.time() < deadline, "the bot did not start"
                time.sleep(0.5)
            proc.log_path = log_path
            yield proc
        finally:
            assert not stop_process(proc), "the bot did not stop within 60 s of SIGTERM (killed)"


@contextlib.contextmanager
def emulator_with_groups(token: str, groups: dict[int, tuple[str, list[int]]]):
    """A Bot API emulator on its own thread, with groups {chat id: (title, admins)} (the first admin
    created each group); `emu.client` drives it as users."""
    from bot.emulator.client import EmulatorClient
    from bot.emulator.server import ThreadedEmulator
    from bot.emulator.world import World

    emu = ThreadedEmulator(World(token)).start()
    client = EmulatorClient(emu.url)
    for chat_id, (title, admins) in groups.items():
        client.group(chat_id, title, admins=admins, creator=admins[0] if admins else None)
    emu.client = client
    try:
        yield emu
    finally:
        client.close()
        emu.stop()


@contextlib.contextmanager
def store_of(redis_url: str, key_prefix: str):
    """The PostStore the bot under test writes (its Redis, its key prefix), to check what it stored."""
    import redis

    from indexing.keys import Keys
    from indexing.store import PostStore

    client = redis.Redis.from_url(redis_url)
    try:
        yield PostStore(client, Keys(key_prefix))
    finally:
        client.close()


def bot_messages(client, chat: int, after: int = 0) -> list[dict]:
    return [m for m in client.messages(chat, after) if m["from"]["is_bot"]]


def text_of(replies: list[dict]) -> str:
    return "\n".join(r.get("text") or r.get("caption") or "" for r in replies)


def answered(client, chat: int, message_ids: list[int], timeout: float) -> dict[int, dict]:
    """The first bot message quoting each of `message_ids`, once all have one (or at the timeout)."""
    deadline = time.time() + timeout
    while True:
        first: dict[int, dict] = {}
        for m in bot_messages(client, chat, min(message_ids) - 1):
            quoted = (m.get("reply_to_message") or {}).get("message_id")
            if quoted in message_ids and quoted not in first:
                first[quoted] = m
        if len(first) == len(message_ids) or time.time() > deadline:
            return first
        time.sleep(0.5)
