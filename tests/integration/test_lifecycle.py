"""Index lifecycle across processes: the change log, releases, hot swaps, rollback, the scheduled jobs.

Two engines on one key prefix are two processes sharing a Redis (the engines are real; only the
process boundary is simulated here — tests/integration/test_crash.py uses real processes).
"""
import threading

import numpy as np
import pytest
from PIL import Image

from indexing.holdout import held_out
from indexing.jobs import JobPolicy, interrupted_jobs, run_job
from indexing.locks import JobLock
from indexing.search import PhotoInput
from tests.conftest import BACKENDS, jpeg_bytes, noise_photo, wait_until
from tests.topologies import redis_topology  # noqa: F401 - these tests run on a single server and a cluster


@pytest.fixture(params=BACKENDS)
def vector_backend(request):
    """Every engine of these tests on hnswlib, then on Milvus Lite (the contract holds on both)."""
    return request.param


def _add(engine, data, scope="public", captions=(), tags=()):
    return engine.add_photo(PhotoInput(data=data, scope=scope, captions=list(captions), tags=list(tags))).post_id


def _colour_photo(rng, kind: str) -> bytes:
    base = np.array([200, 40, 40] if kind == "red" else [40, 40, 200], np.float32)
    arr = np.clip(base + rng.normal(0, 40, (60, 80, 3)), 0, 255).astype(np.uint8)
    return jpeg_bytes(Image.fromarray(arr).resize((320, 240)))


TEXTS = {"red": "a glowing red sunset over fire", "blue": "a deep blue ocean under water"}
TAGS = {"red": ["sunset", "fire"], "blue": ["ocean", "water"]}


@pytest.fixture
def labelled(engine_factory):
    """An engine with 160 captioned, tagged public photos of two kinds (enough for a held-out slice)."""
    engine = engine_factory()
    rng = np.random.default_rng(3)
    photos = [(kind, _colour_photo(rng, kind)) for kind in ("red", "blue") for _ in range(80)]
    engine.add_photos([PhotoInput(data=p, captions=[TEXTS[k]], tags=TAGS[k]) for k, p in photos])
    return engine


def test_another_process_sees_new_and_deleted_posts_at_once(engine_factory, samples):
    writer = engine_factory()
    reader = engine_factory().follow()
    try:
        pid = _add(writer, samples["coffee"], captions=["a cup of espresso"], tags=["coffee"])
        assert wait_until(lambda: pid in reader.image_index)
        assert reader.similar(samples["rocket"], "public", k=1)[0].post.id == pid
        assert reader.find("espresso", "public", k=1)[0].post.id == pid
        private = _add(writer, samples["chelsea"], scope="chat:-7")
        assert wait_until(lambda: private in reader.image_index)
        assert all(h.post.id != private for h in reader.similar(samples["chelsea"], "public", k=5))  # scopes hold
        writer.delete_posts([pid])
        # a shared index (Milvus) drops it at once; the reader's own catalogue when its follower reads the log
        assert wait_until(lambda: pid not in reader.image_index and reader.stats()["posts"] == 1)
        assert writer.stats()["posts"] == 1
    finally:
        reader.close()


def test_another_process_sees_an_edited_caption(engine_factory, samples):
    writer = engine_factory()
    reader = engine_factory().follow()
    try:
        pid = _add(writer, samples["rocket"], scope="chat:-8", captions=["a rocket on its launch pad"],
                   tags=["rocket"])
        assert wait_until(lambda: pid in reader.image_index)
        giraffe = "a purple giraffe statue in the fog"
        before = float(reader.text_match(giraffe, [pid])[0])
        assert writer.update_caption("chat:-8", writer.store.get_post(pid).sha256, [giraffe], ["giraffe"])
        # the other process re-indexes the caption from the change log: the new words find the post
        assert wait_until(lambda: float(reader.text_match(giraffe, [pid])[0]) > 0.95 > before + 0.2)
        assert reader.store.get_post(pid).tags == ["giraffe"]
    finally:
        reader.close()


def test_new_heads_swap_into_a_serving_process_without_a_failed_query(labelled, engine_factory):
    from models.training import train_heads

    serving = engine_factory().follow()
    stored = labelled.store.scope_post_ids("public")[0]
    errors, answered = [], [0]
    stop = threading.Event()

    def queries():
        while not stop.is_set():
            try:
                serving.find("red fire", "public", k=5)
                serving.hashtags(stored, "public")
                serving.captions(stored, "public")
                answered[0] += 1
            except Exception as exc:  # any failure is a dropped query
                errors.append(repr(exc))

    threads = [threading.Thread(target=queries) for _ in range(2)]
    for th in threads:
        th.start()
    try:
        heads = train_heads(labelled.training_data(), members=1, min_captioned=10, min_tagged=10)
        installed = labelled.install_heads(heads, "v-swap")
        assert wait_until(lambda: serving.release_version == installed["release"])
        swapped = answered[0]
        assert wait_until(lambda: answered[0] > max(10, swapped + 3))  # queries on the new view too
    finally:
        stop.set()
        for th in threads:
            th.join()
    assert not errors and answered[0] > 10
    assert (serving.projector_version, serving.hashtag_head_version) == ("v-swap", "v-swap")
    assert len(serving.text_index) == len(serving.image_index) == 160
    top = serving.find("blue ocean water", "public", k=10)
    assert all(TEXTS["blue"] in h.post.captions for h in top)
    serving.close()


