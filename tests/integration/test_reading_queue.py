"""The background reading queue on a real embedded Valkey with the real reader: photos queued when
stored are read once, survive a restart, end as "error" when they always fail, and a post deleted
while it waited is skipped."""
from __future__ import annotations

import pytest

from indexing.keys import Keys
from indexing.reading import GROUP, ReadingQueue, ReadingWorker, reading_copy
from indexing.redis_server import connect
from indexing.store import Post, PostStore
from models.ocr import TextReader
from tests.conftest import jpeg_bytes, sample_image
from bench.ocr import folded_cer
from tests.text_images import render_line
from tests.topologies import redis_topology  # noqa: F401 - these tests run on a single server and a cluster

SCOPE = "chat:-100"


@pytest.fixture(scope="module")
def reader() -> TextReader:
    return TextReader()


@pytest.fixture
def store(redis_client, keys) -> PostStore:
    return PostStore(redis_client, keys)


def stored_post(store: PostStore, scope: str = SCOPE) -> int:
    post_id = store.allocate_id()
    store.add(Post(id=post_id, scope=scope, sha256=f"sha{post_id}", phash=post_id), {})
    return post_id


def worker(queue: ReadingQueue, reader: TextReader, **kwargs) -> ReadingWorker:
    kwargs.setdefault("block_ms", 10)
    return ReadingWorker(queue, lambda: reader, **kwargs)


def text_ops(store: PostStore) -> list[str]:
    return [fields["ids"] for _, fields in store.read_changes("0-0", block_ms=1) if fields["op"] == "text"]


def test_a_queued_photo_is_read_stored_and_leaves_the_queue(store, reader):
    queue = ReadingQueue(store)
    with_text, without = stored_post(store), stored_post(store)
    queue.enqueue(with_text, SCOPE, jpeg_bytes(render_line("Meeting moved to 5 pm")), 600, 100)
    queue.enqueue(without, SCOPE, jpeg_bytes(sample_image("coffee")), 600, 400)
    assert queue.waiting(SCOPE) == 2 and queue.waiting() == 2
    w = worker(queue, reader)
    assert w.step() and w.step() and not w.step()
    post = store.get_post(with_text)
    assert post.ocr_status == "text" and folded_cer(post.ocr_text, "Meeting moved to 5 pm") <= 0.05
    assert post.ocr_lang == "en"
    assert store.get_post(without).ocr_status == "none"
    assert queue.waiting(SCOPE) == 0 and queue.waiting() == 0
    assert queue.outcomes([with_text, without]) == {"text": 1, "none": 1, "unreadable": 0, "error": 0}
    assert text_ops(store) == [str(with_text), str(without)]  # other processes learn of it


def test_the_worker_thread_reads_what_is_queued(store, reader):
    from tests.conftest import wait_until

    queue = ReadingQueue(store)
    post_id = stored_post(store)
    w = worker(queue, reader).start()
    try:
        queue.enqueue(post_id, SCOPE, jpeg_bytes(render_line("Read in the background")), 600, 100)
        assert wait_until(lambda: store.get_post(post_id).ocr_status == "text", timeout=30)
    finally:
        w.stop()
    assert not w._thread.is_alive()


def test_the_worker_waits_while_the_reply_path_is_busy(store, reader):
    queue = ReadingQueue(store)
    post_id = stored_post(store)
    queue.enqueue(post_id, SCOPE, jpeg_bytes(render_line("Waits for replies")), 600, 100)
    busy = [True]
    w = worker(queue, reader, reply_busy=lambda: busy[0]).start()
    try:
        import time

        time.sleep(0.5)
        assert store.get_post(post_id).ocr_status == "" and queue.waiting(SCOPE) == 1
        busy[0] = False
        from tests.conftest import wait_until

        assert wait_until(lambda: store.get_post(post_id).ocr_status == "text", timeout=30)
    finally:
        w.stop()


