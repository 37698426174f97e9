"""The math of /map on made-up vectors: clusters, per-cluster sampling, the grid, tiny collections."""
from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from indexing import photomap as pm


def blobs(sizes, dim=256, spread=0.15, seed=0):
    """Groups of vectors around random centres (like photos of a few subjects), plus their group numbers."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(len(sizes), dim))
    x = np.concatenate([c + spread * np.sqrt(dim) * rng.normal(size=(n, dim)) / np.sqrt(dim) * 3
                        for c, n in zip(centres, sizes)])
    return x.astype(np.float32), np.repeat(np.arange(len(sizes)), sizes)


def test_clusters_are_found_without_tuning_and_numbered_biggest_first():
    x, truth = blobs([60, 40, 25])
    labels = pm.find_clusters(pm.reduce(x))
    assert adjusted_rand_score(truth, labels) > 0.9
    sizes = [int((labels == c).sum()) for c in range(labels.max() + 1)]
    assert sizes == sorted(sizes, reverse=True)


def test_noise_stays_out_of_clusters():
    rng = np.random.default_rng(1)
    x, _ = blobs([40])
    scattered = rng.normal(size=(40, x.shape[1])).astype(np.float32) * 5
    labels = pm.find_clusters(pm.reduce(np.concatenate([x, scattered])))
    group = np.bincount(labels[:40][labels[:40] >= 0]).argmax()
    assert (labels[:40] == group).mean() > 0.8  # the group is found...
    assert (labels[40:] != group).mean() > 0.9  # ...and the scattered photos are not forced into it


@pytest.mark.parametrize("n", [0, 1, 2, 3, 5, 11, 12, 40])
def test_tiny_collections_get_a_layout(n):
    x, _ = blobs([n]) if n else (np.zeros((0, 8), np.float32), None)
    layout = pm.build_layout(list(range(100, 100 + n)), x, [["a"]] * n, cap=50)
    assert sorted(layout.ids) == list(range(100, 100 + n)) and layout.total == n
    assert len(set(layout.cells)) == n  # every photo its own cell
    assert all(0 <= c < layout.columns and 0 <= r < layout.rows for c, r in layout.cells)
    if n:
        assert layout.columns * layout.rows >= n


def test_grid_cells_are_distinct_and_keep_neighbours_near():
    rng = np.random.default_rng(2)
    xy = np.concatenate([rng.normal(size=(700, 2)), rng.normal(size=(300, 2)) + [12, 0]])
    cells, columns, rows = pm.snap_to_grid(xy)
    assert len(set(cells)) == len(cells) == 1000
    assert columns * rows >= 1000 and columns * rows <= 1.3 * 1000
    c = np.array(cells, float)
    assert c[:700, 0].mean() + 5 < c[700:, 0].mean()  # the right-hand group stays on the right
    assert np.corrcoef(xy[:, 1], c[:, 1])[0, 1] > 0.8  # and up stays up


def test_sampling_keeps_every_cluster_in_proportion():
    labels = np.array([0] * 900 + [1] * 90 + [2] * 9 + [-1] * 1)
    picked = pm.sample_per_cluster(labels, cap=100, seed=3)
    assert len(picked) == 100 and len(set(picked.tolist())) == 100
    counts = {g: int((labels[picked] == g).sum()) for g in (0, 1, 2, -1)}
    assert 88 <= counts[0] <= 90 and 8 <= counts[1] <= 10 and counts[2] >= 1 and counts[-1] >= 1
    assert len(pm.sample_per_cluster(labels[:50], cap=100)) == 50  # under the cap: everything


def test_telling_tags_prefer_what_sets_a_group_apart():
    everyone = ["food"]
    members = [everyone + ["pizza", "cheese"]] * 8 + [everyone + ["pizza"]] * 2
    share = {"food": 1.0, "pizza": 0.1, "cheese": 0.08, "rare": 0.001}
    tags = pm.telling_tags(members + [["rare"]], share)
    assert tags[:2] == ["pizza", "cheese"] and "rare" not in tags  # one photo's tag does not label a group
    assert "food" not in tags[:2]


def test_layout_round_trips_through_json():
    import json

    x, _ = blobs([30, 20])
    layout = pm.build_layout(list(range(50)), x, [["t"]] * 50)
    again = pm.MapLayout.from_dict(json.loads(json.dumps(layout.to_dict())))
    assert again == layout


def test_cluster_sizes_of_a_sample_are_scaled_to_the_whole():
    x, _ = blobs([60, 40])
    layout = pm.build_layout(list(range(100)), x, [["t"]] * 100, total=1000)
    assert layout.total == 1000
    assert 900 <= sum(c.size for c in layout.clusters) + layout.unclustered <= 1100


def test_more_groups_than_photos_to_draw_takes_one_from_each_of_the_biggest():
    labels = np.repeat(np.arange(20), [30 - g for g in range(20)])  # 20 groups, cap of 12
    picked = pm.sample_per_cluster(labels, cap=12, seed=1)
    assert len(picked) == 12 and sorted(set(labels[picked].tolist())) == list(range(12))
