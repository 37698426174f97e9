"""The video re-post rule's comparison of keyframes, its thresholds, and the benchmark's clip making."""

import numpy as np
import pytest
from PIL import Image, ImageDraw

from bench.videoclips import REPOSTS, Shot, decode, make_clip, repost, watermark
from indexing.search.repostvideo import (KeyframeMatch, VideoThresholds, _longest_non_decreasing, compare_keyframes,
                                         decide_video)
from models.video import read_keyframes


def _frames(n: int, seed: int, d: int = 64) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, d)).astype(np.float32)


def test_the_same_frames_slightly_moved_match_fully_and_in_order():
    a = _frames(8, 1)
    noisy = a + 0.1 * _frames(8, 2)
    m = compare_keyframes(a, noisy, 0.85)
    assert m.similarity > 0.95 and m.matched == 1.0 and m.in_order == 1.0
    assert VideoThresholds().matches(m)


def test_the_same_frames_in_another_order_match_but_out_of_order():
    a = _frames(8, 1)
    reordered = np.concatenate([a[4:], a[:4]])
    m = compare_keyframes(a, reordered, 0.85)
    assert m.similarity > 0.99 and m.matched == 1.0 and m.in_order == 0.5
    assert not VideoThresholds().matches(m)


def test_a_clip_sharing_a_few_frames_matches_only_in_part():
    a, b = _frames(8, 1), _frames(8, 3)
    shared = np.concatenate([a[:3], b[3:]])
    m = compare_keyframes(a, shared, 0.85)
    assert m.matched == 3 / 8 and m.similarity < 0.6
    assert not VideoThresholds().matches(m)
    assert compare_keyframes(a, np.zeros((0, 64)), 0.85) == KeyframeMatch(0.0, 0.0, 0.0)


def test_longest_non_decreasing_run():
    assert _longest_non_decreasing([0, 1, 1, 2, 5, 3, 4]) == 6
    assert _longest_non_decreasing([4, 5, 6, 7, 0, 1, 2, 3]) == 4
    assert _longest_non_decreasing([]) == 0


def test_sensitivity_moves_the_video_thresholds_like_the_photo_ones():
    normal = VideoThresholds()
    low, high = normal.scaled("low"), normal.scaled("high")
    assert low.min_similarity > normal.min_similarity > high.min_similarity
    assert low.min_matched >= normal.min_matched >= high.min_matched
    borderline = KeyframeMatch(normal.min_similarity, normal.min_matched, 1.0)
    assert normal.matches(borderline) and high.matches(borderline) and not low.matches(borderline)


def test_decide_video_takes_the_closest_passing_candidate():
    th = VideoThresholds()
    cands = [(1, KeyframeMatch(0.95, 1.0, 0.5), 10), (2, KeyframeMatch(0.93, 1.0, 1.0), 12),
             (3, KeyframeMatch(0.97, 0.25, 1.0), 3)]
    assert decide_video(cands, th) == 2
    assert decide_video(cands[:1], th) is None


def _photo(colour, seed: int) -> Image.Image:
    rng = np.random.default_rng(seed)
    im = Image.fromarray((rng.random((24, 32, 3)) * 255).astype(np.uint8)).resize((320, 240), Image.BICUBIC)
    ImageDraw.Draw(im).ellipse((100, 60, 220, 180), fill=colour)
    return im


@pytest.fixture(scope="module")
def clip() -> bytes:
    return make_clip([Shot(_photo((255, 0, 0), 1), 2.0), Shot(_photo((0, 0, 255), 2), 2.0)], fps=10, size=(192, 108))


def test_a_clip_is_its_shots_one_after_the_other(clip):
    frames, fps = decode(clip)
    assert len(frames) == 40 and fps == 10 and frames[0].size == (192, 108)
    first, last = np.asarray(frames[5]).astype(int), np.asarray(frames[35]).astype(int)
    assert first[54, 96, 0] > first[54, 96, 2] and last[54, 96, 2] > last[54, 96, 0]  # red shot, then blue


@pytest.mark.parametrize("how", REPOSTS)
def test_each_repost_is_a_decodable_edit_of_the_clip(clip, how):
    data = repost(clip, how, trim_s=1.0)
    assert data != clip
    keyframes = read_keyframes(data)
    assert len(keyframes.frames) == 8
    if how in ("trim_start", "trim_end"):
        assert 2.8 <= keyframes.duration_s <= 3.2
    else:
        assert 3.7 <= keyframes.duration_s <= 4.3
    if how == "resize":
        assert (keyframes.width, keyframes.height) == (96, 54)
    if how == "gif":
        assert data[:6] == b"GIF89a" and keyframes.width == 240
    if how == "trim_start":  # the first shot's second half and the whole second one are left
        assert np.asarray(keyframes.frames[-1]).astype(int)[54, 96, 2] > 100


def test_a_watermark_marks_a_corner_and_leaves_the_middle():
    frame = _photo((0, 255, 0), 4)
    marked = np.asarray(watermark(frame)).astype(int)
    original = np.asarray(frame).astype(int)
    assert np.abs(marked[:40, -40:] - original[:40, -40:]).mean() > 20
    assert (marked[120, 160] == original[120, 160]).all()


def test_the_benchmark_calibrates_on_one_half_and_scores_the_other():
    from bench.dedup_videos import _calibrate, _score, _sweep

    rows = []
    for i in range(12):
        half = "AB"[i % 2]
        original = _frames(8, 100 + i)
        other = _frames(8, 200 + i)
        near = [(i, original), (1000 + i, other)]
        rows.append({"half": half, "kind": "reencode", "label": "positive", "expected": i,
                     "keyframes": original + 0.15 * _frames(8, 300 + i), "near": near})
        rows.append({"half": half, "kind": "reorder", "label": "negative", "expected": None,
                     "keyframes": np.concatenate([original[4:], original[:4]]), "near": near})
        rows.append({"half": half, "kind": "other_camera_move", "label": "ambiguous", "expected": None,
                     "keyframes": original[::-1].copy(), "near": near})
    fc, s, m, o = _calibrate(_sweep(rows, "A"), 0.995)
    th = VideoThresholds(min_similarity=s, frame_cosine=fc, min_matched=m, min_in_order=o)
    held = _score(rows, "B", th)
    assert held["precision"] == 1.0 and held["recall"] == 1.0 and held["positives"] == 6
    assert held["flagged_by_distractor"] == {"reorder": "0/6", "other_camera_move": "0/6"}
    assert o > 0.5  # only the order tells the reordered clips apart
