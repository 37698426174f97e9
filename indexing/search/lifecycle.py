"""The release lifecycle: which view serves, and how it changes. New heads are installed, indexes
rebuilt, releases published, loaded or adopted from another process: each builds a view beside
the serving one and swaps it in, so a query never mixes two versions.

Also what keeps this process in step with the others (indexing/follower.py): the change-log
position the serving view has applied, and a full re-read when that position was lost.
"""
from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import replace
from typing import Callable

import numpy as np

from indexing import releases
from indexing.holdout import trainable_post_ids
from indexing.locks import JobLock
from indexing.reduced import Basis, basis_of
from indexing.scopes import PUBLIC
from indexing.search.catalogue import Catalogue
from indexing.search.lexical import LexicalIndex, post_text
from indexing.search.sharedindexes import SharedIndexes
from indexing.search.types import IndexView
from indexing.search.views import HASHTAG_HEAD_ARTIFACT, PROJECTOR_ARTIFACT, Serving, Views
from indexing.store import PostStore
from indexing.vectorindex import VectorIndex
from models.encoders.base import ImageEncoder, TextEncoder
from models.heads.hashtags import HashtagHead
from models.projectors import Projector
from models.training import TrainedHeads, TrainingData, fit_caption_bridge

log = logging.getLogger(__name__)

START_OF_LOG = "0-0"