def test_rollback_brings_back_the_old_heads_everywhere(labelled, engine_factory):
    from models.training import train_heads

    first = labelled.publish_release()
    follower = engine_factory().follow()
    labelled.follow()  # the publisher follows too: a rollback reaches every process
    try:
        heads = train_heads(labelled.training_data(), members=1, min_captioned=10, min_tagged=10)
        second = labelled.install_heads(heads, "v-new")["release"]
        assert wait_until(lambda: follower.release_version == second)
        assert labelled.store.releases.versions()[:2] == [second, first]
        labelled.store.releases.rollback(first)
        assert wait_until(lambda: follower.release_version == first and labelled.release_version == first)
        for engine in (follower, labelled):
            assert (engine.projector_version, engine.hashtag_head_version) == ("none", "none")
        assert labelled.store.get_artifact("projector") is None  # the pointers followed the rollback
        with pytest.raises(KeyError, match="no kept release"):
            labelled.store.releases.rollback("19990101T000000.000000")
    finally:
        follower.close()
        labelled.close()


def test_a_half_written_release_is_never_served_and_is_cleaned_up(engine_factory, samples):
    engine = engine_factory()
    ids = [_add(engine, samples[name]) for name in ("coffee", "chelsea", "rocket")]
    good = engine.publish_release()
    r, keys = engine.store.r, engine.store.keys
    # A writer killed mid-release: chunks written, no manifest, no pointer flip.
    r.hset(keys.snapshot("image", "20990101T000000.000000"), "chunk:0", b"partial")
    assert engine.store.releases.load().version == good
    # A release whose chunks vanished (say, a manual DEL) is refused, and the engine rebuilds instead.
    r.hdel(keys.snapshot("image", good), "chunk:0")
    assert engine.store.releases.load() is None
    reopened = engine_factory()
    assert set(reopened.image_index.labels().tolist()) == set(ids)
    assert reopened.duplicate_of(samples["rocket"], "public").post.id == ids[2]
    newer = reopened.publish_release()
    assert not r.exists(keys.snapshot("image", "20990101T000000.000000"))  # the orphan is gone
    assert engine.store.releases.load().version == newer


def test_rebuild_compacts_deletions_and_publishes(engine_factory, vector_backend):
    engine = engine_factory()
    ids = [_add(engine, noise_photo(i)) for i in range(30)]
    engine.delete_posts(ids[:12])
    assert engine.store.counters()["deleted"] == 12
    if vector_backend == "milvus":  # Milvus compacts itself: a rebuild is for a new basis, or asked for
        assert run_job(engine, "rebuild", JobPolicy(rebuild_min_deleted=0.1))["reason"] == "shared_backend"
    result = run_job(engine, "rebuild", JobPolicy(rebuild_min_deleted=0.1), force=vector_backend == "milvus")
    assert result["compacted"] == 12 and result["posts"] == 18
    if vector_backend == "hnswlib":  # hnswlib-internal: no tombstones left in the graph (Milvus compacts itself)
        assert engine.image_index._index.get_current_count() == 18
    assert len(engine.image_index) == 18
    assert engine.release_version == result["release"]
    assert engine.store.counters()["deleted"] == 0
    assert "skipped" in run_job(engine, "rebuild", JobPolicy(rebuild_min_deleted=0.1))  # nothing to compact
    assert engine.store.job_state("rebuild")["state"] == "skipped"
    assert engine_factory().image_index.labels().tolist() == ids[12:]


def test_jobs_are_single_flight_and_an_interrupted_one_is_found(engine_factory):
    engine = engine_factory()
    with JobLock(engine.store, "snapshot", ttl_s=30):  # another process is on it
        assert "busy" in run_job(engine, "snapshot", JobPolicy(), force=True)
    assert "release" in run_job(engine, "snapshot", JobPolicy(), force=True)
    engine.store.set_job_state("retrain", state="running", progress="training")  # then SIGKILL: lock expired
    assert interrupted_jobs(engine) == ["retrain"]
    with JobLock(engine.store, "retrain", ttl_s=30):
        assert interrupted_jobs(engine) == []  # still running somewhere


def test_retrain_promotes_better_heads_and_keeps_the_serving_ones_otherwise(labelled, monkeypatch):
    import models.training as training

    policy = JobPolicy(retrain_min_new=50, members=1)
    assert labelled.store.counters()["labelled"] == 160
    result = run_job(labelled, "retrain", policy)
    holdout = [i for i in labelled.store.scope_post_ids("public") if held_out(i)]
    assert result["promoted"] is True and result["held_out"] == len(holdout) > 10
    assert result["candidate"]["text2image_R@5"] >= result["current"]["text2image_R@5"]
    assert result["candidate"]["hashtags_R@5"] > result["current"]["hashtags_R@5"] == 0.0
    assert labelled.release_version == result["release"]
    manifest = labelled.store.releases.manifest(result["release"])
    assert manifest["metrics"] == result["candidate"]  # both versions' metrics are recorded
    assert labelled.store.counters()["labelled"] == 0
    assert "skipped" in run_job(labelled, "retrain", policy)  # nothing new since

    # A candidate that learned nothing useful (captions and tags shuffled) is not promoted.
    real = training.train_heads

    def shuffled(data, **kwargs):
        rng = np.random.default_rng(0)
        order = rng.permutation(len(data.captions))
        data.captions = [data.captions[i] for i in order]
        data.tags = [data.tags[i] for i in order]
        return real(data, **kwargs)

    monkeypatch.setattr(training, "train_heads", shuffled)
    serving = labelled.release_version
    worse = run_job(labelled, "retrain", policy, force=True)
    assert worse["promoted"] is False and "worse" in worse["why"]
    assert labelled.release_version == serving
