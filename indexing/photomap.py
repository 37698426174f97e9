"""The math of /map: photo vectors -> clusters, a 2-D layout and one grid cell per photo.

Choices measured with `python -m bench clusters` (docs/BENCHMARKS.md, docs/DESIGN-NOTES.md):
  reduce    PCA to 50 dimensions of the L2-normalised photo vectors (2,560 -> 50: t-SNE and HDBSCAN
            are slow and noisy in thousands of dimensions)
  clusters  HDBSCAN on the first 10 of those dimensions, re-normalised (density is meaningless in 50),
            leaf selection, minimum cluster size n / 100 within [5, 25]: nothing tuned per collection.
            Photos in no dense group stay unclustered rather than being forced into one.
  layout    t-SNE (scikit-learn, Barnes-Hut) on the 50 dimensions: higher trustworthiness than UMAP
            (0.974 vs 0.958 on 2,000 Flickr8k photos) and faster (4-6 s vs 6 s + 15 s of JIT).
  grid      every photo gets its own cell, near its layout position (so no thumbnail hides another):
            a balanced split of points and cells, then an exact assignment inside small blocks
            (trustworthiness 0.942 of the cells vs 0.974 of the t-SNE positions, 2,000 photos).
Above a cap, the photos drawn are sampled per cluster (every cluster keeps its share); above
20,000 photos, clusters are found on a uniform sample of 20,000 (50,000 photos: 33 s and 1.8 GB
for everything; the sample keeps a map under ~15 s whatever the chat's size).
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import asdict, dataclass, field

import numpy as np

from models.encoders.base import l2_normalize

LAYOUT_VERSION = 2  # part of every cached map's fingerprint: bump it when layouts change
LAYOUT_DIMS = 50
CLUSTER_DIMS = 10
GRID_FILL = 1.15  # cells per photo: room for the layout's gaps between groups
BLOCK = 192  # points per exact-assignment block (scipy's solver is cubic: 2,000 at once take 6.6 s)


@dataclass
class Cluster:
    number: int  # 1 = the biggest
    size: int  # photos of the mapped set in it (drawn or not)
    tags: list[str]  # what its members are about, most telling first
    sample: int  # post id of the member nearest the cluster's centre


@dataclass
class MapLayout:
    ids: list[int]  # the photos drawn
    cells: list[tuple[int, int]]  # (column, row) of each photo drawn
    columns: int
    rows: int
    cluster_of: list[int]  # cluster number of each photo drawn; 0 = in no cluster
    clusters: list[Cluster] = field(default_factory=list)
    total: int = 0  # photos mapped (before the cap)
    unclustered: int = 0  # of those, how many are in no cluster
    seconds: float = 0.0  # time to compute

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "MapLayout":
        return cls(ids=d["ids"], cells=[tuple(c) for c in d["cells"]], columns=d["columns"], rows=d["rows"],
                   cluster_of=d["cluster_of"], clusters=[Cluster(**c) for c in d["clusters"]],
                   total=d["total"], unclustered=d["unclustered"], seconds=d["seconds"])


def reduce(vectors: np.ndarray, dims: int = LAYOUT_DIMS, seed: int = 0) -> np.ndarray:
    """PCA of the L2-normalised vectors to at most `dims` dimensions (components by variance, first first)."""
    from sklearn.decomposition import PCA

    x = l2_normalize(vectors)
    n_components = min(dims, x.shape[0] - 1, x.shape[1])
    if n_components < 2:
        return x - x.mean(axis=0)
    return PCA(n_components, random_state=seed, svd_solver="auto").fit_transform(x).astype(np.float32)


def min_cluster_size(n: int) -> int:
    """A percent of the photos, between 5 and 25: on 7,091 Flickr8k photos 70 merged themes into 6
    clusters (ARI 0.099, below k-means), 25 gave 7 clusters (ARI 0.153, above it)."""
    return max(5, min(25, n // 100))


def find_clusters(reduced: np.ndarray) -> np.ndarray:
    """Cluster label per photo (0, 1, ... biggest first), -1 for photos in no dense group."""
    from sklearn.cluster import HDBSCAN

    n = len(reduced)
    size = min_cluster_size(n)
    if n <= size:
        return np.full(n, -1)
    x = l2_normalize(reduced[:, :CLUSTER_DIMS])
    labels = HDBSCAN(min_cluster_size=size, cluster_selection_method="leaf", copy=False).fit_predict(x)
    # Renumber by size so cluster 1 is always the biggest.
    order = [label for label, _ in Counter(labels[labels >= 0].tolist()).most_common()]
    renumber = {old: new for new, old in enumerate(order)}
    return np.array([renumber.get(label, -1) for label in labels.tolist()], dtype=int)


def sample_per_cluster(labels: np.ndarray, cap: int, seed: int = 0) -> np.ndarray:
    """At most `cap` indices, each cluster (and the unclustered photos) keeping its share, at least one each."""
    n = len(labels)
    if n <= cap:
        return np.arange(n)
    rng = np.random.default_rng(seed)
    groups = {g: np.flatnonzero(labels == g) for g in np.unique(labels)}
    by_size = sorted(groups, key=lambda g: -len(groups[g]))
    if len(by_size) > cap:  # more groups than photos to draw: one photo from each of the biggest
        by_size = by_size[:cap]
        groups = {g: groups[g] for g in by_size}
    quota = {g: max(1, math.floor(cap * len(groups[g]) / n)) for g in by_size}
    # Hand out what rounding left to the largest groups; take back from them if the minimums overshot.
    i = 0
    while sum(quota.values()) != cap:
        g = by_size[i % len(by_size)]
        if sum(quota.values()) < cap and quota[g] < len(groups[g]):
            quota[g] += 1
        elif sum(quota.values()) > cap and quota[g] > 1:
            quota[g] -= 1
        i += 1
    picked = [rng.choice(groups[g], size=quota[g], replace=False) for g in by_size]
    return np.sort(np.concatenate(picked))


def layout_2d(reduced: np.ndarray, seed: int = 0) -> np.ndarray:
    """2-D positions: t-SNE for real collections, the first two principal components for tiny ones."""
    n = len(reduced)
    if n < 12 or reduced.shape[1] < 2:
        xy = np.zeros((n, 2), np.float32)
        xy[:, :min(2, reduced.shape[1])] = reduced[:, :2]
        return xy
    from sklearn.manifold import TSNE

    perplexity = min(30.0, (n - 1) / 3)
    return TSNE(2, perplexity=perplexity, init="pca", learning_rate="auto", max_iter=750,
                random_state=seed).fit_transform(reduced).astype(np.float32)


def grid_shape(n: int, aspect: float = 1.0, fill: float = GRID_FILL) -> tuple[int, int]:
    """Columns and rows for n photos: about `fill` cells per photo, about the layout's aspect ratio."""
    cells = max(n, math.ceil(n * fill)) if n > 3 else n
    aspect = min(max(aspect, 0.5), 2.0)
    columns = max(1, min(cells, round(math.sqrt(cells * aspect))))
    return columns, math.ceil(cells / columns)


