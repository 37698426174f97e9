"""/map quality and speed: cluster purity, ARI and NMI against the data's labels, beside k-means.

The photos are stored as public posts (with their own tags and captions), then mapped exactly as
`/map` maps a chat: `indexing.maps.PhotoMaps` (first map: layout + drawing; then the cached one).
The clusters it draws are scored against labels the map never sees:
  food      `curated_tags` (the curators' tags, not the photographers' tags the map labels with)
  flickr8k  content words of the five captions
Purity: per cluster, the share of members carrying its most common label (multi-label). ARI and
NMI need one label per photo: the rarest of the 20 most common labels that are on less than a
quarter of the photos (too common a label says nothing about a group); photos with none are left
out. Density clustering leaves photos out of every cluster (`coverage`); k-means is measured on the
same clustered photos with as many clusters, on all photos, and with one cluster per label.
"""
from __future__ import annotations

import io
import json
import time
from collections import Counter
from pathlib import Path

import numpy as np
from PIL import Image

from bench.common import bench_engine, emit, load_items, log_progress
from indexing.ingest import ingest
from indexing.scopes import PUBLIC
from models.tags import post_hashtags

LABEL_CLASSES = 20
MAX_CLASS_SHARE = 0.25


def add_args(p) -> None:
    p.add_argument("--max-photos", type=int, default=2000, help="the map's cap (photos drawn)")
    p.add_argument("--out", default=None, help="also write the map here (PNG or JPEG)")


def eval_labels(args, items) -> tuple[list[set[str]], str]:
    """Per item, the labels clusters are judged by (see the module docstring), and where they come from."""
    manifest = Path(args.data) / "annotations.jsonl"
    curated: dict[Path, list[str]] = {}
    if manifest.is_file():
        for line in manifest.read_text(encoding="utf-8").splitlines():
            row = json.loads(line) if line.strip() else {}
            if row.get("curated_tags"):
                curated[(manifest.parent / row["image"]).resolve()] = row["curated_tags"]
    if curated:
        return [set(curated.get(i.path.resolve(), [])) for i in items], "curated_tags"
    return [set(post_hashtags([], i.captions, words_as_tags=True)) for i in items], "caption content words"


def single_labels(labels: list[set[str]]) -> np.ndarray:
    n = len(labels)
    df = Counter(t for ls in labels for t in ls)
    classes = [t for t, c in df.most_common() if c < MAX_CLASS_SHARE * n][:LABEL_CLASSES]
    return np.array([min((t for t in ls if t in classes), key=lambda t: (df[t], t), default="") for ls in labels])


def purity(assigned: np.ndarray, labels: list[set[str]], idx: np.ndarray) -> float:
    total = 0
    for c in np.unique(assigned[idx]):
        members = [labels[i] for i in idx if assigned[i] == c]
        counts = Counter(t for ls in members for t in ls)
        total += counts.most_common(1)[0][1] if counts else 0
    return total / max(len(idx), 1)


def scores(assigned: np.ndarray, labels: list[set[str]], single: np.ndarray, idx: np.ndarray) -> dict:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    scored = idx[single[idx] != ""]
    return {"clusters": int(len(np.unique(assigned[idx]))), "photos": int(len(idx)),
            "purity": round(purity(assigned, labels, idx), 4),
            "ARI": round(float(adjusted_rand_score(single[scored], assigned[scored])), 4),
            "NMI": round(float(normalized_mutual_info_score(single[scored], assigned[scored])), 4)}


def kmeans(x: np.ndarray, k: int, seed: int = 0) -> np.ndarray:
    from sklearn.cluster import KMeans

    return KMeans(min(max(k, 2), len(x)), n_init=4, random_state=seed).fit_predict(x)


def run(args) -> dict:
    from sklearn.manifold import trustworthiness

    from indexing import maprender
    from indexing.maps import PhotoMaps
    from indexing.photomap import find_clusters, layout_2d, reduce

    items = load_items(args, args.split)[: args.limit or None]
    item_labels, label_source = eval_labels(args, items)
    labels_by_path = dict(zip([i.path for i in items], item_labels))
    with bench_engine(args) as engine:
        log_progress(args, "storing %d photos", len(items))
        ingest(engine, items, scope=PUBLIC, refit=False)
        ids = engine.scope_ids(PUBLIC)
        paths = {p.id: Path(p.source) for p in engine.store.get_posts(ids)}
        labels = [labels_by_path.get(paths[i], set()) for i in ids]
        maps = PhotoMaps(engine, max_photos=args.max_photos)
        log_progress(args, "first /map of %d photos", len(ids))
        t0 = time.perf_counter()
        photo_map = maps.draw(maps.get(PUBLIC))
        first_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = PhotoMaps(engine, max_photos=args.max_photos)  # a fresh process's view: Redis only
        cached = again.draw(again.get(PUBLIC))
        cached_s = time.perf_counter() - t0
        assert cached.cached
        if args.out:
            image = maprender.render(photo_map.layout, maps.thumbnails(photo_map.layout.ids), maps.cell,
                                     photo_map.title)
            maprender.save(image, args.out)
        # The clusters of all the photos, as build_layout computes them (same seed).
        reduced = reduce(engine.image_vectors(ids), seed=len(ids))
        ours = find_clusters(reduced)
    single = single_labels(labels)
    everyone = np.arange(len(ids))
    clustered = np.flatnonzero(ours >= 0)
    k = max(1, int(ours.max()) + 1) if len(clustered) else 1
    same_points = np.full(len(ids), -1)
    if len(clustered) > k:
        same_points[clustered] = kmeans(reduced[clustered], k)
    layout = photo_map.layout
    drawn = [ids.index(pid) for pid in layout.ids]
    xy = layout_2d(reduced[drawn], seed=len(ids))  # before the grid snap, to see what snapping costs
    neighbours = max(1, min(10, (len(drawn) - 1) // 2))  # trustworthiness at 10 neighbours (fewer when tiny)
    with Image.open(io.BytesIO(photo_map.document)) as im:
        pixels = list(im.size)
    result = {
        "task": "clusters", "photos": len(ids), "drawn": len(layout.ids), "label_source": label_source,
        "labelled_for_ARI": int((single != "").sum()),
        "ours_hdbscan": {**scores(ours, labels, single, clustered), "coverage": round(len(clustered) / len(ids), 4)},
        "kmeans_same_photos_same_k": scores(same_points, labels, single, clustered) if len(clustered) > k else None,
        "kmeans_all_photos_same_k": scores(kmeans(reduced, k), labels, single, everyone),
        f"kmeans_all_photos_k{LABEL_CLASSES}": scores(kmeans(reduced, LABEL_CLASSES), labels, single, everyone),
        "layout_trustworthiness_tsne": round(float(trustworthiness(reduced[drawn], xy, n_neighbors=neighbours)), 4),
        "layout_trustworthiness_grid": round(float(trustworthiness(
            reduced[drawn], np.array(layout.cells, np.float32), n_neighbors=neighbours)), 4),
        "first_map_s": round(first_s, 2), "layout_s": layout.seconds, "cached_map_s": round(cached_s, 3),
        "map_pixels": pixels,
        "photo_kb": round(len(photo_map.photo) / 1024), "document_kb": round(len(photo_map.document) / 1024),
        "cluster_tags": [[c.size] + c.tags for c in layout.clusters[:12]],
        "settings": {"data": args.data, "split": args.split, "max_photos": args.max_photos,
                     "image_model": args.image_model},
    }
    emit(result, args)
    return result
