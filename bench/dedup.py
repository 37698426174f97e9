"""Duplicate / re-post detection: DESIGN.md section 8 protocol, thresholds calibrated here.

Index: the originals of half the photos (group A) plus distractor photos. Queries: re-posts of
A (must match their original) and the photos of group B and their re-posts (must match
nothing). Every query's candidates come from `SearchEngine.duplicate_candidates`, and the
decision from `decide_duplicate`, exactly as the bot does; the thresholds are then swept.
"""
from __future__ import annotations

import io
import itertools
import random
import time

from PIL import Image, ImageEnhance, ImageOps

from bench.common import SEED, bench_engine, emit, file_sha256, load_items, log_progress
from indexing.ingest import ingest
from indexing.search import Thresholds, decide_duplicate


def _jpeg(im: Image.Image, quality: int = 90) -> bytes:
    buf = io.BytesIO()
    im.convert("RGB").save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def repost_variants(im: Image.Image) -> dict[str, bytes]:
    """The re-post edits of DESIGN.md section 8."""
    w, h = im.size
    pad_h = int(w * 19.5 / 9)  # a phone screenshot: the photo letterboxed in a tall dark frame
    screenshot = Image.new("RGB", (w, max(pad_h, h)), (18, 18, 18))
    screenshot.paste(im, (0, (screenshot.height - h) // 2))
    return {
        "jpeg_q30": _jpeg(im, 30),
        "resize_50": _jpeg(im.resize((max(1, w // 2), max(1, h // 2)), Image.BICUBIC)),
        "crop_85": _jpeg(im.crop((int(w * .075), int(h * .075), int(w * .925), int(h * .925)))),
        "bright_125": _jpeg(ImageEnhance.Brightness(im).enhance(1.25)),
        "border_20": _jpeg(ImageOps.expand(im, 20, fill=(255, 255, 255))),
        "hflip": _jpeg(ImageOps.mirror(im)),
        "screenshot": _jpeg(screenshot),
    }


def add_args(p) -> None:
    p.add_argument("--distractors", default=None, help="a second data set whose photos are indexed as distractors")
    p.add_argument("--max-distractors", type=int, default=2000)
    p.add_argument("--min-precision", type=float, default=0.995)
    p.add_argument("--seed", type=int, default=SEED, help="another seed = another A/B split (held-out check)")


def run(args) -> dict:
    rng = random.Random(args.seed)
    items = load_items(args, args.split)
    rng.shuffle(items)
    if args.limit:
        items = items[: args.limit]
    group_a, group_b = items[: len(items) // 2], items[len(items) // 2:]
    distractors = []
    if args.distractors:
        from indexing.sources import detect_and_read

        sources = {str(i.path.name) for i in items}
        distractors = [d for d in detect_and_read(args.distractors) if d.path.name not in sources]
        rng.shuffle(distractors)
        distractors = distractors[: args.max_distractors]
    with bench_engine(args) as engine:
        log_progress(args, "indexing %d originals + %d distractors", len(group_a), len(distractors))
        ingest(engine, group_a + distractors, scope="public", refit=False)
        originals = {engine.store.find_by_sha("public", file_sha256(i.path)): i for i in group_a}
        by_path = {str(i.path): pid for pid, i in originals.items()}
        queries = []  # (variant, expected post id or None, candidates)
        t0 = time.perf_counter()
        for group, expect in ((group_a, True), (group_b, False)):
            for item in group:
                im = Image.open(item.path).convert("RGB")
                variants = repost_variants(im)
                if not expect:
                    variants["original"] = item.path.read_bytes()
                for name, data in variants.items():
                    candidates = engine.duplicate_candidates(data, "public")
                    queries.append((name, by_path[str(item.path)] if expect else None, candidates))
        query_s = (time.perf_counter() - t0) / max(1, len(queries))
        configured = engine.thresholds
    grid = [Thresholds(h, c1, c2) for h, c1, c2 in itertools.product(
        (6, 8, 10, 12, 14, 16), (0.5, 0.6, 0.7, 0.8, 0.85), (0.80, 0.82, 0.84, 0.86, 0.88, 0.9, 0.92, 0.94, 0.96))]
    scored = [(th, _score(queries, th)) for th in grid]
    feasible = [(th, m) for th, m in scored if m["precision"] >= args.min_precision]
    best_th, best = max(feasible or scored, key=lambda x: (x[1]["recall"], x[1]["precision"]))
    result = {
        "task": "dedup", "originals_indexed": len(group_a), "distractors_indexed": len(distractors),
        "queries": len(queries), "positives": sum(1 for q in queries if q[1] is not None),
        "configured": {"thresholds": vars(configured) if hasattr(configured, "__dict__") else configured.__dict__,
                       **_score(queries, configured)},
        "calibrated": {"thresholds": best_th.__dict__, **best},
        "recall_by_edit_calibrated": _recall_by_variant(queries, best_th),
        "ms_per_query": round(1000 * query_s, 1),
        "settings": {"data": args.data, "split": args.split, "image_model": args.image_model,
                     "min_precision": args.min_precision, "seed": args.seed},
    }
    emit(result, args)
    return result



def _score(queries, th: Thresholds) -> dict:
    tp = fp = fn = 0
    for _, expected, candidates in queries:
        decided = decide_duplicate(candidates, th)
        if decided is not None and decided[0] == expected:
            tp += 1
        elif decided is not None:
            fp += 1
            fn += expected is not None
        elif expected is not None:
            fn += 1
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "false_positives": fp, "misses": fn}


def _recall_by_variant(queries, th: Thresholds) -> dict:
    out = {}
    for name in sorted({q[0] for q in queries if q[1] is not None}):
        rows = [q for q in queries if q[0] == name and q[1] is not None]
        hits = sum(1 for _, exp, c in rows if (d := decide_duplicate(c, th)) is not None and d[0] == exp)
        out[name] = round(hits / len(rows), 4)
    fps = [q for q in queries if q[1] is None and decide_duplicate(q[2], th) is not None]
    out["false_alarms_on_new_photos"] = len(fps)
    return out
