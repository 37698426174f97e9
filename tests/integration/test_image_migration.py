"""A store embedded by one image model, served while a background job embeds it again with another,
then switched: real Valkey, real encoders (Lite0, then Lite0 averaged with its mirror image)."""
import threading
import time

import pytest

from indexing.migration.plan import serving_image_model
from indexing.migration.records import MigrationRecords
from indexing.relevance import Relevance
from indexing.search import EngineOptions, PhotoInput
from indexing.service import build_engine
from models.registry import get_image_encoder
from tests.conftest import BACKENDS, shape_posts

A, B = "efficientnet-lite0", "efficientnet-lite0+mirror"
NAMES = ("astronaut", "coffee", "chelsea", "rocket", "coins", "moon", "brick", "grass")


@pytest.fixture
def store(engine_factory):
    first = engine_factory()  # only for a store under a fresh key prefix
    first.close()
    return first.store


@pytest.fixture(params=BACKENDS)
def vector_backend(request):
    """A migration on hnswlib, then on Milvus Lite (new collections of the new model's size, flipped)."""
    return request.param


@pytest.fixture
def open_with(store, encoders, session_dir, vector_backend, tmp_path):
    """Engines on that store as the service opens them: the store's model serves, migrating to `configured`."""
    _, text = encoders
    opened = []
    options = EngineOptions(relevance=Relevance(), vector_backend=vector_backend,
                            milvus_uri=str(tmp_path / "milvus.db"))  # engine_factory's: released after the test

    def make(configured: str, **job):
        model = serving_image_model(store, configured)
        image = encoders[0] if model == A else get_image_encoder(model, cache_dir=session_dir / "models")
        engine = build_engine(store, (image, text), session_dir / "models", options)
        if model != configured:
            engine.migrate_image_model(configured, lambda: get_image_encoder(configured,
                                                                             cache_dir=session_dir / "models"),
                                       retry_s=0.1, max_attempts=2, batch=3, **job)
        opened.append(engine)
        return engine

    yield make
    for engine in opened:
        engine.close()


def _stored_with_a(open_with, samples, tmp_path, names=NAMES):
    """Posts imported from files by an engine on model A; {name: post id}."""
    engine = open_with(A)
    ids = {}
    for name in names:
        path = tmp_path / f"{name}.jpg"
        path.write_bytes(samples[name])
        ids[name] = engine.add_photo(PhotoInput(data=samples[name], scope="public", source=str(path),
                                                captions=[f"a photo of {name}"])).post_id
    engine.publish_release()
    engine.close()
    return ids


def test_the_old_model_serves_until_the_migration_switches_then_the_new_one_answers(open_with, store, samples,
                                                                                   tmp_path):
    ids = _stored_with_a(open_with, samples, tmp_path)
    before = open_with(A).similar(ids["coffee"], "public", k=3)
    engine = open_with(B)
    assert engine.image_model == A and engine.image_migration.target == B  # served with A meanwhile
    assert [h.post.id for h in engine.similar(ids["coffee"], "public", k=3)] == [h.post.id for h in before]
    assert engine.find("a photo of rocket", "public", k=1)[0].post.id == ids["rocket"]

    assert engine.image_migration.run_once() is True  # every post embedded again, then switched
    assert engine.image_model == B and len(engine.view.image) == len(ids)
    assert store.vector_ids("image", B) >= set(ids.values())
    assert store.vector_ids("image", A) >= set(ids.values())  # untouched: configuring A again rolls back
    for name, pid in ids.items():  # findable with B: each photo's nearest copy is itself
        assert engine.duplicate_of(samples[name], "public").post.id == pid
    manifest = store.releases.manifest(store.releases.current_version())
    assert manifest["indexes"]["image"]["image_model"] == B
    assert MigrationRecords(store).store_model() == B
    assert engine.image_migration_status()["state"] == "done"
    restarted = open_with(B)  # the next start serves B at once, with no migration
    assert restarted.image_model == B and restarted.image_migration is None
    assert restarted.duplicate_of(samples["moon"], "public").post.id == ids["moon"]


