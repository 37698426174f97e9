"""Speed: photos embedded per second (decode included) per encoder, and query latency on a 10k index.

Embedding throughput runs `SearchEngine.embed_photos` (decode + EXIF + border trim + encoder +
pHash + text projection), the same call ingestion and the bot make. Latency: `find(text)`
and `similar(stored photo)` / `similar(new photo bytes)` through the facade on an index of
`--index-size` real photos (topped up with cropped copies when the data set is smaller).
"""
from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.common import SEED, bench_engine, emit, fill_index, load_items, log_progress
from models.registry import DEFAULT_IMAGE_MODEL


# Beside the default, in the same run: Lite0 alone and the default before issue 18 (the issue's references).
LITE0_ALONE = "efficientnet-lite0"
BEFORE_ISSUE_18 = "efficientnet-lite0+efficientnet-lite2+mirror"


def add_args(p) -> None:
    p.add_argument("--encoders", default=",".join(dict.fromkeys((DEFAULT_IMAGE_MODEL, LITE0_ALONE, BEFORE_ISSUE_18))),
                   help="image models to time, comma-separated (the default image model first)")
    p.add_argument("--photos", type=int, default=512, help="photos per throughput measurement")
    p.add_argument("--index-size", type=int, default=10_000)
    p.add_argument("--queries", type=int, default=300)
    p.add_argument("--no-latency", action="store_true", help="only the embedding throughput")
    p.add_argument("--ann-sizes", default="", help="e.g. 10000,100000: HNSW recall@10 vs exact, QPS, memory")


def _percentiles(samples: list[float]) -> dict:
    a = np.array(samples) * 1000
    return {"p50_ms": round(float(np.percentile(a, 50)), 1), "p95_ms": round(float(np.percentile(a, 95)), 1),
            "p99_ms": round(float(np.percentile(a, 99)), 1)}


def run(args) -> dict:
    rng = random.Random(SEED)
    items = load_items(args, args.split)
    rng.shuffle(items)
    sample = [i.path.read_bytes() for i in items[: args.photos]]
    throughput = {}
    for name in args.encoders.split(","):
        args.image_model = name
        with bench_engine(args) as engine:
            engine.embed_photos(sample[:32])  # warm-up (and the ONNX export on a first run)
            t0 = time.perf_counter()
            for start in range(0, len(sample), 256):  # what ingestion hands over at once
                engine.embed_photos(sample[start:start + 256])
            elapsed = time.perf_counter() - t0
            single = []
            for data in sample[:50]:
                q0 = time.perf_counter()
                engine.embed_photos([data])
                single.append(time.perf_counter() - q0)
        throughput[name] = {"photos_per_s": round(len(sample) / elapsed, 1), "one_photo": _percentiles(single)}
        log_progress(args, "%s: %.1f photos/s", name, len(sample) / elapsed)
    names = args.encoders.split(",")
    # Latency times the default image model when it was timed, else the first one named.
    args.image_model = DEFAULT_IMAGE_MODEL if DEFAULT_IMAGE_MODEL in names else names[0]
    latency = {} if args.no_latency else _latency(args, items, rng)
    if args.ann_sizes:
        latency["ann"] = _ann_scaling(args, sample, [int(n) for n in args.ann_sizes.split(",")])
    result = {"task": "speed", "embedding": throughput, "default_image_model": DEFAULT_IMAGE_MODEL,
              "latency_image_model": args.image_model, "ratios": _ratios(throughput), **latency,
              "settings": {"data": args.data, "photos": len(sample), "threads": args.threads, "image_threads": args.image_threads, "runtime": args.runtime,
                           "index_size": args.index_size, "text_model": args.text_model}}
    emit(result, args)
    return result


def _ratios(throughput: dict) -> dict:
    """Each encoder's rate over the references' rates measured in the same run (the issue's targets)."""
    out = {}
    for ref in (LITE0_ALONE, BEFORE_ISSUE_18):
        if ref in throughput:
            out[f"vs_{ref}"] = {name: round(t["photos_per_s"] / throughput[ref]["photos_per_s"], 2)
                                for name, t in throughput.items() if name != ref}
    return out


