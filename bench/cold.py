"""Honest answers as the public collection grows: precision, answer rate and calibration per answer kind.

The demo photos (bot/demo.py) are stored as public posts, then Flickr8k train posts are added in
steps (to 50, 500, 6,000 by default); after each step the cold-start projector is refitted, as the
bot does. Every Flickr8k dev photo (never stored) then asks for hashtags, similar photos and
captions, and its first caption runs as a `find` query (what inline mode runs too).

Dev is split in two halves by a hash of the image name: the evidence weights, the hashtag
calibration maps and the floors are chosen on the tuning half; every number reported is
measured on the other half.

What counts as right (Flickr8k has captions only):
* a hashtag: one of the photo's caption content words (bench/hashtags.py `truth_tags`);
* a similar / found photo: it shares a salient tag with the query photo, a salient tag being a
  content word in at least 2 of a photo's captions (a demo photo's tags are its salient tags),
  leaving out the few words on more than 10 % of the train photos (man, dog, ...: a man is no
  match for a man);
* a caption: one of its content words is a salient, not-generic tag of the photo.

`--write FILE` stores the chosen weights, maps and floors as the engine's relevance table.
"""
from __future__ import annotations

import hashlib
import json
import tempfile
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np

from bench.common import bench_engine, emit, load_items, log_progress, read_queries
from bench.hashtags import item_tags, truth_tags
from indexing.relevance import (CalibrationTable, Floors, Relevance, at_floor, choose_floor,
                                expected_calibration_error, fit_isotonic, reliability, unreachable)
from indexing.search import PhotoInput, PhotoVectors
from indexing.sources import SourceItem, detect_and_read
from models.tags import content_words, normalize_tags

KINDS = ("hashtags", "similar", "captions", "find")
FLOOR_CANDIDATES = {
    "similar": [round(x, 2) for x in np.arange(0.20, 0.86, 0.02)],
    "find": [round(x, 2) for x in np.arange(0.10, 0.76, 0.02)],
    "captions": [round(x, 2) for x in np.arange(0.10, 0.92, 0.02)],
    "hashtags": [round(x, 2) for x in np.arange(0.05, 0.91, 0.05)],
}
PER_SIZE_FLOORS = ("captions",)
# Evidence weights tried for the hashtag fusion (relevance.py): vote_ref, class_weight, zero-shot ramp.
WEIGHT_GRID = [dict(vote_ref=r, class_weight=c) for r in (0.45, 0.55, 0.65) for c in (0.25, 1.0)]


def add_args(p) -> None:
    p.add_argument("--sizes", default="50,500,6000", help="numbers of train posts stored, in steps")
    p.add_argument("--target", type=float, default=0.5,
                   help="precision of what is shown that every floor must reach at every size")
    p.add_argument("--hashtags-k", type=int, default=8)
    p.add_argument("--k", type=int, default=5, help="photos / captions per answer")
    p.add_argument("--extra-demo", default=None,
                   help="a data set stored with the demo photos as the starting collection (e.g. the food set)")
    p.add_argument("--extra-license", default="public domain",
                   help="only the --extra-demo photos under this licence (the annotations' `license`)")
    p.add_argument("--quick-grid", action="store_true", help="only the shipped weights, no grid search")
    p.add_argument("--write", default=None, help="write the chosen relevance table to this JSON file")
    p.add_argument("--other-language-tune", default="bench/queries/tune-fr.jsonl",
                   help="queries in another language than English, for photos of the data set: the "
                        "find_other_language floor is chosen on them ('' to skip)")
    p.add_argument("--other-language-report", default="bench/queries/fr.jsonl",
                   help="other-language queries the floor is reported on (never chosen on)")


def tuning_half(item) -> bool:
    return hashlib.sha1(item.path.name.encode()).digest()[1] % 2 == 0


def salient_tags(captions: list[str]) -> set[str]:
    counts = Counter(t for c in captions for t in set(normalize_tags(content_words(c))))
    return {t for t, n in counts.items() if n >= 2}


