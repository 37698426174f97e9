"""Similar photos, the bot's answer to a photo: are the neighbours it shows relevant (labels: similar_truth.py)?

Every photo of the data set is stored in one chat's scope (byte-identical files are one photo), then
each is sent again as the bot gets it: its bytes embedded and `SearchEngine.similar` asked with the
bot's k (BotConfig.similar_k) and the shipped relevance floor. The engine never answers with the query
photo or a copy of it, and shows one post per photo. Measured three ways, on the same photos:

  answer        what the bot shows: k results at most, none under the floor; a query whose answer the
                floor emptied says "nothing fits yet" (counted, not scored as a miss: it is not padding)
  ranking       the same call with k = 10 and the floor lifted: the order the bot ranks by (mAP@10)
  raw_features  exact cosine kNN over the stored image features, no floor, no policy (only the query
                itself left out): what the index and the answer's policy add or lose

Scores are over the queries with at least one relevant photo in the set; the others are counted.
"""
from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from bench.common import bench_engine, emit, file_sha256, image_index_shape, latency_ms, load_items, log_progress
from bench.ranking_metrics import average_precision, mean_percent, precision_at
from bench.similar_truth import caption_categories, curated_tags, relevance_matrix, rules_for
from bot.config import BotConfig
from indexing.ingest import ingest
from indexing.relevance import Relevance

SCOPE = "chat:-100"
RANKING_K = 10
EMBED_BATCH = 32


def add_args(p) -> None:
    p.add_argument("--labels", choices=("auto", "curated_tags", "captions"), default="auto",
                   help="what relevance is judged on (auto: curated_tags where the data set has them)")
    p.add_argument("--k", type=int, default=BotConfig().similar_k, help="results the answer shows (the bot's)")


def run(args) -> dict:
    items = load_items(args, args.split)
    if args.limit:
        items = items[: args.limit]
    items, merged = _one_per_file(items)
    load_before = os.getloadavg()[0]  # what else ran: the timings (not the scores) depend on it
    kind, labels = _labels(args, items)
    with bench_engine(args) as engine:
        t0 = time.perf_counter()
        log_progress(args, "storing %d photos", len(items))
        report = ingest(engine, items, scope=SCOPE, refit=False)
        build_s = time.perf_counter() - t0
        post_ids = [engine.store.find_by_sha(SCOPE, file_sha256(i.path)) for i in items]
        kept = [n for n, pid in enumerate(post_ids) if pid is not None]  # unreadable files were skipped
        items, labels, post_ids = [items[n] for n in kept], [labels[n] for n in kept], [post_ids[n] for n in kept]
        floor = engine.relevance.floors_for(engine.post_count(SCOPE)).similar
        log_progress(args, "embedding %d query photos", len(items))
        t0 = time.perf_counter()  # in batches: the bot's one-at-a-time vectors up to float rounding, faster
        vectors = [v for s in range(0, len(items), EMBED_BATCH)
                   for v in engine.embed_photos([i.path.read_bytes() for i in items[s:s + EMBED_BATCH]])]
        embed_s = time.perf_counter() - t0
        log_progress(args, "asking for similar photos (k=%d, floor %.2f)", args.k, floor)
        answers, seconds = [], []
        for vec in vectors:
            q0 = time.perf_counter()
            answers.append(engine.similar(vec, SCOPE, args.k))
            seconds.append(time.perf_counter() - q0)
        engine.relevance = without_similar_floor(engine.relevance)
        rankings = [engine.similar(vec, SCOPE, RANKING_K) for vec in vectors]
        features = np.vstack(engine.store.get_vectors("image", engine.image_model, post_ids, engine.image_encoder.dim))
        image_index = image_index_shape(engine)
    index_of = {pid: n for n, pid in enumerate(post_ids)}
    shown = [[index_of[h.post.id] for h in a] for a in answers]
    ranked = [[index_of[h.post.id] for h in r] for r in rankings]
    raw = exact_neighbours(features, RANKING_K)
    result = {
        "task": "similar", "photos": len(items), "labels": kind, "k": args.k, "floor": floor, "image_index": image_index,
        "nothing_fits": sum(not a for a in answers),
        "byte_identical_merged": merged, "skipped": len(report.skipped),
        "similar_ms": latency_ms(seconds, (50, 95)),
    }
    for name, (words, rule) in rules_for(kind, labels).items():
        relevant = relevance_matrix(labels, rule)
        result[name] = {"rule": words, **score(relevant, shown, ranked, raw, args.k)}
    result["mAP@10"] = result["shared"]["ranking"]["mAP@10"]
    result["raw_mAP@10"] = result["shared"]["raw_features"]["mAP@10"]
    result.update({
        "build_s": round(build_s, 1), "embed_photos_per_s": round(len(items) / max(embed_s, 1e-9), 1),
        "settings": {"data": args.data, "split": args.split, "image_model": args.image_model,
                     "text_model": args.text_model, "image_threads": args.image_threads, "runtime": args.runtime,
                     "load_average_1m": [round(load_before, 2), round(os.getloadavg()[0], 2)]},
    })
    emit(result, args)
    return result


