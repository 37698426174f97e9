"""Hashtags for a photo, HARRISON protocol: P@1, R@5, A@5 beside the popularity baseline.

Training posts (photo + tags, + captions when the data has them) are stored as public posts;
each held-out photo is then asked for hashtags through `SearchEngine.hashtags` without being
stored. Tags: photographer tags where the data has them (food), else the content words of
the captions (Flickr8k, stop words removed).
"""
from __future__ import annotations

import hashlib
import time
from collections import Counter

import numpy as np

from bench.common import (add_heads_args, bench_engine, emit, heads_report, image_index_shape, learned_heads, load_items,
                          log_progress)
from indexing.ingest import ingest
from models.tags import post_hashtags


def add_args(p) -> None:
    p.add_argument("--train-split", default=None, help="split to store (default: train, or 3/4 of the items by hash)")
    p.add_argument("--k", type=int, default=5)
    add_heads_args(p)


def item_tags(item) -> list[str]:
    """What a stored post trains on: its hashtags, else its caption's content words."""
    return post_hashtags(item.tags, item.captions, words_as_tags=True)


def truth_tags(item, tagged_data: bool) -> set[str]:
    """What a held-out photo is scored against. In a data set with photographer tags (food) only
    those count: an untagged photo there has no truth (its title's words are not its tags)."""
    return set(post_hashtags(item.tags, []) if tagged_data else item_tags(item))


def held_out(item) -> bool:
    """A stable quarter of the items, chosen by a hash of the image name."""
    return hashlib.sha1(item.path.name.encode()).digest()[0] < 64


def train_test(args, items) -> tuple[list, list, str]:
    """(train items, test items, the protocol in words): the data's splits, else a hashed quarter held out."""
    if any(i.split for i in items):
        train = [i for i in items if i.split == (args.train_split or "train")]
        test = [i for i in items if i.split == (args.split or "dev")]
        return train, test, f"train on {args.train_split or 'train'}, test on {args.split or 'dev'}"
    return ([i for i in items if not held_out(i)], [i for i in items if held_out(i)],
            "hold out 1/4 by a hash of the image name")


def run(args) -> dict:
    train, test, protocol = train_test(args, load_items(args))
    tagged_data = any(i.tags for i in train)
    for item in train:
        item.tags = item_tags(item)
    truth = [(i, truth_tags(i, tagged_data)) for i in test]
    truth = [(i, t) for i, t in truth if t]  # photos with no tags cannot be scored
    if args.limit:
        train, truth = train[: args.limit * 3], truth[: args.limit]
    popular = [t for t, _ in Counter(t for i in train for t in i.tags).most_common(args.k)]
    with bench_engine(args) as engine:
        t0 = time.perf_counter()
        log_progress(args, "storing %d tagged training posts", len(train))
        ingest(engine, train, scope="public", refit=False)
        engine.refit_projector()
        build_s = time.perf_counter() - t0
        log_progress(args, "asking for hashtags (cold start)")
        cold, latencies = _predict(engine, truth, args.k)
        heads = learned_heads(engine, args)
        image_index = image_index_shape(engine)
        learned = None
        if heads is not None:
            log_progress(args, "asking for hashtags (learned heads)")
            learned, latencies = _predict(engine, truth, args.k)
    truths = [t for _, t in truth]
    model = _metrics(learned or cold, truths, args.k)
    result = {
        "task": "hashtags", "image_index": image_index, "protocol": protocol, "train_posts": len(train), "test_photos": len(truth),
        "vocabulary": len({t for i in train for t in i.tags}),
        "sources": "learned head + similar posts + zero-shot" if learned else "similar posts + zero-shot",
        **model,
        "cold_start": _metrics(cold, truths, args.k),
        "popularity_baseline": _metrics([popular] * len(truth), truths, args.k), "popular_tags": popular,
        "build_s": round(build_s, 1),
        **heads_report(heads),
        "settings": {"data": args.data, "k": args.k, "image_model": args.image_model, "text_model": args.text_model},
    }
    if latencies:
        result["query_ms_p50"] = round(1000 * float(np.percentile(latencies, 50)), 1)
        result["query_ms_p95"] = round(1000 * float(np.percentile(latencies, 95)), 1)
    emit(result, args)
    return result


def _predict(engine, truth, k: int) -> tuple[list[list[str]], list[float]]:
    predictions, latencies = [], []
    for item, _ in truth:
        q0 = time.perf_counter()
        tags = engine.hashtags(item.path.read_bytes(), "public", k=k, min_score=0.0)
        latencies.append(time.perf_counter() - q0)
        predictions.append([t.tag for t in tags])
    return predictions, latencies


def _metrics(predictions: list[list[str]], truths: list[set[str]], k: int) -> dict:
    p1 = np.mean([bool(p) and p[0] in t for p, t in zip(predictions, truths)])
    rk = np.mean([len(set(p[:k]) & t) / len(t) for p, t in zip(predictions, truths)])
    ak = np.mean([bool(set(p[:k]) & t) for p, t in zip(predictions, truths)])
    return {"P@1": round(100 * float(p1), 2), f"R@{k}": round(100 * float(rk), 2), f"A@{k}": round(100 * float(ak), 2)}
