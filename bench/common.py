"""What every benchmark shares: a fresh engine on its own Redis, the data sets, JSON output."""
from __future__ import annotations

import hashlib
import json
import logging
import random
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import numpy as np

from indexing.keys import Keys
from indexing.redis_server import connect
from indexing.search import SearchEngine
from indexing.sources import SourceItem, detect_and_read
from indexing.store import PostStore
from models.registry import get_image_encoder, get_text_encoder

SEED = 1234
DEFAULT_CACHE = Path("data/models")


def add_common_args(p) -> None:
    p.add_argument("--data", required=True, help="data set folder (with annotations.jsonl) or file")
    p.add_argument("--split", default=None, help="split to evaluate on (e.g. dev)")
    p.add_argument("--image-model", default="efficientnet-lite0")
    p.add_argument("--text-model", default="all-minilm-l6-v2")
    p.add_argument("--threads", type=int, default=2, help="text encoder threads")
    p.add_argument("--image-threads", type=int, default=1, help="image model threads (decoding uses another core)")
    p.add_argument("--runtime", default="auto", help="auto | openvino | onnxruntime")
    p.add_argument("--model-cache", default=str(DEFAULT_CACHE), help="where exported ONNX files are kept")
    p.add_argument("--redis-url", default=None, help="use this Redis instead of a fresh embedded one")
    p.add_argument("--limit", type=int, default=None, help="use at most this many items (quick runs)")
    p.add_argument("--json", action="store_true", help="print only the JSON line")


def seed_everything(seed: int = SEED) -> None:
    random.seed(seed)
    np.random.seed(seed)


@contextmanager
def bench_engine(args, **engine_kwargs) -> Iterator[SearchEngine]:
    """A SearchEngine on an empty store: an embedded Redis in a temp dir (or --redis-url, fresh prefix)."""
    with tempfile.TemporaryDirectory(prefix="hashlens-bench-", dir="/tmp") as tmp:
        client, server = connect(args.redis_url, Path(tmp) / "redis")
        try:
            engine = SearchEngine(
                PostStore(client, Keys(f"bench{int(time.time() * 1000)}")),
                get_image_encoder(args.image_model, threads=args.image_threads, cache_dir=args.model_cache,
                                  runtime=args.runtime),
                get_text_encoder(args.text_model, threads=args.threads, cache_dir=args.model_cache,
                                 runtime=args.runtime),
                cache_dir=args.model_cache, **engine_kwargs).open()
            yield engine
        finally:
            client.close()
            if server:
                server.stop()


def load_items(args, split: str | None = None) -> list[SourceItem]:
    items = detect_and_read(args.data, split)
    if not items:
        raise SystemExit(f"no items in {args.data} (split {split!r})")
    return items


def file_sha256(path) -> str:
    """The content id the store uses to find a photo again."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def emit(result: dict, args) -> None:
    """Human lines unless --json, then the JSON object as the last line, always."""
    if not args.json:
        for key, value in result.items():
            if key != "settings":
                print(f"{key}: {value}")
    print(json.dumps(result, sort_keys=True))


def log_progress(args, message: str, *values) -> None:
    if not args.json:
        print(message % values, file=sys.stderr, flush=True)


def quiet_logs() -> None:
    logging.basicConfig(level=logging.WARNING)
