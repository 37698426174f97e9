"""`bench dedup --memes`: the text part of the re-post rule (indexing/search/reposttext.py).

Templates are data set photos. Each is posted once as a meme (bench/ocr_set.py: outlined captions)
and once as a chat screenshot (one app's colours, sometimes with the photo sent in it), and each
stored post is read as the background queue reads it. Then come, against the same index:
- photos that must NOT be flagged: the template with other meme words, with the same top line and
  another bottom line, the blank template, and a screenshot of the same app with other messages;
- re-posts that must be: the meme and the screenshot re-compressed, cropped a few %, resized and
  watermarked, read as the rule reads them (in full: the stored copy has text).
A query is flagged as the bot flags it: the candidates passing the configured image thresholds,
most similar first, the first whose text agrees (`text_agrees`). The text threshold is chosen on
--data (the best recall without a false flag, mid-plateau) and scored on --holdout.
"""
from __future__ import annotations

import io
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from bench.common import bench_engine, emit, load_items, log_progress
from bench.ocr import read_all, reading_pool
from bench.ocr_set import THEMES, chat, font, load_phrases, meme, meme_style
from indexing.search import PhotoInput
from indexing.search.reposttext import agrees_as_read_or_flipped, lines_found, text_agrees
from indexing.sources import detect_and_read
from models.textfold import similarity

TEXT_GRID = tuple(round(float(t), 2) for t in np.arange(0.1, 0.95, 0.05))


@dataclass
class MemeQuery:
    dataset: str
    kind: str  # which negative or which re-post edit
    expected: int | None  # the stored post it re-posts, None when it must not be flagged
    jpeg: bytes
    candidates: list  # image-rule matches: (post id, cosine, hamming)
    read: tuple = ("", "")  # (status, text) as the rule reads it
    flipped: tuple = ()  # (status, text) read flipped back, as the rule reads it when the text differs


def add_memes_args(p) -> None:
    p.add_argument("--memes", action="store_true", help="the text rule on memes and screenshots (bench/dedup_memes.py)")
    p.add_argument("--templates", type=int, default=130, help="--memes: template photos per data set")
    p.add_argument("--workers", type=int, default=2, help="--memes: reading processes (1 ORT thread each)")


def jpeg(im: Image.Image, quality: int = 85) -> bytes:
    buf = io.BytesIO()
    im.convert("RGB").save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def repost_edits(im: Image.Image, rng: random.Random) -> dict[str, bytes]:
    """A meme or screenshot as it comes back: re-compressed, cropped a few %, resized, watermarked."""
    w, h = im.size
    c = rng.uniform(0.02, 0.05)
    marked = im.convert("RGB").copy()
    draw = ImageDraw.Draw(marked)
    mark = font("DejaVuSans.ttf", max(9, w * 0.025))
    draw.text((w * 0.97 - mark.getlength("@memes_daily"), h * 0.5), "@memes_daily", font=mark, fill=(230, 230, 230))
    return {"jpeg_q40": jpeg(im, 40),
            "crop_few_pct": jpeg(im.crop((int(w * c), int(h * c), int(w * (1 - c)), int(h * (1 - c)))), 80),
            "resize_60": jpeg(im.resize((int(w * 0.6), int(h * 0.6)), Image.BICUBIC), 80),
            "watermark": jpeg(marked, 75)}


def _templates(items, rng: random.Random, n: int) -> list:
    items = list(items)
    rng.shuffle(items)
    return items[:n]


