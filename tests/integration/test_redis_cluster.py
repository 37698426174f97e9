"""The store on a real Valkey Cluster (3 masters, 3 replicas on loopback, tests/valkey_cluster.py): the
stores beside the posts work with their keys spread over the shards, a transaction is acknowledged
only once a replica has it, and a master killed mid-write loses nothing that was acknowledged."""
from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from indexing.errors import StorageUnavailableError
from indexing.keys import Keys
from indexing.moderation_records import SentAlert
from indexing.redis_cluster import ReplicatedCluster
from indexing.redis_server import connect
from indexing.releases import IndexSnapshot
from indexing.sidestores import UpdateInbox
from indexing.search import PhotoInput
from indexing.store import Post, PostStore
from tests.conftest import noise_photo, wait_until
from tests.valkey_cluster import LocalCluster


@pytest.fixture
def redis_topology() -> str:
    return "cluster"


def _post(pid: int, scope: str = "public") -> Post:
    return Post(id=pid, scope=scope, chat_id=None, message_id=pid, sha256=f"sha{pid}", phash=pid, captions=["c"],
                tags=["t"], created_s=time.time())


def test_a_cluster_node_url_gives_a_cluster_client_and_untagged_keys_are_refused(redis_client):
    assert isinstance(redis_client, ReplicatedCluster)
    assert Keys.for_client(redis_client, "p").cluster
    with pytest.raises(ValueError, match="Keys.for_client"):
        PostStore(redis_client, Keys("p"))


def test_the_stores_beside_the_posts_work_with_their_keys_spread(redis_client, keys):
    from indexing.locks import JobLock, LockBusy

    store = PostStore(redis_client, keys)
    store.add(_post(1, "chat:-7"), {("image", "m"): np.ones(4)})
    # the bot's inbox
    inbox = store.update_inbox("bot1")
    inbox.put(5, '{"a": 1}')
    inbox.put(6, '{"b": 2}')
    inbox.remove(5)
    assert inbox.pending() == {6: '{"b": 2}'}
    # /map's cache: a layout and its pictures (deleted together), then Telegram's file ids (watched)
    cache = store.map_cache
    cache.put_layout("chat:-7", "q", "fp1", "[]", ttl_s=60)
    cache.put_images("chat:-7", "q", "fp1", b"photo", b"doc", ttl_s=60)
    assert cache.images("chat:-7", "q", "fp1") == (b"photo", b"doc")
    cache.put_files("chat:-7", "q", "fp1", {"photo_id": "AgAD"})
    assert cache.images("chat:-7", "q", "fp1") is None and cache.entry("chat:-7", "q")["photo_id"] == b"AgAD"
    # jobs' states, found on whichever shard holds them, and their locks
    store.set_job_state("rebuild", state="done")
    store.set_job_state("retrain", state="running")
    assert {name: s["state"] for name, s in store.job_states().items()} == {"rebuild": "done", "retrain": "running"}
    with JobLock(store, "rebuild", ttl_s=30):
        assert store.lock_held("rebuild")
        with pytest.raises(LockBusy):
            with JobLock(store, "rebuild", ttl_s=30):
                pass
    assert not store.lock_held("rebuild")
    # a chat's moderation: a clear (one transaction with the post), alerts (another), /forget across both
    records = store.moderation
    assert records.clear("chat:-7", 1, 9, by_user_id=3, by_name="Ann") and records.cleared_by("chat:-7", 1, 9) == "Ann"
    records.remember_alerts("chat:-7", 1, 9, [SentAlert(3, 44)])
    assert records.alerts_of("chat:-7", 1, 9) == [SentAlert(3, 44)]
    assert records.first_time("chat:-7", "rights") and not records.first_time("chat:-7", "rights")
    records.forget("chat:-7")
    assert records.cleared_by("chat:-7", 1, 9) is None and records.events("chat:-7", 0) == []
    assert records.alerts_of("chat:-7", 1, 9) == []


def test_releases_spread_their_snapshots_and_trim_orphans_on_every_shard(redis_client, keys):
    store = PostStore(redis_client, keys)
    snap = IndexSnapshot({"dim": 4}, b"x" * 1000, np.arange(3, dtype=np.int64))
    versions = [store.releases.save({"image": snap, "text": snap, "caption": snap}, {}, keep=2) for _ in range(3)]
    redis_client.hset(keys.snapshot("image", "20000101T000000.000001"), "chunk:0", b"orphan")  # a crashed write
    store.releases.save({"image": snap}, {}, keep=2)
    assert store.releases.load().indexes["image"].blob == b"x" * 1000
    assert not redis_client.exists(keys.snapshot("image", "20000101T000000.000001"))
    assert not redis_client.exists(keys.snapshot("image", versions[0]))
    nodes = {redis_client.get_node_from_key(keys.snapshot(name, v)).name for name in ("image", "text", "caption")
             for v in versions[1:]}
    assert len(nodes) > 1  # a release's chunks are not all on one shard
    assert store.releases.rollback(versions[2])["version"] == versions[2]
    assert [op for _, e in store.read_changes("0-0", block_ms=0) for op in [e["op"]]].count("release") == 5


