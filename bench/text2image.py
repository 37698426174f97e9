"""Text -> image retrieval, Flickr8k protocol: each caption of an eval image queries all eval images.

The train split is stored as captioned public posts (what a running bot would have collected);
the eval split's photos are stored without captions in a chat scope, and every query runs
through `SearchEngine.find` restricted to that scope, so the numbers are the bot's numbers.
Measured twice: with the cold-start bridge, then with the learned heads trained on the stored
train posts (their stored features: nothing is embedded again), or loaded with --heads.
"""
from __future__ import annotations

import time

import numpy as np

from bench.common import (add_heads_args, bench_engine, emit, file_sha256, heads_report, learned_heads, load_items,
                          log_progress)
from indexing.ingest import ingest
from indexing.sources import SourceItem

EVAL_SCOPE = "chat:-100"


def add_args(p) -> None:
    p.add_argument("--train-split", default="train", help="split stored as captioned posts ('none': cold start with no captions at all)")
    p.add_argument("--captions-per-image", type=int, default=5)
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
        learned, heads = None, None
        if train_items or args.heads:
            heads = learned_heads(engine, args)
            if heads is not None and heads.projector is not None:
                log_progress(args, "querying with the learned heads")
                learned = _measure(engine, eval_items, post_of, args.captions_per_image)
    result = {
        "task": "text2image", "images": len(eval_items), "queries": cold["queries"],
        **{k: v for k, v in (learned or cold).items() if k != "queries"},
        "bridge": "learned heads" if learned else (
            "knn-caption projector + ImageNet class bridge" if projector else "ImageNet class bridge only"),
        "cold_start": {k: v for k, v in cold.items() if k != "queries"},
        "chance_R@10": round(100 * 10 / len(eval_items), 2),
        "build_s": round(build_s, 1),
        **heads_report(heads),
        "settings": {"data": args.data, "split": args.split or "dev", "train_split": args.train_split,
                     "image_model": args.image_model, "text_model": args.text_model, "threads": args.threads},
    }
    emit(result, args)
    return result



def _measure(engine, eval_items, post_of, captions_per_image: int) -> dict:
    n = len(eval_items)
    ranks = []
    for item in eval_items:
        target = post_of[str(item.path)]
        for caption in item.captions[:captions_per_image]:
            # k = every eval photo, for the median rank (latency with k = 5: `bench speed`); copies of one
            # photo are not collapsed here (1 pair among Flickr8k's 1,000 dev photos), it would cost k^2
            ids = [pid for pid, _ in engine.find_scored(caption, EVAL_SCOPE, k=n, include_public=False,
                                                        one_per_photo=False)]
            ranks.append(ids.index(target) + 1 if target in ids else n)
    r = np.array(ranks)
    return {"queries": len(r), "R@1": round(100 * float(np.mean(r <= 1)), 2),
            "R@5": round(100 * float(np.mean(r <= 5)), 2), "R@10": round(100 * float(np.mean(r <= 10)), 2),
            "median_rank": float(np.median(r))}
