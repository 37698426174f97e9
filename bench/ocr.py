"""Reading text in photos: how well and how fast the reader (models/ocr.py) reads a rendered set.

The set (bench/ocr_set.py) is built from the data set's photos: English and French phrases drawn
on them (blocks of text, meme captions), chat and settings screenshots, and text-free photos (the
photos themselves), saved as JPEG q85 as Telegram sends them. Measured with the default reader (the
cheap first test, then detection and recognition), 1 ORT thread per process on `--workers` processes:
- character error rate (edit distance / length of the truth, whitespace collapsed), raw and folded
  (models/textfold.fold: case, accents, OCR look-alikes and punctuation ignored);
- exact-phrase rate: photos whose every rendered line is found, folded, in what was read;
- the cheap first test: its recall on text photos and how often it passes text-free photos;
- photos read per second and ms per photo (p50/p95), text and text-free photos apart;
- `/find` by a phrase seen in a photo: R@1 and R@5 (bench/ocr_find.py).
"""
from __future__ import annotations

import io
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import numpy as np
from PIL import Image, ImageOps

from bench.common import emit, latency_ms, load_items, log_progress
from bench import ocr_reply
from bench.ocr_find import find_by_phrase
from bench.ocr_set import KINDS, TextPhoto, build_set, load_phrases
from models.textfold import fold

_reader = None  # one per worker process


def add_args(p) -> None:
    p.add_argument("--photos", type=int, default=300, help="photos of the data set to render on (the set's size)")
    p.add_argument("--workers", type=int, default=2, help="reading processes (1 ORT thread each)")
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--reply-latency", action="store_true", help="instead: photo -> reply p95 with the reading "
                   "queue on and off (bench/ocr_reply.py)")
    ocr_reply.add_args(p)


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions)."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def cer(read: str, truth: str) -> float:
    """Character error rate of `read` against `truth`, whitespace (line breaks too) collapsed; capped at 1."""
    read, truth = " ".join(read.split()), " ".join(truth.split())
    if not truth:
        return 0.0 if not read else 1.0
    return min(1.0, edit_distance(read, truth) / len(truth))


def folded_cer(read: str, truth: str) -> float:
    return cer(fold(read), fold(truth))


def every_line_found(read: str, truth: str) -> bool:
    """Whether each rendered line, folded, is in the folded reading (the phrase a user would search)."""
    found = f" {fold(read)} "
    return all(f" {fold(line)} " in found for line in truth.splitlines() if fold(line))


def text_metrics(rows: list[tuple[TextPhoto, str]]) -> dict:
    """CER (mean, raw and folded) and exact-phrase rate of (photo, what was read) over text photos."""
    rows = [(p, read) for p, read in rows if p.text]
    if not rows:
        return {"n": 0}
    return {"n": len(rows),
            "cer": round(float(np.mean([cer(read, p.text) for p, read in rows])), 4),
            "cer_folded": round(float(np.mean([folded_cer(read, p.text) for p, read in rows])), 4),
            "exact_phrase_rate": round(float(np.mean([every_line_found(read, p.text) for p, read in rows])), 4)}


def first_test_metrics(rows: list[tuple[TextPhoto, bool]]) -> dict:
    """The cheap first test: the share of text photos it passes (recall) and of text-free ones."""
    text = [passed for p, passed in rows if p.text]
    free = [passed for p, passed in rows if not p.text]
    return {"recall_on_text": round(float(np.mean(text)), 4) if text else None,
            "pass_rate_on_text_free": round(float(np.mean(free)), 4) if free else None,
            "text_photos": len(text), "text_free_photos": len(free)}


def _start_worker() -> None:
    global _reader
    from models.ocr import TextReader

    _reader = TextReader(threads=1)


def _read(job: tuple[bytes, bool, bool]) -> tuple[str, str, str, float]:
    jpeg, check_first, mirrored = job
    im = Image.open(io.BytesIO(jpeg))
    im.load()
    if mirrored:  # as the re-post rule reads a photo whose text differs again
        im = ImageOps.mirror(im)
    t0 = time.perf_counter()
    got = _reader.read(im, check_first=check_first)
    return got.status, got.text, got.lang, time.perf_counter() - t0


