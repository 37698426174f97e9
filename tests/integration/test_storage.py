"""Redis persistence and failure: a real embedded server, restarted and stopped for real."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import redis
import pytest

from indexing.errors import StorageUnavailableError
from indexing.keys import Keys
from indexing.redis_server import EmbeddedRedis, connect
from indexing.store import Post, PostStore

import numpy as np
from tests.topologies import redis_topology  # noqa: F401 - these tests run on a single server and a cluster

ROOT = Path(__file__).resolve().parents[2]


def _post(pid, scope="public"):
    return Post(id=pid, scope=scope, sha256=f"sha{pid}", phash=pid, captions=["c"], tags=["t"])


def test_posts_survive_a_restart_of_the_embedded_server(tmp_path):
    data_dir = tmp_path / "r"
    client, server = connect(None, data_dir)
    store = PostStore(client, Keys("p"))
    store.add(_post(store.allocate_id()), {("image", "m"): np.ones(4, np.float32)})
    server.stop()
    with pytest.raises(redis.ConnectionError):
        client.ping()
    client2, server2 = connect(None, data_dir)
    try:
        store2 = PostStore(client2, Keys("p"))
        assert store2.get_post(1).captions == ["c"]
        assert np.allclose(store2.get_vectors("image", "m", [1], 4)[0], 1.0)
        assert client2.config_get("appendonly")["appendonly"] == "yes"
    finally:
        server2.stop()


def test_a_second_process_reuses_the_running_server(tmp_path):
    first = EmbeddedRedis(tmp_path / "r").start()
    second = EmbeddedRedis(tmp_path / "r").start()
    try:
        assert second.process is None  # found, not spawned
        redis.Redis.from_url(first.url).set("k", "v")
        assert redis.Redis.from_url(second.url).get("k") == b"v"
    finally:
        second.stop()
        first.stop()


def test_unreachable_redis_url_is_a_clear_error(tmp_path):
    with pytest.raises(StorageUnavailableError, match="cannot reach Redis"):
        connect("redis://127.0.0.1:1/0", tmp_path)


@pytest.mark.slow  # waits out the client's retries on every call
def test_a_dead_server_is_one_clear_error_from_every_store_call(tmp_path):
    client, server = connect(None, tmp_path / "r")
    store = PostStore(client, Keys("p"))
    server.stop()
    for call in (store.ping, lambda: store.get_post(1), lambda: store.count(), lambda: store.add(_post(1), {}),
                 lambda: store.tag_counts(["public"])):
        with pytest.raises(StorageUnavailableError, match="unreachable"):
            call()


def test_releases_locks_the_inbox_and_moderation_give_the_same_clear_error_when_the_server_is_dead(tmp_path):
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    from indexing.locks import JobLock, LockBusy

    server = EmbeddedRedis(tmp_path / "r").start()
    store = PostStore(redis.Redis.from_url(server.url, retry=Retry(NoBackoff(), 0)), Keys("p"))  # fails at once
    server.stop()
    for call in (lambda: store.lock_held("rebuild"), store.releases.current_version, store.releases.load,
                 store.releases.versions, lambda: store.releases.manifest("v1"), lambda: store.releases.rollback("v1"),
                 lambda: store.releases.save({}, {}), lambda: store.update_inbox("bot").pending(),
                 lambda: store.update_inbox("bot").put(1, "{}"), lambda: store.update_inbox("bot").remove(1),
                 lambda: store.moderation.clear("chat:-1", 2, 1, 5),
                 lambda: store.moderation.cleared_by("chat:-1", 2, 1),
                 lambda: store.moderation.record_flag("chat:-1", 2, 1, 5),
                 lambda: store.moderation.events("chat:-1", 0), lambda: store.moderation.first_time("chat:-1", "x"),
                 lambda: store.post_by_message("chat:-1", 3)):
        with pytest.raises(StorageUnavailableError, match="unreachable"):
            call()
    with pytest.raises(LockBusy, match="unreachable"):  # a job's lock: the job is skipped, as when busy
        with JobLock(store, "rebuild"):
            pass


def test_redis_url_is_used_instead_of_starting_a_server(tmp_path):
    running = EmbeddedRedis(tmp_path / "other").start()
    try:
        client, started = connect(running.url, tmp_path / "unused")
        assert started is None and client.ping()
        assert not (tmp_path / "unused").exists()
    finally:
        running.stop()


def test_delete_removes_every_trace(redis_client, keys):
    store = PostStore(redis_client, keys)
    store.add(_post(1, "chat:5"), {("image", "m"): np.ones(4)})
    store.add(_post(2, "chat:5"), {("image", "m"): np.ones(4)})
    assert store.delete([1, 99], [("image", "m")]) == 1
    assert store.get_post(1) is None and store.count("chat:5") == 1
    assert store.find_by_sha("chat:5", "sha1") is None
    assert store.tag_counts(["chat:5"]) == {"t": 1}
    assert store.get_vectors("image", "m", [1], 4) == [None]


def test_class_probabilities_keep_their_top_classes_in_a_fraction_of_the_bytes(redis_client, keys):
    from indexing.vectorblobs import TOP_ONLY
    from models.zeroshot import class_hashtags, sparse_class_weights

    store = PostStore(redis_client, keys)
    probs = np.random.default_rng(3).dirichlet(np.ones(1000) * 0.1).astype(np.float32)
    image = np.random.default_rng(4).normal(size=1280).astype(np.float32)
    store.add(_post(1), {("probs", "m"): probs, ("image", "m"): image})
    blob = redis_client.hget(keys.vectors("probs", "m"), 1)
    assert len(blob) == 4 * TOP_ONLY["probs"] < 2000 / 10  # top 32 as (uint16, float16) pairs, not 1,000 floats
    back = store.get_vectors("probs", "m", [1], 1000)[0][0]
    top = np.argsort(-probs)[:TOP_ONLY["probs"]]
    assert np.allclose(back[top], probs[top], rtol=1e-3) and np.count_nonzero(back) == TOP_ONLY["probs"]
    # what reads them sees the same classes: the class bridge's top 10, the class hashtags
    assert np.allclose(sparse_class_weights(back), sparse_class_weights(probs), atol=1e-3)
    assert [t for t, _ in class_hashtags(back, 8)] == [t for t, _ in class_hashtags(probs, 8)]
    assert len(redis_client.hget(keys.vectors("image", "m"), 1)) == 1 + 4 + 1280  # other kinds stay whole (int8)
    # a post stored before probabilities were kept sparse (dense float16) is read as it was written
    redis_client.hset(keys.vectors("probs", "m"), 2, probs.astype(np.float16).tobytes())
    assert np.allclose(store.get_vectors("probs", "m", [2], 1000)[0][0], probs, atol=1e-3)
    assert dict(store.iter_vectors("probs", "m", 1000))[1].shape == (1, 1000)


def test_features_and_captions_are_int8_rows_and_older_float16_posts_still_read(redis_client, keys):
    rng = np.random.default_rng(5)
    dim = 12  # 3 int8 rows take 3 x (12 + 4) bytes, 2 float16 rows 2 x 2 x 12: the same length
    features = rng.gamma(0.5, size=dim).astype(np.float32)
    captions = rng.normal(size=(3, dim)).astype(np.float32)
    store = PostStore(redis_client, keys)
    store.add(_post(1), {("image", "m"): features, ("captions", "t"): captions})
    new_image = redis_client.hget(keys.vectors("image", "m"), 1)
    assert len(new_image) < 2 * dim and len(redis_client.hget(keys.vectors("captions", "t"), 1)) < 3 * 2 * dim
    # a post written by the float16 code: not rewritten, read as it was
    old_captions = captions[:2].astype(np.float16)
    redis_client.hset(keys.vectors("image", "m"), 2, features.astype(np.float16).tobytes())
    redis_client.hset(keys.vectors("captions", "t"), 2, old_captions.tobytes())
    assert len(old_captions.tobytes()) == 3 * (dim + 4)
    image = store.get_vectors("image", "m", [1, 2], dim)
    text = dict(store.iter_vectors("captions", "t", dim))
    for got in (image[0][0], image[1][0]):
        assert got @ features / np.linalg.norm(got) / np.linalg.norm(features) > 0.999
    assert text[1].shape == (3, dim) and text[2].shape == (2, dim)
    assert np.allclose(text[2], old_captions.astype(np.float32))
    assert np.allclose(text[1], captions, atol=np.abs(captions).max() / 127)


def test_a_release_saved_with_float16_side_matrices_still_serves(redis_client, keys):
    from indexing.ann import HnswBackend
    from indexing.releases import IndexSnapshot, ReleaseStore

    x = np.random.default_rng(6).normal(size=(200, 256)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    backend = HnswBackend(exact_max=20)
    index = backend.new(256)
    index.add(np.arange(200), x)
    graph, live, _ = index.to_bytes()
    releases = ReleaseStore(redis_client, keys)  # as the float16-matrix code wrote it
    releases.save({"image": IndexSnapshot({"dim": 256}, graph, live, x.astype(np.float16).tobytes())}, {})
    snap = releases.load().indexes["image"]
    loaded = backend.from_snapshot(snap.blob, 256, snap.live, snap.vectors)
    assert len(loaded) == 200 and np.sum(loaded.get([7]) * x[7]) > 0.999
    assert loaded.search(x[7], 1, allowed_posts={7, 8, 9})[0][0] == 7  # exact search over converted rows
    releases.save({"image": IndexSnapshot({"dim": 256}, *loaded.to_bytes())}, {})  # the next release: int8
    snap = releases.load().indexes["image"]
    assert len(snap.vectors) < 200 * 256 * 2
    assert np.array_equal(backend.from_snapshot(snap.blob, 256, snap.live, snap.vectors).get(live), loaded.get(live))


def test_add_is_all_or_nothing(redis_client, keys):
    store = PostStore(redis_client, keys)
    with pytest.raises(ValueError):
        store.add(_post(1, "not a scope"), {})
    assert store.count() == 0


def test_a_dead_server_while_iterating_vectors_is_the_same_clear_error(tmp_path):
    client, server = connect(None, tmp_path / "r")
    store = PostStore(client, Keys("p"))
    store.add(_post(1), {("image", "m"): np.ones(4)})
    server.stop()
    with pytest.raises(StorageUnavailableError, match="unreachable"):
        list(store.iter_vectors("image", "m", 4))


def test_posts_and_releases_are_announced_on_one_change_log(redis_client, keys):
    store = PostStore(redis_client, keys)
    store.add(_post(1), {("image", "m"): np.ones(4)})
    version = store.releases.save({}, {"projector": "none"})
    store.delete([1], [("image", "m")])
    entries = [fields for _, fields in store.read_changes("0-0", block_ms=0)]
    assert entries == [{"op": "add", "ids": "1"}, {"op": "release", "version": version}, {"op": "del", "ids": "1"}]
    assert store.releases.current_version() == version and store.counters()["changes"] == 1  # reset by the release


def test_artifact_and_release_versions_are_stamped_by_one_utc_clock(redis_client, keys, monkeypatch):
    from datetime import datetime, timezone

    store = PostStore(redis_client, keys)
    monkeypatch.setenv("TZ", "Pacific/Kiritimati")  # UTC+14: a local-time stamp would be half a day off
    time.tzset()
    try:
        stamps = [store.put_artifact("projector", b"bytes"), store.releases.save({}, {})]
    finally:
        monkeypatch.undo()
        time.tzset()
    for stamp in stamps:
        taken = datetime.strptime(stamp, "%Y%m%dT%H%M%S.%f").replace(tzinfo=timezone.utc)
        assert abs(taken.timestamp() - time.time()) < 60, stamp
    assert store.get_artifact("projector", stamps[0]) == (stamps[0], b"bytes")


def test_a_held_job_lock_is_seen_by_another_client_and_gone_once_released(redis_url, redis_client, keys, tmp_path):
    from indexing.locks import JobLock, LockBusy

    other_client, _ = connect(redis_url, tmp_path)  # as another process sees it
    store, other = PostStore(redis_client, keys), PostStore(other_client, keys)
    try:
        assert not other.lock_held("rebuild")
        with JobLock(store, "rebuild", ttl_s=30):
            assert other.lock_held("rebuild") and not other.lock_held("retrain")
            with pytest.raises(LockBusy, match="another process"):
                with JobLock(other, "rebuild", ttl_s=30):
                    pass
        assert not other.lock_held("rebuild")
    finally:
        other_client.close()


def test_a_server_that_does_not_answer_yet_is_waited_for_never_doubled(tmp_path):
    first = EmbeddedRedis(tmp_path / "r").start()
    os.kill(first.process.pid, signal.SIGSTOP)  # alive but silent, as while it loads a large AOF
    try:
        with pytest.raises(StorageUnavailableError, match="did not answer"):
            EmbeddedRedis(tmp_path / "r", start_timeout_s=2).start()
        assert (tmp_path / "r" / "redis.sock").exists()  # its socket was left alone
        os.kill(first.process.pid, signal.SIGCONT)
        second = EmbeddedRedis(tmp_path / "r", start_timeout_s=10).start()
        assert second.process is None  # found, not spawned beside it
        assert redis.Redis.from_url(second.url).info("server")["process_id"] == first.process.pid
    finally:
        os.kill(first.process.pid, signal.SIGCONT)
        first.stop()


def test_a_killed_server_is_replaced_despite_its_stale_pid_file(tmp_path):
    first = EmbeddedRedis(tmp_path / "r").start()
    os.kill(first.process.pid, signal.SIGKILL)
    first.process.wait()
    assert (tmp_path / "r" / "redis.pid").exists()
    second = EmbeddedRedis(tmp_path / "r").start()
    try:
        assert second.process is not None and redis.Redis.from_url(second.url).ping()
    finally:
        second.stop()


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie is dead
    except OSError:
        return False


@pytest.mark.parametrize("dies_with_owner", [True, False])
def test_a_benchmarks_server_dies_with_its_owner_a_services_outlives_it(tmp_path, dies_with_owner):
    owner = subprocess.Popen([sys.executable, "-c", f"""
