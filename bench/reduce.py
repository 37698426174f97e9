"""Smaller vectors: which reductions of the image features and the text space keep the answers (issue 18).

numpy over cached features (models/features.py; nothing is re-embedded but the re-post edits):
- Image features (the default 2,560-d): PCA fitted on the store's own photos (one split) and
  measured on another, the classifier-SVD basis (top right-singular vectors of each CNN's ImageNet
  classifier matrix: data-free, from the packaged weights), a seeded random projection. For each:
  neighbour agreement (recall@10 of the full features' exact top 10) on Flickr8k dev and food, and
  whether re-posts (bench/dedup.py's edits) still stand apart from the nearest other photo.
- Text space (with `--heads`, a trained bundle): PCA per language part of the projected photo
  vectors + adapted caption vectors (bench/reduce_text.py).
- The float16 side matrices as int8 (one scale per vector): exact search recall@10.
`--data` is Flickr8k (train and dev splits), `--food` the food set, `--reposts` how many food
photos get the edits.
"""
from __future__ import annotations

import functools
import glob
import hashlib
import random
from pathlib import Path

import numpy as np

from bench.common import SEED, emit, load_items, log_progress

DIMS = (128, 256, 384, 512)


def add_args(p) -> None:
    p.add_argument("--food", default=None, help="the food data set folder")
    p.add_argument("--dims", default=",".join(map(str, DIMS)))
    p.add_argument("--features-dir", default="data/models",
                   help="where the feature cache is (<dir>/features/<image model>.npz)")
    p.add_argument("--reposts", type=int, default=150, help="food photos whose re-post edits are embedded (0: none)")
    p.add_argument("--heads", default=None, help="a trained heads folder (python -m models train): the text space")


# -- reductions --------------------------------------------------------------------------------
def unit(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, np.float32)
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-12)


class Linear:
    """x -> unit((x - mean) @ basis): what an index of the reduced vectors would hold."""

    def __init__(self, basis: np.ndarray, mean: np.ndarray | None = None) -> None:
        self.basis, self.mean = basis.astype(np.float32), mean

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return unit((x - self.mean if self.mean is not None else x) @ self.basis)


_SVD: dict[bytes, tuple[np.ndarray, np.ndarray]] = {}  # one decomposition per fitted set, sliced per dimension


def pca(fit_on: np.ndarray, dim: int, centred: bool = True) -> Linear:
    """Centred: cosines of the reduced vectors are taken around the store's mean photo (a different
    geometry from the full features', even at full rank); uncentred: the subspace that keeps the
    full features' dot products best."""
    key = hashlib.sha1(np.ascontiguousarray(fit_on).tobytes() + bytes([centred])).digest()
    if key not in _SVD:
        mean = fit_on.mean(axis=0) if centred else np.zeros(fit_on.shape[1], np.float32)
        _SVD[key] = mean, np.linalg.svd(fit_on - mean, full_matrices=False)[2]
    mean, vt = _SVD[key]
    return Linear(vt[:dim].T, mean if centred else None)


@functools.cache
def classifier_bases(image_model: str, model_dir: str) -> tuple[np.ndarray, ...]:
    """Right-singular vectors of each CNN's ImageNet classifier (1,000 x its features), largest first."""
    import onnx
    from onnx import numpy_helper

    bases = []
    for name in (p for p in image_model.split("+") if p != "mirror"):
        path = sorted(glob.glob(f"{model_dir}/{name}-*.onnx"))[-1]
        weights = next(numpy_helper.to_array(t) for t in onnx.load(path).graph.initializer
                       if len(t.dims) == 2 and t.dims[0] == 1000)
        bases.append(np.linalg.svd(weights, full_matrices=False)[2])
    return tuple(bases)


def classifier_svd(dim: int, args) -> Linear:
    """Block-diagonal: each CNN's part of the features onto the top right-singular vectors of its
    classifier, the dimensions shared equally."""
    bases = classifier_bases(args.image_model, args.model_cache)
    each = dim // len(bases)
    widths = [vt.shape[1] for vt in bases]
    basis = np.zeros((sum(widths), each * len(bases)), np.float32)
    for i, vt in enumerate(bases):
        basis[sum(widths[:i]):sum(widths[:i + 1]), i * each:(i + 1) * each] = vt[:each].T
    return Linear(basis)


def random_projection(dim: int, in_dim: int = 2560, seed: int = 0) -> Linear:
    q, _ = np.linalg.qr(np.random.default_rng(seed).normal(size=(in_dim, dim)))
    return Linear(q)


def int8_rows(x: np.ndarray) -> np.ndarray:
    """Symmetric int8 with one float scale per row, as a side matrix would keep it, read back."""
    scale = np.abs(x).max(axis=1, keepdims=True) / 127.0
    return (np.round(x / np.maximum(scale, 1e-12)).astype(np.int8) * scale).astype(np.float32)


