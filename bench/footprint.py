"""What one photo costs in memory with the default models' real shapes (for `bench scale`).

- Shapes: the image model's feature size and the text space of the default learned projector
  ensemble (`PART_MEMBERS` heads per text part, each as wide as its part, plus the kNN caption
  bridge on the whole text vector), read from the encoders as built (not loaded) and
  models/training.py's plan.
- Redis: one real post is stored through the engine (a scikit-image photo with captions and
  hashtags, embedded by the default encoders); then copies of exactly what Redis holds for it
  (post hash, every vector, /map tile) are stored as `posts` more posts, and each key's
  `MEMORY USAGE` is summed by component.
- Indexes: the engine's own index class (indexing/ann.py, its default parameters; the indexes
  as the default settings build them, over a `HASHLENS_IMAGE_INDEX_DIMS` / `HASHLENS_TEXT_INDEX_DIMS`
  PCA basis: indexing/reduced.py) is filled with `n` vectors of each dimension and measured three ways:
  hnswlib's saved graph (links + its float32 copy), the int8 matrix beside it, and the process's
  resident memory growth (which also counts hnswlib's per-element locks and label map, the
  Python label dict, a basis, and the allocator's slack from the index's doubling growth: it is
  ~2x the saved bytes at 20,000 vectors and ~1.4x at 100,000).
"""
from __future__ import annotations

import gc
import hashlib
import multiprocessing
import time
from collections import defaultdict

import numpy as np

from indexing.ann import HnswBackend
from indexing.reduced import Basis, ReducedIndex
from indexing.scopes import PUBLIC
from indexing.search.types import EngineOptions, PhotoInput
from models.registry import get_image_encoder, get_text_encoder
from models.training import PART_MEMBERS

REAL_CAPTIONS = ["an astronaut in a white space suit holds her helmet in front of a flag",
                 "a smiling woman in a spacesuit poses for a portrait beside the stars and stripes",
                 "portrait of an astronaut with a model of the space shuttle",
                 "a woman in an orange and white suit stands in front of an american flag",
                 "an official astronaut portrait"]
REAL_TAGS = ["astronaut", "nasa", "portrait"]


def model_shapes(args) -> dict:
    """The default models' vector sizes: image features, text vector, the learned text space."""
    image = get_image_encoder(args.image_model, cache_dir=args.model_cache, runtime=args.runtime)
    text = get_text_encoder(args.text_model, cache_dir=args.model_cache, runtime=args.runtime)
    parts = getattr(text, "spaces", None) or ((0, text.dim),)
    members = PART_MEMBERS if len(parts) > 1 else 3  # models/training.py: train_heads' plan
    return {"image_model": image.name, "text_model": text.name, "image_dim": image.dim, "text_dim": text.dim,
            "text_space_dim": sum(members * (stop - start) for start, stop in parts) + text.dim,
            "text_space_members": [stop - start for start, stop in parts for _ in range(members)] + [text.dim]}


def real_post(engine, shapes: dict, captions: int) -> tuple[dict, dict[tuple[str, str], np.ndarray], bytes]:
    """(post hash, {(kind, model): vectors}, /map tile) of one photo stored through the engine."""
    import io

    from PIL import Image
    from skimage import data

    from indexing.search.projection import CLASSES

    buf = io.BytesIO()
    Image.fromarray(data.astronaut()).save(buf, "JPEG", quality=90)
    result = engine.add_photo(PhotoInput(buf.getvalue(), captions=REAL_CAPTIONS[:captions], tags=REAL_TAGS,
                                         source="telegram", chat_id=-1001234567890, message_id=123456,
                                         file_id="AgACAgIAAxkBAAIB" + "x" * 60, file_unique_id="AQAD" + "y" * 12,
                                         user_id=123456789))
    store, pid = engine.store, result.post_id
    if engine.reading is not None:  # read as the reading queue reads every photo: its outcome is in the hash
        engine.reading.flush()
        engine.photo_text(buf.getvalue(), hashlib.sha256(buf.getvalue()).hexdigest(), PUBLIC)
    vectors = {}
    for kind, model, dim in (("image", engine.image_model, shapes["image_dim"]),
                             ("probs", engine.image_model, CLASSES),
                             ("captions", engine.text_model, shapes["text_dim"])):
        found = store.get_vectors(kind, model, [pid], dim)[0]
        if found is not None:
            vectors[(kind, model)] = found
    return store.r.hgetall(store.keys.post(pid)), vectors, store.get_thumbnails([pid])[0] or b""


