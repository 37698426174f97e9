"""The text space reduced (for `bench reduce --heads`): a PCA per language part, fitted per projector release.

The text space is the projector ensemble's members side by side (models/projectors.py). A text's
coverage (models/textspace.py) is which language parts speak for it: a French text is zero on
every column of the English encoder's part. So the reduction is block-diagonal, one PCA per part
(a head belongs to the part its `text_slice` reads; the kNN bridge's columns are the text vector's
own and split the same way), uncentred (it keeps dot products, not variances), with dimensions
shared between the parts by their singular values (the largest first, whichever part). Each
reduced block is scaled back to the norm its full block had, so coverage, and every score
`textspace.scores` derives from it, survive: a zero block stays zero, a unit vector stays unit.
Fitted on the release's training photos (projected) and their captions (adapted); measured on
Flickr8k dev: find's R@1/R@10 (a caption finds its photo among the 1,000), agreement with the full
space's top 10, the score error, captions(photo)'s top 10, and French queries (bench/queries/fr.jsonl).
The basis is the engine's (indexing/reduced.py `fit_block_basis`); here queries are rescaled per block
like the rows, the engine's text index reads their plain coordinates (`bench text2image` measures that).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from bench.common import load_items, log_progress, read_queries
from bench.reduce import features_of, int8_rows
from indexing.reduced import fit_block_basis
from models import textspace
from models.projectors import part_columns, projector_from_bytes


def retrieval(photos: np.ndarray, queries: np.ndarray, owner: np.ndarray) -> dict:
    scores = np.stack([textspace.scores(photos, textspace.as_query(q)) for q in queries])
    own = scores[np.arange(len(queries)), owner]
    rank = (scores > own[:, None]).sum(axis=1)
    return {"R@1": round(100 * float(np.mean(rank < 1)), 2), "R@10": round(100 * float(np.mean(rank < 10)), 2)}, scores


def top10_agreement(full: np.ndarray, reduced: np.ndarray) -> float:
    a, b = np.argsort(-full, axis=1)[:, :10], np.argsort(-reduced, axis=1)[:, :10]
    return round(float(np.mean([len(set(x) & set(y)) / 10 for x, y in zip(a, b)])), 4)


def text_study(args, dims: list[int]) -> dict:
    from models.registry import DEFAULT_TEXT_MODEL, get_text_encoder

    projector = projector_from_bytes((Path(args.heads) / "projector.npz").read_bytes())
    text = get_text_encoder(DEFAULT_TEXT_MODEL, cache_dir=args.model_cache, runtime=args.runtime)
    items = load_items(args)
    train = [i for i in items if i.split == "train"]
    dev = [i for i in items if i.split == "dev"]
    log_progress(args, "text space: projecting %d + %d photos, encoding captions", len(train), len(dev))
    photo_train = projector.project(features_of(train, args), None)
    feats_dev = features_of(dev, args)
    photo_dev = projector.project(feats_dev, None)
    rng = np.random.default_rng(0)
    fit_captions = [i.captions[rng.integers(len(i.captions))] for i in train]  # one caption a photo
    cap_train = projector.adapt_text(text.encode(fit_captions))
    dev_captions = [(c, row) for row, i in enumerate(dev) for c in i.captions]
    raw_dev = text.encode([c for c, _ in dev_captions])
    cap_dev = projector.adapt_text(raw_dev)
    owner = np.array([row for _, row in dev_captions])
    queries_file = Path(__file__).parent / "queries" / "fr.jsonl"
    by_path = {str(i.path): row for row, i in enumerate(dev)}
    french = [(q, by_path[str(item.path)]) for q, _, item in read_queries(queries_file, dev)]
    fr_vecs = projector.adapt_text(text.encode([q for q, _ in french], language="fr")) if french else None
    fr_owner = np.array([row for _, row in french])
    parts = part_columns(projector, text.spaces)
    fit_on = np.concatenate([photo_train, cap_train])

    full, full_scores = retrieval(photo_dev, cap_dev, owner)
    out = {"space_dim": int(photo_dev.shape[1]), "parts": [sum(b - a for a, b in r) for r in parts], "full": full}
    caption_full = photo_dev @ cap_dev.T  # captions(photo): nearest captions of a photo
    fr_full = None
    if fr_vecs is not None:
        out["full"]["french"], fr_full = retrieval(photo_dev, fr_vecs, fr_owner)
        out["french_queries"] = len(french)
    for dim in dims:
        basis = fit_block_basis(fit_on, parts, dim, len(fit_on), "study")  # what the engine fits (indexing/reduced.py)
        reduce = basis.project
        p, c = reduce(photo_dev), reduce(cap_dev)
        found, scores = retrieval(p, c, owner)
        row = {**found, "kept_per_part": list(basis.kept), "find_top10_agreement": top10_agreement(full_scores, scores),
               "score_abs_error_mean": round(float(np.mean(np.abs(scores - full_scores))), 4),
               "captions_top10_agreement": top10_agreement(caption_full, p @ c.T),
               "coverage_max_error": round(float(np.abs(textspace.coverage(c) - textspace.coverage(cap_dev)).max()), 5)}
        if fr_vecs is not None:
            row["french"], fr_scores = retrieval(p, reduce(fr_vecs), fr_owner)
            row["french_top10_agreement"] = top10_agreement(fr_full, fr_scores)
        out[str(dim)] = row
        log_progress(args, "text space %d: %s", dim, row)
    # int8 where float16 is today: the text index's side matrix, and what Redis keeps (the photo's
    # features before the projector, a caption's sentence vector before the adapters).
    found, int8_scores = retrieval(int8_rows(photo_dev), cap_dev, owner)
    out["int8 side matrix (photo vectors)"] = {**found, "find_top10_agreement": top10_agreement(full_scores,
                                                                                                int8_scores)}
    photo_q = projector.project(int8_rows(feats_dev), None)
    cap_q = projector.adapt_text(int8_rows(raw_dev))
    found, q_scores = retrieval(photo_q, cap_q, owner)
    out["int8 in Redis (features and caption vectors)"] = {
        **found, "find_top10_agreement": top10_agreement(full_scores, q_scores),
        "captions_top10_agreement": top10_agreement(caption_full, photo_q @ cap_q.T)}
    return out