def _latency(args, items, rng) -> dict:
    with bench_engine(args) as engine, tempfile.TemporaryDirectory(prefix="hashlens-copies-") as copies:
        log_progress(args, "building a %d-photo index", args.index_size)
        build_s = fill_index(engine, items, args.index_size, Path(copies))
        engine.refit_projector()
        queries = [c for i in items for c in i.captions[1:2]] or ["a photo"]
        rng.shuffle(queries)
        ids = list(engine.image_index.labels())
        find_t, similar_t, similar_new_t, hashtags_t = [], [], [], []
        for text in queries[:20]:
            engine.find(text, "public")  # warm-up
        for n in range(args.queries):
            q0 = time.perf_counter()
            engine.find(queries[n % len(queries)], "public", k=5)
            find_t.append(time.perf_counter() - q0)
            q0 = time.perf_counter()
            engine.similar(int(rng.choice(ids)), "public", k=5)
            similar_t.append(time.perf_counter() - q0)
        for n in range(min(100, args.queries)):
            data = items[rng.randrange(min(len(items), args.index_size))].path.read_bytes()
            q0 = time.perf_counter()
            engine.similar(data, "public", k=5)
            similar_new_t.append(time.perf_counter() - q0)
            q0 = time.perf_counter()
            engine.hashtags(data, "public")
            hashtags_t.append(time.perf_counter() - q0)
        return {"index_photos": len(engine.image_index), "index_build_photos_per_s": round(args.index_size / build_s, 1),
                "find_text": _percentiles(find_t), "similar_stored_photo": _percentiles(similar_t),
                "similar_new_photo_incl_embedding": _percentiles(similar_new_t),
                "hashtags_new_photo_incl_embedding": _percentiles(hashtags_t)}


def _ann_scaling(args, sample: list[bytes], sizes: list[int]) -> dict:
    """HNSW vs exact search as the index grows, on vectors shaped like real photo features.

    Real features of the sample photos are the centres; each indexed vector is a centre plus
    noise, so the set has the clustered structure of a photo collection at any size.
    """
    from indexing.ann import HnswIndex

    with bench_engine(args) as engine:
        centres = np.array([v.features for v in engine.embed_photos(sample)], np.float32)
        options = engine.options
        ef_search, m, ef_construction = options.hnsw_ef_search, options.hnsw_m, options.hnsw_ef_construction
    rng = np.random.default_rng(SEED)
    out = {}
    for n in sizes:
        vectors = centres[rng.integers(0, len(centres), n)] + rng.normal(0, 0.02, (n, centres.shape[1])).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        queries = centres[rng.integers(0, len(centres), 200)] + rng.normal(0, 0.02, (200, centres.shape[1])).astype(np.float32)
        queries /= np.linalg.norm(queries, axis=1, keepdims=True)
        index = HnswIndex(centres.shape[1], m=m, ef_construction=ef_construction, ef_search=ef_search)
        t0 = time.perf_counter()
        for start in range(0, n, 10_000):
            index.add(np.arange(start, min(n, start + 10_000)), vectors[start:start + 10_000])
        build_s = time.perf_counter() - t0
        exact = np.argsort(-(queries @ vectors.T), axis=1)[:, :10]
        t0 = time.perf_counter()
        found = [[label for label, _ in index.search(q, 10)] for q in queries]
        qps = len(queries) / (time.perf_counter() - t0)
        recall = float(np.mean([len(set(f) & set(e.tolist())) / 10 for f, e in zip(found, exact)]))
        index_bytes = len(index.to_bytes())
        out[str(n)] = {"recall@10": round(recall, 4), "qps_one_thread": round(qps, 1),
                       "build_s": round(build_s, 1), "index_mb": round(index_bytes / 1e6, 1),
                       "mb_per_million": round(index_bytes / n * 1e6 / 1e6, 1)}
        log_progress(args, "ann %d: %s", n, out[str(n)])
    return out
