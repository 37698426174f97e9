"""Where one machine stops: memory and query rate of the storage and the indexes as the library grows.

Measured, not assumed: a real Redis gets `--redis-posts` posts shaped like ours (image features,
class scores, one caption, a post hash, a /map tile; made-up numbers, tiles of real photos), and
its memory per post is read back;
hnswlib indexes of clustered made-up vectors of the image and text dimensions are built at each
`--sizes` and timed (build rate, single-thread queries per second, recall@10 against exact
search, bytes). Then both are extrapolated to 1M and 10M photos: memory linearly (plus each
index's float16 matrix), query time as the slowest measured time scaled by log(n) (HNSW's
growth; conservative, since small indexes measured slower here than big ones). `--data` is not
read (the vectors are made up): pass any folder.
"""
from __future__ import annotations

import math
import os
import tempfile
import time
from pathlib import Path

import hnswlib
import numpy as np

from bench.common import emit, log_progress


def add_args(p) -> None:
    p.add_argument("--sizes", default="10000,50000,200000")
    p.add_argument("--dims", default="2560,2688",
                   help="image features, text space (the default projector ensemble: 2 heads on MiniLM's 384-d "
                        "part, 2 on USE's 512-d part, the kNN bridge on both, 896-d)")
    p.add_argument("--caption-dim", type=int, default=896, help="a stored caption vector (the default text model)")
    p.add_argument("--redis-posts", type=int, default=5000)
    p.add_argument("--queries", type=int, default=500)
    p.add_argument("--machine-gb", type=float, default=24.0)


def clustered(n: int, dim: int, rng: np.random.Generator, centres: int = 500) -> np.ndarray:
    """Unit vectors around random centres: closer to real embeddings than uniform noise (which HNSW finds hardest)."""
    c = rng.normal(size=(centres, dim)).astype(np.float32)
    x = c[rng.integers(0, centres, n)] + 0.6 * rng.normal(size=(n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def index_numbers(n: int, dim: int, queries: int, rng: np.random.Generator) -> dict:
    data = clustered(n + queries, dim, rng)
    base, q = data[:n], data[n:]
    index = hnswlib.Index(space="ip", dim=dim)
    index.init_index(max_elements=n, ef_construction=200, M=16)
    t0 = time.perf_counter()
    index.add_items(base, np.arange(n), num_threads=2)
    build_s = time.perf_counter() - t0
    index.set_ef(96)
    index.set_num_threads(1)
    t0 = time.perf_counter()
    for row in q:
        labels, _ = index.knn_query(row[None], k=10)
    query_s = (time.perf_counter() - t0) / len(q)
    found, _ = index.knn_query(q, k=10)
    exact = np.argsort(-(q @ base.T), axis=1)[:, :10]
    recall = float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found, exact)]))
    fd, path = tempfile.mkstemp(suffix=".hnsw")
    os.close(fd)
    index.save_index(path)
    size = Path(path).stat().st_size
    os.unlink(path)
    return {"n": n, "dim": dim, "build_per_s_2threads": round(n / build_s), "query_ms": round(1000 * query_s, 3),
            "qps_one_core": round(1 / query_s), "recall@10": round(recall, 3), "bytes": size,
            "bytes_per_vector": round(size / n)}


