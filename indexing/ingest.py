"""Bulk import: read a source, skip what is stored, embed in batches, report what was skipped and why."""
from __future__ import annotations

import hashlib
import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

from indexing.holdout import trainable_post_ids
from indexing.search import PhotoInput, SearchEngine
from indexing.sources import SourceItem
from models.errors import BadImageError
from models.imaging import read_bytes

log = logging.getLogger(__name__)


@dataclass
class IngestReport:
    total: int = 0
    imported: int = 0
    already_stored: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    projector: str | None = None
    release: str | None = None  # published when the import made an index due a PCA basis

    @property
    def ok(self) -> bool:
        """Failure only when nothing at all could be imported (or was already there)."""
        return self.total == 0 or self.imported + self.already_stored > 0

    def summary(self) -> str:
        lines = [f"{self.total} files: {self.imported} imported, {self.already_stored} already stored, "
                 f"{len(self.skipped)} skipped"]
        lines += skipped_lines(self.skipped, shown=10)
        if self.projector:
            lines.append(f"text bridge refitted: projector {self.projector}")
        if self.release:
            lines.append(f"indexes reduced on the stored posts: release {self.release}")
        return "\n".join(lines)



def skipped_lines(skipped: list[tuple[object, str]], shown: int, label: str = "") -> list[str]:
    """A summary's skipped items: how many per reason (the text before its first ":"), then the first
    `shown` of them, each `label` + what it is, and its reason."""
    lines = [f"  skipped {n}: {reason}" for reason, n in Counter(r.split(":")[0] for _, r in skipped).most_common()]
    lines += [f"    {label}{what}: {reason}" for what, reason in skipped[:shown]]
    if len(skipped) > shown:
        lines.append(f"    ... and {len(skipped) - shown} more")
    return lines

def ingest(engine: SearchEngine, items: list[SourceItem], scope: str = "public", batch_size: int = 256,
           progress: Callable[[int], None] | None = None, refit: bool = True) -> IngestReport:
    """Store the items' photos; then, as the scheduled jobs would, refit the cold-start text bridge
    (unless `refit` is off) and fit the indexes' PCA bases when due (indexing/reduced.py)."""
    report = IngestReport(total=len(items))
    for start in range(0, len(items), batch_size):
        batch = items[start:start + batch_size]
        pending: list[tuple[SourceItem, bytes]] = []
        for item in batch:
            try:
                data = read_bytes(item.path, engine.max_photo_bytes)
            except BadImageError as exc:
                report.skipped.append((str(item.path), str(exc)))
                continue
            if engine.store.find_by_sha(scope, hashlib.sha256(data).hexdigest()) is not None:
                report.already_stored += 1  # resumable: a re-run skips what is stored
                continue
            pending.append((item, data))
        vectors = engine.embed_photos([d for _, d in pending], return_errors=True)
        good = [(item, data, vec) for (item, data), vec in zip(pending, vectors) if not isinstance(vec, Exception)]
        for (item, _), vec in zip(pending, vectors):
            if isinstance(vec, Exception):
                report.skipped.append((str(item.path), str(vec)))
        if good:
            photos = [PhotoInput(data=data, scope=scope, captions=item.captions, tags=item.tags,
                                 source=str(item.path)) for item, data, _ in good]
            results = engine.add_photos(photos, [vec for _, _, vec in good])
            report.imported += sum(r.created for r in results)
            report.already_stored += sum(not r.created for r in results)  # same bytes twice in one batch
        if progress:
            progress(len(batch))
    if refit and report.imported:
        report.projector = maybe_refit_projector(engine)
    if report.imported:
        report.release = engine.lifecycle.reduce_indexes({"job": "import"})
    return report


def maybe_refit_projector(engine: SearchEngine) -> str | None:
    """Refit the cold-start text bridge once the captioned posts it may fit on grew by 10 % since its fit.

    A trained projector in service is left alone: only a retrain replaces it.
    """
    projector = engine.projector
    if not projector.cold_start:
        return None
    trainable = set(trainable_post_ids(engine.store))
    captioned_now = len({label >> 3 for label in engine.caption_index.labels()} & trainable)
    if captioned_now == 0 or captioned_now < 1.1 * projector.fitted_on:
        return None
    return engine.refit_projector()