# ----------------------------------------------------------------------------------------
# features: embedded once, cached by content hash (re-runs skip the CNN)
# ----------------------------------------------------------------------------------------
def cached_vectors(engine, paths: list[Path], cache: Path, args) -> dict[str, PhotoVectors]:
    fields = ("features", "class_probs", "phash", "phash_mirror", "width", "height")
    have: dict[str, dict] = {}
    if cache.exists():
        with np.load(cache) as z:
            arrays = {f: z[f] for f in fields}  # each z[f] reads the whole array: once
            for i, sha in enumerate(z["sha"].tolist()):
                have[sha] = {f: arrays[f][i] for f in fields}
    path_of = {hashlib.sha256(path.read_bytes()).hexdigest(): path for path in paths}
    todo = [sha for sha in path_of if sha not in have]
    for start in range(0, len(todo), 256):
        chunk = todo[start:start + 256]
        log_progress(args, "embedding photos %d-%d of %d (cached in %s)", start, start + len(chunk), len(todo), cache)
        for sha, vec in zip(chunk, engine.embed_photos([path_of[s].read_bytes() for s in chunk])):
            have[sha] = {f: getattr(vec, f) for f in fields}
        shas = list(have)
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(".tmp.npz")
        np.savez(tmp, sha=np.array(shas), **{f: np.array([have[s][f] for s in shas]) for f in fields})
        tmp.replace(cache)
    return {sha: PhotoVectors(text=np.zeros(1, np.float32), sha256=sha, space="stale",
                              **{f: (int(v) if f in ("phash", "phash_mirror", "width", "height") else v)
                                 for f, v in have[sha].items()}) for sha in path_of}


# ----------------------------------------------------------------------------------------
# the measurement
# ----------------------------------------------------------------------------------------
def run(args) -> dict:
    t_start = time.perf_counter()
    train = load_items(args, "train")
    dev = load_items(args, args.split or "dev")
    with tempfile.TemporaryDirectory(prefix="hashlens-cold-") as tmp:
        from bot.demo import write_demo_set

        demo = detect_and_read(write_demo_set(Path(tmp) / "demo"))
        if args.extra_demo:
            demo += _licensed(args.extra_demo, args.extra_license)
        if args.limit:
            dev = dev[: args.limit]
        tuning = [i for i in dev if tuning_half(i)]
        sizes = [int(s) for s in args.sizes.split(",")]
        train = train[: max(sizes)]
        generic = _generic_tags(train)
        for item in train:
            item.tags = item_tags(item)
        with bench_engine(args) as engine:
            cache = Path(args.model_cache) / "features" / f"cold-{engine.image_model}.npz"
            vectors = cached_vectors(engine, [i.path for i in demo + train + dev], cache, args)
            sha_of = {str(i.path): hashlib.sha256(i.path.read_bytes()).hexdigest() for i in demo + train + dev}
            shipped = engine.relevance
            grid = [{}] if args.quick_grid else [{}] + WEIGHT_GRID
            configs = [replace(shipped, **g).raw() for g in grid]
            salient_of: dict[int, set[str]] = {}
            measured: dict[int, list[dict]] = {}  # collection size -> per config: per kind per query answers
            stored = 0
            other = _other_language_queries(args, detect_and_read(args.data))  # name -> [(text, lang, item)]
            measured_other: dict[int, dict[str, list]] = {}
            steps = [0] + sizes
            for size in steps:
                items = demo if size == 0 else train[stored:size]
                log_progress(args, "storing %d posts (collection: %d demo + %d train)", len(items), len(demo), size)
                ids = _store(engine, items, [vectors[sha_of[str(i.path)]] for i in items])
                for item, pid in zip(items, ids):
                    salient_of[pid] = (set(normalize_tags(item.tags)) if item in demo else salient_tags(item.captions)) - generic
                stored = size
                engine.refit_projector()
                visible = len(demo) + size
                log_progress(args, "asking %d dev photos at %d posts (%d weight settings)", len(dev), visible,
                             len(configs))
                # the shipped weights answer every kind for every dev photo; the other weights
                # are tried on the tuning half only (the report half never chooses anything)
                measured[visible] = [_ask(engine, cfg, dev if j == 0 else tuning, vectors, sha_of, salient_of,
                                          generic, args, kinds=KINDS if j == 0 else ("hashtags",))
                                     for j, cfg in enumerate(configs)]
                engine.relevance = configs[0]
                measured_other[visible] = {name: [_find(engine, text, lang, item, salient_of, generic, args)
                                                  for text, lang, item in rows] for name, rows in other.items()}
            engine.relevance = shipped
    tune = [tuning_half(i) for i in dev]
    result = _choose_and_report(args, measured, tune, configs, shipped, measured_other)
    result.update(task="cold", dev_photos=len(dev), tuning_photos=sum(tune), report_photos=len(tune) - sum(tune),
                  demo_photos=len(demo), sizes=sorted(measured), generic_tags=sorted(generic),
                  seconds=round(time.perf_counter() - t_start, 1),
                  settings={"data": args.data, "target": args.target, "k": args.k, "image_model": args.image_model})
    emit(result, args)
    return result