def test_a_photo_taken_by_a_reader_that_died_is_read_after_a_restart(tmp_path, reader):
    client, server = connect(None, tmp_path / "r")
    try:
        store = PostStore(client, Keys("restart"))
        queue = ReadingQueue(store)
        post_id = stored_post(store)
        queue.enqueue(post_id, SCOPE, jpeg_bytes(render_line("Survives a restart")), 600, 100)
        taken = queue.take("dead-reader", block_ms=10)  # taken, then its process dies: never acknowledged
        assert taken is not None and taken.post_id == post_id
        assert queue.take("another", block_ms=10) is None  # not handed out twice while it may still be read
    finally:
        server.stop()
    client, server = connect(None, tmp_path / "r")
    try:
        store = PostStore(client, Keys("restart"))
        queue = ReadingQueue(store)
        assert queue.waiting(SCOPE) == 1
        assert worker(queue, reader, claim_idle_ms=0).step()
        assert folded_cer(store.get_post(post_id).ocr_text, "Survives a restart") <= 0.05
        assert queue.waiting() == 0 and client.xpending(store.keys.reading_queue(), GROUP)["pending"] == 0
    finally:
        server.stop()


def test_a_photo_that_always_fails_ends_as_error_after_max_attempts(store, reader):
    queue = ReadingQueue(store)
    post_id = stored_post(store)
    queue.enqueue(post_id, SCOPE, b"not an image at all", 10, 10)
    w = worker(queue, reader, claim_idle_ms=0, max_attempts=3)
    for attempt in (1, 2):
        assert w.step()
        assert store.get_post(post_id).ocr_status == "" and queue.waiting(SCOPE) == 1, attempt
    assert w.step()
    assert store.get_post(post_id).ocr_status == "error"
    assert queue.waiting() == 0 and not w.step()  # the queue moves on


def test_a_reader_killed_on_a_photo_too_often_gives_error(store, reader):
    queue = ReadingQueue(store)
    post_id = stored_post(store)
    queue.enqueue(post_id, SCOPE, jpeg_bytes(render_line("Kills its reader")), 600, 100)
    for _ in range(3):  # three readers took it, counted the attempt, and died reading it
        queue.attempt(queue.take("doomed", block_ms=10, claim_idle_ms=0))
    assert worker(queue, reader, claim_idle_ms=0, max_attempts=3).step()
    assert store.get_post(post_id).ocr_status == "error" and queue.waiting() == 0


def test_a_post_deleted_while_it_waited_is_skipped(store, reader):
    queue = ReadingQueue(store)
    post_id = stored_post(store)
    queue.enqueue(post_id, SCOPE, jpeg_bytes(render_line("Deleted before reading")), 600, 100)
    store.delete([post_id], [])
    assert worker(queue, reader).step()
    assert store.get_post(post_id) is None
    assert not store.r.exists(store.keys.post(post_id))  # not brought back as a half post
    assert queue.waiting(SCOPE) == 0 and queue.waiting() == 0 and text_ops(store) == []
    assert store.put_read_text(post_id, "text", "late", "en") is False


def test_a_large_image_file_is_shrunk_and_queued_off_the_callers_thread(store, reader):
    import time

    from PIL import Image

    from tests.conftest import wait_until

    queue = ReadingQueue(store)
    post_id = stored_post(store)
    line = render_line("A large image file")
    big = Image.new("RGB", (6000, 4000), "white")
    big.paste(line.resize((line.width * 6, line.height * 6)), (300, 1500))
    data = jpeg_bytes(big)
    t0 = time.perf_counter()
    queue.enqueue(post_id, SCOPE, data, 6000, 4000)
    assert time.perf_counter() - t0 < 0.1  # the caller (the reply path) does not wait for the shrinking
    assert wait_until(lambda: queue.waiting(SCOPE) == 1, timeout=30)
    queue.flush()
    job = queue.take("reader", block_ms=10)
    assert len(job.image) < len(data) / 2
    worker(queue, reader).handle(job)
    assert folded_cer(store.get_post(post_id).ocr_text, "A large image file") <= 0.1


def test_the_queued_copy_is_small(reader):
    small = jpeg_bytes(render_line("Small photos are queued as sent"))
    assert reading_copy(small, 600, 100) == small
    from PIL import Image

    big = jpeg_bytes(Image.new("RGB", (5000, 3000), "white"))
    copy = reading_copy(big, 5000, 3000)
    from models.ocr import decode

    assert max(decode(copy, 10_000).size) == 1600


