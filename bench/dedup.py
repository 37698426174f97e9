"""Duplicate / re-post detection: thresholds chosen on some photos, reported on others.

Index: the originals of half the photos of each data set (group A) plus distractor photos.
Queries: re-posts of A (must match their original) and the photos of group B and their re-posts
(must match nothing; their nearest stored photo, often a look-alike scene, is the hard case).
Every query's candidates come from `SearchEngine.duplicate_candidates`, and the decision from
`decide_duplicate`, exactly as the bot does. Thresholds are swept on one part of the queries and
scored on another: k-fold cross-validation over photo groups (a photo and all its re-posts in one
fold) within each data set, and, with --holdout, tuned on one data set and scored on the other.
"""
from __future__ import annotations

import io
import itertools
import random
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from PIL import Image, ImageEnhance, ImageOps

from bench.common import SEED, bench_engine, emit, file_sha256, image_index_shape, load_items, log_progress
from bench.dedup_memes import add_memes_args
from bench.dedup_text import text_rule_scores
from bench.dedup_videos import add_videos_args
from indexing.ingest import ingest
from indexing.search import Thresholds, decide_duplicate
from indexing.sources import detect_and_read


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


@dataclass(frozen=True)
class Query:
    dataset: str
    group: str  # the photo every variant comes from: folds never split a group
    variant: str
    expected: int | None  # the original's post id, None for a photo never posted
    candidates: list


def add_args(p) -> None:
    p.add_argument("--distractors", default=None, help="a second data set whose photos are indexed as distractors")
    p.add_argument("--max-distractors", type=int, default=2000)
    p.add_argument("--holdout", default=None,
                   help="another data set: thresholds tuned on --data are scored on it, and the reverse")
    p.add_argument("--folds", type=int, default=5, help="cross-validation folds over photo groups")
    p.add_argument("--min-precision", type=float, default=0.995)
    p.add_argument("--seed", type=int, default=SEED, help="another seed = other A/B splits and folds")
    p.add_argument("--no-text-rule", action="store_true",
                   help="skip scoring the configured thresholds with the text rule (no reading)")
    add_memes_args(p)
    add_videos_args(p)


def run(args) -> dict:
    if args.memes:
        from bench import dedup_memes

        return dedup_memes.run(args)
    if args.videos:
        from bench import dedup_videos

        return dedup_videos.run(args)
    rng = random.Random(args.seed)
    sets = {Path(args.data).name: _split(load_items(args, args.split), rng, args.limit)}
    if args.holdout:
        sets[Path(args.holdout).name] = _split(detect_and_read(args.holdout), rng, args.limit)
    distractors = _distractors(args, sets, rng)
    with bench_engine(args) as engine:
        originals = [i for a, _ in sets.values() for i in a]
        log_progress(args, "indexing %d originals + %d distractors", len(originals), len(distractors))
        ingest(engine, originals + distractors, scope="public", refit=False)
        t0 = time.perf_counter()
        queries = [q for name, (a, b) in sets.items() for q in _queries(engine, name, a, b, args)]
        query_s = (time.perf_counter() - t0) / max(1, len(queries))
        configured = engine.thresholds
        shown = _flagged_ids(queries, configured) | {q.candidates[0][0] for q in queries if q.candidates}
        names = {pid: engine.store.get_post(pid).source for pid in shown}
        image_index = image_index_shape(engine)
        text_rule = None if args.no_text_rule else text_rule_scores(
            engine, queries, configured, [i for a, b in sets.values() for i in a + b], _photos_again,
            args.workers, _metrics)
    grid = threshold_grid()
    folded = {name: [q for q in queries if q.dataset == name] for name in sets}
    if len(sets) > 1:
        folded["all"] = queries
    result = {
        "task": "dedup", "originals_indexed": len(originals), "distractors_indexed": len(distractors),
        "image_index": image_index,
        "queries": len(queries), "positives": sum(q.expected is not None for q in queries),
        "cross_validation": {name: cross_validate(qs, grid, args) for name, qs in folded.items()},
        "across_data_sets": [_across(queries, tuned, held, grid, args.min_precision)
                             for tuned, held in itertools.permutations(sets, 2)],
        "configured": _per_data_set(queries, configured, sets),
        "configured_by_sensitivity": {level: _per_data_set(queries, configured.scaled(level), sets)
                                      for level in ("low", "high")},
        "recall_by_edit_configured": _recall_by_variant(queries, configured),
        "false_flags_configured": _false_flags(queries, configured, names),
        "nearest_to_new_photos": _hardest_negatives(queries, names),
        "ms_per_query": round(1000 * query_s, 1),
        "configured_text_rule": text_rule,
        "settings": {"data": args.data, "holdout": args.holdout, "distractors": args.distractors,
                     "split": args.split, "image_model": args.image_model, "folds": args.folds,
                     "min_precision": args.min_precision, "seed": args.seed},
    }
    emit(result, args)
    return result


