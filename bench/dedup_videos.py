"""`bench dedup --videos`: the video re-post rule, thresholds calibrated on one half of the clips and
reported on the other.

Clips are made of the data set's photos (bench/videoclips.py): a third are one photo panned for
10-16 s, the rest 2-4 photos one after the other (10-30 s in all), 320-640 px wide. The store holds
each original (a video post), as many stored distractor clips, and the first photo of every original
as a photo post (a group posts a photo, later a video made of it: the video must not re-post the
photo). Queries:
- re-posts of an original (must find it): re-encoded at a low bitrate in another codec, resized to
  half, trimmed by 1-2 s at the start or at the end, watermarked, converted to a GIF;
- not re-posts (must find nothing): new clips of other photos; the original's photos cut in another
  order ("reorder": another edit of the same material); a clip sharing its first shot with the
  original and going on with other photos ("shared");
- "other camera move": the same photos panned the other way. Whether that is a re-post is a matter
  of opinion (the same pictures, another video), so it counts neither way; how often it is flagged is
  reported on its own.
Originals and their queries fall into half A or B by the original's number, new clips alternately.
Thresholds (VideoThresholds) are swept on A and scored on B, and the reverse; the shipped defaults are
scored on both, and the engine's own verdicts (check_repost) are reported for B. Time per query is
decode + embed + check; 30 s clips at 640x360, 25 fps are timed on their own.
"""
from __future__ import annotations

import itertools
import random
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from bench.common import SEED, bench_engine, emit, latency_ms, load_items, log_progress
from bench.videoclips import REPOSTS, Shot, make_clip, repost
from indexing.chats import ChatSettings
from indexing.search import VIDEO, PhotoInput
from indexing.search.repostvideo import VideoThresholds, compare_keyframes
from models.imaging import jpeg_bytes

SCOPE = "chat:-1009000"
FRAME_COSINES = (0.75, 0.8, 0.85, 0.9)
SIMILARITIES = tuple(round(0.70 + i / 100, 2) for i in range(29))
MATCHED = (0.5, 0.625, 0.75, 0.875, 1.0)
ORDERS = (0.0, 0.5, 0.625, 0.75, 0.875, 1.0)
NEGATIVE, AMBIGUOUS = "negative", "ambiguous"


def add_videos_args(p) -> None:
    p.add_argument("--videos", action="store_true", help="the video re-post rule instead (bench/dedup_videos.py)")
    p.add_argument("--clips", type=int, default=60, help="--videos: original clips (as many stored distractors)")
    p.add_argument("--timing-clips", type=int, default=10, help="--videos: 30 s 640x360 25 fps clips timed")
    p.add_argument("--build-workers", type=int, default=2, help="--videos: processes making the clips")


@dataclass(frozen=True)
class Plan:
    """One original clip and what is made from it."""

    index: int
    shots: list[tuple[str, float]]  # (photo path, seconds)
    others: list[str]  # photos for the "shared" clip
    size: tuple[int, int]
    seed: int


def _photo(path: str) -> Image.Image:
    with Image.open(path) as im:
        return im.convert("RGB")


def _shots(plan_shots, direction: int = 1) -> list[Shot]:
    return [Shot(_photo(path), seconds, direction) for path, seconds in plan_shots]


def build(plan: Plan) -> dict:
    """The original, its re-posts and its hard distractors (run in a worker process)."""
    rng = random.Random(plan.seed)
    original = make_clip(_shots(plan.shots), size=plan.size)
    made = {"original": original, "first_photo": jpeg_bytes(_photo(plan.shots[0][0])), "queries": []}
    for how in REPOSTS:
        made["queries"].append((how, "positive", repost(original, how, trim_s=rng.uniform(1.0, 2.0))))
    if len(plan.shots) > 1:
        reordered = plan.shots[1:] + plan.shots[:1]
        made["queries"].append(("reorder", NEGATIVE, make_clip(_shots(reordered), size=plan.size)))
    shared = plan.shots[:1] + [(path, plan.shots[0][1]) for path in plan.others]
    made["queries"].append(("shared", NEGATIVE, make_clip(_shots(shared), size=plan.size)))
    made["queries"].append(("other_camera_move", AMBIGUOUS, make_clip(_shots(plan.shots, -1), size=plan.size)))
    return made


def build_other(args: tuple[list[tuple[str, float]], tuple[int, int], int]) -> bytes:
    shots, size, fps = args
    return make_clip(_shots(shots), fps=fps, size=size)


