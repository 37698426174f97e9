"""Hashtags for many inputs at once: a folder of photos, or a text file of captions (one per line).

One CSV row per input — input, hashtags (one copyable line), scores, reason (empty, or why the
input was skipped) — written as results come, so a long run can be watched and is never lost.
"""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Callable, Iterator

from indexing.errors import BadImageError, EmptyQueryError
from models.imaging import read_bytes

PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp", ".tif", ".tiff", ".heic", ".heif", ".avif"}
TEXT_SUFFIXES = {".txt", ".text", ".csv"}
COLUMNS = ["input", "hashtags", "scores", "reason"]


def batch_inputs(path: Path) -> tuple[str, list[str]]:
    """("photos", files) for a folder or a photo, ("captions", lines) for a text file."""
    if path.is_dir():
        files = sorted(str(p) for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
        return "photos", files
    if path.suffix.lower() in TEXT_SUFFIXES:
        return "captions", path.read_text(encoding="utf-8", errors="replace").splitlines()
    return "photos", [str(path)]


def _row(source: str, tags) -> dict:
    return {"input": source, "hashtags": " ".join(f"#{t.tag}" for t in tags),
            "scores": " ".join(f"{t.tag}:{t.score:.3f}" for t in tags), "reason": "" if tags else "no hashtags found"}


def photo_rows(engine, files: list[str], scope: str, k: int, batch: int = 32) -> Iterator[dict]:
    for start in range(0, len(files), batch):
        chunk = files[start:start + batch]
        datas, reasons = [], {}
        for i, f in enumerate(chunk):
            suffix = Path(f).suffix.lower()
            if suffix and suffix not in PHOTO_SUFFIXES:
                reasons[i] = f"not a photo ({suffix})"
                datas.append(b"")
                continue
            try:
                datas.append(read_bytes(f, engine.max_photo_bytes))
            except BadImageError as exc:
                reasons[i] = str(exc)
                datas.append(b"")
        todo = [i for i in range(len(chunk)) if i not in reasons]
        vectors = dict(zip(todo, engine.embed_photos([datas[i] for i in todo], return_errors=True))) if todo else {}
        for i, f in enumerate(chunk):
            vec = vectors.get(i)
            if i in reasons or isinstance(vec, Exception):
                yield {"input": f, "hashtags": "", "scores": "", "reason": reasons.get(i) or str(vec)}
            else:
                yield _row(f, engine.hashtags(vec, scope, k))


def caption_rows(engine, lines: list[str], scope: str, k: int) -> Iterator[dict]:
    for line in lines:
        text = line.strip()
        try:
            yield _row(text, engine.text_hashtags(text, scope, k))
        except EmptyQueryError:
            yield {"input": text, "hashtags": "", "scores": "", "reason": "no words"}


def write_csv(rows: Iterator[dict], out: Path, progress: Callable[[int], None] | None = None) -> dict[str, int]:
    counts = {"rows": 0, "skipped": 0}
    with open(out, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            fh.flush()
            counts["rows"] += 1
            counts["skipped"] += row["reason"] not in ("", "no hashtags found")
            if progress:
                progress(1)
    return counts