def _split(items: list, rng: random.Random, limit: int | None) -> tuple[list, list]:
    """Group A (stored originals) and group B (never posted) of one data set. A file found twice in a
    data set (food has one) is kept once: its second copy is a re-post, not a new photo."""
    items = list({file_sha256(i.path): i for i in reversed(items)}.values())[::-1]
    rng.shuffle(items)
    items = items[:limit] if limit else items
    return items[: len(items) // 2], items[len(items) // 2:]


def _distractors(args, sets: dict, rng: random.Random) -> list:
    if not args.distractors:
        return []
    sources = {i.path.name for a, b in sets.values() for i in a + b}  # flickr8k_fullres photos are in flickr8k too
    distractors = [d for d in detect_and_read(args.distractors) if d.path.name not in sources]
    rng.shuffle(distractors)
    return distractors[: args.max_distractors]


def _queries(engine, dataset: str, group_a: list, group_b: list, args) -> list[Query]:
    log_progress(args, "%s: querying %d re-posted and %d new photos", dataset, len(group_a), len(group_b))
    out = []
    for group, posted in ((group_a, True), (group_b, False)):
        for item in group:
            expected = engine.store.find_by_sha("public", file_sha256(item.path)) if posted else None
            variants = repost_variants(Image.open(item.path).convert("RGB"))
            if not posted:
                variants["original"] = item.path.read_bytes()
            for name, data in variants.items():
                out.append(Query(dataset, item.path.name, name, expected, engine.duplicate_candidates(data, "public")))
    return out


def _photos_again(item) -> dict[str, bytes]:
    """A query photo's bytes by variant, made again as `_queries` made them."""
    return {**repost_variants(Image.open(item.path).convert("RGB")), "original": item.path.read_bytes()}


def threshold_grid() -> list[Thresholds]:
    return [Thresholds(h, c1, c2) for h, c1, c2 in itertools.product(
        (4, 6, 8, 10, 12, 14, 16), (0.5, 0.6, 0.7, 0.75, 0.8, 0.85),
        (0.80, 0.82, 0.84, 0.86, 0.88, 0.9, 0.92, 0.94, 0.96))]


def _looser(th: Thresholds) -> Thresholds:
    """The thresholds a step looser on every signal: what tuning keeps clear of the negatives."""
    return Thresholds(th.max_hamming + 2, th.min_cosine_with_hash - 0.05, th.min_cosine - 0.02)


def tune(queries: list[Query], grid: list[Thresholds], min_precision: float) -> Thresholds:
    """The thresholds with the best recall at `min_precision` or more, also a step looser (a tie
    on the nearest negative would flag its look-alikes among photos not tuned on)."""
    scored = [(th, _score(queries, th)) for th in grid]
    safe = [s for s in scored if s[1]["precision"] >= min_precision
            and _score(queries, _looser(s[0]))["precision"] >= min_precision]
    feasible = safe or [s for s in scored if s[1]["precision"] >= min_precision] or scored
    # Ties: the strictest, so that a plateau of perfect scores ends on the side of the misses.
    return max(feasible, key=lambda s: (s[1]["recall"], s[1]["precision"], s[0].min_cosine,
                                        s[0].min_cosine_with_hash, -s[0].max_hamming))[0]


def cross_validate(queries: list[Query], grid: list[Thresholds], args) -> dict:
    """Each fold scored with thresholds tuned on the other folds; the counts pooled over folds."""
    groups = sorted({q.group for q in queries})
    random.Random(args.seed).shuffle(groups)
    fold_of = {g: n % args.folds for n, g in enumerate(groups)}
    tuned_on, held_out, chosen = [], [], []
    for fold in range(args.folds):
        train = [q for q in queries if fold_of[q.group] != fold]
        test = [q for q in queries if fold_of[q.group] == fold]
        th = tune(train, grid, args.min_precision)
        chosen.append(asdict(th))
        tuned_on.append(_counts(train, th))
        held_out.append(_counts(test, th))
    return {"folds": args.folds, "groups": len(groups), "tuned_on": _pooled(tuned_on),
            "held_out": _pooled(held_out), "thresholds_per_fold": chosen}


def _across(queries: list[Query], tune_set: str, held_set: str, grid, min_precision: float) -> dict:
    train = [q for q in queries if q.dataset == tune_set]
    th = tune(train, grid, min_precision)
    return {"tuned_on_data": tune_set, "held_out_data": held_set, "thresholds": asdict(th),
            "tuned_on": _score(train, th), "held_out": _score([q for q in queries if q.dataset == held_set], th)}


def _counts(queries: list[Query], th: Thresholds) -> tuple[int, int, int]:
    """True positives, false positives (a wrong post flagged), misses."""
    tp = fp = fn = 0
    for q in queries:
        decided = decide_duplicate(q.candidates, th)
        if decided is not None and decided[0] == q.expected:
            tp += 1
        elif decided is not None:
            fp += 1
            fn += q.expected is not None
        elif q.expected is not None:
            fn += 1
    return tp, fp, fn


def _metrics(tp: int, fp: int, fn: int) -> dict:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "false_positives": fp, "misses": fn}