# -- measures ----------------------------------------------------------------------------------
def top_k(vectors: np.ndarray, k: int = 10) -> np.ndarray:
    sims = vectors @ vectors.T
    np.fill_diagonal(sims, -np.inf)
    return np.argsort(-sims, axis=1)[:, :k]


def agreement(full: np.ndarray, reduced: np.ndarray, k: int = 10, rescored: int = 0,
              rescore_with: np.ndarray | None = None) -> float:
    """recall@k of the full vectors' exact top k (each photo against the others) among the reduced top k;
    with `rescored`, the reduced top `rescored` reordered by the full vectors (read back from Redis),
    or by `rescore_with` (the full vectors as Redis would keep them)."""
    k = min(k, len(full) - 1)  # a small set: every other photo
    a = top_k(full, k)
    b = top_k(reduced, min(rescored, len(full) - 1) or k)
    if rescored:
        by = full if rescore_with is None else rescore_with
        b = np.array([row[np.argsort(-(by[row] @ by[i]))[:k]] for i, row in enumerate(b)])
    return round(float(np.mean([len(set(x) & set(y)) / k for x, y in zip(a, b)])), 4)


def label_precision(vectors: np.ndarray, labels: list[set[str]], k: int = 10) -> float:
    """Share of each photo's k nearest others sharing one of its labels (a proxy of `bench similar`)."""
    top = top_k(vectors, k)
    return round(float(np.mean([[bool(labels[i] & labels[j]) for j in row] for i, row in enumerate(top)])), 4)


def food_labels(items, folder: str, max_share: float = 0.1) -> list[set[str]]:
    """Each food photo's curated tags, without those on more than `max_share` of the photos."""
    import json
    from collections import Counter

    rows = [json.loads(line) for line in (Path(folder) / "annotations.jsonl").read_text().splitlines() if line]
    by_image = {Path(r["image"]).name: set(r.get("curated_tags", [])) for r in rows}
    labels = [by_image.get(Path(i.path).name, set()) for i in items]
    counts = Counter(t for ls in labels for t in ls)
    return [{t for t in ls if counts[t] <= max_share * len(labels)} for ls in labels]


def repost_separation(originals: np.ndarray, variants: np.ndarray, owner: np.ndarray, names: list[str],
                      others: np.ndarray) -> dict:
    """Edits of photos against their original and against the nearest other photo.

    found: share of edits whose nearest stored photo is their original; at_threshold: share above
    the threshold no other-photo pair reaches (the cosine-only rule keeping precision 100 % here)."""
    pool = np.concatenate([originals, others])
    sims = variants @ pool.T
    own = sims[np.arange(len(variants)), owner]
    sims_other = sims.copy()
    sims_other[np.arange(len(variants)), owner] = -np.inf
    nearest_other = sims_other.max(axis=1)
    threshold = float(nearest_other.max())
    out = {"found": round(float(np.mean(own > nearest_other)), 4),
           "at_threshold": round(float(np.mean(own > threshold)), 4), "threshold": round(threshold, 4),
           "own_cos_p5": round(float(np.percentile(own, 5)), 4)}
    by_edit = {}
    for name in sorted(set(names)):
        rows = [i for i, n in enumerate(names) if n == name]
        by_edit[name] = round(float(np.mean(own[rows] > threshold)), 3)
    out["at_threshold_by_edit"] = by_edit
    return out


# -- data --------------------------------------------------------------------------------------
def features_of(items, args) -> np.ndarray:
    from models.features import file_features
    from models.registry import get_image_encoder

    encoder = get_image_encoder(args.image_model, cache_dir=args.model_cache, runtime=args.runtime)
    feats, _ = file_features([i.path for i in items], encoder, args.features_dir)
    return unit(feats)


