"""Crash safety, for real: the bot, the scheduler and Redis are killed with SIGKILL at random moments
while users send photos, and restarted. Nothing the bot acknowledged may be lost, and after the
last restart the indexes match the stored posts and the served release is complete.

The scheduler publishes a release every ~1 s and rebuilds every ~2 s, so kills land mid-snapshot
and mid-rebuild as often as mid-ingest.
"""
from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import redis
from PIL import Image

from tests.conftest import jpeg_bytes
from tests.processes import stop_process, stop_redis_in

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "424242:CRASH-TEST"
KILLS = int(os.environ.get("HASHLENS_CRASH_KILLS", "20"))
FIRST_USER = 70000


def _photo(seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    small = (rng.random((24, 32, 3)) * 255).astype(np.uint8)
    return jpeg_bytes(Image.fromarray(small).resize((320, 240), Image.BICUBIC))


class Service:
    """The bot and the scheduler as separate processes on one data dir (embedded Redis)."""

    def __init__(self, data_dir: Path, env: dict) -> None:
        self.data_dir = data_dir
        self.env = env
        self.procs: dict[str, subprocess.Popen] = {}
        self.logs = {name: open(data_dir / f"{name}.log", "a") for name in ("bot", "scheduler")}

    def start(self, name: str) -> None:
        args = ["-m", "bot"] if name == "bot" else ["-m", "bot", "scheduler"]
        self.procs[name] = subprocess.Popen([sys.executable, *args], cwd=ROOT, env=self.env,
                                            stdout=self.logs[name], stderr=subprocess.STDOUT)

    def kill(self, name: str) -> None:
        if name == "redis":
            pid = redis.Redis(unix_socket_path=str(self.data_dir / "redis.sock"), socket_timeout=2).info("server")[
                "process_id"]
            os.kill(int(pid), signal.SIGKILL)
            return
        self.procs[name].send_signal(signal.SIGKILL)
        self.procs[name].wait()
        self.start(name)

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)  # both at once, as a deployment stops
        for proc in self.procs.values():
            stop_process(proc)
        for f in self.logs.values():
            f.close()

    def log_tail(self, name: str) -> str:
        return (self.data_dir / f"{name}.log").read_text()[-3000:]


@pytest.fixture
def emulator():
    from bot.emulator.client import EmulatorClient
    from bot.emulator.server import ThreadedEmulator
    from bot.emulator.world import World

    emu = ThreadedEmulator(World(TOKEN)).start()
    emu.client = EmulatorClient(emu.url)
    yield emu
    emu.client.close()
    emu.stop()


