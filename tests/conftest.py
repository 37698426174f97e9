"""Shared fixtures: a real embedded Redis server per session, a key prefix per test, photos made here;
the check that tests leave no process running (tests/processes.py)."""
from __future__ import annotations

import io
import itertools
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from tests import processes

os.environ.setdefault("HF_HUB_OFFLINE", "1")
_counter = itertools.count()


def pytest_configure(config):
    config.pluginmanager.register(processes.ProcessCheck(config), "hashlens-processes")  # tests leave nothing running


def pytest_collection_modifyitems(items):
    """A test that needs the encoders (loaded, and exported to ONNX, once per run) is slow: `-m "not slow"` skips it."""
    for item in items:
        if "encoders" in item.fixturenames:
            item.add_marker(pytest.mark.slow)


def jpeg_bytes(im: Image.Image, quality: int = 90) -> bytes:
    buf = io.BytesIO()
    im.convert("RGB").save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def sample_image(name: str) -> Image.Image:
    """A real photo that scikit-image ships (no network, no ../shared)."""
    from skimage import data

    arr = getattr(data, name)()
    return Image.fromarray(arr).convert("RGB")


SAMPLE_NAMES = ("astronaut", "coffee", "chelsea", "rocket", "hubble_deep_field", "immunohistochemistry",
                "camera", "coins", "moon", "brick", "grass", "gravel", "colorwheel", "page")


@pytest.fixture(scope="session")
def samples() -> dict[str, bytes]:
    return {name: jpeg_bytes(sample_image(name)) for name in SAMPLE_NAMES}


@pytest.fixture(scope="session")
def session_dir():
    with tempfile.TemporaryDirectory(prefix="hashlens-test-", dir="/tmp") as d:
        processes.watch_dir(d)  # where this run's servers keep their sockets
        yield Path(d)


@pytest.fixture(scope="session")
def redis_server(session_dir):
    """A real Redis-compatible server process (the embedded one), or REDIS_URL when the caller set it."""

    from indexing.redis_server import EmbeddedRedis

    if os.environ.get("TEST_REDIS_URL"):
        yield os.environ["TEST_REDIS_URL"]
        return
    server = EmbeddedRedis(session_dir / "redis", dies_with_owner=True).start()  # even if pytest is killed
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def redis_cluster(session_dir):
    """A real Valkey Cluster (3 masters, 3 replicas) started once, for the tests run on both topologies."""
    from tests.valkey_cluster import LocalCluster

    cluster = LocalCluster(session_dir / "cluster").start()
    yield cluster
    cluster.stop()


@pytest.fixture
def redis_topology() -> str:
    """Which Redis the test's store uses: a single server, unless the test file imports the fixture of
    tests/topologies.py, which runs its tests on a single server and on a cluster."""
    return "single"


@pytest.fixture
def redis_url(redis_topology, request) -> str:
    if redis_topology == "cluster":
        return request.getfixturevalue("redis_cluster").url
    return request.getfixturevalue("redis_server")


@pytest.fixture
def redis_client(redis_url, session_dir):
    from indexing.redis_server import connect

    client, _ = connect(redis_url, session_dir)  # a cluster node's URL gives a cluster client
    yield client
    client.close()


@pytest.fixture
def keys(redis_topology):
    from indexing.keys import Keys

    return Keys(f"test{os.getpid()}x{next(_counter)}", cluster=redis_topology == "cluster")


@pytest.fixture(scope="session")
def encoders(session_dir):
    from models.registry import DEFAULT_TEXT_MODEL, get_image_encoder, get_text_encoder

    image = get_image_encoder("efficientnet-lite0", threads=2, cache_dir=session_dir / "models").load()
    text = get_text_encoder(DEFAULT_TEXT_MODEL, threads=2, cache_dir=session_dir / "models").load()
    return image, text


@pytest.fixture
def vector_backend() -> str:
    """The engines' vector backend; a test module that runs on both overrides it with a parametrised one
    (`backends` below)."""
    return "hnswlib"


BACKENDS = ["hnswlib", pytest.param("milvus", marks=pytest.mark.milvus)]


