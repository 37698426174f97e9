"""Train the learned heads from (features, caption vectors, hashtags) and keep them as a versioned bundle.

Where the examples come from (a data set on disk, or the posts stored in Redis) is the
caller's business; this module only trains, summarises and saves. A bundle is a folder:
`projector.npz`, `hashtags.npz` (either may be missing) and `metrics.json`.
"""
from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from models import textspace
from models.heads.hashtags import HashtagHead
from models.heads.projection import ProjectionHead
from models.heads.training_utils import photo_digests
from models.projectors import ProjectorEnsemble, projector_from_bytes
from models.zeroshot import KnnCaptionProjector

log = logging.getLogger(__name__)

PROJECTOR_FILE, HASHTAGS_FILE, METRICS_FILE = "projector.npz", "hashtags.npz", "metrics.json"


@dataclass
class TrainingData:
    features: np.ndarray  # (n, d) image features made by `input_model`
    captions: list[np.ndarray]  # per photo: (k_i, d_text) caption vectors, k_i may be 0
    tags: list[list[str]]  # per photo: normalised hashtags, may be empty
    input_model: str
    text_model: str
    post_ids: list[int] = field(default_factory=list)  # per photo, when it comes from stored posts
    photo_shas: list[str] = field(default_factory=list)  # per photo: sha256 of its file (hex), if known
    # (start, stop) of each encoder's part of a caption vector when the text space is several side by
    # side (MultilingualTextEncoder.spaces): one set of heads per part. Empty: one space.
    text_spaces: tuple[tuple[int, int], ...] = ()

    @property
    def captioned(self) -> int:
        return sum(1 for c in self.captions if len(c))

    @property
    def tagged(self) -> int:
        return sum(1 for t in self.tags if t)


@dataclass
class TrainedHeads:
    projector: ProjectorEnsemble | None = None
    hashtag_head: HashtagHead | None = None
    metrics: dict = field(default_factory=dict)

    def save(self, folder: str | Path) -> Path:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for name, head in ((PROJECTOR_FILE, self.projector), (HASHTAGS_FILE, self.hashtag_head)):
            if head is not None:
                tmp = folder / (name + ".tmp")
                tmp.write_bytes(head.to_bytes())
                tmp.replace(folder / name)
        (folder / METRICS_FILE).write_text(json.dumps(self.metrics, indent=2, sort_keys=True))
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> "TrainedHeads":
        """Raises ValueError when an artifact is damaged, FileNotFoundError when the folder has none."""
        folder = Path(folder)
        out = cls()
        if (folder / PROJECTOR_FILE).exists():
            out.projector = projector_from_bytes((folder / PROJECTOR_FILE).read_bytes())
        if (folder / HASHTAGS_FILE).exists():
            out.hashtag_head = HashtagHead.from_bytes((folder / HASHTAGS_FILE).read_bytes())
        if out.projector is None and out.hashtag_head is None:
            raise FileNotFoundError(f"no trained heads in {folder}")
        if (folder / METRICS_FILE).exists():
            out.metrics = json.loads((folder / METRICS_FILE).read_text())
        return out


def _best(history: list[dict], key: str) -> dict:
    scored = [h for h in history if key in h]
    return max(scored, key=lambda h: h[key]) if scored else (history[-1] if history else {})


# With several text parts (MiniLM beside USE, models/encoders/multilingual.py): two heads on each,
# the English specialist's weighing 0.7 of the heads' share. Chosen on 500 held-out *train* photos
# and tune-fr.jsonl: +1.1 R@1 over even shares for English, French unchanged; two heads a part
# recalled as well as three, for a text index 2,688-d instead of 3,584-d (docs/BENCHMARKS.md).
PART_MEMBERS = 2
PART_SHARES = (0.7, 0.3)


def _captioned_in(captions: list[np.ndarray], part: tuple[int, int] | None) -> int:
    """Photos with a caption that this part of the text space speaks for (not all zero there)."""
    if part is None:
        return sum(1 for c in captions if len(c))
    return sum(1 for c in captions if len(c) and textspace.speaks(c[:, part[0]:part[1]]).any())


def fit_caption_bridge(data: TrainingData) -> KnnCaptionProjector:
    """The cold-start bridge on these photos: whitening from all, the bank from the captioned ones."""
    captioned = [i for i, c in enumerate(data.captions) if len(c)]
    means = np.array([data.captions[i].mean(axis=0) for i in captioned], np.float32)
    return KnnCaptionProjector().fit(data.features, data.features[captioned], means)


def train_heads(data: TrainingData, *, members: int | None = None, knn_weight: float = 0.2, min_captioned: int = 50,
                min_tagged: int = 50, min_tag_count: int = 3, blocklist: Iterable[str] = (),
                progress: Callable[[str, dict], None] | None = None) -> TrainedHeads:
    """Projection ensemble (learned heads + the kNN caption bridge) and hashtag head, as data allows.

    Ensemble members differ by seed, so each holds out a different validation tenth: together
    they see all the data, and their errors differ (+1.3 R@1 over one head on Flickr8k dev). With
    several text parts, `members` (default PART_MEMBERS) heads are trained on each, and the parts
    ensemble as well; with one, `members` default 3.
    """
    out = TrainedHeads(metrics={"input_model": data.input_model, "text_model": data.text_model,
                                "photos": len(data.features), "captioned": data.captioned, "tagged": data.tagged})
    t0 = time.monotonic()
    captioned = [i for i, c in enumerate(data.captions) if len(c)]
    if len(captioned) >= min_captioned:
        heads, weights = [], []
        if data.text_spaces:
            parts = [(p, share) for p, share in zip(data.text_spaces, PART_SHARES)
                     if _captioned_in(data.captions, p) >= min_captioned]
            per_part = members or PART_MEMBERS
            plan = [(part, seed, share / per_part) for part, share in parts for seed in range(per_part)]
        else:
            plan = [(None, seed, 1 / (members or 3)) for seed in range(members or 3)]
        total = sum(w for _, _, w in plan) or 1.0
        for n, (part, seed, weight) in enumerate(plan):
            head = ProjectionHead(seed=seed, input_model=data.input_model, text_model=data.text_model,
                                  text_slice=part)
            head.fit(data.features, data.captions,
                     progress=(lambda r, n=n: progress(f"projection {n + 1}/{len(plan)}", r)) if progress else None)
            heads.append(head)
            weights.append((1 - knn_weight) * weight / total)
            out.metrics[f"projection_{n}"] = _best(head.history, "R@1")
        knn = fit_caption_bridge(data)
        out.projector = ProjectorEnsemble([*heads, knn], weights + [knn_weight],
                                          input_model=data.input_model, seen=photo_digests(data.photo_shas))
    else:
        log.info("projection head not trained: %d captioned photos (need %d)", len(captioned), min_captioned)
    if data.tagged >= min_tagged:
        try:
            head = HashtagHead(min_count=min_tag_count, input_model=data.input_model, blocklist=blocklist)
            head.fit(data.features, data.tags, progress=(lambda r: progress("hashtags", r)) if progress else None)
            head.seen = photo_digests(data.photo_shas)
            out.hashtag_head = head
            out.metrics["hashtags"] = {**_best(head.history, "val_R@5"), "vocabulary": len(head.tags)}
        except ValueError as exc:
            log.info("hashtag head not trained: %s", exc)
    else:
        log.info("hashtag head not trained: %d tagged photos (need %d)", data.tagged, min_tagged)
    out.metrics["train_s"] = round(time.monotonic() - t0, 1)
    return out
