"""Where one machine stops: memory a photo with the default models' real shapes, and the query rate of the indexes as the library grows.

Measured, not assumed (bench/footprint.py): the default models' vector sizes; one real post stored
through the engine, then `--redis-posts` copies of exactly what Redis holds for it, each key's
memory summed by component; the engine's own index class filled with `--index-vectors` vectors of
each size (saved graph, int8 matrix, resident growth; the image index over the PCA basis the
`HASHLENS_IMAGE_INDEX_DIMS` setting gives it, the text and caption indexes over the
`HASHLENS_TEXT_INDEX_DIMS` one). `--dims IMAGE,TEXT` overrides the sizes.
hnswlib indexes of clustered made-up vectors of those sizes are then built at each `--sizes` and
timed (build rate, single-thread query time, recall@10 against exact search). Both are extrapolated
to 1M and 10M photos: memory linearly, query time as the slowest measured time scaled by log(n)
(HNSW's growth; conservative, since small indexes measured slower here than big ones). `--data`
is not read: pass any folder.
`--backend milvus` also fills, times and measures the engine's own index classes on both backends side
by side at each size and each index shape (bench/backends.py: insert and indexed rate, query p50/p95 as
a chat asks, recall@10 against exact search, memory a vector in the bot process and in the engine), with
Milvus Lite as its own `milvus-lite server` process (or `--milvus-uri`, a Milvus server).
`--redis-cluster` stores the same post on a local 3-master + 3-replica Valkey Cluster (tests/valkey_cluster.py):
bytes a post, its share on each master, store latency with the WAIT for a replica.
"""
from __future__ import annotations

import argparse
import math
import os
import tempfile
import time
from pathlib import Path

import hnswlib
import numpy as np

from bench import footprint
from bench.common import bench_engine, emit, log_progress
from indexing.settings import Settings


def add_args(p) -> None:
    p.add_argument("--sizes", default="10000,50000,200000")
    p.add_argument("--dims", default=None,
                   help="IMAGE,TEXT: override the image feature and text space sizes (default: the models' own)")
    p.add_argument("--captions-per-photo", type=int, default=1,
                   help="captions a stored post has, up to 5 (a Telegram photo: at most its one caption; Flickr8k: 5)")
    p.add_argument("--redis-posts", type=int, default=5000)
    p.add_argument("--index-vectors", type=int, default=20000, help="vectors in each index whose memory is measured")
    p.add_argument("--queries", type=int, default=500)
    p.add_argument("--machine-gb", type=float, default=24.0)
    p.add_argument("--backend", choices=("hnswlib", "milvus"), default="hnswlib",
                   help="milvus: also the engine's index classes on hnswlib and Milvus side by side (bench/backends.py)")
    p.add_argument("--milvus-uri", default=None, help="a Milvus server (default: a `milvus-lite server` started here)")
    p.add_argument("--redis-cluster", action="store_true",
                   help="also Redis bytes a post and store latency on a local 3-master Valkey Cluster")
    p.add_argument("--backend-queries", type=int, default=200, help="queries a size and backend (Lite is slow)")


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


def redis_numbers(args, shapes: dict, rng: np.random.Generator) -> tuple[dict, dict, tuple]:
    """Redis bytes a post by component (appendfsync always, as served), store latency with everysec, and the
    post stored (hash, vectors, tile)."""
    from indexing.redis_server import EmbeddedRedis, connect

    with bench_engine(args) as engine:
        post_hash, vectors, tile = footprint.real_post(engine, shapes, args.captions_per_photo)
        always = footprint.redis_components(engine.store.r, "scale", args.redis_posts, post_hash, vectors, tile, rng)
    with tempfile.TemporaryDirectory(prefix="hashlens-scale-") as tmp:
        server = EmbeddedRedis(Path(tmp) / "redis", appendfsync="everysec", dies_with_owner=True).start()
        client, _ = connect(server.url, server.data_dir)
        try:
            everysec = footprint.redis_components(client, "scale", min(args.redis_posts, 2000), post_hash, vectors,
                                                  tile, rng)
        finally:
            client.close()
            server.stop()
    return always, {k: everysec[k] for k in ("posts", "store_ms_p50", "store_ms_p99")}, (post_hash, vectors, tile)


def cluster_numbers(args, post: tuple, rng: np.random.Generator) -> dict:
    """The same post's bytes and store latency on a local Valkey Cluster, 3 masters + 1 replica each (each
    transaction WAITs for its replica), and how its masters share the store (the core slot holds the posts)."""
    from indexing.redis_server import connect
    from tests.valkey_cluster import LocalCluster

    with tempfile.TemporaryDirectory(prefix="hashlens-scale-cluster-", dir="/tmp") as tmp:
        cluster = LocalCluster(Path(tmp)).start()
        try:
            client, _ = connect(cluster.url, tmp)
            try:
                out = footprint.redis_components(client, "scale", args.redis_posts, *post, rng)
            finally:
                client.close()
        finally:
            cluster.stop()
    out["topology"] = "3 masters + 3 replicas on loopback, appendfsync everysec, WAIT 1 after each transaction"
    return out


