"""The promotion rule's comparison: paired per-post scores, refused only beyond noise."""
import numpy as np

from indexing.promotion import PROMOTION_TOLERANCE, compare, percent


def test_one_caption_behind_on_a_small_yardstick_is_noise_not_worse():
    rng = np.random.default_rng(0)
    current = (rng.random(36) < 0.85).astype(float)
    candidate = current.copy()
    candidate[np.flatnonzero(current)[:3]] = 0  # three posts lost ...
    candidate[np.flatnonzero(current == 0)[:2]] = 1  # ... two others won: one behind in all
    result = compare({"R@5": candidate}, {"R@5": current})["R@5"]
    assert result["difference"] < -PROMOTION_TOLERANCE and not result["worse"]


def test_a_clearly_worse_candidate_is_refused_and_metrics_are_compared_only_when_both_have_them():
    rng = np.random.default_rng(1)
    current = (rng.random(40) < 0.8).astype(float)
    candidate = (rng.random(40) < 0.25).astype(float)
    result = compare({"R@5": candidate, "tags": np.ones(40)}, {"R@5": current})
    assert list(result) == ["R@5"] and result["R@5"]["worse"]
    assert percent({"R@5": current}) == {"R@5": round(100 * current.mean(), 2)}


def test_the_margin_shrinks_to_the_fixed_tolerance_as_the_held_out_posts_grow():
    rng = np.random.default_rng(2)
    margins = []
    for n in (30, 300, 3000, 300_000):
        current = (rng.random(n) < 0.5).astype(float)
        candidate = current.copy()
        candidate[::10] = 1 - candidate[::10]  # differs on a tenth of the posts, either way
        margins.append(compare({"m": candidate}, {"m": current})["m"]["margin"])
    assert margins == sorted(margins, reverse=True) and margins[-1] == PROMOTION_TOLERANCE
