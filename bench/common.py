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
from dataclasses import replace
from pathlib import Path
from typing import Iterator

import numpy as np

from indexing.keys import Keys
from indexing.reduced import basis_of
from indexing.redis_server import connect
from indexing.search import SearchEngine
from indexing.service import build_engine, engine_options, load_encoders
from indexing.settings import Settings
from indexing.sources import SourceItem, detect_and_read
from indexing.store import PostStore
from models.registry import DEFAULT_IMAGE_MODEL, DEFAULT_TEXT_MODEL

SEED = 1234
DEFAULT_CACHE = Path("data/models")


def add_common_args(p) -> None:
    p.add_argument("--data", required=True, help="data set folder (with annotations.jsonl) or file")
    p.add_argument("--split", default=None, help="split to evaluate on (e.g. dev)")
    p.add_argument("--image-model", default=DEFAULT_IMAGE_MODEL)
    p.add_argument("--text-model", default=DEFAULT_TEXT_MODEL)
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
def bench_engine(args) -> Iterator[SearchEngine]:
    """A SearchEngine on an empty store: an embedded Redis in a temp dir (or --redis-url, fresh prefix)."""
    settings = Settings()
    with tempfile.TemporaryDirectory(prefix="hashlens-bench-", dir="/tmp") as tmp, _vector_engine(settings, tmp) as uri:
        client, server = connect(args.redis_url, Path(tmp) / "redis", dies_with_owner=True)  # even if killed
        engine = None
        try:
            encoders = load_encoders(args.image_model, args.text_model, threads=args.threads,
                                     image_threads=args.image_threads, cache_dir=args.model_cache, runtime=args.runtime)
            # The deployment's tunables (Settings: env and defaults), not EngineOptions' bare defaults: a
            # benchmark times what a running bot does (exact-search cut-off, thresholds, batch size).
            options = replace(engine_options(settings), milvus_uri=uri) if uri else engine_options(settings)
            engine = build_engine(PostStore(client, Keys.for_client(client, f"bench{int(time.time() * 1000)}")), encoders,
                                  args.model_cache, options)
            engine.bench_data_dir = Path(tmp) / "redis"  # where other processes find this embedded Redis
            engine.bench_milvus_uri = uri or settings.milvus_uri  # and the Milvus they share (HASHLENS_MILVUS_URI)
            yield engine
        finally:
            if engine is not None:
                engine.close()
            client.close()
            if server:
                server.stop()


@contextmanager
def _vector_engine(settings: Settings, tmp: str) -> Iterator[str | None]:
    """With HASHLENS_VECTOR_BACKEND=milvus and no HASHLENS_MILVUS_URI: a `milvus-lite server` of this run, so
    the bench's other processes (a scheduler, a bot) share its collections, as workers share a Milvus."""
    if settings.vector_backend != "milvus" or settings.milvus_uri:
        yield None
        return
    from bench.milvusserver import LiteServer

    with LiteServer(Path(tmp) / "milvus") as server:
        yield server.uri


def image_index_shape(engine) -> dict:
    """What the image index holds: the PCA basis it was built on (indexing/reduced.py), or the full features."""
    basis = basis_of(engine.image_index)
    return {"dims": basis.dims if basis else engine.image_encoder.dim, "basis_fitted_on": basis.photos if basis else None}


def text_index_shape(engine) -> dict:
    """What the text and caption indexes hold: the block PCA basis (indexing/reduced.py), or the full text space."""
    basis = basis_of(engine.text_index)
    return {"dims": basis.dims if basis else engine.text_index.dim, "space_dim": engine.text_index.dim,
            "kept_per_part": list(basis.kept) if basis else None, "basis_fitted_on": basis.photos if basis else None}


def load_items(args, split: str | None = None) -> list[SourceItem]:
    items = detect_and_read(args.data, split)
    if not items:
        raise SystemExit(f"no items in {args.data} (split {split!r})")
    return items


def read_queries(file, items: list[SourceItem]) -> list[tuple[str, str | None, SourceItem]]:
    """A query file (bench/queries/*.jsonl: image, lang, query a line) as (text, language, the item it
    was written for), for the rows whose photo is among `items` (matched by file name)."""
    by_name = {Path(i.path).name: i for i in items}
    rows = [json.loads(line) for line in Path(file).read_text(encoding="utf-8").splitlines() if line.strip()]
    return [(r["query"], r.get("lang"), by_name[Path(r["image"]).name]) for r in rows
            if Path(r["image"]).name in by_name]


def file_sha256(path) -> str:
    """The content id the store uses to find a photo again."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def latency_ms(seconds: list[float], quantiles=(50, 95, 99)) -> dict:
    """How many, the given percentiles and the maximum of latencies given in seconds, in ms."""
    if not seconds:
        return {"n": 0}
    ms = np.array(seconds) * 1000
    return {"n": len(seconds), **{f"p{q}_ms": round(float(np.percentile(ms, q)), 1) for q in quantiles},
            "max_ms": round(float(ms.max()), 1)}


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


def add_heads_args(p) -> None:
    p.add_argument("--heads", default=None, help="a trained heads folder (python -m models train) to use "
                                                 "instead of training on the stored train posts")
    p.add_argument("--no-learned", action="store_true", help="cold start only: do not train or load heads")
    p.add_argument("--members", type=int, default=None,
                   help="projection heads per text part (default: 2 per part of a multilingual space, else 3)")


def learned_heads(engine, args):
    """Train heads on the engine's stored public posts (or load --heads) and install them; None if too few."""
    from models.training import TrainedHeads, train_heads

    if args.no_learned:
        return None
    if args.heads:
        heads = TrainedHeads.load(args.heads)
    else:
        log_progress(args, "training the heads on the stored train posts")
        heads = train_heads(engine.training_data(), members=args.members)
        if heads.projector is None and heads.hashtag_head is None:
            return None
    engine.install_heads(heads)
    return heads


def heads_report(heads) -> dict:
    if heads is None:
        return {}
    keep = ("train_s", "photos", "captioned", "tagged", "hashtags", "version")
    return {"heads": {k: v for k, v in heads.metrics.items() if k in keep or k.startswith("projection_")}}


def cropped_copy(data: bytes, n: int) -> bytes:
    """A new photo from an old one (an 85 % crop at one of 9 offsets, mirrored on odd n): new vectors."""
    import io

    from PIL import Image, ImageOps

    im = Image.open(io.BytesIO(data)).convert("RGB")
    w, h = im.size
    cw, ch = int(w * 0.85), int(h * 0.85)
    ox, oy = (n % 3) * (w - cw) // 2, (n // 3 % 3) * (h - ch) // 2
    im = im.crop((ox, oy, ox + cw, oy + ch))
    if n % 2:
        im = ImageOps.mirror(im)
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=85)
    return buf.getvalue()


def fill_index(engine, items, size: int, copies_dir: Path) -> float:
    """Store `size` public photos (the items', topped up with cropped copies written to `copies_dir`);
    returns the seconds it took. Every post keeps its file as `source`, so the bot can send it."""
    from indexing.search import PhotoInput

    pool = items[:size]
    copies_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    batch: list = []
    for n in range(size):
        item = pool[n % len(pool)]
        path = item.path
        if n >= len(pool):
            path = copies_dir / f"copy{n}.jpg"
            path.write_bytes(cropped_copy(item.path.read_bytes(), n // len(pool)))
        batch.append(PhotoInput(path.read_bytes(), captions=item.captions[:1], tags=item.tags, source=str(path)))
        if len(batch) == 128 or n == size - 1:
            engine.add_photos(batch)
            batch = []
    return time.perf_counter() - t0
