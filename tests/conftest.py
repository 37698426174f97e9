"""Shared fixtures: a real embedded Redis server per session, a key prefix per test, photos made here."""
from __future__ import annotations

import io
import itertools
import os
import tempfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

os.environ.setdefault("HF_HUB_OFFLINE", "1")
_counter = itertools.count()


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
        yield Path(d)


@pytest.fixture(scope="session")
def redis_server(session_dir):
    """A real Redis-compatible server process (the embedded one), or REDIS_URL when the caller set it."""

    from indexing.redis_server import EmbeddedRedis

    if os.environ.get("TEST_REDIS_URL"):
        yield os.environ["TEST_REDIS_URL"]
        return
    server = EmbeddedRedis(session_dir / "redis").start()
    yield server.url
    server.stop()


@pytest.fixture
def redis_client(redis_server):
    import redis

    client = redis.Redis.from_url(redis_server)
    yield client
    client.close()


@pytest.fixture
def keys():
    from indexing.keys import Keys

    return Keys(f"test{os.getpid()}x{next(_counter)}")


@pytest.fixture(scope="session")
def encoders(session_dir):
    from models.registry import get_image_encoder, get_text_encoder

    image = get_image_encoder("efficientnet-lite0", threads=2, cache_dir=session_dir / "models").load()
    text = get_text_encoder("all-minilm-l6-v2", threads=2, cache_dir=session_dir / "models").load()
    return image, text


@pytest.fixture
def engine_factory(redis_client, encoders, session_dir):
    """Builds SearchEngines on the shared server under one fresh key prefix (reopening = a restart)."""
    from indexing.keys import Keys
    from indexing.search import SearchEngine
    from indexing.store import PostStore

    prefix = Keys(f"test{os.getpid()}x{next(_counter)}")

    def make(**kwargs) -> SearchEngine:
        from indexing.relevance import Relevance

        image, text = encoders
        # Tests of the mechanics see every result; the relevance floors (measured on real photos,
        # not on a handful of made-up ones) are tested with the shipped table in test_honest_answers.py.
        kwargs.setdefault("relevance", Relevance())
        return SearchEngine(PostStore(redis_client, prefix), image, text, cache_dir=session_dir / "models",
                            **kwargs).open()

    return make


@pytest.fixture
def engine(engine_factory):
    return engine_factory()


def noise_photo(seed: int, size=(320, 240)) -> bytes:
    rng = np.random.default_rng(seed)
    arr = (rng.random((size[1] // 8, size[0] // 8, 3)) * 255).astype(np.uint8)
    return jpeg_bytes(Image.fromarray(arr).resize(size, Image.BICUBIC))