def snap_to_grid(xy: np.ndarray, fill: float = GRID_FILL) -> tuple[list[tuple[int, int]], int, int]:
    """One distinct (column, row) per point, near where the layout put it."""
    n = len(xy)
    if n == 0:
        return [], 0, 0
    span = np.maximum(xy.max(axis=0) - xy.min(axis=0), 1e-9)
    columns, rows = grid_shape(n, float(span[0] / span[1]) if n > 1 else 1.0, fill)
    pos = (xy - xy.min(axis=0)) / span * np.array([columns - 1, rows - 1]) if n > 1 else np.zeros((1, 2))
    cells: list[tuple[int, int]] = [(0, 0)] * n
    _assign(pos, np.arange(n), 0, columns, 0, rows, cells)
    return cells, columns, rows


def _assign(pos: np.ndarray, idx: np.ndarray, c0: int, c1: int, r0: int, r1: int, out: list) -> None:
    """Put the points `idx` into distinct cells of the rectangle [c0, c1) x [r0, r1)."""
    capacity = (c1 - c0) * (r1 - r0)
    if len(idx) <= BLOCK or capacity <= BLOCK:
        from scipy.optimize import linear_sum_assignment

        grid = np.array([(c, r) for r in range(r0, r1) for c in range(c0, c1)], np.float32)
        # The block's points stretched over the whole block: without it they huddle towards the
        # middle of the layout and every block boundary shows as an empty row or column.
        sub = pos[idx]
        low, span = sub.min(axis=0), np.maximum(sub.max(axis=0) - sub.min(axis=0), 1e-9)
        sub = np.array([c0, r0], np.float32) + (sub - low) / span * np.array([c1 - c0 - 1, r1 - r0 - 1])
        cost = ((sub[:, None, :] - grid[None, :, :]) ** 2).sum(axis=2)
        rows, cols = linear_sum_assignment(cost)
        for i, j in zip(rows, cols):
            out[idx[i]] = (int(grid[j, 0]), int(grid[j, 1]))
        return
    # Split the rectangle across its longer side; each half takes points in proportion to its cells,
    # the ones furthest towards it, so the empty cells spread evenly instead of piling up at one edge.
    if c1 - c0 >= r1 - r0:
        mid, axis = (c0 + c1) // 2, 0
        first_capacity = (mid - c0) * (r1 - r0)
    else:
        mid, axis = (r0 + r1) // 2, 1
        first_capacity = (c1 - c0) * (mid - r0)
    k = min(first_capacity, max(len(idx) - (capacity - first_capacity), round(len(idx) * first_capacity / capacity)))
    order = idx[np.argsort(pos[idx, axis], kind="stable")]
    if axis == 0:
        _assign(pos, order[:k], c0, mid, r0, r1, out)
        _assign(pos, order[k:], mid, c1, r0, r1, out)
    else:
        _assign(pos, order[:k], c0, c1, r0, mid, out)
        _assign(pos, order[k:], c0, c1, mid, r1, out)