def reading_pool(workers: int) -> ProcessPoolExecutor:
    """Processes with a reader each (1 ORT thread): what `read_all` reads on."""
    return ProcessPoolExecutor(workers, mp_context=get_context("spawn"), initializer=_start_worker)


def read_all(pool: ProcessPoolExecutor, jpegs: list[bytes], check_first: bool = True, mirrored: bool = False
             ) -> list[tuple[str, str, str, float]]:
    """(status, text, language, seconds) of each photo, in order: the reader's default path unless told."""
    return list(pool.map(_read, [(j, check_first, mirrored) for j in jpegs]))


def _likely(jpeg: bytes) -> tuple[bool, float]:
    im = Image.open(io.BytesIO(jpeg))
    im.load()
    t0 = time.perf_counter()
    passed = _reader.likely_text(im)
    return passed, time.perf_counter() - t0


def _jpeg(im: Image.Image) -> bytes:
    buf = io.BytesIO()
    im.convert("RGB").save(buf, "JPEG", quality=85)
    return buf.getvalue()


def run(args) -> dict:
    if args.reply_latency:
        return ocr_reply.run(args)
    items = load_items(args, args.split)[: args.photos]
    photos = [Image.open(i.path).convert("RGB") for i in items]
    rendered = build_set(photos, load_phrases(), args.seed, [i.path.name for i in items])
    data = [_jpeg(p.image) for p in rendered]
    log_progress(args, "reading %d photos on %d processes", len(data), args.workers)
    with reading_pool(args.workers) as pool:
        read_all(pool, data[: args.workers * 2])  # warm-up: sessions made, first runs done
        t0 = time.perf_counter()
        reads = read_all(pool, data)
        wall = time.perf_counter() - t0
        t0 = time.perf_counter()
        tests = list(pool.map(_likely, data))
        test_wall = time.perf_counter() - t0
    by_kind = {kind: text_metrics([(p, r[1]) for p, r in zip(rendered, reads) if p.kind == kind])
               for kind in KINDS if kind != "none"}
    text_free = [r for p, r in zip(rendered, reads) if not p.text]
    result = {
        "task": "ocr", "photos": len(rendered), "kinds": {k: sum(p.kind == k for p in rendered) for k in KINDS},
        "reading": text_metrics([(p, r[1]) for p, r in zip(rendered, reads)]),
        "reading_by_kind": by_kind,
        "reading_by_lang": {lang: text_metrics([(p, r[1]) for p, r in zip(rendered, reads) if p.lang == lang])
                            for lang in ("en", "fr")},
        "status_counts_text": _counts([r[0] for p, r in zip(rendered, reads) if p.text]),
        "status_counts_text_free": _counts([r[0] for r in text_free]),
        # the data set's own photos may hold text (a sign, a shirt): read, not a misreading
        "read_on_photos_left_text_free": [r[1] for r in text_free if r[0] == "text"][:10],
        "first_test": {**first_test_metrics([(p, t[0]) for p, t in zip(rendered, tests)]),
                       "ms": latency_ms([t[1] for t in tests], (50, 95)),
                       "photos_per_s": round(len(data) / test_wall, 1)},
        "photos_per_s": round(len(data) / wall, 2),
        "find_by_phrase": find_by_phrase(args, rendered, data, reads),
        "ms_text": latency_ms([r[3] for p, r in zip(rendered, reads) if p.text], (50, 95)),
        "ms_text_free": latency_ms([r[3] for r in text_free], (50, 95)),
        "settings": {"data": args.data, "photos": args.photos, "workers": args.workers, "ort_threads": 1,
                     "seed": args.seed, "jpeg_quality": 85},
    }
    emit(result, args)
    return result


def _counts(statuses: list[str]) -> dict:
    return {s: statuses.count(s) for s in sorted(set(statuses))}
