"""Readers for what `ingest` accepts: a folder, a JSONL manifest, Flickr8k captions, HARRISON lists."""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator


@dataclass
class SourceItem:
    path: Path
    captions: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    split: str | None = None


class SourceError(ValueError):
    """The path is not a format ingest understands."""


def detect_and_read(path: str | Path, split: str | None = None) -> list[SourceItem]:
    """Items of a folder / annotations.jsonl / Flickr8k captions.txt / HARRISON data_list.txt."""
    path = Path(path)
    if path.is_dir():
        manifest = path / "annotations.jsonl"
        items = list(read_jsonl(manifest)) if manifest.exists() else list(read_folder(path))
    elif path.suffix == ".jsonl":
        items = list(read_jsonl(path))
    elif path.name.startswith("data_list") and path.suffix == ".txt":
        items = list(read_harrison(path))
    elif path.suffix in (".txt", ".csv", ".token"):
        items = list(read_flickr_captions(path))
    elif path.is_file():
        items = [SourceItem(path)]
    else:
        raise SourceError(f"{path} does not exist")
    if split is not None:
        items = [i for i in items if i.split == split]
    return items


def read_folder(folder: Path) -> Iterator[SourceItem]:
    """Every non-hidden file below the folder (non-images are reported by ingest, not guessed here)."""
    for p in sorted(folder.rglob("*")):
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts):
            yield SourceItem(p)


def read_jsonl(manifest: Path) -> Iterator[SourceItem]:
    """Lines like {"image": "images/x.jpg", "captions": [...], "tags": [...], "<name>_split": "train"}."""
    base = manifest.parent
    with open(manifest, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            line = line.strip()
            if not line:
                continue
            try:
                row = json.loads(line)
                image = row["image"]
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise SourceError(f"{manifest}:{n}: not a manifest line ({exc})") from exc
            split = row.get("split") or next((v for k, v in row.items() if k.endswith("_split")), None)
            yield SourceItem(base / image, [c for c in row.get("captions", []) if isinstance(c, str)],
                             [t for t in row.get("tags", []) if isinstance(t, str)], split)


def _flickr_image_dir(captions_file: Path) -> Path:
    for name in ("Images", "images", "Flicker8k_Dataset", "Flickr8k_Dataset"):
        if (captions_file.parent / name).is_dir():
            return captions_file.parent / name
    return captions_file.parent


def read_flickr_captions(captions_file: Path) -> Iterator[SourceItem]:
    """Flickr8k captions: 'image,caption' CSV (Kaggle) or 'image.jpg#0<TAB>caption' (original)."""
    images = _flickr_image_dir(captions_file)
    by_image: dict[str, list[str]] = {}
    with open(captions_file, encoding="utf-8") as fh:
        first = fh.readline()
        fh.seek(0)
        if "\t" in first:
            for line in fh:
                if "\t" in line:
                    key, caption = line.rstrip("\n").split("\t", 1)
                    by_image.setdefault(key.split("#")[0], []).append(caption.strip())
        else:
            reader = csv.reader(fh)
            header = next(reader, None)
            if not header or [h.strip().lower() for h in header[:2]] != ["image", "caption"]:
                raise SourceError(f"{captions_file}: expected an 'image,caption' header or tab-separated lines")
            for row in reader:
                if len(row) >= 2:
                    by_image.setdefault(row[0].strip(), []).append(",".join(row[1:]).strip())
    for image, captions in by_image.items():
        yield SourceItem(images / image, captions)


def read_harrison(data_list: Path) -> Iterator[SourceItem]:
    """HARRISON: data_list.txt (image paths) and tag_list.txt (space-separated tags), line by line."""
    tag_list = data_list.with_name(data_list.name.replace("data_list", "tag_list"))
    if not tag_list.exists():
        raise SourceError(f"{data_list}: the matching {tag_list.name} is missing")
    with open(data_list, encoding="utf-8") as images, open(tag_list, encoding="utf-8") as tags:
        for image, tag_line in zip(images, tags):
            image = image.strip()
            if image:
                yield SourceItem(data_list.parent / image, tags=tag_line.split())