def _build(dataset: str, items, phrases, rng: random.Random):
    """(stored photos with their kind, queries without candidates) for one data set's templates."""
    stored, queries, screens = [], [], set()
    for n, item in enumerate(items):
        lang = ("en", "fr")[n % 2]
        photo = Image.open(item.path).convert("RGB")
        a, b, c = rng.sample(phrases[("meme", lang)], 3)
        style = meme_style(rng)
        original, _ = meme(photo, a, style)
        title, theme = rng.choice(phrases[("app", lang)]), rng.choice(sorted(THEMES))
        picture = photo if n % 2 else None
        while True:  # two templates drawing the same app, title and messages would make one photo twice
            messages = rng.sample(phrases[("chat", lang)], 8)
            first, other = messages[:4], messages[4:]
            drawn = {(title, theme, picture and item.path.name, frozenset(m)) for m in (first, other)}
            if not drawn & screens:
                screens.update(drawn)
                break
        screenshot, _ = chat(title, first, theme, picture=picture)
        stored += [(jpeg(original), n, "meme"), (jpeg(screenshot), n, "chat")]
        negatives = {"other_words": meme(photo, b, style)[0], "other_words_2": meme(photo, c, style)[0],
                     "same_top_line": meme(photo, f"{a.partition(chr(10))[0]}\n{c.partition(chr(10))[2]}", style)[0],
                     "blank_template": photo,
                     "chat_other_messages": chat(title, other, theme, picture=picture)[0]}
        queries += [MemeQuery(dataset, kind, None, jpeg(im), [], ("", "")) for kind, im in negatives.items()]
        queries += [MemeQuery(dataset, f"meme_{kind}", (n, "meme"), data, []) for kind, data in
                    repost_edits(original, rng).items()]
        queries += [MemeQuery(dataset, f"chat_{kind}", (n, "chat"), data, []) for kind, data in
                    repost_edits(screenshot, rng).items() if kind in ("jpeg_q40", "resize_60")]
    return stored, queries


def run(args) -> dict:
    rng = random.Random(args.seed)
    phrases = load_phrases()
    sets = {Path(args.data).name: load_items(args, args.split)}
    if args.holdout:
        sets[Path(args.holdout).name] = detect_and_read(args.holdout)
    with bench_engine(args) as engine, reading_pool(args.workers) as pool:
        queries, texts = [], {}
        for name, items in sets.items():
            stored, qs = _build(name, _templates(items, rng, args.templates), phrases, rng)
            log_progress(args, "%s: storing %d memes and screenshots, reading them", name, len(stored))
            ids = [r.post_id for r in engine.add_photos([PhotoInput(d, scope="public") for d, _, _ in stored])]
            for pid, read in zip(ids, read_all(pool, [d for d, _, _ in stored])):  # as the queue reads them
                engine.store.put_read_text(pid, read[0], read[1], read[2])
                texts[pid] = read[:2]
            post_of = {(name, n, kind): pid for pid, (_, n, kind) in zip(ids, stored)}
            for q in qs:
                q.expected = post_of[(name, *q.expected)] if q.expected else None
                q.candidates = [c for c in engine.duplicate_candidates(q.jpeg, "public")
                                if engine.thresholds.matches(c[1], c[2])]
            log_progress(args, "%s: reading %d queries the image rule flags", name, sum(bool(q.candidates) for q in qs))
            batch = [q for q in qs if any(texts[c[0]][0] == "text" for c in q.candidates)]  # as the rule reads
            for q, read in zip(batch, read_all(pool, [q.jpeg for q in batch], check_first=False)):
                q.read = read[:2]
            for q, read in zip(batch, read_all(pool, [q.jpeg for q in batch], check_first=False, mirrored=True)):
                q.flipped = read[:2]  # what the rule reads when the text differs (every threshold here may ask)
            queries += qs
    tuned_on = Path(args.data).name
    chosen = choose_threshold([q for q in queries if q.dataset == tuned_on], texts)
    result = {"task": "dedup_memes", "templates_per_data_set": args.templates,
              "stored_read_as": _count(s for s, _ in texts.values()),
              "text_threshold": {"tuned_on": tuned_on, "chosen": chosen, "configured": engine.thresholds.min_text_match,
                                 "sweep_on_tuned": {t: score(queries, texts, t, tuned_on) for t in TEXT_GRID}},
              "image_rule_alone": {name: score(queries, texts, None, name) for name in sets},
              "with_text_rule_chosen": {name: score(queries, texts, chosen, name, detail=True) for name in sets},
              "with_text_rule_configured": {name: score(queries, texts, engine.thresholds.min_text_match, name,
                                                        detail=True) for name in sets},
              "lines_found": separation(queries, texts),
              "jaccard_instead": _jaccard(queries, texts, tuned_on, sets),
              "settings": {"data": args.data, "holdout": args.holdout, "templates": args.templates,
                           "image_thresholds": [engine.thresholds.max_hamming, engine.thresholds.min_cosine_with_hash,
                                                engine.thresholds.min_cosine], "seed": args.seed}}
    emit(result, args)
    return result


def flagged_as(q: MemeQuery, texts: dict, threshold: float | None, agrees=text_agrees) -> int | None:
    """The post the rule flags the query as a re-post of (None: not flagged); threshold None = image rule alone."""
    for pid, _, _ in q.candidates:
        if threshold is None or agrees_as_read_or_flipped(q.read, texts.get(pid, ("", "")), threshold,
                                                          (lambda: q.flipped) if q.flipped else None, agrees):
            return pid
    return None


