"""The engine on Milvus (HASHLENS_VECTOR_BACKEND=milvus): what would break with a wrong wiring. Releases name
collections, a restart reopens them, a write lands once in the collections every process shares, a rebuild
or a rollback loses no post, a chat never sees another's photos. Milvus Lite in the test's tmp dir (one
embedded server, shared by the test's engines as workers share a Milvus); test_engine.py and
test_lifecycle.py run the engine's whole contract on both backends."""
from __future__ import annotations

import threading

import pytest

from indexing.milvus_index import MilvusIndex
from indexing.search import PhotoInput
from tests.conftest import noise_photo, wait_until

pytestmark = pytest.mark.milvus
CHAT_A, CHAT_B = "chat:-1001", "chat:-1002"


@pytest.fixture
def vector_backend():
    return "milvus"


def _add(engine, data, scope="public", captions=()):
    return engine.add_photo(PhotoInput(data=data, scope=scope, captions=list(captions))).post_id


def collections(engine) -> dict[str, str]:
    """The collections the engine's serving view reads, by kind."""
    backend, v = engine.parts.backend, engine.view
    return {kind: backend.collection_of(index) for kind, index in
            (("image", v.image), ("text", v.text), ("caption", v.caption))}


def release_collections(engine, version: str) -> dict[str, str]:
    manifest = engine.store.releases.manifest(version)
    return {kind: meta["collection"] for kind, meta in manifest["indexes"].items()}


def stored_ids(engine) -> set[int]:
    return set(engine.store.all_meta()[0].tolist())


def indexed_posts(engine) -> tuple[set[int], set[int]]:
    """The posts in the serving image and text collections (read from Milvus, not from a local copy)."""
    return set(engine.image_index.labels().tolist()), set(engine.text_index.labels().tolist())


def test_a_chat_never_sees_another_chats_photos_and_rows_carry_their_scope(engine_factory, samples):
    engine = engine_factory(exact_search_max_posts=0)  # every search through Milvus's filtered graph walk
    secret = _add(engine, samples["chelsea"], scope=CHAT_B, captions=["my secret cat"])
    mine = _add(engine, samples["coffee"], scope=CHAT_A, captions=["my coffee"])
    public = _add(engine, samples["rocket"], captions=["a rocket"])
    seen = {h.post.id for h in engine.similar(samples["chelsea"], CHAT_A, k=10)}
    seen |= {h.post.id for h in engine.find("a cat", CHAT_A, k=10)}
    seen |= {c.post_id for c in engine.captions(samples["chelsea"], CHAT_A, k=10)}
    assert seen == {mine, public}
    assert {h.post.id for h in engine.similar(samples["coffee"], "public", k=10)} == {public}
    image = engine.image_index.inner if hasattr(engine.image_index, "inner") else engine.image_index
    assert isinstance(image, MilvusIndex)
    rows = image.client.query(image.collection, filter="", output_fields=["label", "scope_id"])
    assert {row["label"]: row["scope_id"] for row in rows} == {secret: -1002, mine: -1001, public: 0}


def test_a_restart_reopens_the_release_collections_and_loses_nothing(engine_factory, samples):
    engine = engine_factory()
    client = engine.parts.backend.client
    a = _add(engine, samples["coffee"], captions=["a coffee"])
    b = _add(engine, samples["rocket"])
    release = engine.publish_release()
    assert collections(engine) == release_collections(engine, release)
    assert all(len(engine.store.r.hget(engine.store.keys.snapshot(kind, release), "chunk:0")) < 200
               for kind in ("image", "text", "caption"))  # a reference, not the vectors
    c = _add(engine, samples["chelsea"], captions=["a cat"])  # after the release, written to its collections
    engine.delete_posts([b])
    before = set(client.list_collections())
    reopened = engine_factory()
    assert collections(reopened) == release_collections(engine, release) and reopened.release_version == release
    assert set(client.list_collections()) == before  # nothing rebuilt
    assert indexed_posts(reopened) == ({a, c}, {a, c})
    assert reopened.find("a cat", "public", k=1)[0].post.id == c


def test_a_release_whose_collection_is_gone_is_rebuilt_and_published(engine_factory, samples):
    engine = engine_factory()
    ids = {_add(engine, samples[name]) for name in ("coffee", "rocket", "chelsea")}
    release = engine.publish_release()
    gone = release_collections(engine, release)["image"]
    engine.parts.backend.client.release_collection(gone)
    engine.parts.backend.client.drop_collection(gone)
    reopened = engine_factory()
    assert reopened.release_version != release and collections(reopened)["image"] != gone
    assert collections(reopened) == release_collections(reopened, reopened.release_version)
    assert indexed_posts(reopened) == (ids, ids)