@pytest.fixture
def engine_factory(redis_client, encoders, session_dir, vector_backend, tmp_path):
    """Builds SearchEngines on the shared server under one fresh key prefix (reopening = a restart), their
    vectors in hnswlib or in a Milvus Lite file of the test's own (one embedded server in this process,
    shared by the test's engines as several workers share a Milvus); every engine closed at the end."""
    from indexing.keys import Keys
    from indexing.relevance import Relevance
    from indexing.search import EngineOptions, SearchEngine
    from indexing.service import build_engine
    from indexing.store import PostStore

    prefix = Keys.for_client(redis_client, f"test{os.getpid()}x{next(_counter)}")
    made: list[SearchEngine] = []

    def make(**options) -> SearchEngine:
        # Tests of the mechanics see every result; the relevance floors (measured on real photos,
        # not on a handful of made-up ones) are tested with the shipped table in test_honest_answers.py.
        options.setdefault("relevance", Relevance())
        options.setdefault("vector_backend", vector_backend)
        options.setdefault("milvus_uri", str(tmp_path / "milvus.db"))
        made.append(build_engine(PostStore(redis_client, prefix), encoders, session_dir / "models",
                                 EngineOptions(**options)))
        return made[-1]

    yield make
    for engine in made:
        engine.close()
    if vector_backend == "milvus":  # the file's embedded server, even if an engine failed half-built
        from milvus_lite.server_manager import server_manager_instance

        server_manager_instance.release_server(str(tmp_path / "milvus.db"))


@pytest.fixture
def engine(engine_factory):
    return engine_factory()


def wait_until(condition, timeout: float = 20.0) -> bool:
    """Whether `condition()` became true within `timeout` seconds (another process catching up)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def noise_photo(seed: int, size=(320, 240)) -> bytes:
    rng = np.random.default_rng(seed)
    arr = (rng.random((size[1] // 8, size[0] // 8, 3)) * 255).astype(np.uint8)
    return jpeg_bytes(Image.fromarray(arr).resize(size, Image.BICUBIC))


COLOURS = {"red": (220, 30, 30), "green": (30, 170, 40), "blue": (30, 60, 220), "yellow": (240, 220, 20)}
SHAPES = ("circle", "square", "triangle", "cross")
NAMES = ("Alice", "Bruno", "Chloe", "Dmitri", "Emma", "Farid", "Gaelle", "Hugo", "Ines", "Jules")


def shape_photo(rng, colour: str, shape: str) -> bytes:
    """A coloured shape on a random textured background the captions never mention."""
    side = 224
    background = rng.integers(0, 256, 3)
    noise = rng.normal(0, 35, (side // 8, side // 8, 3))
    arr = np.clip(background + noise, 0, 255).astype(np.uint8)
    im = Image.fromarray(arr).resize((side, side), Image.BICUBIC)
    draw = ImageDraw.Draw(im)
    r = int(rng.integers(45, 75))
    cx, cy = (int(v) for v in rng.integers(r + 5, side - r - 5, 2))
    fill = COLOURS[colour]
    if shape == "circle":
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=fill)
    elif shape == "square":
        draw.rectangle((cx - r, cy - r, cx + r, cy + r), fill=fill)
    elif shape == "triangle":
        draw.polygon([(cx, cy - r), (cx - r, cy + r), (cx + r, cy + r)], fill=fill)
    else:
        draw.rectangle((cx - r, cy - r // 3, cx + r, cy + r // 3), fill=fill)
        draw.rectangle((cx - r // 3, cy - r, cx + r // 3, cy + r), fill=fill)
    return jpeg_bytes(im)


def shape_posts(folder: Path, n: int, seed: int) -> list[tuple[Path, list[str]]]:
    """n shape photos written to a folder, each with its own captions: the shape and its colour
    (what a head can learn), and who drew it (unique per photo and not visible: only a model that
    memorised the photo's own captions can use it)."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    posts = []
    for i in range(n):
        colour, shape = list(COLOURS)[i % 4], SHAPES[(i // 4) % 4]
        path = folder / f"{colour}-{shape}-{i:04d}.jpg"
        path.write_bytes(shape_photo(rng, colour, shape))
        who = f"{NAMES[int(rng.integers(len(NAMES)))]} {NAMES[int(rng.integers(len(NAMES)))]}"
        posts.append((path, [f"a {colour} {shape}, photographed by {who}", f"{who} drew a {shape} in {colour}"]))
    return posts