def score(relevant: np.ndarray, shown: list[list[int]], ranked: list[list[int]], raw: list[list[int]],
          k: int) -> dict:
    """The three measurements under one relevance matrix (query row, candidate column)."""
    queries = [q for q in range(len(relevant)) if relevant[q].any()]

    def flags(lists: list[list[int]], q: int) -> list[bool]:
        return [bool(relevant[q, j]) for j in lists[q]]

    answered = [q for q in queries if shown[q]]
    out = {"queries": len(queries), "no_relevant": len(relevant) - len(queries),
           "chance": mean_percent([relevant[q].sum() / (len(relevant) - 1) for q in queries])}
    out["answer"] = {"answered": len(answered), "nothing_fits": len(queries) - len(answered),
                     "P@1": mean_percent([precision_at(flags(shown, q), 1) for q in answered]),
                     f"P@{k}": mean_percent([precision_at(flags(shown, q), k) for q in answered]),
                     "shown_per_answer": round(float(np.mean([len(shown[q]) for q in answered])), 2)
                     if answered else 0.0}
    for name, lists in (("ranking", ranked), ("raw_features", raw)):
        out[name] = {"P@1": mean_percent([precision_at(flags(lists, q), 1) for q in queries]),
                     f"P@{k}": mean_percent([precision_at(flags(lists, q), k) for q in queries]),
                     "mAP@10": mean_percent([average_precision(flags(lists, q), int(relevant[q].sum()), RANKING_K)
                                             for q in queries])}
    return out


def exact_neighbours(features: np.ndarray, k: int) -> list[list[int]]:
    """Each row's k nearest other rows by cosine (features L2-normalised), best first."""
    sims = features @ features.T
    np.fill_diagonal(sims, -np.inf)
    order = np.argsort(-sims, axis=1, kind="stable")[:, :k]
    return order.tolist()


def without_similar_floor(relevance: Relevance) -> Relevance:
    """The same relevance with the similar-photos floor lifted (every ranked neighbour shown)."""
    return replace(relevance, floors=replace(relevance.floors, similar=-1.0),
                   size_floors=tuple(f for f in relevance.size_floors if f[0] != "similar"))


def _one_per_file(items: list) -> tuple[list, int]:
    """The items with byte-identical files merged (the store keeps one post for them), and how many went."""
    seen, out = set(), []
    for item in items:
        sha = file_sha256(item.path)
        if sha not in seen:
            seen.add(sha)
            out.append(item)
    return out, len(items) - len(out)


def _labels(args, items: list) -> tuple[str, list[frozenset]]:
    tags = curated_tags(args.data) if args.labels in ("auto", "curated_tags") else {}
    if tags:
        return "curated_tags", [tags.get(Path(i.path).name, frozenset()) for i in items]
    if args.labels == "curated_tags":
        raise SystemExit(f"{args.data}: no curated_tags in its annotations.jsonl")
    return "captions", [caption_categories(i.captions) for i in items]