@pytest.mark.timeout(900)
def test_nothing_acknowledged_is_lost_across_random_sigkills(request, emulator, tmp_path, session_dir, encoders):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    request.addfinalizer(lambda: stop_redis_in(data_dir))  # whatever the outcome: its starter may be dead
    env = dict(os.environ, TELEGRAM_BOT_TOKEN=TOKEN, HASHLENS_TELEGRAM_API_URL=emulator.base_url,
               HASHLENS_TELEGRAM_FILE_URL=emulator.base_file_url, HASHLENS_DATA_DIR=str(data_dir),
               HASHLENS_MODEL_CACHE_DIR=str(session_dir / "models"), HASHLENS_IMAGE_MODEL="efficientnet-lite0",
               HASHLENS_SCHEDULER_IN_BOT="false", HASHLENS_SNAPSHOT_MINUTES="0.015", HASHLENS_REBUILD_MINUTES="0.03",
               HASHLENS_REBUILD_MIN_DELETED="0", HASHLENS_RETRAIN_MINUTES="0", HASHLENS_LOG_LEVEL="INFO")
    env.pop("REDIS_URL", None)
    client = emulator.client
    service = Service(data_dir, env)
    service.start("bot")
    deadline = time.time() + 240
    while "setMyCommands" not in client.state()["calls"]:
        assert service.procs["bot"].poll() is None, service.log_tail("bot")
        assert time.time() < deadline, "the bot did not start"
        time.sleep(0.5)
    print(f"\nbot up in {time.time() - deadline + 240:.0f} s")
    service.start("scheduler")

    sent: dict[int, bytes] = {}  # user id -> photo (one private chat per photo: replies are unambiguous)
    stop = threading.Event()

    def users() -> None:
        n = 0
        while not stop.is_set():
            user = FIRST_USER + n
            sent[user] = _photo(n)
            message = client.send(user, photo=sent[user])[0]
            client.wait(user, message["message_id"], 1, timeout=10)
            n += 1

    driver = threading.Thread(target=users, daemon=True)
    driver.start()
    rng = random.Random(1234)
    kills = []
    try:
        for _ in range(KILLS):
            time.sleep(rng.uniform(0.5, 3.0))
            target = rng.choice(["bot", "bot", "scheduler", "redis"])
            try:
                service.kill(target)
                kills.append(target)
            except (redis.RedisError, OSError):
                pass  # Redis between a kill and its restart: nothing to kill right now
        stop.set()
        driver.join(timeout=30)

        def acknowledged(user: int) -> bool:  # answered: its hashtags, or that none fits (noise photos)
            return any((m.get("text") or "").startswith(("Hashtags", "No hashtag fits")) for m in client.messages(user)
                       if m["from"]["is_bot"])

        # Updates the dead bot never confirmed are fetched again by the restarted one: wait for them.
        deadline = time.time() + 120
        while time.time() < deadline and not all(acknowledged(u) for u in sent):
            time.sleep(1)
        acked = [u for u in sent if acknowledged(u)]
        print(f"\n{len(kills)} kills {kills}; {len(sent)} photos sent, {len(acked)} acknowledged "
              f"(wait {time.time() - deadline + 120:.0f} s)")
        stats_reply = client.wait(FIRST_USER, client.send(FIRST_USER, text="/stats")[0]["message_id"], 1, 30)
    finally:
        stop.set()
        service.stop()
    assert len(kills) >= KILLS - 2, kills
    assert {"bot", "scheduler", "redis"} <= set(kills)
    assert len(acked) >= 10, (len(sent), service.log_tail("bot"))
    # Updates a killed bot was handling are replayed from the inbox, and Redis restarts within the
    # client's retries: (nearly) every photo gets its answer, not just "try again".
    assert len(acked) >= 0.9 * len(sent), (len(acked), len(sent))

    # After the last restart: every acknowledged photo is stored, indexes match the posts, the served release is whole.
    from indexing.keys import Keys
    from indexing.redis_server import connect
    from indexing.search import SearchEngine
    from indexing.store import PostStore

    client_r, server = connect(None, data_dir)
    try:
        store = PostStore(client_r, Keys("hl"))
        lost = [u for u in acked if store.find_by_sha(f"chat:{u}", hashlib.sha256(sent[u]).hexdigest()) is None]
        assert not lost, f"{len(lost)} acknowledged photos lost: {lost}"
        assert "1 photo stored" in stats_reply[0]["text"]  # the bot's own index agreed with Redis
        release = store.releases.load()
        assert release is not None  # complete: every chunk present and of the recorded size
        ids = set(store.all_meta()[0].tolist())
        assert set(release.indexes["image"].live.tolist()) <= ids  # nothing served that is not stored
        image, text = encoders
        engine = SearchEngine(store, image, text, cache_dir=session_dir / "models").open()
        assert set(engine.image_index.labels().tolist()) == ids == set(engine.text_index.labels().tolist())
        assert engine.duplicate_of(sent[acked[-1]], f"chat:{acked[-1]}").cosine > 0.99  # its vectors are intact
    finally:
        client_r.close()
        if server is not None:
            server.stop()


