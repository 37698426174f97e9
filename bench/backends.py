"""The vector-index backends side by side: hnswlib and Milvus (Lite here), through the engine's own index classes.

For each `--sizes` n: n clustered unit vectors of `--dim` dimensions (bench/scale.py's; 128 is the
image index's PCA size) are added in the engine's 2,000-row batches (insert rate; Milvus then flushes
and waits for its HNSW build: the indexed rate), then `--queries` queries are timed one at a time, as
the bot asks them: unfiltered ("all"), as a chat sees the library ("scoped": public + its own posts,
`--chat-share` of them in the chat; the catalogue's scope filter, so Milvus filters by its partition key),
and the chat alone ("own": few posts, answered exactly up to `--exact-max` posts, else by the filtered
graph walk). Recall@10 is against exact search over the same vectors (the visible ones when filtered). `--uri`: a
Milvus server instead of a Lite file in a temp folder; `--lite-server`: a `milvus-lite server` in its own
process (as several workers share one), so this process is the bot's and its memory growth a vector is
what a worker holds, beside the engine's (the server's resident growth; for hnswlib both are this
process). `--data` is not read: pass any folder.
"""
from __future__ import annotations

import gc
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

import numpy as np

from bench.common import emit, log_progress
from bench.milvusserver import LiteServer, resident_bytes
from bench.scale import clustered
from indexing.ann import HnswBackend
from indexing.search.catalogue import Catalogue
from indexing.settings import Settings
from indexing.store import Post

BATCH = 2000
CHAT = "chat:-1001"


def add_args(p) -> None:
    p.add_argument("--sizes", default="20000,100000")
    p.add_argument("--dim", type=int, default=128)
    p.add_argument("--queries", type=int, default=200)
    p.add_argument("--chat-share", type=float, default=0.01, help="share of the posts in the querying chat")
    p.add_argument("--backends", default="hnswlib,milvus")
    p.add_argument("--exact-max", type=int, default=None,
                   help="visible posts answered exactly (default: the engine's, HASHLENS_EXACT_SEARCH_MAX_POSTS; "
                   "on Milvus at most 64)")
    p.add_argument("--uri", default=None, help="a Milvus server (default: a Milvus Lite file in a temp folder)")
    p.add_argument("--efs", default="", help="also the unfiltered and scoped queries at each of these search efs "
                   "(e.g. 96,128,192,256): recall against latency at this size")
    p.add_argument("--lite-server", action="store_true",
                   help="Milvus Lite as its own `milvus-lite server` process (memory of the bot vs the engine)")


def run(args) -> None:
    results = []
    with tempfile.TemporaryDirectory(prefix="hashlens-backends-", dir="/tmp") as tmp:
        for n in [int(s) for s in args.sizes.split(",")]:
            rng = np.random.default_rng(n)
            data = clustered(n + args.queries, args.dim, rng)
            base, queries = data[:n], data[n:]
            scopes = np.where(rng.random(n) < args.chat_share, CHAT, "public")
            for name in args.backends.split(","):
                log_progress(args, "%s: %d vectors of %d dimensions", name, n, args.dim)
                results.append({"backend": name, "n": n, "dim": args.dim,
                                **measure(name, base, queries, scopes, args, Path(tmp) / f"{name}{n}.db")})
    note = ("single-threaded hnswlib adds (the engine's HnswIndex); Milvus Lite " +
            ("as its own server process" if args.lite_server else "in this process") + " over loopback gRPC")
    emit({"task": "backends", "results": results, "note": note}, args)


def _backend(name: str, scopes: np.ndarray, args, uri: str):
    configured = Settings().exact_search_max_posts
    if name == "hnswlib":
        return HnswBackend(exact_max=configured if args.exact_max is None else args.exact_max)
    from indexing.milvus_index import MilvusBackend, exact_max_for

    exact_max = exact_max_for(configured) if args.exact_max is None else args.exact_max
    return MilvusBackend(uri, scope_of=lambda ids: [str(scopes[i]) for i in ids], exact_max=exact_max)