def redis_bytes_per_post(posts: int, rng: np.random.Generator, appendfsync: str = "always",
                         caption_dim: int = 896) -> dict:
    """Memory per stored post, and how long storing one takes (the MULTI the bot waits for)."""
    from indexing.keys import Keys
    from indexing.redis_server import EmbeddedRedis, connect
    from indexing.store import Post, PostStore

    tiles = _sample_tiles()
    with tempfile.TemporaryDirectory(prefix="hashlens-scale-") as tmp:
        server = EmbeddedRedis(Path(tmp) / "redis", appendfsync=appendfsync, dies_with_owner=True).start()
        client, _ = connect(server.url, server.data_dir)
        write_s = []
        try:
            store = PostStore(client, Keys("scale"))
            before = store.used_memory()
            for i in range(posts):
                pid = store.allocate_id()
                post = Post(id=pid, scope="public", sha256=f"{i:064x}", phash=int(rng.integers(1 << 62)),
                            captions=["a dog runs along the beach with a red ball in its mouth"],
                            tags=["dog", "beach", "ball"], source="telegram", chat_id=-100123, message_id=i,
                            file_id="AgACAgIAAxkBAAIB" + "x" * 60, file_unique_id="AQAD" + "y" * 12, width=1280,
                            height=960, created_s=time.time(), image_model="efficientnet-lite0+efficientnet-lite2")
                vectors = {("image", "m"): rng.normal(size=2560), ("probs", "m"): rng.random(1000),
                           ("captions", "t"): rng.normal(size=(1, caption_dim))}
                t0 = time.perf_counter()
                store.add(post, vectors, tiles[i % len(tiles)])
                write_s.append(time.perf_counter() - t0)
            used = store.used_memory() - before
        finally:
            client.close()
            server.stop()
    ms = 1000 * np.array(write_s)
    return {"posts": posts, "bytes_per_post": round(used / posts), "appendfsync": appendfsync,
            "store_ms_p50": round(float(np.percentile(ms, 50)), 3), "store_ms_p99": round(float(np.percentile(ms, 99)), 3)}


def _sample_tiles() -> list[bytes]:
    """/map tiles as the engine makes them, of real photos scikit-image ships (~2 KB each)."""
    from PIL import Image
    from skimage import data

    from models.imaging import square_thumbnail

    return [square_thumbnail(Image.fromarray(getattr(data, name)()).convert("RGB"))
            for name in ("astronaut", "coffee", "chelsea", "rocket")]


def run(args) -> dict:
    rng = np.random.default_rng(0)
    sizes = [int(s) for s in args.sizes.split(",")]
    dims = [int(d) for d in args.dims.split(",")]
    log_progress(args, "Redis memory per post (%d posts)", args.redis_posts)
    redis_numbers = redis_bytes_per_post(args.redis_posts, rng, caption_dim=args.caption_dim)
    everysec = redis_bytes_per_post(min(args.redis_posts, 2000), rng, appendfsync="everysec",
                                    caption_dim=args.caption_dim)
    indexes = []
    for dim in dims:
        for n in sizes:
            log_progress(args, "hnswlib %d x %d", n, dim)
            indexes.append(index_numbers(n, dim, args.queries, rng))
    # Per photo in a serving process: one image vector, one text-space vector, one caption vector
    # (graph + float32 copy in hnswlib), and each index's float16 matrix for exact search.
    def index_bytes_per_photo(d: int) -> int:
        return max(r["bytes_per_vector"] for r in indexes if r["dim"] == d) + 2 * d

    per_index = [index_bytes_per_photo(dims[0])] + [index_bytes_per_photo(dims[-1])] * 2
    projections = {}
    for target in (1_000_000, 10_000_000):
        index_bytes = sum(per_index) * target
        redis_b = redis_numbers["bytes_per_post"] * target
        query_ms = 0.0
        for d in dims:  # one search per kind of vector; HNSW time grows with log(n): scale the slowest measured
            rows = [r for r in indexes if r["dim"] == d]
            biggest = max(r["n"] for r in rows)
            query_ms += max(r["query_ms"] for r in rows) * math.log(target) / math.log(biggest)
        projections[f"{target // 1_000_000}M"] = {
            "index_gb": round(index_bytes / 1e9, 1), "redis_gb": round(redis_b / 1e9, 1),
            "total_gb": round((index_bytes + redis_b) / 1e9, 1), "fits_machine": (index_bytes + redis_b) / 1e9 <
            0.8 * args.machine_gb, "search_ms_one_core": round(query_ms, 2),
            "searches_per_s_2_cores": round(2000 / query_ms)}
    per_photo = sum(per_index) + redis_numbers["bytes_per_post"]
    result = {"task": "scale", "redis": redis_numbers, "redis_everysec": everysec, "hnsw": indexes,
              "projections": projections, "bytes_per_photo": per_photo,
              "max_photos_on_machine": int(0.8 * args.machine_gb * 1e9 / per_photo),
              "machine_gb": args.machine_gb}
    emit(result, args)
    return result