def _licensed(folder: str, licence: str) -> list[SourceItem]:
    """The items of a data set whose annotation row carries this licence (case-insensitive)."""
    rows = [json.loads(line) for line in (Path(folder) / "annotations.jsonl").read_text().splitlines() if line]
    keep = {(Path(folder) / r["image"]).resolve() for r in rows if str(r.get("license", "")).lower() == licence.lower()}
    return [i for i in detect_and_read(folder) if i.path.resolve() in keep]


def _generic_tags(train: list[SourceItem], share: float = 0.10) -> set[str]:
    counts = Counter(t for i in train for t in salient_tags(i.captions))
    return {t for t, n in counts.items() if n > share * len(train)}


def _store(engine, items: list[SourceItem], vecs: list[PhotoVectors]) -> list[int]:
    ids = []
    for start in range(0, len(items), 256):
        part = slice(start, start + 256)
        photos = [PhotoInput(b"", captions=i.captions, tags=i.tags, source=str(i.path)) for i in items[part]]
        ids += [r.post_id for r in engine.add_photos(photos, vecs[part])]
    return ids


def _ask(engine, relevance: Relevance, dev, vectors, sha_of, salient_of, generic, args, kinds) -> dict:
    """Per kind, per dev photo: its ranked (score, right?) results, with no floor applied."""
    engine.relevance = relevance
    out = {kind: [] for kind in kinds}
    for item in dev:
        vec = vectors[sha_of[str(item.path)]]
        salient = salient_tags(item.captions) - generic
        if "hashtags" in kinds:
            truth = truth_tags(item, False)
            tags = engine.hashtags(vec, "public", k=args.hashtags_k, min_score=0.0)
            out["hashtags"].append([(t.score, t.tag in truth) for t in tags])
        if "similar" in kinds:
            hits = engine.similar(vec, "public", k=args.k)
            out["similar"].append([(h.score, bool(salient_of.get(h.post.id, set()) & salient)) for h in hits])
        if "captions" in kinds:
            caps = engine.captions(vec, "public", k=args.k)
            out["captions"].append([(c.score, bool(set(normalize_tags(content_words(c.caption))) & salient))
                                    for c in caps])
        if "find" in kinds:
            found = engine.find_scored(item.captions[0], "public", k=args.k)
            out["find"].append([(s, bool(salient_of.get(pid, set()) & salient)) for pid, s in found])
    return out


def _other_language_queries(args, items: list[SourceItem]) -> dict[str, list]:
    """The tuning and report query files, each row as (text, language, the photo it was written for)."""
    return {name: read_queries(file, items)
            for name, file in (("tune", args.other_language_tune), ("report", args.other_language_report)) if file}


def _find(engine, text: str, lang: str | None, item, salient_of, generic, args) -> list:
    """One `find` as the bot asks it (the user's language as the hint): (score, right?) per result."""
    salient = salient_tags(item.captions) - generic
    found = engine.find_scored(text, "public", k=args.k, language=lang)
    return [(s, bool(salient_of.get(pid, set()) & salient)) for pid, s in found]


def _half(answers: list, tune: list[bool], want: bool) -> list:
    return [a for a, t in zip(answers, tune) if t == want]


def _p_at_1(answers: list) -> float:
    return float(np.mean([bool(a) and a[0][1] for a in answers]))


