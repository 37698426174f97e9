"""Hashtags for a caption alone (no photo): P@1, R@5, A@5 beside the popularity baseline.

Training posts (photo, captions, tags) are stored as public posts, as in `hashtags`. Each
held-out post is then asked for hashtags from one caption only, through
`SearchEngine.text_hashtags`: on `food` the title, against the photographer's tags; on
`flickr8k` the first caption, against the content words of the *other* captions (so the words
typed cannot simply be echoed back). Latency is what the bot does for a text: hashtags + the
matching photos (`text_hashtags` + `find`), engine only.
"""
from __future__ import annotations

import time
from collections import Counter

import numpy as np

from bench.common import add_heads_args, bench_engine, emit, heads_report, learned_heads, load_items, log_progress
from bench.hashtags import _metrics, item_tags, train_test, truth_tags
from indexing.ingest import ingest
from models.tags import post_hashtags


def add_args(p) -> None:
    p.add_argument("--train-split", default=None, help="split to store (default: train, or 3/4 of the items by hash)")
    p.add_argument("--k", type=int, default=5)
    add_heads_args(p)


def query_and_truth(item, tagged_data: bool) -> tuple[str, set[str]] | None:
    """(the caption typed, the hashtags it should get), or None when the item cannot be scored.
    With photographer tags (food) the title is the caption and only tagged photos are scored;
    else one caption is typed and the other captions' content words are the truth."""
    if not item.captions:
        return None
    if tagged_data:
        truth = truth_tags(item, tagged_data)
    else:
        truth = set(post_hashtags([], item.captions[1:], words_as_tags=True))
    return (item.captions[0], truth) if truth else None


def run(args) -> dict:
    train, test, protocol = train_test(args, load_items(args))
    tagged_data = any(i.tags for i in train)
    cases = [c for c in (query_and_truth(i, tagged_data) for i in test) if c is not None]
    for item in train:
        item.tags = item_tags(item)
    if args.limit:
        train, cases = train[: args.limit * 3], cases[: args.limit]
    popular = [t for t, _ in Counter(t for i in train for t in i.tags).most_common(args.k)]
    with bench_engine(args) as engine:
        log_progress(args, "storing %d tagged training posts", len(train))
        ingest(engine, train, scope="public", refit=False)
        engine.refit_projector()
        log_progress(args, "asking for hashtags from captions (cold start)")
        cold, latencies = _predict(engine, cases, args.k)
        heads = learned_heads(engine, args)
        learned = None
        if heads is not None:
            log_progress(args, "asking for hashtags from captions (learned heads)")
            learned, latencies = _predict(engine, cases, args.k)
    truths = [t for _, t in cases]
    model = _metrics(learned or cold, truths, args.k)
    baseline = _metrics([popular] * len(cases), truths, args.k)
    result = {
        "task": "text2tags", "protocol": protocol, "train_posts": len(train), "test_captions": len(cases),
        **model, "cold_start": _metrics(cold, truths, args.k), "popularity_baseline": baseline,
        "R@k_over_popularity": round(model[f"R@{args.k}"] / max(baseline[f"R@{args.k}"], 1e-9), 2),
        "popular_tags": popular, **heads_report(heads),
        "text_to_reply_ms_p50": round(1000 * float(np.percentile(latencies, 50)), 1),
        "text_to_reply_ms_p95": round(1000 * float(np.percentile(latencies, 95)), 1),
        "settings": {"data": args.data, "k": args.k, "image_model": args.image_model, "text_model": args.text_model},
    }
    emit(result, args)
    return result


def _predict(engine, cases, k: int) -> tuple[list[list[str]], list[float]]:
    predictions, latencies = [], []
    for caption, _ in cases:
        q0 = time.perf_counter()
        tags = engine.text_hashtags(caption, "public", k=k, min_score=0.0)
        engine.find(caption, "public", k=4)  # the photos the bot sends with them
        latencies.append(time.perf_counter() - q0)
        predictions.append([t.tag for t in tags])
    return predictions, latencies
