"""Text -> image retrieval, Flickr8k protocol: each caption of an eval image queries all eval images.

The train split is stored as captioned public posts (what a running bot would have collected);
the eval split's photos are stored without captions in a chat scope, and every query runs
through `SearchEngine.find` restricted to that scope, so the numbers are the bot's numbers.
Measured twice: with the cold-start bridge, then with the learned heads trained on the stored
train posts (their stored features: nothing is embedded again), or loaded with --heads.
"""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from bench.common import (add_heads_args, bench_engine, emit, file_sha256, heads_report, learned_heads, load_items,
                          log_progress, read_queries, text_index_shape)
from indexing.ingest import ingest
from indexing.sources import SourceItem

EVAL_SCOPE = "chat:-100"


def add_args(p) -> None:
    p.add_argument("--train-split", default="train", help="split stored as captioned posts ('none': cold start with no captions at all)")
    p.add_argument("--captions-per-image", type=int, default=5)
    p.add_argument("--queries", action="append", default=[], metavar="FILE",
                   help="queries in another language (bench/queries/fr.jsonl: image, lang, query per line), "
                        "reported beside the English captions of the same photos; repeatable")
    add_heads_args(p)


def run(args) -> dict:
    eval_items = load_items(args, args.split or "dev")
    train_items = [] if args.train_split == "none" else load_items(args, args.train_split)
    if args.limit:
        eval_items, train_items = eval_items[: args.limit], train_items[: args.limit * 6]
    with bench_engine(args) as engine:
        t0 = time.perf_counter()
        log_progress(args, "storing %d captioned train posts", len(train_items))
        ingest(engine, train_items, scope="public", refit=False)
        log_progress(args, "storing %d eval photos without captions", len(eval_items))
        blind = [SourceItem(i.path) for i in eval_items]
        ingest(engine, blind, scope=EVAL_SCOPE, refit=False)
        projector = engine.refit_projector() if train_items else None
        build_s = time.perf_counter() - t0
        post_of = {str(i.path): engine.store.find_by_sha(EVAL_SCOPE, file_sha256(i.path)) for i in eval_items}
        log_progress(args, "querying with the cold-start bridge")
        cold = _measure(engine, eval_items, post_of, args.captions_per_image)
        cold["text_index"] = text_index_shape(engine)
        languages = _languages(engine, args.queries, eval_items, post_of, args.captions_per_image)
        learned, heads = None, None
        if train_items or args.heads:
            heads = learned_heads(engine, args)
            if heads is not None and heads.projector is not None:
                log_progress(args, "querying with the learned heads")
                learned = _measure(engine, eval_items, post_of, args.captions_per_image)
                learned["text_index"] = text_index_shape(engine)
                languages = _languages(engine, args.queries, eval_items, post_of, args.captions_per_image)
    result = {
        "task": "text2image", "images": len(eval_items), "queries": cold["queries"],
        **{k: v for k, v in (learned or cold).items() if k != "queries"},
        "bridge": "learned heads" if learned else (
            "knn-caption projector + ImageNet class bridge" if projector else "ImageNet class bridge only"),
        "cold_start": {k: v for k, v in cold.items() if k != "queries"},
        **({"languages": languages} if languages else {}),
        "chance_R@10": round(100 * 10 / len(eval_items), 2),
        "build_s": round(build_s, 1),
        **heads_report(heads),
        "settings": {"data": args.data, "split": args.split or "dev", "train_split": args.train_split,
                     "image_model": args.image_model, "text_model": args.text_model, "threads": args.threads},
    }
    emit(result, args)
    return result



def _languages(engine, files: list[str], eval_items, post_of, captions_per_image: int) -> dict:
    """Per query file: its language's recall, and English's on the same photos (their captions)."""
    out = {}
    for file in files:
        rows = read_queries(file, eval_items)
        if not rows:
            raise SystemExit(f"{file}: none of its photos is in the evaluated split")
        lang = rows[0][1] or Path(file).stem
        photos = list({str(item.path): item for _, _, item in rows}.values())
        queries = [(text, item) for text, _, item in rows]
        out[lang] = {"file": file, **_measure(engine, eval_items, post_of, 1, queries=queries, language=lang),
                     "english_same_photos": _measure(engine, photos, post_of, captions_per_image,
                                                     among=len(eval_items))}
        out[lang]["R@10_vs_english"] = round(out[lang]["R@10"] / max(out[lang]["english_same_photos"]["R@10"], 1e-9), 3)
    return out


def _measure(engine, eval_items, post_of, captions_per_image: int, queries=None, language: str | None = None,
             among: int | None = None) -> dict:
    """Rank of each query's photo among all eval photos (`among` of them): queries are the items'
    captions, or the given (text, item) pairs, asked with the user's `language` as a hint."""
    n = among or len(eval_items)
    queries = queries or [(c, item) for item in eval_items for c in item.captions[:captions_per_image]]
    ranks, top10 = [], []
    for text, item in queries:
        target = post_of[str(item.path)]
        # k = every eval photo, for the median rank (latency with k = 5: `bench speed`); copies of one
        # photo are not collapsed here (1 pair among Flickr8k's 1,000 dev photos), it would cost k^2
        ids = [pid for pid, _ in engine.find_scored(text, EVAL_SCOPE, k=n, include_public=False,
                                                    one_per_photo=False, language=language)]
        ranks.append(ids.index(target) + 1 if target in ids else n)
        # and as the bot asks (k = 10: the indexes' own candidates; with k = n every photo is one)
        ids = [pid for pid, _ in engine.find_scored(text, EVAL_SCOPE, k=10, include_public=False,
                                                    one_per_photo=False, language=language)]
        top10.append(ids.index(target) + 1 if target in ids else n)
    r, t = np.array(ranks), np.array(top10)
    return {"queries": len(r), "R@1": round(100 * float(np.mean(r <= 1)), 2),
            "R@5": round(100 * float(np.mean(r <= 5)), 2), "R@10": round(100 * float(np.mean(r <= 10)), 2),
            "median_rank": float(np.median(r)),
            "asked_10": {"R@1": round(100 * float(np.mean(t <= 1)), 2), "R@10": round(100 * float(np.mean(t <= 10)), 2)}}