def test_captions_asked_before_the_queue_read_it_read_now_and_the_queue_skips_it(store, reader):
    import hashlib

    from indexing.reading import text_in_photo

    queue = ReadingQueue(store)
    photo = jpeg_bytes(render_line("Asked before the queue"))
    post_id = store.allocate_id()
    sha = hashlib.sha256(photo).hexdigest()
    store.add(Post(id=post_id, scope=SCOPE, sha256=sha, phash=1), {})
    queue.enqueue(post_id, SCOPE, photo, 600, 100)
    read = text_in_photo(store, lambda: reader, photo, sha, [SCOPE, "public"])
    assert read.status == "text" and folded_cer(read.text, "Asked before the queue") <= 0.05
    assert store.get_post(post_id).ocr_text == read.text  # kept with the post
    assert worker(queue, reader).step() and queue.waiting() == 0  # acknowledged without reading again
    assert text_ops(store) == [str(post_id)]

    def must_not_read():
        raise AssertionError("a read photo was read again")

    assert text_in_photo(store, must_not_read, photo, sha, [SCOPE]).text == read.text
    elsewhere = text_in_photo(store, lambda: reader, photo, sha, ["chat:-200"])  # not stored there: read, not kept
    assert elsewhere.text == read.text and text_ops(store) == [str(post_id)]


def test_an_entry_finished_by_two_readers_is_counted_out_once(store, reader):
    queue = ReadingQueue(store)
    first, second = stored_post(store), stored_post(store)
    queue.enqueue(first, SCOPE, jpeg_bytes(render_line("Slow reader")), 600, 100)
    queue.enqueue(second, SCOPE, jpeg_bytes(render_line("Still waiting")), 600, 100)
    slow = queue.take("slow", block_ms=10)
    claimed = queue.take("fast", block_ms=10, claim_idle_ms=0)  # the slow one looked dead
    assert slow == claimed
    queue.done(claimed)
    queue.done(slow)
    assert queue.waiting(SCOPE) == 1 and queue.waiting() == 1


def test_a_flood_of_large_files_is_all_queued_and_gives_its_background_slots_back(store):
    from PIL import Image

    from indexing.reading import MAX_SHRINKING

    queue = ReadingQueue(store)
    data = jpeg_bytes(Image.new("RGB", (4000, 3000), "white"))
    ids = [stored_post(store) for _ in range(MAX_SHRINKING + 6)]
    for post_id in ids:
        queue.enqueue(post_id, SCOPE, data, 4000, 3000)
    queue.flush()
    assert queue.waiting(SCOPE) == len(ids) and queue._shrinking._value == MAX_SHRINKING


def test_posts_stored_before_reading_began_are_read_when_the_queue_is_idle(store, reader, tmp_path):
    from indexing.migration.sources import LocalFiles

    def old_post(source: str) -> int:
        post_id = store.allocate_id()
        store.add(Post(id=post_id, scope=SCOPE, sha256=f"old{post_id}", phash=1, source=source, created_s=1.0), {})
        return post_id

    poster = tmp_path / "poster.jpg"
    poster.write_bytes(jpeg_bytes(render_line("Stored long ago")))
    coffee = tmp_path / "coffee.jpg"
    coffee.write_bytes(jpeg_bytes(sample_image("coffee")))
    with_text, without, gone = old_post(str(poster)), old_post(str(coffee)), old_post(str(tmp_path / "gone.jpg"))
    queue = ReadingQueue(store)
    new = stored_post(store)
    queue.enqueue(new, SCOPE, jpeg_bytes(render_line("Stored now")), 600, 100)
    w = worker(queue, reader).backfill_from(LocalFiles(10_000_000).fetch)
    assert w.step() and folded_cer(store.get_post(new).ocr_text, "Stored now") <= 0.05  # the queue first
    assert w.step() and w.step() and not w.step()  # then the older posts, one per idle moment
    assert folded_cer(store.get_post(with_text).ocr_text, "Stored long ago") <= 0.05
    assert store.get_post(without).ocr_status == "none"
    assert store.get_post(gone).ocr_status == ""  # its file is gone: left unread, the worker goes on
    assert queue.unread_before_queue() == [gone]
