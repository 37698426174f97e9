"""What the Milvus backend relies on, tried on Milvus Lite: a release is switched by an alias in one step
(a reader never sees a half-built collection), an acknowledged write survives the process being killed,
a Lite file is one process's, and several processes share one index through a Lite server."""
from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from bench.milvusserver import LiteServer
from indexing.ann import HnswBackend
from indexing.milvus_index import MilvusBackend
from tests.processes import stop_process

DIM = 16
ROOT = Path(__file__).resolve().parents[2]


def unit_rows(n: int, seed: int = 0) -> np.ndarray:
    rows = np.random.default_rng(seed).normal(size=(n, DIM)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def public(ids):
    return ["public"] * len(ids)


@pytest.fixture
def backend(tmp_path):
    opened = MilvusBackend(str(tmp_path / "vectors.db"), scope_of=public)
    yield opened
    opened.close()


def test_a_reader_of_the_alias_sees_the_old_release_or_the_new_one_never_a_half_built_one(backend):
    old = backend.new(DIM)
    old.add(range(100), unit_rows(100))
    backend.publish("image", old)
    serving = backend.serving("image", DIM)
    seen, stop = set(), threading.Event()

    def read():
        while not stop.is_set():
            seen.add(len(serving))  # two requests, each whole: the switch may fall between them
            seen.add(len(serving.search(unit_rows(1, seed=5)[0], 500)))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        new = backend.new(DIM)
        for start in range(0, 300, 30):  # the rebuild fills its collection in pieces while the old one serves
            new.add(range(start, start + 30), unit_rows(300, seed=1)[start:start + 30])
            time.sleep(0.02)
        new.seal(60)
        backend.publish("image", new)
        time.sleep(0.3)
    finally:
        stop.set()
        reader.join()
    assert seen == {100, 300}
    assert backend.from_snapshot(serving.to_bytes()[0], DIM).collection == new.collection
    backend.publish("image", old)  # a rollback
    assert len(serving) == 100


def test_an_acknowledged_write_survives_the_process_being_killed(tmp_path):
    uri = str(tmp_path / "vectors.db")
    writer = subprocess.Popen(
        [sys.executable, "-c", (
            "import sys, numpy as np\n"
            "from indexing.milvus_index import MilvusBackend\n"
            f"b = MilvusBackend({uri!r}, scope_of=lambda ids: ['public'] * len(ids))\n"
            f"ix = b.new({DIM})\n"
            f"ix.add(range(50), np.eye(50, {DIM}, dtype=np.float32) + 0.01)\n"
            "ix.remove([7])\n"
            "print(ix.to_bytes()[0].decode(), flush=True)\n"
            "sys.stdin.read()\n")],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        ref = writer.stdout.readline().strip()
        writer.send_signal(signal.SIGKILL)  # no flush, no close: only what each call acknowledged
        writer.wait(30)
    finally:
        stop_process(writer)
    backend = MilvusBackend(uri, scope_of=public)
    try:
        index = backend.from_snapshot(ref.encode(), DIM)
        assert len(index) == 49 and 7 not in index and 8 in index
        assert index.search(np.eye(1, DIM, 3, dtype=np.float32)[0], 1)[0][0] == 3
    finally:
        backend.close()


def test_a_lite_file_is_open_in_one_process_at_a_time(backend):
    backend.new(DIM)  # this process holds the file
    other = subprocess.run([sys.executable, "-c", f"from pymilvus import MilvusClient; MilvusClient({backend.uri!r})"],
                           cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert other.returncode != 0 and "Open local milvus failed" in other.stderr


def test_several_processes_share_one_index_through_a_lite_server(tmp_path):
    """How several workers use Milvus Lite: one `milvus-lite server` process, each worker a client."""
    with LiteServer(tmp_path / "server") as server:
        uri = server.uri
        here = MilvusBackend(uri, scope_of=public)
        index = here.new(DIM)
        here.publish("image", index)
        worker = subprocess.run([sys.executable, "-c", (
            "import numpy as np\n"
            "from indexing.milvus_index import MilvusBackend\n"
            f"b = MilvusBackend({uri!r}, scope_of=lambda ids: ['public'] * len(ids))\n"
            f"b.serving('image', {DIM}).add([5], np.eye(1, {DIM}, 2, dtype=np.float32))\n")],
            cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert worker.returncode == 0, worker.stderr[-2000:]
        assert index.search(np.eye(1, DIM, 2, dtype=np.float32)[0], 1)[0][0] == 5  # Strong: the other's write
        here.close()


def test_a_release_of_another_backend_is_refused_so_the_view_rebuilds(backend):
    hnsw = HnswBackend().new(DIM)
    hnsw.add([1], unit_rows(1))
    with pytest.raises(RuntimeError):
        backend.from_snapshot(hnsw.to_bytes()[0], DIM)
    with pytest.raises(RuntimeError):
        backend.from_snapshot(b'{"backend": "milvus", "collection": "gone"}', DIM)


def test_a_lite_file_in_a_fresh_data_dir_makes_its_folder(tmp_path):
    """`HASHLENS_VECTOR_BACKEND=milvus` on a new data dir: the default file's folder does not exist yet."""
    backend = MilvusBackend(str(tmp_path / "data" / "milvus" / "hashlens.db"), scope_of=public)
    try:
        index = backend.new(DIM)
        index.add([3], unit_rows(1))
        assert index.search(unit_rows(1)[0], 1)[0][0] == 3
    finally:
        backend.close()


def test_lite_flushes_a_serving_collections_new_rows_and_never_one_being_filled(backend, monkeypatch):
    """Lite searches rows not flushed yet one by one (docs/milvus-design.md): a collection that serves is
    flushed every `flush_rows` rows written to it, in the background; one a rebuild fills is sealed once."""
    from tests.conftest import wait_until

    flushed = []
    real_flush = backend.client.flush
    monkeypatch.setattr(backend.client, "flush", lambda name, **kw: (flushed.append(name), real_flush(name, **kw))[1])
    backend.flush_rows = 8
    filling = backend.new(DIM)
    filling.add(range(100, 120), unit_rows(20))
    serving = backend.new(DIM)
    serving.add([1], unit_rows(1))
    backend.seal(serving)
    assert flushed == [serving.collection]  # the seal's own
    flushed.clear()
    serving.add(range(2, 9), unit_rows(7, seed=1))
    assert flushed == []  # 8 rows since the seal, not more than `flush_rows`: 7 + 1 below
    serving.add([9], unit_rows(1, seed=2))
    assert wait_until(lambda: flushed == [serving.collection])
    filling.add(range(120, 140), unit_rows(20, seed=3))
    assert filling.collection not in flushed
    assert sorted(label for label, _ in serving.search(unit_rows(1, seed=2)[0], 20)) == list(range(1, 10))
    backend.publish("image", serving)
    by_alias = backend.serving("image", DIM)  # how a worker opens it: counted under the alias's name
    by_alias.add(range(10, 18), unit_rows(8, seed=4))
    assert wait_until(lambda: flushed == [serving.collection, backend.alias("image")])