def redis_components(client, prefix: str, posts: int, post_hash: dict, vectors: dict, tile: bytes,
                     rng: np.random.Generator) -> dict:
    """Bytes a post by component: `posts` copies of the real post under a fresh key prefix."""
    from dataclasses import replace

    from indexing.keys import Keys
    from indexing.redis_cluster import used_memory_by_master
    from indexing.store import Post, PostStore

    store = PostStore(client, Keys.for_client(client, prefix))
    template = Post.from_redis(post_hash)
    before, before_by_master = store.used_memory(), used_memory_by_master(client)
    write_s = []
    for i in range(posts):
        post = replace(template, id=store.allocate_id(), sha256=f"{i:064x}", phash=int(rng.integers(1 << 62)),
                       message_id=200000 + i, created_s=time.time())
        t0 = time.perf_counter()
        store.add(post, vectors, tile)
        write_s.append(time.perf_counter() - t0)
    used = store.used_memory() - before
    names = {store.keys.vectors(kind, model): f"vectors {kind}" for kind, model in vectors}
    names[store.keys.thumbnails()] = "map tile"
    names[store.keys.changes()] = "change log"
    post_key = store.keys.post(0)[:-1]  # the post hashes' common prefix
    # "hl:v1:..." on one server, "{hl:v1}:..." and "{hl:v1:<group>}..." on a cluster (every master scanned)
    keys = [k.decode() for k in client.scan_iter(match=f"*{prefix}:*", count=1000)]
    pipe = client.pipeline(transaction=False)
    for key in keys:
        pipe.memory_usage(key, samples=0)
    by_part: dict[str, int] = defaultdict(int)
    for key, size in zip(keys, pipe.execute()):
        by_part[names.get(key) or ("post hash" if key.startswith(post_key) else "other keys")] += int(size or 0)
    out = {part: round(size / posts) for part, size in sorted(by_part.items())}
    out["keyspace overhead"] = round(max(0, used - sum(by_part.values())) / posts)
    ms = 1000 * np.array(write_s)
    spread = {node: round((b - before_by_master.get(node, 0)) / posts) for node, b in used_memory_by_master(client).items()}
    return {"posts": posts, "bytes_per_post": round(used / posts), "by_component": out,
            "bytes_per_post_by_master": spread if len(spread) > 1 else {},
            "vector_shapes": {kind: list(v.shape) for (kind, _), v in vectors.items()},
            "store_ms_p50": round(float(np.percentile(ms, 50)), 3), "store_ms_p99": round(float(np.percentile(ms, 99)), 3)}


def index_memory(dim: int, n: int, seed: int = 0, reduced_to: int = 0) -> dict:
    """Bytes a vector of one index as the engine builds it (ann.HnswIndex with EngineOptions' parameters;
    with `reduced_to`, over a basis of that many dimensions as the reduced indexes are: indexing/reduced.py),
    measured in a fresh process: memory another index freed would otherwise be reused unseen."""
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1) as pool:
        return pool.apply(_index_memory, (dim, n, seed, reduced_to))


def _index_memory(dim: int, n: int, seed: int, reduced_to: int) -> dict:
    rng = np.random.default_rng(seed)
    opts = EngineOptions()
    backend = HnswBackend(opts.hnsw_m, opts.hnsw_ef_construction, opts.hnsw_ef_search, opts.exact_search_max_posts)
    vectors = rng.normal(size=(n, dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    gc.collect()
    rss0 = _rss()
    if reduced_to:  # the memory does not depend on which orthonormal basis: a random one
        basis = Basis(np.linalg.qr(rng.normal(size=(dim, reduced_to)))[0].astype(np.float32), n, "footprint")
        index = ReducedIndex(backend.new(reduced_to), basis, full_rows=None)
    else:
        index = backend.new(dim)
    t0 = time.perf_counter()
    for start in range(0, n, 2000):  # as Views.fill adds them
        index.add(np.arange(start, min(n, start + 2000)), vectors[start:start + 2000])
    build_s = time.perf_counter() - t0
    gc.collect()
    resident = _rss() - rss0
    graph, live, matrix = index.to_bytes()
    del index
    return {"dim": dim, "index_dim": reduced_to or dim, "n": n, "graph_bytes_per_vector": round(len(graph) / n),
            "side_matrix_bytes_per_vector": round(len(matrix) / n),
            "resident_bytes_per_vector": round(resident / n), "build_per_s_1thread": round(n / build_s)}


def _rss() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * 4096