import time
from indexing.redis_server import EmbeddedRedis
server = EmbeddedRedis({str(tmp_path / "r")!r}, dies_with_owner={dies_with_owner}).start()
print(server.process.pid, flush=True)
time.sleep(600)
"""], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    pid = int(owner.stdout.readline())
    owner.kill()  # SIGKILL: no finally, no atexit
    owner.wait()
    deadline = time.time() + (15 if dies_with_owner else 2)
    while _alive(pid) and time.time() < deadline:
        time.sleep(0.1)
    try:
        assert _alive(pid) is not dies_with_owner
    finally:
        if _alive(pid):  # a service's server, kept for the other processes: stopped here as its next owner would
            redis.Redis(unix_socket_path=str(tmp_path / "r" / "redis.sock")).shutdown(nosave=True)


def test_text_read_from_a_photo_is_stored_with_the_post_and_logged_for_other_processes(redis_client, keys):
    store = PostStore(redis_client, keys)
    store.add(_post(1, "chat:5"), {("image", "m"): np.ones(4)})
    position = store.changes_position()
    store.put_read_text(1, "text", "Réunion à 17 h", "fr")
    post = store.get_post(1)
    assert (post.ocr_status, post.ocr_text, post.ocr_lang) == ("text", "Réunion à 17 h", "fr")
    changes = store.read_changes(position, block_ms=1)
    assert [(f["op"], f["ids"]) for _, f in changes] == [("text", "1")]