def test_a_transaction_is_not_acknowledged_until_enough_replicas_have_it(redis_url, keys, tmp_path):
    client, _ = connect(redis_url, tmp_path, wait_replicas=2)  # each master has one replica
    try:
        store = PostStore(client, keys)
        with pytest.raises(StorageUnavailableError, match="1 of 2 replicas"):
            store.add(_post(1), {})
        assert store.get_post(1) is not None  # written on the master, but not acknowledged
    finally:
        client.close()


def test_a_single_write_is_not_acknowledged_until_enough_replicas_have_it(redis_url, keys, tmp_path):
    """An update kept in the inbox is one HSET, no transaction: it waits for the replicas all the same
    (else a master killed after answering would lose an update Telegram was told was received)."""
    client, _ = connect(redis_url, tmp_path, wait_replicas=2)  # each master has one replica
    try:
        inbox = UpdateInbox(client, keys, "waits")
        with pytest.raises(StorageUnavailableError, match="1 of 2 replicas"):
            inbox.put(7, '{"update_id": 7}')
        assert inbox.pending() == {7: '{"update_id": 7}'}  # on the master, not acknowledged; reads do not wait
    finally:
        client.close()
    client, _ = connect(redis_url, tmp_path)  # the default: one replica, which each master has
    try:
        UpdateInbox(client, keys, "waits").remove(7)
        assert UpdateInbox(client, keys, "waits").pending() == {}
    finally:
        client.close()


@pytest.fixture
def own_cluster(tmp_path):
    """A cluster of the test's own: killing one of its masters leaves the shared one whole."""
    cluster = LocalCluster(tmp_path / "cluster").start()
    yield cluster
    cluster.stop()


def test_a_master_killed_mid_write_loses_nothing_acknowledged(own_cluster, encoders, session_dir, tmp_path):
    from indexing.relevance import Relevance
    from indexing.search import EngineOptions
    from indexing.service import build_engine

    def open_engine():
        client, _ = connect(own_cluster.url, tmp_path)
        return build_engine(PostStore(client, Keys.for_client(client, "failover")), encoders, session_dir / "models",
                            EngineOptions(relevance=Relevance()))

    writer = open_engine()
    acknowledged: dict[int, int] = {}  # post id -> photo seed
    refused = []
    stop = threading.Event()

    def write() -> None:
        seed = 0
        while not stop.is_set():
            try:
                result = writer.add_photo(PhotoInput(data=noise_photo(seed), scope="public",
                                                     captions=[f"photo number {seed}"]))
            except StorageUnavailableError as exc:  # the master is gone: try the same photo again
                refused.append(str(exc))
                time.sleep(0.1)
                continue
            acknowledged[result.post_id] = seed
            seed += 1

    thread = threading.Thread(target=write, name="writer")
    thread.start()
    try:
        assert wait_until(lambda: len(acknowledged) >= 10, timeout=60)
        core = own_cluster.port_of_master_for(writer.store.keys.changes())
        own_cluster.kill(core)
        killed_at = len(acknowledged)
        # the replica takes over; the dead master comes back as its replica, as a supervisor restarts it
        assert wait_until(lambda: own_cluster.port_of_master_for(writer.store.keys.changes()) != core, timeout=60)
        own_cluster.restart(core)
        own_cluster.wait_healthy()
        assert wait_until(lambda: len(acknowledged) >= killed_at + 10, timeout=60)
    finally:
        stop.set()
        thread.join()
    assert refused, "no write met the failover: the test proved nothing"
    writer.close()
    writer.store.r.close()

    reopened = open_engine()  # a new process: what the cluster kept
    try:
        ids = sorted(acknowledged)
        assert all(p is not None for p in reopened.store.get_posts(ids))
        assert set(ids) <= reopened.live_post_ids()
        last = max(ids)
        assert reopened.find(f"photo number {acknowledged[last]}", "public", k=50)
    finally:
        reopened.close()
        reopened.store.r.close()


