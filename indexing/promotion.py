"""The promotion rule: is a candidate's set of heads worse than the serving one on the held-out posts?

Both are scored on the held-out tenth (indexing/holdout.py), which no training path here fits on,
minus the photos the serving heads record having been trained on (heads trained with `models
train --data` on files the deployment later ingested), so neither is scored on answers it
memorised. Scores are kept per held-out post (the share of its
captions that find it at rank 1 / within 5, the share of its hashtags in the top 5), so the two
are compared post by post: a candidate is refused on a metric when its mean paired difference is
below -max(PROMOTION_TOLERANCE, NOISE_STANDARD_ERRORS standard errors). On a few dozen held-out
posts one caption moves a metric by more than half a point, so a fixed tolerance alone refuses an
equally good candidate whenever chance puts it one caption behind; the standard-error term
shrinks as the held-out posts grow, down to the fixed tolerance.
"""
from __future__ import annotations

import numpy as np

from models.heads.training_utils import NO_PHOTOS, seen_by

PROMOTION_TOLERANCE = 0.5  # points a candidate may always trail by
NOISE_STANDARD_ERRORS = 2.0  # ... or by this many standard errors of the paired difference
MIN_CAPTIONED = 10  # fewer captioned held-out posts: the projection is not compared


def not_seen_by(engine, heads: list, ids: list[int]) -> list[int]:
    """The posts (of these ids) whose photo none of the heads records having been trained on."""
    seen = np.concatenate([NO_PHOTOS, *(h.seen for h in heads if h is not None)])
    posts = [p for p in engine.store.get_posts(ids) if p is not None]
    return [p.id for p, was_seen in zip(posts, seen_by(seen, [p.sha256 for p in posts])) if not was_seen]


def evaluate_heads(engine, projector, hashtag_head, ids: list[int]) -> dict[str, np.ndarray]:
    """Per held-out post and metric, a score in [0, 1]: captions → photos R@1 / R@5 (the post's
    captions querying all held-out photos), hashtags R@5. Posts a metric does not apply to are left out."""
    out: dict[str, np.ndarray] = {}
    data = engine.training_data(ids=ids)
    kept = [i for i, c in enumerate(data.captions) if len(c)]
    if projector is not None and len(kept) >= MIN_CAPTIONED:
        photos = engine.project_stored([data.post_ids[i] for i in kept], data.features[kept], projector)
        texts = projector.adapt_text(np.concatenate([data.captions[i] for i in kept]))
        owner = np.concatenate([np.full(len(data.captions[i]), j) for j, i in enumerate(kept)])
        sims = texts @ photos.T
        ranks = 1 + (sims > sims[np.arange(len(owner)), owner][:, None]).sum(axis=1)
        per_post = np.bincount(owner, minlength=len(kept))
        for k in (1, 5):
            out[f"text2image_R@{k}"] = np.bincount(owner, weights=ranks <= k, minlength=len(kept)) / per_post
    tagged = [i for i, t in enumerate(data.tags) if t]
    if hashtag_head is not None and tagged:
        top = np.argsort(-hashtag_head.predict(data.features[tagged]), axis=1)[:, :5]
        out["hashtags_R@5"] = np.array([len({hashtag_head.tags[j] for j in row} & set(data.tags[i]))
                                        / len(set(data.tags[i])) for row, i in zip(top, tagged)])
    elif tagged:
        out["hashtags_R@5"] = np.zeros(len(tagged))  # no head: what a candidate head must beat
    return out


def percent(scores: dict[str, np.ndarray]) -> dict[str, float]:
    return {k: round(100 * float(v.mean()), 2) for k, v in scores.items()}


def compare(candidate: dict[str, np.ndarray], current: dict[str, np.ndarray]) -> dict[str, dict]:
    """Per metric both have: the candidate's mean paired difference, the margin it may trail by, worse or not."""
    out = {}
    for key in candidate.keys() & current.keys():
        diff = 100 * (candidate[key] - current[key])
        noise = NOISE_STANDARD_ERRORS * diff.std(ddof=1) / np.sqrt(len(diff)) if len(diff) > 1 else 0.0
        margin = max(PROMOTION_TOLERANCE, float(noise))
        out[key] = {"difference": round(float(diff.mean()), 2), "margin": round(margin, 2),
                    "worse": bool(diff.mean() < -margin)}
    return dict(sorted(out.items()))