def test_a_follower_writes_nothing_and_finds_what_another_process_wrote(engine_factory, samples, monkeypatch):
    writer = engine_factory()
    reader = engine_factory().follow()
    writes: list[int] = []
    for method in ("add", "remove"):
        real = getattr(MilvusIndex, method)

        def counted(self, labels, *rest, _real=real):
            if self.client is reader.parts.backend.client:
                writes.append(len(list(labels)))
            return _real(self, labels, *rest)
        monkeypatch.setattr(MilvusIndex, method, counted)
    assert collections(reader) == collections(writer)  # one copy, shared
    pid = _add(writer, samples["coffee"], captions=["a cup of espresso"])
    assert wait_until(lambda: pid in reader.catalogue.live_ids())
    assert reader.find("espresso", "public", k=1)[0].post.id == pid
    assert reader.similar(samples["rocket"], "public", k=1)[0].post.id == pid
    writer.update_caption("public", writer.store.get_post(pid).sha256, ["a purple giraffe"], [])
    writer.delete_posts([pid])
    assert wait_until(lambda: pid not in reader.catalogue.live_ids())
    assert reader.similar(samples["rocket"], "public", k=1) == [] and writes == []


def test_a_rebuild_while_posts_are_added_loses_no_post(engine_factory):
    builder = engine_factory()
    writer = engine_factory().follow()
    for i in range(20):
        _add(writer, noise_photo(i))
    added, stop = [], threading.Event()

    def keep_adding():
        i = 100
        while not stop.is_set() and i < 500:
            added.append(_add(writer, noise_photo(i)))
            i += 1

    adding = threading.Thread(target=keep_adding)
    adding.start()
    try:
        wait_until(lambda: len(added) >= 3)
        old = collections(writer)
        building = len(added)
        # the new collections filled, not yet served: five more posts go to the old ones meanwhile
        version = builder.rebuild(progress=lambda done, total: wait_until(lambda: len(added) >= building + 5))
        assert wait_until(lambda: writer.release_version == version)
        flipped = len(added)
        wait_until(lambda: len(added) >= flipped + 3)  # a few more after the flip
    finally:
        stop.set()
        adding.join()
    assert set(collections(builder).values()).isdisjoint(old.values())
    assert collections(writer) == collections(builder) == release_collections(builder, version)
    assert len(added) >= building + 5
    assert indexed_posts(writer) == (stored_ids(writer), stored_ids(writer))


def test_a_rollback_serves_the_old_collections_with_the_posts_stored_since(engine_factory, samples):
    engine = engine_factory()
    follower = engine_factory().follow()
    engine.follow()
    try:
        first_post = _add(engine, samples["coffee"])
        first = engine.publish_release()
        second = engine.rebuild()
        assert wait_until(lambda: follower.release_version == second)
        assert collections(follower) != release_collections(engine, first)
        later = _add(engine, samples["rocket"])  # written to the second release's collections only
        engine.delete_posts([first_post])
        lock_free_while_catching_up = []
        catch_up = follower.parts.views.caught_up

        def watched_catch_up(view, live):
            # another thread (a query) can take the swap lock meanwhile: the catching up does not stall queries
            probe = threading.Thread(target=lambda: lock_free_while_catching_up.append(
                follower.parts.serving.lock.acquire(blocking=False) and follower.parts.serving.lock.release() is None))
            probe.start()
            probe.join()
            return catch_up(view, live)

        follower.parts.views.caught_up = watched_catch_up
        engine.store.releases.rollback(first)
        assert wait_until(lambda: follower.release_version == first and engine.release_version == first)
        assert lock_free_while_catching_up and all(lock_free_while_catching_up)
        for e in (engine, follower):
            assert collections(e) == release_collections(engine, first)
            assert indexed_posts(e) == ({later}, {later})
        backend = engine.parts.backend
        assert backend.client.describe_alias(backend.alias("image"))["collection_name"] == \
            release_collections(engine, first)["image"]  # the aliases followed the rollback
    finally:
        follower.close()
        engine.close()


def test_trimmed_releases_drop_their_collections_and_never_a_kept_one(engine_factory, samples):
    engine = engine_factory()  # its first start published the release of the collections it made
    client = engine.parts.backend.client
    _add(engine, samples["coffee"])
    first = release_collections(engine, engine.publish_release())
    assert first == collections(engine)
    rebuilt = [engine.rebuild() for _ in range(3)]
    assert engine.store.releases.versions() == rebuilt[::-1]  # three kept, the first ones trimmed
    assert not any(client.has_collection(name) for name in first.values())
    assert all(client.has_collection(name) for version in rebuilt for name in release_collections(engine, version).values())
    assert indexed_posts(engine_factory()) == (stored_ids(engine), stored_ids(engine))