def test_a_single_servers_store_copied_into_the_cluster_loses_nothing(redis_server, redis_url, redis_client, tmp_path,
                                                                      monkeypatch):
    from indexing import cluster_copy
    from indexing.__main__ import main
    from indexing.reading import ReadingQueue

    monkeypatch.setattr(cluster_copy, "WHOLE_BYTES", 0)  # hashes copied in batches, sets, streams, strings dumped

    source_client, _ = connect(redis_server, tmp_path)
    prefix = f"copy{time.time_ns()}"
    single = PostStore(source_client, Keys(prefix))  # written as a single server always wrote it
    for pid in range(1, 6):
        single.add(_post(pid, "chat:-9" if pid % 2 else "public"), {("image", "m"): np.full(4, pid, np.float32)},
                   thumbnail=b"jpeg%d" % pid)
    snap = IndexSnapshot({"dim": 4}, b"y" * 300, np.arange(5, dtype=np.int64))
    version = single.releases.save({"image": snap}, {"projector": single.put_artifact("projector", b"P")})
    single.moderation.clear("chat:-9", 3, 1, by_user_id=8, by_name="Bo")
    single.moderation.remember_alerts("chat:-9", 3, 1, [SentAlert(8, 80)])
    single.set_settings("chat:-9", {"duplicates": "warn"})
    single.update_inbox("bot").put(11, "{}")
    ReadingQueue(single).enqueue(5, "chat:-9", b"photo")

    monkeypatch.setenv("REDIS_URL", redis_server)
    monkeypatch.setenv("HASHLENS_KEY_PREFIX", prefix)
    monkeypatch.setenv("HASHLENS_DATA_DIR", str(tmp_path))
    assert main(["copy-to-cluster", "--to", redis_url]) == 0

    copied = PostStore(redis_client, Keys.for_client(redis_client, prefix))
    assert [p.to_redis() for p in copied.get_posts(list(range(1, 6)))] == \
        [p.to_redis() for p in single.get_posts(list(range(1, 6)))]
    assert copied.all_meta()[0].tolist() == [1, 2, 3, 4, 5] and copied.count("chat:-9") == 3
    assert copied.get_vectors("image", "m", [4], 4)[0].tolist() == single.get_vectors("image", "m", [4], 4)[0].tolist()
    assert copied.get_thumbnails([2]) == [b"jpeg2"] and copied.posts_by_sha("public", "sha2") == [2]
    assert copied.releases.load().version == version and copied.get_artifact("projector")[1] == b"P"
    assert copied.moderation.cleared_by("chat:-9", 3, 1) == "Bo"
    assert copied.moderation.alerts_of("chat:-9", 3, 1) == [SentAlert(8, 80)]
    assert copied.get_settings("chat:-9") == {"duplicates": "warn"}
    assert copied.update_inbox("bot").pending() == {11: "{}"}
    queue = ReadingQueue(copied)
    assert queue.waiting("chat:-9") == 1
    job = queue.take("reader-1", block_ms=0)  # the stream came with its consumer group
    assert job.post_id == 5
    queue.done(job)
    assert queue.waiting("chat:-9") == 0 and queue.waiting() == 0
    assert [e["op"] for _, e in copied.read_changes("0-0", block_ms=0)] == [e["op"] for _, e in
                                                                           single.read_changes("0-0", block_ms=0)]
    source_client.close()


def test_the_bot_runs_on_the_cluster_its_inbox_reading_queue_and_change_log_too(redis_url, redis_client, session_dir,
                                                                                tmp_path, encoders):
    """The real bot process with REDIS_URL naming a cluster node: a photo with text is stored, answered,
    read in the background (the reading queue's stream, group and DONE script), then found by its words;
    its updates went through its inbox, empty once handled."""
    from tests.conftest import jpeg_bytes
    from tests.integration.chat import bot_on_emulator, emulator_with_groups
    from tests.integration.test_bot_e2e import ask, text_of
    from tests.text_images import render_line

    token, user = "987656:E2E-CLUSTER-TOKEN", 801
    prefix = f"e2ecluster{time.time_ns()}"
    (tmp_path / "bot").mkdir()
    with emulator_with_groups(token, {}) as emulator, \
            bot_on_emulator(emulator, token, redis_url, tmp_path / "bot", session_dir / "models", key_prefix=prefix) as bot:
        c = emulator.client
        store = PostStore(redis_client, Keys.for_client(redis_client, prefix))
        replies = ask(c, user, photo=jpeg_bytes(render_line("Picnic at the lake").resize((1200, 160))), count=2)
        assert replies, bot.log_path.read_text()[-3000:]
        sent = [m for m in c.messages(user) if m.get("photo") and m["from"]["id"] == user][0]
        post = store.post_by_message(f"chat:{user}", sent["message_id"])
        assert post is not None
        assert wait_until(lambda: store.get_post(post.id).ocr_status == "text", timeout=180), \
            bot.log_path.read_text()[-3000:]
        captions = text_of(ask(c, user, text="/captions", reply_to=sent["message_id"]))
        assert "Picnic at the lake" in captions
        assert wait_until(lambda: not store.update_inbox(token.split(":")[0]).pending(), timeout=30)
        assert {"add", "text"} <= {e["op"] for _, e in store.read_changes("0-0", block_ms=0)}  # the change log