def jaccard_agrees(new_status: str, new_text: str, stored_status: str, stored_text: str, threshold: float) -> bool:
    """The rule with whole-text word-trigram Jaccard (models/textfold.similarity) instead of lines_found."""
    if text_agrees(new_status, new_text, stored_status, stored_text, 2.0):  # cannot tell: the image rule
        return True
    return similarity(new_text, stored_text) >= threshold


def score(queries: list[MemeQuery], texts: dict, threshold: float | None, dataset: str, detail: bool = False,
          agrees=text_agrees) -> dict:
    rows = [q for q in queries if q.dataset == dataset]
    neg = [q for q in rows if q.expected is None]
    pos = [q for q in rows if q.expected is not None]
    wrong = [q for q in neg if flagged_as(q, texts, threshold, agrees) is not None]
    hits = [q for q in pos if flagged_as(q, texts, threshold, agrees) == q.expected]
    out = {"pairs_not_to_flag": len(neg), "false_positives": len(wrong),
           "false_positives_different_text": sum(q.kind != "blank_template" for q in wrong),
           "reposts": len(pos), "recall": round(len(hits) / max(1, len(pos)), 4)}
    if detail:
        kinds = sorted({q.kind for q in rows})
        out["by_kind"] = {k: (f"{sum(q in wrong for q in neg if q.kind == k)} flagged" if k in {q.kind for q in neg}
                              else round(sum(q in hits for q in pos if q.kind == k) / sum(q.kind == k for q in pos), 4))
                          for k in kinds}
        missed = [q for q in pos if q not in hits]
        out["missed_not_an_image_match"] = sum(q.expected not in [c[0] for c in q.candidates] for q in missed)
        out["missed"] = [{"kind": q.kind, "stored": texts[q.expected][1], "read": q.read[1]}
                         for q in missed if q.expected in [c[0] for c in q.candidates]][:6]
        out["false_flags"] = [{"kind": q.kind, "stored": texts[flagged_as(q, texts, threshold, agrees)][1],
                               "read": q.read[1]} for q in wrong][:6]
    return out


def choose_threshold(queries: list[MemeQuery], texts: dict, agrees=text_agrees) -> float:
    """The fewest false flags of photos with other words (none, where one can), then the best recall; of the thresholds that reach
    both, the middle one (margin both ways)."""
    scored = {t: score(queries, texts, t, queries[0].dataset, agrees=agrees) for t in TEXT_GRID}
    fewest = min(s["false_positives_different_text"] for s in scored.values())
    clean = [t for t in TEXT_GRID if scored[t]["false_positives_different_text"] == fewest]
    best = max(scored[t]["recall"] for t in clean)
    plateau = [t for t in clean if scored[t]["recall"] == best]
    return plateau[len(plateau) // 2]


def separation(queries: list[MemeQuery], texts: dict) -> dict:
    """lines_found of each query against the stored post (its original, or the first image match of a photo
    not to flag) when both have text: the gap the threshold sits in."""
    pos = [lines_found(texts[q.expected][1], q.read[1]) for q in queries if q.expected is not None
           and q.read[0] == "text" and texts.get(q.expected, ("",))[0] == "text"]
    neg = [lines_found(texts[q.candidates[0][0]][1], q.read[1]) for q in queries if q.expected is None
           and q.candidates and q.read[0] == "text" and texts[q.candidates[0][0]][0] == "text"]
    return {"reposts_min": round(min(pos), 3) if pos else None,
            "reposts_p1": round(float(np.percentile(pos, 1)), 3) if pos else None,
            "not_to_flag_max": round(max(neg), 3) if neg else None,
            "not_to_flag_p99": round(float(np.percentile(neg, 99)), 3) if neg else None}


def _jaccard(queries: list[MemeQuery], texts: dict, tuned_on: str, sets) -> dict:
    """What the rule would score comparing whole texts by word-trigram Jaccard (tuned the same way)."""
    t = choose_threshold([q for q in queries if q.dataset == tuned_on], texts, jaccard_agrees)
    return {"chosen": t, **{name: score(queries, texts, t, name, agrees=jaccard_agrees) for name in sets}}


def _count(statuses) -> dict:
    statuses = list(statuses)
    return {s: statuses.count(s) for s in sorted(set(statuses))}
