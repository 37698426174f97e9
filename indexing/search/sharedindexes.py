"""The release lifecycle of shared vector indexes (Milvus: `IndexBackend.shared`), a part of `Lifecycle`
(indexing/search/lifecycle.py): every process serves the collections the current release names.

A process that starts with no usable release builds them and publishes one under the release lock; a
restart opens them (no bytes, no build). A new set (a rebuild, new heads or bases) is filled from the
store's posts, sealed, flipped, then the change log since it began is replayed into it: other processes
wrote to the collections they served meanwhile. A process adopting a release replays the log since its own
position under the swap lock (a rollback's collections are first caught up in full, outside it). The aliases
follow each flip; the collections only trimmed releases name, and orphans a day old, are dropped
(docs/milvus-design.md).
"""
from __future__ import annotations

import logging

from indexing.search.types import IndexView
from indexing.vectorindex import VectorIndex

log = logging.getLogger(__name__)

# Shared collections no kept release names are dropped once this old (a builder killed before publishing
# left them; a younger one may be a rebuild still filling in another process).
ORPHAN_AGE_S = 24 * 3600


class SharedIndexes:
    """What `Lifecycle` does differently when the indexes are shared (it provides store, views, catalogue,
    serving, view, position, on_swap, sync_posts and _publish_locked)."""

    @property
    def shared(self) -> bool:
        """Whether the indexes are shared by every process (Milvus): see `IndexBackend.shared`."""
        return self.views.backend.shared

    def _open_shared(self) -> None:
        """Serve the current release's shared indexes as they are: every process wrote its posts there.
        Caught up only when their counts say a write was lost (a process killed between Redis and
        Milvus); without a release, or when one of its indexes is gone or was made for other models,
        what is missing is built here and published, so every process serves the same collections."""
        release = self.store.releases.load()
        view = self.views.from_release(release)
        self.sync_posts()
        live = self.catalogue.live_ids()
        if view is not None and self._names_release(view, release.manifest):
            if not len(view.image) == len(view.text) == len(live):
                view = self.views.caught_up(view, live)
            self.serving.view = view
            return
        made = self.views.from_current_artifacts() if view is None else view
        made = self.views.caught_up(made, live)  # fills the indexes made here
        self.views.seal(*self._new_indexes(made, release.manifest if release else {}))
        self.serving.view = made
        self._publish_locked({"opened": True})

    def _names_release(self, view: IndexView, manifest: dict) -> bool:
        """Whether the view serves exactly the shared indexes the release names."""
        return not self._new_indexes(view, manifest)

    def _new_indexes(self, view: IndexView, manifest: dict) -> list[VectorIndex]:
        backend, named = self.views.backend, manifest.get("indexes", {})
        return [index for kind, index in (("image", view.image), ("text", view.text), ("caption", view.caption))
                if backend.collection_of(index) != named.get(kind, {}).get("collection")]

    def replay(self, view: IndexView, since: str) -> int:
        """Write the change log after `since` into a view's shared indexes: what other processes wrote to
        the indexes they served while this view was built or before they adopted it (idempotent upserts
        and deletes, each post as Redis holds it now). Returns the entries applied."""
        applied = 0
        while entries := self.store.read_changes(since, block_ms=None):
            for entry_id, fields in entries:
                if fields.get("op") in ("add", "del", "captions"):
                    self.views.write_changes(view, fields["op"], [int(x) for x in fields["ids"].split(",") if x])
                    applied += 1
                since = entry_id
        return applied

    def _posts_to_index(self) -> list[int]:
        """The posts a new index is built with: this process's catalogue, or for shared indexes (which every
        process will serve) the store's, whether or not this process follows the change log."""
        return self.store.all_meta()[0].tolist() if self.shared else sorted(self.catalogue.live_ids())

    def _kept_collections(self) -> set[str]:
        """The shared collections the kept releases name (a rollback may serve any of them again)."""
        if not self.shared:
            return set()
        releases_ = self.store.releases
        return {meta["collection"] for version in releases_.versions()
                for meta in ((releases_.manifest(version) or {}).get("indexes") or {}).values() if meta.get("collection")}

    def _adopt_shared(self, version: str) -> bool:
        """Serve another process's release of shared indexes: its collections opened (no bytes, no build),
        swapped in, and the change log since this process's position written into them, under the swap
        lock, so a post this process wrote to the indexes it served before is not lost. A rollback (an
        older release) is caught up in full first, outside the lock (queries go on meanwhile): its
        collections missed every write since it stopped serving; the lock then replays what came since.
        False when one of its collections is gone or of other models (this view keeps serving; logged)."""
        release = self.store.releases.load(version)
        view = self.views.from_release(release)
        if view is None or not self._names_release(view, release.manifest):
            if view is not None:  # the indexes from_release made in place of the missing ones: nobody's
                self.views.backend.drop_collections(self.views.backend.collection_of(index)
                                                    for index in self._new_indexes(view, release.manifest))
            log.error("release %s cannot be served here (a collection is gone or of other models); "
                      "keeping release %s", version, self.view.release)
            return False
        rollback = version < self.view.release
        since = self.position  # the catalogue holds the change log up to here
        if rollback:  # the bulk of its catching up outside the swap lock: queries go on meanwhile
            self.views.caught_up(view, self.catalogue.live_ids())
        with self.serving.lock:  # then what came since (idempotent: a post caught up may come twice)
            self.replay(view, since if rollback else self.position)
            self.serving.view = view
            self.on_swap()
        backend = self.views.backend
        for name, index in (("image", view.image), ("text", view.text), ("caption", view.caption)):
            backend.publish(name, index)  # a rollback: the aliases follow it too
        log.info("now serving release %s (shared indexes: %s)", version,
                 ", ".join(backend.collection_of(i) for i in (view.image, view.text, view.caption)))
        return True

    def _published_shared(self, view: IndexView, named_before: set[str]) -> None:
        """After a flip: the aliases point at the view's collections; those only trimmed releases named, and
        old orphans, are dropped (never one a kept release or an alias names)."""
        backend = self.views.backend
        for name, index in (("image", view.image), ("text", view.text), ("caption", view.caption)):
            backend.publish(name, index)
        kept = self._kept_collections()
        dropped = backend.drop_collections(sorted(named_before - kept)) + backend.drop_orphans(kept, ORPHAN_AGE_S)
        if dropped:
            log.info("dropped the collections of trimmed releases and orphans: %s", ", ".join(dropped))