def _fill_store(data_dir: Path, n: int) -> None:
    """n stored posts with made-up vectors (what a rebuild reads), written straight to Redis."""
    from indexing.keys import Keys
    from indexing.redis_server import connect
    from indexing.store import Post, PostStore

    client, server = connect(None, data_dir)
    store = PostStore(client, Keys("hl"))
    rng = np.random.default_rng(0)
    for i in range(n):
        pid = store.allocate_id()
        probs = rng.dirichlet(np.ones(1000) * 0.1).astype(np.float32)
        store.add(Post(id=pid, scope="public", sha256=f"{i:064x}", phash=int(rng.integers(1 << 62))),
                  {("image", "efficientnet-lite0"): rng.normal(size=1280).astype(np.float32),
                   ("probs", "efficientnet-lite0"): probs})
    client.close()
    server.stop()


@pytest.mark.timeout(600)
@pytest.mark.slow  # scheduler processes load the models
def test_a_scheduler_killed_mid_rebuild_leaves_the_old_release_serving_and_resumes(tmp_path, session_dir):
    from indexing.keys import Keys
    from indexing.redis_server import connect
    from indexing.store import PostStore

    data_dir = tmp_path / "data"
    _fill_store(data_dir, 3000)
    env = dict(os.environ, HASHLENS_DATA_DIR=str(data_dir), HASHLENS_MODEL_CACHE_DIR=str(session_dir / "models"),
               HASHLENS_IMAGE_MODEL="efficientnet-lite0", HASHLENS_LOG_LEVEL="INFO", HASHLENS_SNAPSHOT_MINUTES="0",
               HASHLENS_REBUILD_MINUTES="0", HASHLENS_RETRAIN_MINUTES="0")
    env.pop("REDIS_URL", None)
    first = subprocess.run([sys.executable, "-m", "bot", "scheduler", "--once", "snapshot", "--force"], cwd=ROOT,
                           env=env, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr[-2000:]
    client, server = connect(None, data_dir)  # this test's own client: the server outlives the killed process
    keys = Keys("hl")
    releases = PostStore(client, keys).releases
    try:
        serving = releases.current_version()
        assert serving is not None
        log_path = tmp_path / "rebuild.log"
        with open(log_path, "w") as log_file:
            proc = subprocess.Popen([sys.executable, "-m", "bot", "scheduler", "--once", "rebuild", "--force"],
                                    cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)
            deadline = time.time() + 240
            while b"indexed 2000/3000" not in (client.hget(keys.job("rebuild"), "progress") or b""):
                assert proc.poll() is None and time.time() < deadline, log_path.read_text()[-2000:]
                time.sleep(0.02)
            proc.send_signal(signal.SIGKILL)  # mid-rebuild
            proc.wait()
        assert releases.current_version() == serving
        assert releases.load().version == serving  # whole, still served
        assert client.hget(keys.job("rebuild"), "state") == b"running"  # what the next scheduler finds
        assert 0 < client.pttl(keys.lock("rebuild")) <= 120_000  # nobody renews it: it expires by itself...
        client.delete(keys.lock("rebuild"))  # ...after 120 s; expire it now
        log_path2 = tmp_path / "scheduler.log"
        with open(log_path2, "w") as log_file:
            proc = subprocess.Popen([sys.executable, "-m", "bot", "scheduler"], cwd=ROOT, env=env, stdout=log_file,
                                    stderr=subprocess.STDOUT)
            deadline = time.time() + 240
            while client.hget(keys.job("rebuild"), "state") != b"done":
                assert proc.poll() is None and time.time() < deadline, log_path2.read_text()[-2000:]
                time.sleep(0.2)
            proc.send_signal(signal.SIGTERM)
            proc.wait(60)
        assert "rebuild was interrupted" in log_path2.read_text()
        resumed = releases.load()
        assert resumed.version != serving and len(resumed.indexes["image"].live) == 3000
    finally:
        client.close()
        server.stop()