def _plans(paths: list[str], count: int, rng: random.Random) -> tuple[list[Plan], list[list[tuple[str, float]]]]:
    """`count` originals, and as many clips of other photos (half stored, half asked)."""
    if len(paths) < 6 * count + 30:  # about 2.3 photos a clip, twice, plus the shared shots and timing clips
        raise SystemExit(f"--clips {count} needs about {6 * count + 30} photos; the data set has {len(paths)}")
    pool = iter(paths)
    plans, others = [], []
    for i in range(count * 2):
        single = i % 3 == 0
        n = 1 if single else rng.randint(2, 4)
        total = rng.uniform(10, 16) if single else rng.uniform(max(10, 4 * n), 30)
        shots = [(next(pool), total / n) for _ in range(n)]
        if i < count:
            width = rng.choice((320, 480, 640))
            size = (width, int(width * rng.choice((9 / 16, 3 / 4))) // 2 * 2)
            plans.append(Plan(i, shots, [next(pool) for _ in range(rng.randint(1, 2))], size, rng.randrange(1 << 30)))
        else:
            others.append(shots)
    return plans, others


def _sweep(rows: list[dict], half: str) -> dict[tuple, dict]:
    """Every threshold combination's counts on the half's queries (decision: the closest passing candidate)."""
    rows = [r for r in rows if r["half"] == half and r["label"] != AMBIGUOUS]
    width = max(1, max(len(r["near"]) for r in rows))
    out = {}
    for fc in FRAME_COSINES:
        sim = np.full((len(rows), width), -1.0)
        matched, order = np.zeros_like(sim), np.zeros_like(sim)
        expected = np.full(len(rows), -1)
        for q, r in enumerate(rows):
            ms = sorted(((pid, compare_keyframes(r["keyframes"], frames, fc)) for pid, frames in r["near"]),
                        key=lambda c: -c[1].similarity)
            for c, (pid, m) in enumerate(ms):
                sim[q, c], matched[q, c], order[q, c] = m.similarity, m.matched, m.in_order
                if pid == r["expected"]:
                    expected[q] = c
        positive = np.array([r["label"] == "positive" for r in rows])
        for s, mt, o in itertools.product(SIMILARITIES, MATCHED, ORDERS):
            passing = (sim >= s) & (matched >= mt) & (order >= o)
            flagged = passing.any(axis=1)
            tp = flagged & positive & (passing.argmax(axis=1) == expected)
            out[(fc, s, mt, o)] = {"tp": int(tp.sum()), "fp": int((flagged & ~tp).sum()), "pos": int(positive.sum())}
    return out


def _pr(c: dict) -> tuple[float, float]:
    flagged = c["tp"] + c["fp"]
    return (c["tp"] / flagged if flagged else 1.0), (c["tp"] / c["pos"] if c["pos"] else 0.0)


def _calibrate(counts: dict[tuple, dict], min_precision: float) -> tuple:
    """The combination with the best recall at the precision floor; among ties, the middle one (the
    widest margin on every side we can tell without looking at the other half)."""
    ok = [(key, _pr(c)) for key, c in counts.items() if _pr(c)[0] >= min_precision]
    if not ok:
        return max(counts, key=lambda key: _pr(counts[key]))
    best = max(recall for _, (_, recall) in ok)
    ties = sorted(key for key, (_, recall) in ok if recall == best)
    return ties[len(ties) // 2]


def _score(rows: list[dict], half: str, th: VideoThresholds) -> dict:
    """Precision, recall per re-post kind, false flags per distractor kind, and the ambiguous flag rate."""
    rows = [r for r in rows if r["half"] == half]
    per, tp_all, fp_all, pos_all = {}, 0, 0, 0
    for r in rows:
        ms = sorted(((pid, compare_keyframes(r["keyframes"], frames, th.frame_cosine)) for pid, frames in r["near"]),
                    key=lambda c: -c[1].similarity)
        found = next((pid for pid, m in ms if th.matches(m)), None)
        k = per.setdefault(r["kind"], {"n": 0, "flagged": 0, "right": 0, "ranges": []})
        k["n"] += 1
        # positives: how their original matches (the least of each); the others: the closest candidate's
        mine = [m for pid, m in ms if pid == r["expected"]] if r["label"] == "positive" else ms[:1] and [ms[0][1]]
        k["ranges"] += mine
        k["flagged"] += found is not None
        k["right"] += found is not None and found == r["expected"]
        if r["label"] == "positive":
            pos_all += 1
            tp_all += found is not None and found == r["expected"]
            fp_all += found is not None and found != r["expected"]
        elif r["label"] == NEGATIVE:
            fp_all += found is not None
    flagged = tp_all + fp_all
    return {"precision": round(tp_all / flagged, 4) if flagged else 1.0, "recall": round(tp_all / max(pos_all, 1), 4),
            "false_flags": fp_all, "positives": pos_all,
            "recall_by_repost": {k: round(v["right"] / v["n"], 4) for k, v in per.items() if k in REPOSTS},
            "flagged_by_distractor": {k: f"{v['flagged']}/{v['n']}" for k, v in per.items() if k not in REPOSTS},
            "match_ranges": {k: _ranges(v["ranges"]) for k, v in per.items()}}


def _ranges(matches: list) -> dict:
    """Least and greatest similarity, matched share and order of the matches of one kind of query."""
    if not matches:
        return {}
    return {name: [round(min(getattr(m, name) for m in matches), 3), round(max(getattr(m, name) for m in matches), 3)]
            for name in ("similarity", "matched", "in_order")}


def _query(engine, data: bytes, settings: ChatSettings):
    t = time.perf_counter()
    vec = engine.embed_video(data)
    verdict = engine.check_repost(vec, SCOPE, settings)
    elapsed = time.perf_counter() - t
    near = [(pid, frames) for pid, frames, _ in engine.duplicates.videos.stored_near(vec, SCOPE)]
    return vec, verdict, elapsed, near


def run(args) -> dict:
    rng = random.Random(args.seed if args.seed is not None else SEED)
    paths = [str(i.path) for i in load_items(args, args.split)]
    rng.shuffle(paths)
    plans, others = _plans(paths, args.clips, rng)
    sizes = [(rng.choice((320, 480, 640)), 0) for _ in others]
    other_jobs = [(shots, (w, int(w * 9 / 16) // 2 * 2), 10) for shots, (w, _) in zip(others, sizes)]
    timing_paths = paths[-3 * args.timing_clips:]
    timing_jobs = [([(p, 10.0) for p in timing_paths[3 * i:3 * i + 3]], (640, 360), 25)
                   for i in range(args.timing_clips)]
    t0 = time.perf_counter()
    with ProcessPoolExecutor(args.build_workers) as pool:
        built = list(pool.map(build, plans))
        other_clips = list(pool.map(build_other, other_jobs))
        timing_clips = list(pool.map(build_other, timing_jobs))
    build_s = time.perf_counter() - t0
    log_progress(args, "made %d originals with their queries, %d other clips in %.0f s", len(built),
                 len(other_clips), build_s)
    settings = ChatSettings()
    rows, seconds = [], []
    with bench_engine(args) as engine:
        stored_others, asked_others = other_clips[::2], other_clips[1::2]
        inputs = [PhotoInput(b["first_photo"], scope=SCOPE, source=f"photo{i}") for i, b in enumerate(built)]
        engine.add_photos(inputs)
        originals = []
        for i, data in enumerate([b["original"] for b in built] + stored_others):
            vec = engine.embed_video(data)
            originals.append(engine.add_photos([PhotoInput(data, scope=SCOPE, source=f"clip{i}", media=VIDEO)],
                                               [vec])[0].post_id)
        asked = [(i % 2, kind, label, data, originals[i])
                 for i, b in enumerate(built) for kind, label, data in b["queries"]]
        asked += [(i % 2, "other_clip", NEGATIVE, data, None) for i, data in enumerate(asked_others)]
        for n, (half, kind, label, data, expected) in enumerate(asked):
            vec, verdict, elapsed, near = _query(engine, data, settings)
            seconds.append(elapsed)
            rows.append({"half": "AB"[half], "kind": kind, "label": label,
                         "expected": expected if label == "positive" else None,
                         "keyframes": vec.keyframes, "near": near, "verdict": verdict.original_id})
            if n % 50 == 0:
                log_progress(args, "asked %d/%d", n, len(asked))
        timing = [_query(engine, data, settings)[2] for data in timing_clips]
    calibrated = {}
    for fit, held in (("A", "B"), ("B", "A")):
        fc, s, m, o = _calibrate(_sweep(rows, fit), args.min_precision)
        th = VideoThresholds(min_similarity=s, frame_cosine=fc, min_matched=m, min_in_order=o)
        calibrated[f"fit_{fit}_report_{held}"] = {"thresholds": vars(th), "fit": _score(rows, fit, th),
                                                  "reported": _score(rows, held, th)}
    shipped = VideoThresholds()
    engine_b = [r for r in rows if r["half"] == "B" and r["label"] != AMBIGUOUS]
    tp = sum(r["label"] == "positive" and r["verdict"] == r["expected"] for r in engine_b)
    flagged = sum(r["verdict"] is not None for r in engine_b)
    result = {
        "task": "dedup_videos", "data": Path(args.data).name, "originals": len(built), "queries": len(rows),
        "stored": {"videos": len(originals), "photos": len(built)},
        "calibrated": calibrated,
        "shipped": {"thresholds": vars(shipped), "A": _score(rows, "A", shipped), "B": _score(rows, "B", shipped)},
        "engine_check_repost_B": {"precision": round(tp / flagged, 4) if flagged else 1.0,
                                  "recall": round(tp / max(1, sum(r["label"] == "positive" for r in engine_b)), 4)},
        "seconds_per_query": latency_ms(seconds),
        "seconds_per_30s_640px_25fps_clip": latency_ms(timing),
        "build_s": round(build_s, 1),
    }
    emit(result, args)
    return result
