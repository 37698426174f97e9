"""The video part of the re-post rule: which stored videos a new video, GIF or video note copies.

A video is only ever a re-post of a video, an animation or a video note (any of the three: Telegram
turns a GIF into a silent MP4 animation, and a re-post may come as either), never of a photo. Two
steps, both within the chat's scope:

- an exact re-send is known at once: the same Telegram file (`file_unique_id`, indexed by the store
  per scope) or the same bytes (sha256; posts stored before the file index existed have only this);
- otherwise the nearest posts of the video's mean keyframe features in the image index are the
  candidates, and each stored video among them is compared frame by frame (its "keyframes" vectors):
  every frame's best counterpart in the other video, both ways. `similarity` is the mean of those
  best cosines (the lesser of the two directions), `matched` the share of frames whose best
  counterpart is closer than `frame_cosine` (the lesser direction), `in_order` the share of matched
  frames whose counterparts keep the time order (a longest non-decreasing run).
  Re-encoding, resizing, a watermark and a GIF palette move each frame's features a little; trimming
  a second or two moves the evenly spread frames along the clip, and the best counterpart is then a
  neighbouring frame of the same shot; none of these reorders the frames. The same photos cut into
  another order, or a clip sharing one shot with the original, match frame by frame in part, or out
  of order: another edit, not a re-post (docs/DESIGN-NOTES.md, "Videos: keyframes and the video
  re-post rule"; the thresholds come from `python -m bench dedup --videos`).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from indexing.post import VIDEO_MEDIA, Post
from indexing.search.catalogue import Catalogue
from indexing.search.types import VideoVectors
from indexing.search.views import Serving
from indexing.store import PostStore
from models.phash import hamming

CANDIDATES = 48  # nearest posts of the mean (photos among them are dropped): stored videos to compare
EXACT = 1.0  # the similarity an exact re-send (same file or bytes) is recorded with

Candidate = tuple[int, float, int]  # (post id, keyframe similarity, middle frames' pHash distance): as photos


@dataclass(frozen=True)
class KeyframeMatch:
    similarity: float  # mean best-counterpart cosine, the lesser direction
    matched: float  # share of frames with a counterpart at least `frame_cosine` close, the lesser direction
    in_order: float  # share of one video's matched frames whose counterparts keep the time order


@dataclass(frozen=True)
class VideoThresholds:
    """A video re-posts another when their keyframes match this well (KeyframeMatch), for the default
    image model's features. Calibrated by `python -m bench dedup --videos` on half A of the food clips
    (the middle of the thresholds that keep every re-post and flag no distractor there) and reported
    on half B and on flickr8k_fullres (docs/BENCHMARKS.md). Re-posts measured similarity 0.845-0.995,
    matched >= 0.75, in_order >= 0.875; the same shots in another order match as closely but out of
    order (in_order <= 0.75), a clip sharing one shot matches half its frames or fewer."""

    min_similarity: float = 0.76
    frame_cosine: float = 0.80
    min_matched: float = 0.625  # 5 of 8 frames
    min_in_order: float = 0.875  # 7 of 8 (one frame may land on a neighbour across a cut)

    def scaled(self, sensitivity: str) -> "VideoThresholds":
        """As photos: `normal` = the calibrated defaults, `low` flags only near-identical copies, `high`
        also looser edits."""
        if sensitivity == "low":
            return replace(self, min_similarity=round(min(0.98, self.min_similarity + 0.04), 2),
                           min_matched=min(1.0, self.min_matched + 0.125))
        if sensitivity == "high":
            return replace(self, min_similarity=round(max(0.5, self.min_similarity - 0.04), 2),
                           min_matched=max(0.25, self.min_matched - 0.125))
        return self

    def matches(self, m: KeyframeMatch) -> bool:
        return m.similarity >= self.min_similarity and m.matched >= self.min_matched and m.in_order >= self.min_in_order


def _normalised(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, np.float32)
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def _longest_non_decreasing(seq: list[int]) -> int:
    tails: list[int] = []
    for x in seq:
        lo, hi = 0, len(tails)
        while lo < hi:  # the first tail greater than x
            mid = (lo + hi) // 2
            if tails[mid] <= x:
                lo = mid + 1
            else:
                hi = mid
        if lo == len(tails):
            tails.append(x)
        else:
            tails[lo] = x
    return len(tails)


def _order(best: np.ndarray, matched: np.ndarray) -> float:
    picks = best[matched].tolist()
    return _longest_non_decreasing(picks) / len(picks) if picks else 0.0


def compare_keyframes(a: np.ndarray, b: np.ndarray, frame_cosine: float) -> KeyframeMatch:
    """How well two videos' keyframes (rows, in time order) match (see the module's doc). A still
    (one frame) against a video: its one frame decides one direction, the video's frames the other."""
    if len(a) == 0 or len(b) == 0:
        return KeyframeMatch(0.0, 0.0, 0.0)
    sims = _normalised(a) @ _normalised(b).T
    best_ab, best_ba = sims.max(axis=1), sims.max(axis=0)
    hit_ab, hit_ba = best_ab >= frame_cosine, best_ba >= frame_cosine
    order = min(_order(sims.argmax(axis=1), hit_ab), _order(sims.argmax(axis=0), hit_ba))
    return KeyframeMatch(round(float(min(best_ab.mean(), best_ba.mean())), 4),
                         float(min(hit_ab.mean(), hit_ba.mean())), order)