def measure(name: str, base: np.ndarray, queries: np.ndarray, scopes: np.ndarray, args, path: Path) -> dict:
    server = LiteServer(path.with_suffix(".server")) if name != "hnswlib" and args.lite_server and not args.uri \
        else nullcontext()
    with server:
        uri = server.uri if isinstance(server, LiteServer) else (args.uri or str(path))
        return _measure(name, base, queries, scopes, args, uri, server if isinstance(server, LiteServer) else None)


def _measure(name: str, base: np.ndarray, queries: np.ndarray, scopes: np.ndarray, args, uri: str,
             server: LiteServer | None) -> dict:
    n = len(base)
    backend = _backend(name, scopes, args, uri)
    try:
        if hasattr(backend, "client"):
            backend.client.list_collections()  # the client's channel and imports: a fixed cost, not per vector
        gc.collect()
        here_before, engine_before = resident_bytes(), server.resident_bytes() if server else 0
        index = backend.new(args.dim)
        t0 = time.perf_counter()
        for start in range(0, n, BATCH):
            index.add(np.arange(start, min(start + BATCH, n)), base[start:start + BATCH])
        added_s = time.perf_counter() - t0
        if hasattr(index, "seal"):
            index.seal()
        indexed_s = time.perf_counter() - t0
        gc.collect()
        here = (resident_bytes() - here_before) / n
        # hnswlib and an in-process Lite: the engine is this process; a Lite server: its own growth
        engine = (server.resident_bytes() - engine_before) / n if server else here
        memory = {"bot_process_bytes_per_vector": round(here, 1), "engine_bytes_per_vector": round(engine, 1)}
        catalogue = Catalogue()
        catalogue.remember(Post(id=i, scope=str(s), sha256="", phash=0) for i, s in enumerate(scopes))
        seen = np.flatnonzero(np.isin(scopes, ["public", CHAT]))
        own = np.flatnonzero(scopes == CHAT)
        out = {"insert_per_s": round(n / added_s), "indexed_per_s": round(n / indexed_s), **memory}
        for label, allowed, pool in (("all", None, np.arange(n)), ("scoped", catalogue.visible(CHAT), seen),
                                     ("own", catalogue.visible(CHAT, include_public=False), own)):
            out[label] = _timed_recall(index, queries, base, allowed, pool)
        for ef in [int(x) for x in args.efs.split(",") if x]:
            index.ef_search = getattr(index, "inner", index).ef_search = ef
            index.ef_by_size = False  # hnswlib: this very ef, not the larger one its size would get
            out[f"ef{ef}"] = {label: _timed_recall(index, queries, base, allowed, pool)
                              for label, allowed, pool in (("all", None, np.arange(n)),
                                                           ("scoped", catalogue.visible(CHAT), seen))}
        if name != "hnswlib":
            backend.drop(index)
        return out
    finally:
        if hasattr(backend, "close"):
            backend.close()


def _timed_recall(index, queries: np.ndarray, base: np.ndarray, allowed, pool: np.ndarray) -> dict:
    """Each query timed alone, and its recall@10 against exact search over the visible vectors."""
    times, recalls = [], []
    for q in queries:
        t = time.perf_counter()
        found = index.search(q, 10, allowed)
        times.append(time.perf_counter() - t)
        exact = pool[np.argsort(-(base[pool] @ q))[:10]]
        recalls.append(len({lab for lab, _ in found} & set(exact.tolist())) / len(exact))
    ms = np.array(times) * 1000  # to the microsecond: hnswlib answers in well under 0.1 ms
    return {"p50_ms": round(float(np.percentile(ms, 50)), 3), "p95_ms": round(float(np.percentile(ms, 95)), 3),
            "recall_at_10": round(float(np.mean(recalls)), 4)}
