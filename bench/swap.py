"""Hot swap: query latency and failures while another process rebuilds the indexes and publishes them.

This process serves an `--index-size` index and answers an open-loop stream of queries (`--qps`,
mixed `find` text / `similar` by stored post / `hashtags`), latency counted from each query's
scheduled start (queueing included). After `--steady` seconds, `python -m bot scheduler --once
rebuild --force` runs as a separate process on the same Redis (the scheduler of a deployment);
this process follows the change log, loads the new release beside the serving one and swaps.
With `--change heads` the other process refits the heads instead, and this process re-projects
its text and caption indexes beside the serving ones. Windows reported: steady, rebuild (the
other process working, incl. writing the release), swap (the release's pointer flipped →
swapped here, plus one second), after.
"""
from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path


from bench.common import SEED, bench_engine, emit, fill_index, latency_ms, load_items, log_progress


def add_args(p) -> None:
    p.add_argument("--index-size", type=int, default=10_000)
    p.add_argument("--qps", type=float, default=20)
    p.add_argument("--steady", type=float, default=30, help="seconds of steady load before the rebuild")
    p.add_argument("--after", type=float, default=10, help="seconds of load after the swap")
    p.add_argument("--change", choices=["rebuild", "heads"], default="rebuild",
                   help="rebuild: the scheduler's rebuild job; heads: new heads (the cold-start bridge refitted), "
                        "so this process must re-project its text and caption indexes")


def run(args) -> dict:
    rng = random.Random(SEED)
    items = load_items(args, args.split)
    rng.shuffle(items)
    texts = [c for i in items[:500] for c in i.captions[:1]] or ["a photo"]
    with bench_engine(args) as engine, tempfile.TemporaryDirectory(prefix="hashlens-copies-") as copies:
        log_progress(args, "building a %d-photo index", args.index_size)
        fill_index(engine, items, args.index_size, Path(copies))
        first = engine.publish_release()
        engine.follow()
        ids = engine.image_index.labels().tolist()
        samples: list[tuple[float, float, bool]] = []  # (start, seconds, failed)
        lock = threading.Lock()
        stop = threading.Event()

        def query(n: int, start: float) -> None:
            failed = False
            try:
                kind = n % 3
                if kind == 0:
                    engine.find(texts[n % len(texts)], "public", k=5)
                elif kind == 1:
                    engine.similar(ids[n % len(ids)], "public", k=5)
                else:
                    engine.hashtags(ids[(7 * n) % len(ids)], "public")
            except Exception:  # any failure is a failed query
                failed = True
            with lock:
                samples.append((start, time.perf_counter() - start, failed))

        def driver() -> None:
            with ThreadPoolExecutor(4) as pool:
                t0, n = time.perf_counter(), 0
                while not stop.is_set():
                    start = t0 + n / args.qps
                    delay = start - time.perf_counter()
                    if delay > 0:
                        time.sleep(delay)
                    pool.submit(query, n, start)
                    n += 1

        load = threading.Thread(target=driver, daemon=True)
        load.start()
        time.sleep(args.steady)
        log_progress(args, "rebuilding in another process")
        env = dict(os.environ, HASHLENS_DATA_DIR=str(engine.bench_data_dir),
                   HASHLENS_KEY_PREFIX=engine.store.keys.prefix, HASHLENS_IMAGE_MODEL=args.image_model,
                   HASHLENS_TEXT_MODEL=args.text_model, HASHLENS_MODEL_CACHE_DIR=str(args.model_cache),
                   HASHLENS_LOG_LEVEL="WARNING")
        rebuild_start = time.perf_counter()
        if args.redis_url:
            env["REDIS_URL"] = args.redis_url
        if engine.bench_milvus_uri:  # HASHLENS_VECTOR_BACKEND=milvus: the collections this process serves
            env["HASHLENS_MILVUS_URI"] = engine.bench_milvus_uri
        command = ["-m", "bot", "scheduler", "--once", "rebuild", "--force"] if args.change == "rebuild" else \
            ["-m", "indexing", "refit"]
        proc = subprocess.run([sys.executable, *command], env=env, capture_output=True, text=True)
        waited = time.perf_counter()
        while engine.release_version == first and time.perf_counter() - waited < 120:
            time.sleep(0.005)
        swapped = time.perf_counter()
        manifest = engine.store.releases.manifest(engine.release_version) or {}
        # the release's flip into service (its chunks were written before) on this process's clock
        published = manifest.get("published_s", time.time()) - (time.time() - time.perf_counter())
        time.sleep(args.after)
        stop.set()
        load.join()
        time.sleep(1)
        release = engine.release_version
    windows = {"steady": (0, rebuild_start), "rebuild": (rebuild_start, published),
               "swap": (published, swapped + 1.0), "after": (swapped + 1.0, float("inf"))}
    out = {name: latency_ms([s for start, s, failed in samples if lo <= start < hi and not failed], (50, 99))
           for name, (lo, hi) in windows.items()}
    result = {
        "task": "swap", "change": args.change, "index_photos": args.index_size, "qps": args.qps,
        "queries": len(samples),
        "failed_queries": sum(failed for _, _, failed in samples), "windows": out,
        "swap_p99_over_steady_p99": round(out["swap"].get("p99_ms", 0) / max(out["steady"].get("p99_ms", 1), 1e-9), 2),
        "rebuild_s": round(published - rebuild_start, 1), "swap_s": round(swapped - published, 2),
        "swapped": release != first, "rebuild_exit": proc.returncode,
        "settings": {"data": args.data, "image_model": args.image_model, "runtime": args.runtime},
    }
    if proc.returncode:
        result["rebuild_stderr"] = proc.stderr[-500:]
    emit(result, args)
    return result