def test_a_restart_mid_migration_resumes_with_the_posts_still_missing(open_with, store, samples, tmp_path):
    ids = _stored_with_a(open_with, samples, tmp_path)
    first = open_with(B)
    migration = first.image_migration
    migration._begin()
    migration.embed(sorted(ids.values())[:3], migration.embedder())  # one batch, then the process stops
    first.close()
    again = open_with(B)
    assert again.image_model == A
    assert again.image_migration.missing() == sorted(ids.values())[3:]
    again.start_image_migration()  # as the service does: a background thread, under the job's Redis lock
    assert again.image_migration.finished.wait(180)
    assert again.image_model == B and len(again.view.image) == len(ids)
    again.image_migration.stop()  # the thread has ended (it released the lock on its way out)
    assert not store.lock_held("image-migration")


def test_a_post_written_during_the_migration_is_migrated_too(open_with, store, samples, tmp_path):
    ids = _stored_with_a(open_with, samples, tmp_path, NAMES[:4])
    engine = open_with(B)
    engine.image_migration.embed(sorted(ids.values()), engine.image_migration.embedder())
    late = engine.add_photo(PhotoInput(data=samples["camera"], scope="public")).post_id  # A's vectors only
    assert late in engine.image_migration.missing()
    engine.photo_sources.append(_Bytes({late: samples["camera"]}))  # a source for a post from no file (a bot's)
    assert engine.image_migration.run_once() is True
    assert engine.image_model == B and late in engine.view.image
    assert engine.duplicate_of(samples["camera"], "public").post.id == late


def test_a_photo_that_cannot_be_had_is_reported_and_does_not_hold_the_switch(open_with, store, samples, tmp_path):
    ids = _stored_with_a(open_with, samples, tmp_path, NAMES[:6])
    (tmp_path / "coins.jpg").unlink()  # gone from disk: retried, then its thumbnail stands in
    (tmp_path / "rocket.jpg").rename(tmp_path / "away.jpg")  # away for one run only (a disk not mounted yet)
    store.r.hset(store.keys.post(ids["moon"]), "source", "")  # no file, no file id, and no thumbnail
    store.r.hdel(store.keys.thumbnails(), ids["moon"])
    engine = open_with(B)
    migration = engine.image_migration
    assert migration.run_once() is False  # coins and rocket wait for a second attempt; moon is settled at once
    failures = migration.records.failures(B)
    assert failures[ids["coins"]]["attempts"] == 1 and not failures[ids["coins"]]["outcome"]
    assert "No such file" in failures[ids["coins"]]["reason"]
    assert failures[ids["moon"]]["outcome"] == "left_out"
    status = engine.stats()["image_migration"]
    assert (status["from_model"], status["to_model"], status["left_out"]) == (A, B, 1)
    assert status["done"] == 3 and status["total"] == 6 and status["failed"] == 2
    (tmp_path / "away.jpg").rename(tmp_path / "rocket.jpg")
    t0 = time.monotonic()
    assert migration.run_once() is True and time.monotonic() - t0 < 60
    failures = migration.records.failures(B)
    assert failures[ids["coins"]] | {"last_s": 0} == {"attempts": 2, "reason": failures[ids["coins"]]["reason"],
                                                      "outcome": "thumbnail", "last_s": 0}
    assert ids["coins"] in engine.view.image and ids["moon"] not in engine.view.image  # reported, left out
    assert ids["rocket"] not in failures and engine.duplicate_of(samples["rocket"], "public").post.id == ids["rocket"]
    assert engine.image_model == B