def repost_features(items, args) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Features of bench/dedup.py's edits of the given photos: (features, original's row, edit name)."""
    from PIL import Image

    from bench.dedup import repost_variants
    from models.embedding import PhotoEmbedder
    from models.registry import get_image_encoder

    safe = args.image_model.replace("/", "_").replace(":", "_")
    cache = Path(args.features_dir) / "features" / f"reposts-{len(items)}-{safe}.npz"  # the edits are deterministic
    if cache.exists():
        with np.load(cache) as data:
            return data["x"], data["owner"], data["names"].tolist()
    encoder = get_image_encoder(args.image_model, cache_dir=args.model_cache, runtime=args.runtime)
    datas, owner, names = [], [], []
    for row, item in enumerate(items):
        with Image.open(item.path) as im:
            for name, data in repost_variants(im.convert("RGB")).items():
                datas.append(data)
                owner.append(row)
                names.append(name)
    embedder = PhotoEmbedder(encoder, thumbnail_side=0)
    feats = unit(np.array([e.features for e in embedder.embed(datas)], np.float32))
    np.savez(cache, x=feats, owner=np.array(owner), names=np.array(names))
    return feats, np.array(owner), names


# -- the study ---------------------------------------------------------------------------------
def image_study(args, dims: list[int]) -> dict:
    rng = random.Random(SEED)
    f8k = load_items(args)
    train = [i for i in f8k if i.split == "train"]
    dev = [i for i in f8k if i.split == "dev"]
    log_progress(args, "features: %d train, %d dev", len(train), len(dev))
    x_train, x_dev = features_of(train, args), features_of(dev, args)
    sets = {"flickr8k dev": x_dev}
    food = None
    if args.food:
        food_items = load_items(argparse_like(args.food))
        rng.shuffle(food_items)
        food = features_of(food_items, args)
        half = len(food) // 2
        sets["food (half B)"] = food[half:]
    results, precision, rescored = {}, {}, {}
    if food is not None:
        labels = food_labels(food_items[half:], args.food)
        precision["full"] = label_precision(sets["food (half B)"], labels)
    for dim in dims:
        # PCA on the store's own photos: Flickr8k train for dev, food's other half for food; and
        # food through Flickr8k's PCA (a basis fitted on another collection).
        methods = {"pca (store's own photos)": {"flickr8k dev": pca(x_train, dim)},
                   "pca uncentred (store's own photos)": {"flickr8k dev": pca(x_train, dim, centred=False)},
                   "pca fitted on flickr8k train": {},
                   "classifier svd (data-free)": {}, "random projection (seed 0)": {}}
        if food is not None:
            methods["pca (store's own photos)"]["food (half B)"] = pca(food[:half], dim)
            methods["pca uncentred (store's own photos)"]["food (half B)"] = pca(food[:half], dim, centred=False)
            methods["pca fitted on flickr8k train"]["food (half B)"] = pca(x_train, dim)
        svd, rp = classifier_svd(dim, args), random_projection(dim, x_train.shape[1])
        for name in sets:
            methods["classifier svd (data-free)"][name] = svd
            methods["random projection (seed 0)"][name] = rp
        for method, per_set in methods.items():
            row = results.setdefault(method, {})
            for name, reduce in per_set.items():
                row.setdefault(name, {})[dim] = agreement(sets[name], reduce(sets[name]))
                rescored.setdefault(method, {}).setdefault(name, {})[dim] = agreement(
                    sets[name], reduce(sets[name]), rescored=40)
                if method.startswith("pca uncentred"):  # the candidate: rescored by int8 features from Redis
                    rescored.setdefault(method + ", rescored by int8", {}).setdefault(name, {})[dim] = agreement(
                        sets[name], reduce(sets[name]), rescored=40, rescore_with=int8_rows(sets[name]))
                if name.startswith("food"):
                    precision.setdefault(method, {})[dim] = label_precision(reduce(sets[name]), labels)
    int8 = {name: {"float16": agreement(x, x.astype(np.float16).astype(np.float32)),
                   "int8 per-row scale": agreement(x, int8_rows(x))} for name, x in sets.items()}
    out = {"neighbour_agreement_recall@10": results, "top40_rescored_by_full_features_recall@10": rescored,
           "side_matrix_exact_search_recall@10": int8,
           "food_label_precision@10": precision}
    if args.reposts and food is not None:
        out["reposts"] = repost_study(args, food_items, food, x_dev, dims, x_train)
    return out


def repost_study(args, food_items, food, x_dev, dims, x_train) -> dict:
    """Re-posts of food photos among all food photos and Flickr8k dev: full vs reduced features."""
    n = min(args.reposts, len(food_items))
    log_progress(args, "embedding the re-post edits of %d photos", n)
    variants, owner, names = repost_features(food_items[:n], args)
    others = np.concatenate([food[n:], x_dev])
    out = {"photos": n, "edits": len(variants), "full": repost_separation(food[:n], variants, owner, names, others)}
    for dim in dims:
        for method, reduce in (("pca", pca(food[n:], dim)), ("pca uncentred", pca(food[n:], dim, centred=False)),
                               ("pca flickr8k train", pca(x_train, dim)),
                               ("classifier svd", classifier_svd(dim, args)),
                               ("random", random_projection(dim, x_train.shape[1]))):
            out[f"{method} {dim}"] = repost_separation(reduce(food[:n]), reduce(variants), owner, names,
                                                       reduce(others))
    out["int8 side matrix"] = repost_separation(int8_rows(food[:n]), int8_rows(variants), owner, names,
                                                int8_rows(others))
    return out


class argparse_like:
    """load_items reads only .data: the food folder as an args object."""

    def __init__(self, data: str) -> None:
        self.data = data


def run(args) -> dict:
    dims = [int(d) for d in args.dims.split(",")]
    result = {"task": "reduce", "image": image_study(args, dims)}
    if args.heads:
        from bench.reduce_text import text_study

        result["text_space"] = text_study(args, dims)
    emit(result, args)
    return result