class Lifecycle(SharedIndexes):
    def __init__(self, store: PostStore, image_encoder: ImageEncoder, text_encoder: TextEncoder, views: Views,
                 catalogue: Catalogue, lexicon: LexicalIndex, serving: Serving, on_swap: Callable[[], None] = lambda: None) -> None:
        self.store = store
        self.image_encoder = image_encoder
        self.text_encoder = text_encoder
        self.views = views
        self.catalogue = catalogue
        self.lexicon = lexicon
        self.serving = serving
        self.on_swap = on_swap  # what must forget the old view's space (the hashtag vocabulary cache)
        self.publishing = threading.Lock()  # held while this process writes a release
        self.origin = uuid.uuid4().hex[:12]  # tells this process's releases from others' in the change log
        self.position = START_OF_LOG  # change-log entry applied last

    @property
    def view(self) -> IndexView:
        return self.serving.view

    # -- start-up and following ----------------------------------------------------------------
    def open(self) -> None:
        """Serve the current release (heads + index snapshots), caught up with Redis."""
        position = self.store.changes_position()  # before reading posts: nothing after it is missed
        if self.shared:
            with JobLock(self.store, "release", ttl_s=300, wait_s=600):  # one process makes what all serve
                self._open_shared()
            self.position = position
            return
        view = self.views.from_release(self.store.releases.load())
        if view is None:
            view = self.views.from_current_artifacts()
        self.sync_posts()
        self.serving.view = self.views.caught_up(view, self.catalogue.live_ids())
        self.position = position

    def sync_posts(self) -> None:
        """Replace the catalogue and the posts' words by what Redis holds now."""
        meta = self.store.all_meta()
        self.catalogue.replace_all(*meta)
        ids = meta[0].tolist()
        words = []
        for start in range(0, len(ids), 2000):
            chunk = ids[start:start + 2000]
            words += [(pid, post_text(*found)) for pid, found in zip(chunk, self.store.post_texts(chunk)) if found]
        self.lexicon.replace_all(words)

    def applied(self, entry_id: str) -> None:
        """The serving view holds the change-log entry `entry_id` and every one before it."""
        self.position = entry_id

    def resync(self) -> None:
        """Re-read every post and the current release (after an outage or a trimmed change log)."""
        position = self.store.changes_position()
        self.sync_posts()
        current = self.store.releases.current_version()
        if not (current and current != self.view.release and self.adopt_release(current)):
            self.swap_in(self.view)  # catches the serving view up with the posts just read
        self.position = position

    def serves(self, version: str) -> bool:
        """Whether `version` is the release served here (one this process is publishing counts once
        it is published)."""
        with self.publishing:
            return version == self.view.release

    def swap_in(self, view: IndexView) -> None:
        """Serve `view` from now on. Queries in flight finish on the view they started with; posts
        stored while the view was built are added to it first (writers wait for the swap). Shared
        indexes are not caught up from this process's catalogue (it may lag the other processes'
        writes): the change log is replayed into them instead (`replay`)."""
        with self.serving.lock:
            self.serving.view = view if self.shared else self.views.caught_up(view, self.catalogue.live_ids())
            self.on_swap()

    # -- heads -----------------------------------------------------------------------------------
    def refit_projector(self, min_captioned: int = 50, replace_learned: bool = False) -> str | None:
        """Fit the cold-start projector on public photos + captions, store it, re-project the text index.

        Only `public` posts are used: the projector serves every chat, so a chat's private
        captions must never shape what another chat's queries return; and not the held-out tenth
        (indexing/holdout.py), on which retraining compares heads. A learned projector in
        service is kept (retraining it is the scheduler's or `python -m models train`'s job) unless asked.
        """
        if not self.view.projector.cold_start and not replace_learned:
            log.info("projector not refitted: the learned projector %s is in service", self.view.projector_version)
            return None
        data = self.training_data(ids=trainable_post_ids(self.store))  # never the held-out tenth
        if data.captioned < min_captioned:
            log.info("projector not fitted: %d captioned public photos outside the held-out tenth (need %d)",
                     data.captioned, min_captioned)
            return None
        projector = fit_caption_bridge(data)
        version = self.install(projector=projector)["projector"]
        log.info("projector %s fitted on %d captioned of %d photos", version, data.captioned, len(data.features))
        return version

    def install_heads(self, heads: TrainedHeads, version: str | None = None, info: dict | None = None) -> dict[str, str]:
        """Make trained heads current for every process (stored in Redis with a new release)."""
        for head in (heads.projector, heads.hashtag_head):
            if head is not None and head.input_model != self.image_encoder.name:
                raise ValueError(f"heads were trained on {head.input_model} features, this engine makes "
                                 f"{self.image_encoder.name}")
        return self.install(projector=heads.projector, hashtag_head=heads.hashtag_head, version=version, info=info)

    def install(self, projector: Projector | None = None, hashtag_head: HashtagHead | None = None,
                version: str | None = None, info: dict | None = None) -> dict[str, str]:
        """Store new heads, build indexes for them beside the serving ones, swap, publish a release."""
        old = self.view
        installed = {}
        new = dict(projector=old.projector, projector_version=old.projector_version,
                   hashtag_head=old.hashtag_head, hashtag_head_version=old.hashtag_head_version)
        if projector is not None:
            installed["projector"] = self.store.put_artifact(PROJECTOR_ARTIFACT, projector.to_bytes(), version)
            new.update(projector=projector, projector_version=installed["projector"])
        if hashtag_head is not None:
            installed["hashtag_head"] = self.store.put_artifact(HASHTAG_HEAD_ARTIFACT, hashtag_head.to_bytes(), version)
            new.update(hashtag_head=hashtag_head, hashtag_head_version=installed["hashtag_head"])
        if projector is None:  # the text indexes stay valid: only the head changes
            view = replace(old, **new)
        else:
            text_basis = self.views.fit_text_basis(sorted(self.catalogue.live_ids()), new["projector"])
            view = self.views.empty(new["projector"], new["projector_version"], new["hashtag_head"],
                                    new["hashtag_head_version"], old.release, image=old.image, text_basis=text_basis)
            if self.shared:  # filled here (swap_in catches up only a copy of this process's)
                since = self.store.changes_position()
                self.views.fill(view, self._posts_to_index(), image=False, text=True)
                self.views.seal(view.text, view.caption)
        self.swap_in(view)
        installed["release"] = self.publish_release(info)
        if self.shared and projector is not None:
            self.replay(view, since)
        return installed

    def training_data(self, scope: str = PUBLIC, ids: list[int] | None = None) -> TrainingData:
        """Stored features, caption vectors and hashtags of a scope's posts (public only by default:
        heads serve every chat, so private chats never shape them), or of the given posts."""
        image_model, image_dim = self.image_encoder.name, self.image_encoder.dim
        text_model, text_dim = self.text_encoder.name, self.text_encoder.dim
        ids = sorted(self.store.scope_post_ids(scope)) if ids is None else ids
        posts, feats, caps = [], [], []
        for start in range(0, len(ids), 2000):
            chunk = ids[start:start + 2000]
            posts += self.store.get_posts(chunk)
            feats += self.store.get_vectors("image", image_model, chunk, image_dim)
            caps += self.store.get_vectors("captions", text_model, chunk, text_dim)
        keep = [i for i, (p, f) in enumerate(zip(posts, feats)) if p is not None and f is not None]
        empty = np.zeros((0, text_dim), np.float32)
        return TrainingData(
            features=np.array([feats[i][0] for i in keep], np.float32).reshape(-1, image_dim),
            captions=[caps[i].astype(np.float32) if caps[i] is not None else empty for i in keep],
            tags=[posts[i].tags for i in keep], input_model=image_model, text_model=text_model,
            post_ids=[ids[i] for i in keep], photo_shas=[posts[i].sha256 for i in keep],
            text_spaces=self.text_encoder.spaces)

    # -- indexes and releases ----------------------------------------------------------------------
    def rebuild(self, info: dict | None = None, progress: Callable[[int, int], None] | None = None) -> str:
        """Build every index afresh from Redis (deleted posts compacted away), swap, publish a release."""
        old = self.view
        since = self.store.changes_position()  # shared indexes: what others write meanwhile is replayed
        ids = self._posts_to_index()
        view = self.views.empty(old.projector, old.projector_version, old.hashtag_head, old.hashtag_head_version,
                                old.release, image=self.views.fitted_image(ids),  # the bases refitted
                                text_basis=self.views.fit_text_basis(ids, old.projector))
        self.views.fill(view, ids, image=True, text=True, progress=progress)
        self.views.seal(view.image, view.text, view.caption)
        self.swap_in(view)
        version = self.publish_release(dict(info or {}, rebuilt=True))
        if self.shared:
            self.replay(view, since)
        return version

    def basis_due(self) -> bool:
        """Whether the image index or the text indexes are due a (new) PCA basis (indexing/reduced.py;
        Views.basis_due, Views.text_basis_due)."""
        view = self.view
        return self.views.basis_due(view.image) or self.views.text_basis_due(view.text, view.projector)

    def reduce_indexes(self, info: dict | None = None) -> str | None:
        """When a basis is due (after an import), the indexes due one built again over one fitted on the
        stored posts, swapped in and published; None when none is due."""
        old = self.view
        image_due, text_due = self.views.basis_due(old.image), self.views.text_basis_due(old.text, old.projector)
        if not (image_due or text_due):
            return None
        since = self.store.changes_position()
        ids = self._posts_to_index()
        view = replace(old, image=self.views.fitted_image(ids)) if image_due else old  # posts stored meanwhile: the swap's catch-up
        if text_due:
            basis = self.views.fit_text_basis(ids, old.projector)
            view = replace(view, text=self.views.new_text(basis, old.projector),
                           caption=self.views.new_caption(basis, old.projector))
        self.views.fill(view, ids, image=image_due, text=text_due)
        self.views.seal(*([view.image] if image_due else []), *([view.text, view.caption] if text_due else []))
        self.swap_in(view)
        version = self.publish_release(dict(info or {}, basis_fitted=True))
        if self.shared:
            self.replay(view, since)
        return version

    def publish_release(self, info: dict | None = None, keep: int = 3, lock_wait_s: float = 600) -> str:
        """Snapshot the serving indexes as a new release and make it every process's current one."""
        with JobLock(self.store, "release", ttl_s=300, wait_s=lock_wait_s):
            return self._publish_locked(info, keep)

    def _publish_locked(self, info: dict | None = None, keep: int = 3) -> str:
        """`publish_release` with the release lock held. Shared indexes: the release names their collections
        (its snapshots are references), the aliases follow the flip, and the collections only the trimmed
        releases named are dropped."""
        backend = self.views.backend
        with self.publishing:
            v = self.view
            base = {"image_model": self.image_encoder.name, "text_model": self.text_encoder.name}
            snaps = {}
            for name, index in (("image", v.image), ("text", v.text), ("caption", v.caption)):
                basis = basis_of(index)
                extra = {"projector": v.projector_version} if name != "image" else {}
                extra.update({"basis": basis.meta()} if basis else {})
                extra.update({"basis_in": "text"} if basis and name == "caption" else {})
                extra.update({"collection": backend.collection_of(index)} if backend.shared else {})
                blob, live, vectors = index.to_bytes()
                # the caption index's basis is the text index's: kept once, with the text snapshot
                snaps[name] = releases.IndexSnapshot(dict(base, dim=index.dim, **extra), blob, live, vectors,
                                                     basis.to_bytes() if basis and name != "caption" else b"")
            artifacts = {PROJECTOR_ARTIFACT: v.projector_version, HASHTAG_HEAD_ARTIFACT: v.hashtag_head_version}
            named_before = self._kept_collections()
            version = self.store.releases.save(snaps, artifacts,
                                            dict(info or {}, origin=self.origin, posts=len(v.image)), keep=keep)
            if backend.shared:
                self._published_shared(v, named_before)
            with self.serving.lock:
                if self.view.image is v.image and self.view.text is v.text:
                    self.serving.view = replace(self.view, release=version)
        log.info("release %s published (%d posts, projector %s, hashtag head %s)", version, len(v.image),
                 v.projector_version, v.hashtag_head_version)
        return version

    def load_release(self, version: str | None = None) -> bool:
        """Serve a release's snapshots (a restart's fast path, or on request): loaded beside the
        serving view, then swapped in. False when it cannot serve here (the current view stays)."""
        if self.shared:
            version = version or self.store.releases.current_version()
            return version is not None and version != self.view.release and self._adopt_shared(version)
        release = self.store.releases.load(version)
        if release is None or release.version == self.view.release:
            return False
        view = self.views.from_release(release)
        if view is None:
            return False
        # the bulk of the catching up outside the swap lock, the rest inside
        self.swap_in(self.views.caught_up(view, self.catalogue.live_ids()))
        log.info("now serving release %s (projector %s, hashtag head %s)", release.version,
                 view.projector_version, view.hashtag_head_version)
        return True

    def adopt_release(self, version: str, compact_above: float = 0.2) -> bool:
        """Serve another process's release while answering queries: what this process already holds
        is kept, what changed is rebuilt beside the serving view from Redis, then swapped in.

        Why not load the snapshots here too: hnswlib's load_index holds the GIL (~1 ms per MB),
        stalling every query for the length of a load; its add_items does not. A follower that
        applied the same change log already has the release's posts: only new heads need new text
        and caption indexes, and only many deletion marks need a fresh image index.
        """
        manifest = self.store.releases.manifest(version)
        if manifest is None or version == self.view.release:
            return False
        if manifest.get("indexes", {}).get("image", {}).get("image_model", self.image_encoder.name) != \
                self.image_encoder.name:
            return False  # another image model's: the engine switches to it, or keeps its own (engine.adopt_release)
        if self.shared:
            return self._adopt_shared(version)
        old = self.view
        projector, projector_version, head, head_version = self.views.heads(manifest.get("artifacts"))
        view = replace(old, hashtag_head=head, hashtag_head_version=head_version, release=version)
        basis = self._release_basis(version, manifest, old.image)
        rebuild_image = old.image.deleted_share > compact_above or basis is not basis_of(old.image)
        text_basis = self._release_basis(version, manifest, old.text, "text")
        rebuild_text = projector_version != old.projector_version or text_basis is not basis_of(old.text)
        if rebuild_text or rebuild_image:
            fresh = self.views.empty(projector, projector_version, head, head_version, version,
                                     image=self.views.new_image(basis) if rebuild_image else old.image,
                                     text_basis=text_basis)
            # small steps: the serving view answers queries in between
            self.views.fill(fresh, sorted(self.catalogue.live_ids()), image=rebuild_image, text=rebuild_text,
                            step=500)
            if not rebuild_text:
                fresh = replace(fresh, text=old.text, caption=old.caption)
            view = fresh
        self.swap_in(view)
        log.info("now serving release %s (projector %s, hashtag head %s; rebuilt here: %s)", version,
                 projector_version, head_version,
                 ", ".join(n for n, b in (("image", rebuild_image), ("text", rebuild_text)) if b) or "nothing")
        return True

    def _release_basis(self, version: str, manifest: dict, serving: VectorIndex, name: str = "image") -> Basis | None:
        """The image (or text) basis of another process's release (None: the full vectors), or the very
        one serving here when it is the same (or unreadable: logged). A follower builds its index again
        on a new basis, so every process answers alike."""
        meta = manifest.get("indexes", {}).get(name, {})
        serving_basis = basis_of(serving)
        if meta.get("basis", {}).get("version") == (serving_basis.version if serving_basis else None):
            return serving_basis
        try:
            return self.views.snapshot_basis(meta, self.store.releases.basis(name, version) or b"",
                                             meta.get("dim") if name != "image" else None)
        except ValueError as exc:
            log.error("release %s: its %s basis is unreadable (%s); keeping this process's index", version, name, exc)
            return serving_basis
