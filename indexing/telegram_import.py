"""A group's history imported from a Telegram Desktop export (`python -m indexing import-telegram`):
every photo, image file, video, GIF and video note stored in the group's scope as the bot would have
stored it, with its original message id, date and author, so a later re-post links to the original.

- Resumable: a group's message is stored once (the store's message index, `post_by_message`), so a
  re-run, or a run after a killed one, skips what is stored and goes on. The store is the checkpoint:
  no second record to drift from it (after a /forget, a re-run imports everything again, as it should).
- History is never flagged. Each post records the first post of its photo in the group (`repost_of`)
  as the bot records it when it sees a message (the chat's re-post rule, `engine.check_repost`,
  unless its re-post checks are off), so the history's re-posts link to their first post, and a copy
  posted after the import links to the first post of the history, not to a later copy of it.
- Posts are checked and stored in the order they were posted (a post can only re-post an earlier
  one); the photos of a batch are embedded together, the expensive part.
- `source` is the file's path in the export (as for `ingest`): the bot uploads the photo from there the
  first time a result shows it (imported posts have no Telegram file id), and an image-model migration
  reads it again, while the export is kept.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Iterator

from indexing.errors import BadImageError
from indexing.ingest import skipped_lines
from indexing.scopes import chat_scope
from indexing.search import PhotoInput, PhotoVectors, SearchEngine
from indexing.telegram_export import PHOTO, ExportedChat, ExportedMedia
from models.imaging import read_bytes
from models.video import MAX_VIDEO_BYTES

BATCH = 64  # posts read and embedded at once


@dataclass
class ImportReport:
    chat: str
    messages: int
    media: int
    photos: int = 0
    videos: int = 0  # videos, GIFs and video notes
    already_stored: int = 0
    reposts: int = 0  # stored as a copy of an earlier post of the group (recorded, not flagged)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (message id, reason)
    other_files: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def imported(self) -> int:
        return self.photos + self.videos

    @property
    def ok(self) -> bool:
        """Failure only when the export has media and none of it could be stored (or was already)."""
        return self.media == 0 or self.imported + self.already_stored > 0

    def summary(self) -> str:
        rate = self.imported / self.seconds if self.seconds else 0.0
        lines = [f"{self.chat}: {self.messages} messages, {self.media} photos and videos: {_count(self.photos, 'photo')} "
                 f"and {_count(self.videos, 'video')} imported ({self.reposts} of them copies of an earlier post), "
                 f"{self.already_stored} already stored, {len(self.skipped)} skipped; "
                 f"{self.seconds:.1f} s ({rate:.1f} posts/s)"]
        lines += skipped_lines(self.skipped, shown=20, label="message ")
        if self.other_files:
            lines.append("  not photos or videos, left out: " + ", ".join(
                f"{n} {kind}{'s' if n > 1 else ''}" for kind, n in sorted(self.other_files.items())))
        return "\n".join(lines)


def import_history(engine: SearchEngine, chat: ExportedChat, batch_size: int = BATCH,
                   progress: Callable[[ImportReport, int], None] | None = None) -> ImportReport:
    """Store the chat's photos and videos in its scope; `progress(report, n)` after each n posts handled."""
    started = time.perf_counter()
    scope = chat_scope(chat.chat_id)
    report = ImportReport(chat.name or scope, chat.messages, len(chat.media), other_files=dict(chat.other_files))
    settings = engine.chat_settings(scope)
    for start in range(0, len(chat.media), batch_size):
        batch = chat.media[start:start + batch_size]
        for item, data, vec in _embedded(engine, scope, batch, report):
            _store(engine, chat.chat_id, settings, item, data, vec, report)
        report.seconds = time.perf_counter() - started
        if progress:
            progress(report, len(batch))
    if report.imported:
        engine.lifecycle.reduce_indexes({"job": "import"})  # the indexes' PCA bases, when due (as ingest does)
    report.seconds = time.perf_counter() - started
    return report


def _embedded(engine: SearchEngine, scope: str, batch: list[ExportedMedia],
              report: ImportReport) -> Iterator[tuple[ExportedMedia, bytes, PhotoVectors]]:
    """The batch's posts not stored yet, read and embedded, in the batch's order: its photos in one go,
    each video when its turn comes (one video in memory at a time); what cannot be read is reported."""
    todo = []
    for item in batch:
        if item.skip:
            report.skipped.append((item.message_id, item.skip))
        elif engine.post_by_message(scope, item.message_id) is not None:
            report.already_stored += 1
        else:
            todo.append(item)
    photos = {}
    for item in todo:
        if item.media == PHOTO:
            try:
                photos[item.message_id] = read_bytes(item.path, engine.max_photo_bytes)
            except BadImageError as exc:
                report.skipped.append((item.message_id, f"unreadable: {item.path.name}: {exc}"))
    vectors = dict(zip(photos, engine.embed_photos(list(photos.values()), return_errors=True)))
    for item in todo:
        try:
            if item.media == PHOTO:
                if item.message_id not in photos:
                    continue  # unreadable, reported
                data, vec = photos[item.message_id], vectors[item.message_id]
                if isinstance(vec, Exception):
                    raise vec
            else:
                data = read_bytes(item.path, MAX_VIDEO_BYTES)
                vec = engine.embed_video(data)
        except BadImageError as exc:
            report.skipped.append((item.message_id, f"unreadable: {item.path.name}: {exc}"))
            continue
        yield item, data, vec


def _store(engine: SearchEngine, chat_id: int, settings, item: ExportedMedia, data: bytes, vec: PhotoVectors,
           report: ImportReport) -> None:
    """Store one post, recording the first post of its photo as the bot would (never flagged)."""
    scope, original = chat_scope(chat_id), None
    if settings.dupes != "off":
        seen = data if item.media == PHOTO else vec.poster  # a video's text is read from its middle frame
        original = engine.check_repost(vec, scope, settings, item.message_id, author_id=item.author_id,
                                       origin=item.origin, size=(vec.width, vec.height), image=seen).original_id
    photo = PhotoInput(data, scope, captions=[item.caption] if item.caption else [], tags=item.tags,
                       source=str(item.path), chat_id=chat_id, message_id=item.message_id,
                       repost_of=original, user_id=item.author_id, origin=item.origin, media=item.media,
                       created_s=item.date_s)
    if not engine.add_photos([photo], [vec])[0].created:
        report.already_stored += 1  # stored meanwhile: another import of the same export running at once
        return
    if item.media == PHOTO:
        report.photos += 1
    else:
        report.videos += 1
    stored = engine.post_by_message(scope, item.message_id)
    report.reposts += stored is not None and stored.repost_of is not None


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