def telling_tags(member_tags: list[list[str]], tag_share: dict[str, float], top: int = 3) -> list[str]:
    """The tags that set a group apart: carried by at least a fifth of its members (and 2), ranked by how
    much more often than in the whole collection (lift), then by how many carry them."""
    counts = Counter(t for tags in member_tags for t in set(tags))
    floor = max(2, 0.2 * len(member_tags))
    scored = [(c / len(member_tags) / max(tag_share.get(t, 0.0), 1e-9), c, t) for t, c in counts.items() if c >= floor]
    # Lift alone favours a tag carried by 3 of 3 members and nobody else; weigh in support (log count).
    scored.sort(key=lambda s: (-(math.log(s[0] + 1) * math.log(s[1] + 1)), s[2]))
    return [t for _, _, t in scored[:top]]


def medoid(reduced: np.ndarray, members: np.ndarray) -> int:
    """Index (into `reduced`) of the member nearest the members' mean."""
    x = l2_normalize(reduced[members])
    centre = x.mean(axis=0)
    return int(members[int(np.argmax(x @ centre))])


def build_layout(ids: list[int], vectors: np.ndarray, tags: list[list[str]], cap: int = 2000,
                 seed: int = 0, total: int | None = None) -> MapLayout:
    """Clusters of the photos, then the layout of at most `cap` of them (sampled per cluster).
    `total`: the photos these are a uniform sample of (cluster sizes are scaled up to it)."""
    import time

    t0 = time.perf_counter()
    n = len(ids)
    if n == 0:
        return MapLayout(ids=[], cells=[], columns=0, rows=0, cluster_of=[])
    scale = (total or n) / n
    reduced = reduce(vectors, seed=seed)
    labels = find_clusters(reduced)
    keep = sample_per_cluster(labels, cap, seed)
    cells, columns, rows = snap_to_grid(layout_2d(reduced[keep], seed))
    counts = Counter(t for photo_tags in tags for t in set(photo_tags))
    share = {t: c / n for t, c in counts.items()}
    clusters = []
    for c in range(int(labels.max()) + 1):
        members = np.flatnonzero(labels == c)
        clusters.append(Cluster(number=c + 1, size=round(len(members) * scale),
                                tags=telling_tags([tags[i] for i in members], share),
                                sample=int(ids[medoid(reduced, members)])))
    return MapLayout(ids=[int(ids[i]) for i in keep], cells=cells, columns=columns, rows=rows,
                     cluster_of=[int(labels[i]) + 1 for i in keep], clusters=clusters, total=total or n,
                     unclustered=round(int((labels < 0).sum()) * scale), seconds=round(time.perf_counter() - t0, 3))