def _pooled(counts: list[tuple[int, int, int]]) -> dict:
    return _metrics(*(sum(c[i] for c in counts) for i in range(3)))


def _score(queries: list[Query], th: Thresholds) -> dict:
    return _metrics(*_counts(queries, th))


def _per_data_set(queries: list[Query], th: Thresholds, sets) -> dict:
    return {"thresholds": asdict(th), **{name: _score([q for q in queries if q.dataset == name], th) for name in sets}}


def _recall_by_variant(queries: list[Query], th: Thresholds) -> dict:
    out = {}
    for name in sorted({q.variant for q in queries if q.expected is not None}):
        rows = [q for q in queries if q.variant == name and q.expected is not None]
        hits = sum(1 for q in rows if (d := decide_duplicate(q.candidates, th)) is not None and d[0] == q.expected)
        out[name] = round(hits / len(rows), 4)
    return out


def _flagged_ids(queries: list[Query], th: Thresholds) -> set[int]:
    return {d[0] for q in queries if (d := decide_duplicate(q.candidates, th)) is not None and d[0] != q.expected}


def _false_flags(queries: list[Query], th: Thresholds, names: dict[int, str]) -> list[dict]:
    """Every wrong flag of the configured thresholds: which photo, flagged as a copy of what."""
    out = []
    for q in queries:
        d = decide_duplicate(q.candidates, th)
        if d is not None and d[0] != q.expected:
            out.append({"photo": f"{q.dataset}/{q.group}", "variant": q.variant, "flagged_as": Path(names[d[0]]).name,
                        "cosine": round(d[1], 4), "hamming": d[2]})
    return out


def _hardest_negatives(queries: list[Query], names: dict[int, str], n: int = 8) -> list[dict]:
    """The photos never posted whose nearest stored photo is nearest: the look-alikes a rule must pass."""
    nearest = {}
    for q in queries:
        if q.expected is None and q.variant == "original" and q.candidates:
            nearest[f"{q.dataset}/{q.group}"] = q.candidates[0]
    top = sorted(nearest.items(), key=lambda kv: -kv[1][1])[:n]
    return [{"photo": photo, "nearest": Path(names[c[0]]).name, "cosine": round(c[1], 4), "hamming": c[2]}
            for photo, c in top]