WRITER = """
import json, sys
import redis
from indexing.keys import Keys
from indexing.search import EngineOptions, PhotoInput
from indexing.service import build_engine
from indexing.store import PostStore
from models.registry import DEFAULT_TEXT_MODEL, get_image_encoder, get_text_encoder

redis_url, prefix, uri, cache, photo = sys.argv[1:]
encoders = (get_image_encoder("efficientnet-lite0", threads=1, cache_dir=cache),
            get_text_encoder(DEFAULT_TEXT_MODEL, threads=1, cache_dir=cache))
engine = build_engine(PostStore(redis.Redis.from_url(redis_url), Keys(prefix)), encoders, cache,
                      EngineOptions(vector_backend="milvus", milvus_uri=uri))
post = engine.add_photo(PhotoInput(data=open(photo, "rb").read(), captions=["a cup of espresso"])).post_id
print(json.dumps({"post": post, "image": engine.parts.backend.collection_of(engine.view.image)}), flush=True)
engine.close()
"""


def test_two_processes_share_one_lite_server_and_neither_holds_a_copy(engine_factory, redis_server, session_dir,
                                                                      tmp_path, samples):
    """Several workers on Milvus Lite: one `milvus-lite server` process, each worker a client (a Lite file is
    one process's). A post another process wrote is found here at once, from rows this process never wrote."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    from bench.milvusserver import LiteServer

    reader = None
    with LiteServer(tmp_path / "server") as server:
        uri = server.uri
        try:
            reader = engine_factory(milvus_uri=uri).follow()
            (tmp_path / "coffee.jpg").write_bytes(samples["coffee"])
            writer = subprocess.run([sys.executable, "-c", WRITER, redis_server, reader.store.keys.prefix, uri,
                                     str(session_dir / "models"), str(tmp_path / "coffee.jpg")],
                                    cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True,
                                    timeout=300)
            assert writer.returncode == 0, writer.stderr[-3000:]
            wrote = json.loads(writer.stdout.strip().splitlines()[-1])
            assert wrote["image"] == collections(reader)["image"]  # the release the reader made, served by both
            assert wait_until(lambda: wrote["post"] in reader.catalogue.live_ids())
            assert reader.find("espresso", "public", k=1)[0].post.id == wrote["post"]
            assert reader.similar(samples["rocket"], "public", k=1)[0].post.id == wrote["post"]
            image = getattr(reader.image_index, "inner", reader.image_index)
            assert isinstance(image, MilvusIndex) and image.client is reader.parts.backend.client  # no local copy
        finally:
            if reader is not None:
                reader.close()  # before its server goes


def test_a_reduced_index_keeps_its_basis_in_the_release_and_its_rows_in_milvus(engine_factory, samples):
    """The image index over a PCA basis (indexing/reduced.py) on Milvus: the release holds the basis and
    names the collection of reduced rows; a restart reopens both, and answers are rescored as before."""
    from indexing.reduced import ReducedIndex, basis_of

    engine = engine_factory(image_index_dims=8)  # a basis from 4 x 8 photos
    ids = {name: _add(engine, data) for name, data in samples.items()}
    ids.update({f"noise{i}": _add(engine, noise_photo(i)) for i in range(20)})
    version = engine.rebuild()
    basis = basis_of(engine.image_index)
    assert basis is not None and basis.dims == 8 and engine.image_index.inner.dim == 8
    reopened = engine_factory(image_index_dims=8)
    assert isinstance(reopened.image_index, ReducedIndex) and basis_of(reopened.image_index).version == basis.version
    assert collections(reopened) == release_collections(engine, version) and reopened.release_version == version
    assert reopened.duplicate_of(samples["rocket"], "public").post.id == ids["rocket"]
    assert reopened.similar(samples["coffee"], "public", k=3)


def test_a_deployment_moving_from_hnswlib_to_milvus_builds_its_collections_once(engine_factory, samples):
    """HASHLENS_VECTOR_BACKEND switched on a store whose releases hold hnswlib bytes: the first Milvus engine
    builds and publishes collections, the next one opens them (and hnswlib would rebuild from the reference)."""
    old = engine_factory(vector_backend="hnswlib")
    ids = {_add(old, samples[name], captions=[name]) for name in ("coffee", "rocket", "chelsea")}
    hnsw_release = old.publish_release()
    first = engine_factory()
    assert first.release_version != hnsw_release and indexed_posts(first) == (ids, ids)
    second = engine_factory()
    assert collections(second) == collections(first) and second.release_version == first.release_version
    back = engine_factory(vector_backend="hnswlib")  # the Milvus release is a reference hnswlib cannot read
    assert set(back.image_index.labels().tolist()) == ids and back.find("rocket", "public", k=1)


def test_collections_a_killed_builder_left_are_dropped_once_old(engine_factory, samples, monkeypatch):
    from indexing.search import sharedindexes

    engine = engine_factory()
    client = engine.parts.backend.client
    _add(engine, samples["coffee"])
    orphan = engine.parts.backend.new(8)  # made, never published: a builder killed mid-rebuild
    engine.publish_release()
    assert client.has_collection(orphan.collection)  # young: maybe a rebuild still filling elsewhere
    monkeypatch.setattr(sharedindexes, "ORPHAN_AGE_S", -1)
    serving = collections(engine)
    engine.publish_release()
    assert not client.has_collection(orphan.collection)
    assert all(client.has_collection(name) for name in serving.values()) and collections(engine) == serving
