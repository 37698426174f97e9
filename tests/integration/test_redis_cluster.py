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