def decide_video(candidates: list[tuple[int, KeyframeMatch, int]], th: VideoThresholds) -> int | None:
    """The closest candidate that passes the thresholds, or None (the rule and the benchmark)."""
    return next((pid for pid, m, _ in sorted(candidates, key=lambda c: -c[1].similarity) if th.matches(m)), None)


class RepostVideo:
    def __init__(self, store: PostStore, catalogue: Catalogue, serving: Serving, image_model: str,
                 thresholds: VideoThresholds = VideoThresholds()) -> None:
        self.store = store
        self.catalogue = catalogue
        self.serving = serving
        self.image_model = image_model
        self.thresholds = thresholds

    def exact(self, vec: VideoVectors, scope: str, file_unique_id: str | None) -> list[int]:
        """Stored posts of the scope that are this very file (Telegram's id) or these very bytes."""
        found = self.store.posts_by_file(scope, file_unique_id) if file_unique_id else []
        return list(dict.fromkeys(found + (self.store.posts_by_sha(scope, vec.sha256) if vec.sha256 else [])))

    def candidates(self, vec: VideoVectors, scope: str, file_unique_id: str | None = None,
                   k: int = CANDIDATES) -> list[tuple[int, KeyframeMatch, int]]:
        """(post id, how its keyframes match, middle frames' pHash distance) of the scope's stored videos
        this one may re-post: exact re-sends first (matching fully), then the compared ones, closest first."""
        exact = [pid for pid, _ in self._videos(self.exact(vec, scope, file_unique_id))]
        compared = [(pid, compare_keyframes(vec.keyframes, frames, self.thresholds.frame_cosine), ham)
                    for pid, frames, ham in self.stored_near(vec, scope, set(exact), k)]
        return ([(pid, KeyframeMatch(EXACT, 1.0, 1.0), 0) for pid in exact]
                + sorted(compared, key=lambda c: -c[1].similarity))

    def stored_near(self, vec: VideoVectors, scope: str, skip: set[int] = frozenset(),
                    k: int = CANDIDATES) -> list[tuple[int, np.ndarray, int]]:
        """(post id, its keyframes, middle frames' pHash distance) of the stored videos among the `k` posts
        of the scope nearest the video's mean features (the benchmark compares them under other thresholds)."""
        visible = self.catalogue.visible(scope, include_public=False)
        near = [pid for pid, _ in self.serving.view.image.search(vec.features, k, visible) if pid not in skip]
        videos = self._videos(near)
        if not videos:
            return []
        dim = vec.features.shape[0]
        stored = self.store.get_vectors("keyframes", self.image_model, [pid for pid, _ in videos], dim)
        found = []
        for (pid, post), frames in zip(videos, stored):
            if frames is not None:
                ham = min(hamming(vec.phash, np.array([post.phash], np.uint64))[0],
                          hamming(vec.phash_mirror, np.array([post.phash], np.uint64))[0])
                found.append((pid, frames.reshape(-1, dim), int(ham)))
        return found

    def matches(self, vec: VideoVectors, scope: str, sensitivity: str = "normal",
                file_unique_id: str | None = None) -> list[Candidate]:
        """The stored videos this one re-posts under the chat's sensitivity, closest first, as the photo
        rule's candidates (the keyframe similarity standing for the cosine)."""
        thresholds = self.thresholds.scaled(sensitivity)
        return [(pid, m.similarity, ham) for pid, m, ham in self.candidates(vec, scope, file_unique_id)
                if thresholds.matches(m)]

    def _videos(self, ids: list[int]) -> list[tuple[int, Post]]:
        return [(pid, post) for pid, post in zip(ids, self.store.get_posts(ids))
                if post is not None and post.media in VIDEO_MEDIA]