def backend_numbers(args, sizes: list[int], dims: list[int]) -> list[dict]:
    """hnswlib and `args.backend` through the engine's index classes, at each size and index shape."""
    from bench import backends

    opts = argparse.Namespace(exact_max=None, uri=args.milvus_uri, lite_server=True, efs="",  # the engine's rules
                              json=args.json)
    results = []
    with tempfile.TemporaryDirectory(prefix="hashlens-scale-", dir="/tmp") as tmp:
        for dim in dims:
            for n in sizes:
                rng = np.random.default_rng(n + dim)
                data = clustered(n + args.backend_queries, dim, rng)
                base, queries = data[:n], data[n:]
                scopes = np.where(rng.random(n) < 0.01, backends.CHAT, "public")
                for name in ("hnswlib", args.backend):
                    log_progress(args, "%s: %d x %d", name, n, dim)
                    opts.dim = dim
                    results.append({"backend": name, "n": n, "dim": dim,
                                    **backends.measure(name, base, queries, scopes, opts, Path(tmp) / f"{name}{n}x{dim}.db")})
                del base, queries, data
    return results


def run(args) -> dict:
    rng = np.random.default_rng(0)
    sizes = [int(s) for s in args.sizes.split(",")]
    shapes = footprint.model_shapes(args)  # Redis stores a real post whatever the indexes hold
    image_dim, space_dim = shapes["image_dim"], shapes["text_space_dim"]
    if args.dims:
        image_dim, space_dim = (int(d) for d in args.dims.split(","))
        shapes["index_dims_override"] = [image_dim, space_dim]
    # The indexes as the default settings build them: PCA bases (indexing/reduced.py), when narrower.
    settings = Settings()
    image_reduced = settings.image_index_dims if 0 < settings.image_index_dims < image_dim else 0
    text_reduced = settings.text_index_dims if 0 < settings.text_index_dims < space_dim else 0
    shapes["image_index_dims"] = image_reduced or image_dim
    shapes["text_index_dims"] = text_reduced or space_dim
    log_progress(args, "Redis memory per post (%d posts)", args.redis_posts)
    redis, everysec, post = redis_numbers(args, shapes, rng)
    cluster = cluster_numbers(args, post, rng) if args.redis_cluster else None
    memory = {}
    for name, dim, reduced in (("image", image_dim, image_reduced), ("text", space_dim, text_reduced)):
        log_progress(args, "%s index memory: %d x %d (index %d-d)", name, args.index_vectors, dim, reduced or dim)
        memory[name] = footprint.index_memory(dim, args.index_vectors, reduced_to=reduced)
    image_dim = image_reduced or image_dim  # what the graphs search (then rescored: a Redis read, the projector)
    space_dim = text_reduced or space_dim
    indexes = []
    for dim in sorted({image_dim, space_dim}):
        for n in sizes:
            log_progress(args, "hnswlib %d x %d", n, dim)
            indexes.append(index_numbers(n, dim, args.queries, rng))
    compared = backend_numbers(args, sizes, sorted({image_dim, space_dim})) if args.backend != "hnswlib" else []
    cpp = args.captions_per_photo
    # Per photo in a serving process: its image vector, its text-space vector and its captions.
    breakdown = {"image index": memory["image"]["resident_bytes_per_vector"],
                 "text index": memory["text"]["resident_bytes_per_vector"],
                 "caption index": cpp * memory["text"]["resident_bytes_per_vector"],
                 "redis": redis["bytes_per_post"]}
    per_photo = sum(breakdown.values())
    saved = sum(m["graph_bytes_per_vector"] + m["side_matrix_bytes_per_vector"] for m in
                (memory["image"], memory["text"], *[memory["text"]] * cpp))
    projections = {}
    for target in (1_000_000, 10_000_000):
        index_bytes = (per_photo - redis["bytes_per_post"]) * target
        redis_b = redis["bytes_per_post"] * target
        query_ms = 0.0
        for d in (image_dim, space_dim):  # one search per kind; HNSW time grows with log(n): scale the slowest
            rows = [r for r in indexes if r["dim"] == d]
            biggest = max(r["n"] for r in rows)
            query_ms += max(r["query_ms"] for r in rows) * math.log(target) / math.log(biggest)
        projections[f"{target // 1_000_000}M"] = {
            "index_gb": round(index_bytes / 1e9, 1), "redis_gb": round(redis_b / 1e9, 1),
            "total_gb": round((index_bytes + redis_b) / 1e9, 1), "fits_machine": (index_bytes + redis_b) / 1e9 <
            0.8 * args.machine_gb, "search_ms_one_core": round(query_ms, 2),
            "searches_per_s_2_cores": round(2000 / query_ms)}
    result = {"task": "scale", "shapes": shapes, "captions_per_photo": cpp, "bytes_per_photo": per_photo,
              "bytes_per_photo_breakdown": breakdown, "index_bytes_saved_form": saved, "index_memory": memory,
              "redis": redis, "redis_everysec": everysec, "hnsw": indexes,
              "backends": compared, "redis_cluster": cluster, "projections": projections,
              "max_photos_on_machine": int(0.8 * args.machine_gb * 1e9 / per_photo), "machine_gb": args.machine_gb}
    emit(result, args)
    return result