def _choose_and_report(args, measured: dict, tune: list[bool], configs: list[Relevance], shipped: Relevance,
                       other: dict | None = None) -> dict:
    sizes = sorted(measured)
    # 1. evidence weights: the best mean hashtag P@1 over the sizes, on the tuning half (the other
    # weights were only asked on it); the floors and maps below are for the shipped weights: when
    # others win, ship them and run again.
    objective = [np.mean([_p_at_1(_half(measured[s][0]["hashtags"], tune, True) if j == 0
                                  else measured[s][j]["hashtags"]) for s in sizes]) for j in range(len(configs))]
    best = int(np.argmax(objective))
    chosen = configs[0]
    hashtags = {s: measured[s][0]["hashtags"] for s in sizes}
    # 2. a calibration map per collection size, fitted on the tuning half
    bounds = [int(np.sqrt(a * b)) for a, b in zip(sizes, sizes[1:])] + [10 ** 9]
    tables = []
    for size, bound in zip(sizes, bounds):
        pairs = [p for a in _half(hashtags[size], tune, True) for p in a]
        xs, ys = fit_isotonic([s for s, _ in pairs], [r for _, r in pairs])
        tables.append(CalibrationTable(bound, xs, ys))
    calibrated = {s: [[(float(t(sc)), r) for sc, r in a] for a in hashtags[s]] for s, t in zip(sizes, tables)}
    # 3. floors: the lowest that reaches the target precision at every size (tuning half)
    answers = {"hashtags": calibrated, **{k: {s: measured[s][0][k] for s in sizes} for k in KINDS if k != "hashtags"}}
    # Captions get a floor per collection size: their score is a cosine to the photo's text vector,
    # which the kNN bridge makes of the stored captions themselves, so it means more as they grow.
    # Where no floor reaches the target, that kind is withheld at that size.
    floors, size_floors = {}, []
    lows = [0] + [b + 1 for b in bounds[:-1]]
    for kind in KINDS:
        tuning_answers = {s: _half(answers[kind][s], tune, True) for s in sizes}
        shut = [s for s in sizes if unreachable(tuning_answers[s], FLOOR_CANDIDATES[kind], args.target)]
        floors[kind] = float(choose_floor({s: a for s, a in tuning_answers.items() if s not in shut},
                                          FLOOR_CANDIDATES[kind], args.target))
        for s, lo, hi in zip(sizes, lows, bounds):
            if s in shut:
                size_floors.append((kind, lo, hi, None))
            elif kind in PER_SIZE_FLOORS:
                size_floors.append((kind, lo, hi, float(choose_floor({s: tuning_answers[s]}, FLOOR_CANDIDATES[kind],
                                                                     args.target))))
    # queries only the multilingual part reads score lower (cross-language cosines): their own floor,
    # chosen on the tuning file's queries, reported on the report file's
    other = other or {}
    if sum(len(other.get(s, {}).get("tune", ())) for s in sizes):
        floors["find_other_language"] = float(choose_floor({s: other[s]["tune"] for s in sizes},
                                                           FLOOR_CANDIDATES["find"], args.target))
    else:
        floors["find_other_language"] = floors["find"]
    relevance = replace(chosen, floors=Floors(**floors), calibration=tuple(tables), size_floors=tuple(size_floors))
    if args.write:
        Path(args.write).write_text(relevance.to_json() + "\n")
    # 4. everything reported on the other half
    report = {}
    for kind in KINDS:
        report[kind] = {}
        for s in sizes:
            held = _half(answers[kind][s], tune, False)
            floor = getattr(relevance.floors_for(s), kind)
            shown = dict(at_floor(held, floor), floor=floor if floor < float("inf") else "closed")
            row = {"no_floor": at_floor(held, -1.0), "at_floor": shown,
                   "curve": [at_floor(held, f) for f in FLOOR_CANDIDATES[kind][::3]]}
            report[kind][s] = row
    for name in ("tune", "report"):
        if other and all(other[s].get(name) for s in sizes):
            floor = relevance.floors.find_other_language
            report[f"find_other_language_{name}"] = {s: {"no_floor": at_floor(other[s][name], -1.0),
                                                         "at_floor": dict(at_floor(other[s][name], floor), floor=floor)}
                                                     for s in sizes}
    reliability_report = {}
    for s in sizes:
        pairs = [p for a in _half(calibrated[s], tune, False) for p in a]
        probs, labels = [p for p, _ in pairs], [r for _, r in pairs]
        reliability_report[s] = {"ece": expected_calibration_error(probs, labels),
                                 "raw_ece": expected_calibration_error(
                                     [min(p, 1.0) for a in _half(hashtags[s], tune, False) for p, _ in a],
                                     [r for a in _half(hashtags[s], tune, False) for _, r in a]),
                                 "curve": reliability(probs, labels)}
    def weights(r: Relevance) -> dict:
        return {"vote_ref": r.vote_ref, "class_weight": r.class_weight, "zero_shot_ramp": list(r.zero_shot_ramp),
                "prior_mass": r.prior_mass}

    return {"floors": floors, "size_floors": size_floors, "weights": weights(chosen),
            "weights_grid_on_tuning_half": [dict(weights(c), mean_P1=round(100 * o, 2))
                                            for c, o in zip(configs, objective)],
            "better_weights_found": weights(configs[best]) if best else None,
            "hashtags_P@1": {s: round(100 * _p_at_1(_half(hashtags[s], tune, False)), 2) for s in sizes},
            "answers": report, "calibration": reliability_report}