def test_learned_heads_are_trained_on_the_new_model_and_no_query_fails_across_the_switch(open_with, store, tmp_path):
    from models.training import train_heads

    engine = open_with(A)
    for path, captions in shape_posts(tmp_path / "shapes", 64, seed=3):
        colour, shape = path.stem.split("-")[:2]
        engine.add_photo(PhotoInput(data=path.read_bytes(), scope="public", source=str(path), captions=captions,
                                    tags=[colour, shape]))
    engine.install_heads(train_heads(engine.training_data(), members=1, min_captioned=10, min_tagged=10))
    engine.close()
    migrating = open_with(B, members=1)
    assert migrating.projector.input_model == A and migrating.hashtag_head is not None
    some_post = sorted(migrating.live_post_ids())[0]
    errors, answered, stop = [], [0], threading.Event()

    def queries():
        while not stop.is_set():
            try:
                assert migrating.find("a red circle", "public", k=5)
                assert len(migrating.similar(some_post, "public", k=3)) == 3
                migrating.hashtags(some_post, "public")
                answered[0] += 1
            except Exception as exc:  # noqa: BLE001 - any failure is a dropped query
                errors.append(repr(exc))

    threads = [threading.Thread(target=queries) for _ in range(2)]
    for th in threads:
        th.start()
    try:
        assert migrating.image_migration.run_once() is True
        time.sleep(0.3)
    finally:
        stop.set()
        for th in threads:
            th.join()
    assert not errors and answered[0] > 5, errors[:3]
    assert migrating.image_model == B
    assert migrating.projector.input_model == B and not migrating.projector.cold_start  # trained again, on B
    assert migrating.hashtag_head is not None and migrating.hashtag_head.input_model == B
    assert len(migrating.text_index) == len(migrating.image_index) == 64
    top = migrating.find("a red circle", "public", k=5)
    assert sum("red" in h.post.captions[0] for h in top) >= 3, [h.post.captions[0] for h in top]


def test_a_follower_switches_to_the_release_the_migrating_process_publishes(open_with, store, samples, tmp_path):
    ids = _stored_with_a(open_with, samples, tmp_path, NAMES[:4])
    worker, follower = open_with(B), open_with(B).follow()
    assert worker.image_migration.run_once() is True
    deadline = time.time() + 60
    while follower.image_model != B:
        assert time.time() < deadline
        time.sleep(0.1)
    assert follower.release_version == worker.release_version and follower.image_migration.finished.is_set()
    assert follower.duplicate_of(samples["coffee"], "public").post.id == ids["coffee"]
    late = worker.add_photo(PhotoInput(data=samples["camera"], scope="public")).post_id  # stored with B now
    while late not in follower.view.image:
        assert time.time() < deadline
        time.sleep(0.1)


class _Bytes:
    """A photo source holding some posts' bytes (what the bot's getFile source gives)."""

    def __init__(self, photos: dict[int, bytes]) -> None:
        self.photos = photos

    def can_fetch(self, post) -> bool:
        return post.id in self.photos

    def fetch(self, post) -> bytes:
        return self.photos[post.id]


def test_a_video_is_migrated_from_its_keyframes(open_with, store, samples, tmp_path):
    from indexing.search import VIDEO
    from tests.conftest import sample_image
    from tests.videos import pan_video

    ids = _stored_with_a(open_with, samples, tmp_path, names=("coffee", "rocket"))
    engine = open_with(A)
    clip = pan_video(sample_image("chelsea"), seconds=3)
    path = tmp_path / "chelsea.mp4"
    path.write_bytes(clip)
    video = engine.add_photos([PhotoInput(clip, scope="public", source=str(path), media=VIDEO)],
                              [engine.embed_video(clip)])[0].post_id
    engine.publish_release()
    engine.close()
    engine = open_with(B)
    assert engine.image_migration.run_once() is True
    assert store.vector_ids("image", B) >= set(ids.values()) | {video}
    dim = engine.embed_photo(samples["coffee"]).features.shape[0]  # B's features
    keyframes = store.get_vectors("keyframes", B, [video], dim)[0]
    assert keyframes is not None and keyframes.shape[0] == 8  # each frame embedded again by B
    assert engine.image_migration_status()["left_out"] == 0 and engine.image_migration_status()["thumbnails"] == 0
