"""The write path: photos embedded, stored and indexed; captions re-encoded; posts deleted; and the
same for what other processes wrote (applied from the change log, indexing/follower.py).

Redis has a post first (acknowledged once it is in the AOF); the catalogue and the serving view's
indexes follow, under the serving lock so a swap never loses a write.
"""
from __future__ import annotations

import hashlib
import time
from typing import Iterable

import numpy as np

from indexing.reading import ReadingQueue
from indexing.scopes import PUBLIC, validate_scope
from indexing.search.catalogue import Catalogue
from indexing.search.lexical import LexicalIndex, post_text
from indexing.search.projection import Projection
from indexing.search.types import (CAPTION_SHIFT, MAX_CAPTIONS_PER_POST, MAX_QUERY_CHARS, AddResult, PhotoInput,
                                   PhotoVectors, VideoVectors, caption_labels)
from indexing.search.views import Serving, Views
from indexing.store import Post, PostStore
from models.embedding import EmbeddedPhoto, PhotoEmbedder
from models.encoders.base import ImageEncoder, TextEncoder
from models.imaging import read_bytes
from models.video import MAX_VIDEO_BYTES
from models.tags import normalize_tags


def cleaned_captions(captions: list[str]) -> list[str]:
    """Captions as stored: trimmed, cut to MAX_QUERY_CHARS, empty ones dropped."""
    return [c.strip()[:MAX_QUERY_CHARS] for c in captions if c and c.strip()]


class Writes:
    def __init__(self, store: PostStore, image_encoder: ImageEncoder, text_encoder: TextEncoder,
                 embedder: PhotoEmbedder, projection: Projection, views: Views, catalogue: Catalogue,
                 lexicon: LexicalIndex, serving: Serving, max_photo_bytes: int, reading: ReadingQueue | None = None) -> None:
        self.store = store
        self.reading = reading  # every stored photo is queued to have its text read (None: not read)
        self.image_model = image_encoder.name
        # Image models whose vectors a deleted post loses: this one, and during and after a migration
        # the other one (indexing/migration/photos.py), so neither keeps a deleted post's vectors.
        self.vector_models = [image_encoder.name]
        self.text_encoder = text_encoder
        self.embedder = embedder
        self.projection = projection
        self.views = views
        self.catalogue = catalogue
        self.lexicon = lexicon
        self.serving = serving
        self.max_photo_bytes = max_photo_bytes

    # -- photos in -------------------------------------------------------------------------------
    def embed_photos(self, datas: list[bytes], return_errors: bool = False) -> list:
        """Decode and embed photo bytes in batches (see PhotoEmbedder), plus their text-space vectors.

        Raises BadImageError for the first bad photo, or with return_errors=True puts the
        exception in that photo's place and embeds the others.
        """
        embedded = self.embedder.embed(datas, return_errors=return_errors)
        good = [i for i, e in enumerate(embedded) if isinstance(e, EmbeddedPhoto)]
        if not good:
            return embedded
        feats = np.array([embedded[i].features for i in good], np.float32)
        probs = None
        if embedded[good[0]].class_probs is not None:
            probs = np.array([embedded[i].class_probs for i in good], np.float32)
        v = self.serving.view
        text = self.projection.project(feats, probs, v.projector)
        for j, i in enumerate(good):
            embedded[i] = PhotoVectors(text=text[j], space=v.projector_version, **vars(embedded[i]))
        return embedded

    def embed_photo(self, photo: bytes) -> PhotoVectors:
        return self.embed_photos([read_bytes(photo, self.max_photo_bytes)])[0]

    def embed_video(self, data: bytes) -> VideoVectors:
        """A video, animation or video note (or the still thumbnail of one too big to download) seen
        through its keyframes, each embedded like a photo (models.video). BadImageError if unreadable."""
        video = self.embedder.embed_video(read_bytes(data, MAX_VIDEO_BYTES))
        v = self.serving.view
        probs = None if video.class_probs is None else video.class_probs[None]
        text = self.projection.project(video.features[None], probs, v.projector)[0]
        return VideoVectors(features=video.features, class_probs=video.class_probs, text=text,
                            phash=video.middle.phash, phash_mirror=video.middle.phash_mirror, sha256=video.sha256,
                            width=video.width, height=video.height, space=v.projector_version,
                            thumbnail=video.middle.thumbnail, keyframes=video.keyframes, times_s=video.times_s,
                            duration_s=video.duration_s, poster=video.poster)

    def add_photos(self, photos: list[PhotoInput], vectors: list[PhotoVectors] | None = None) -> list[AddResult]:
        """Store photos and index them at once. Bytes already stored in the scope are stored once
        (AddResult(first post, created=False)), except a group's message: each gets its own post, a
        copy of the earlier ones (see _stored_already)."""
        for p in photos:
            validate_scope(p.scope)
        results: list[AddResult | None] = [None] * len(photos)
        todo, copy_of = [], {}
        for i, p in enumerate(photos):
            sha = vectors[i].sha256 if vectors is not None else hashlib.sha256(p.data).hexdigest()
            existing = self.store.find_by_sha(p.scope, sha)
            stored = self._stored_already(p, sha, existing)
            if stored is not None:
                results[i] = AddResult(stored, created=False)
            else:
                todo.append(i)
                if existing is not None:
                    copy_of[i] = existing
        if vectors is None:
            vecs_todo = self.embed_photos([photos[i].data for i in todo]) if todo else []
        else:
            vecs_todo = [vectors[i] for i in todo]
        captions_all = [cleaned_captions(photos[i].captions) for i in todo]
        now = time.time()
        stored_posts = []
        for i, vec, caps, cap_vecs in zip(todo, vecs_todo, captions_all, self.encode_captions(captions_all)):
            p = photos[i]
            post = Post(id=self.store.allocate_id(), scope=p.scope, sha256=vec.sha256, phash=vec.phash,
                        captions=caps, tags=normalize_tags(p.tags), source=p.source, chat_id=p.chat_id,
                        message_id=p.message_id, file_id=p.file_id, file_unique_id=p.file_unique_id,
                        document_file_id=p.document_file_id, width=vec.width, height=vec.height,
                        created_s=now if p.created_s is None else p.created_s,
                        image_model=self.image_model, repost_of=self._first_post(p, copy_of.get(i)),
                        user_id=p.user_id, origin=p.origin, media=p.media)
            stored = {("image", self.image_model): vec.features}
            if isinstance(vec, VideoVectors):
                stored[("keyframes", self.image_model)] = vec.keyframes
            if vec.class_probs is not None:
                stored[("probs", self.image_model)] = vec.class_probs
            if len(cap_vecs):
                stored[("captions", self.text_encoder.name)] = cap_vecs
            self.store.add(post, stored, vec.thumbnail)  # acknowledged once Redis has it (AOF); indexes follow
            if self.reading is not None:
                # a video's text is read from its middle frame
                seen = vec.poster if isinstance(vec, VideoVectors) else p.data
                self.reading.enqueue(post.id, post.scope, seen, vec.width, vec.height)
            stored_posts.append((post, vec, cap_vecs))
            results[i] = AddResult(post.id, created=True)
        self._index_posts(stored_posts)
        return results  # type: ignore[return-value]

    def _stored_already(self, photo: PhotoInput, sha256: str, first: int | None) -> int | None:
        """The post that already holds this photo, if any. In a group (Telegram's group ids are
        negative) a member posting a file again makes a post of its own: their message, their
        caption, a flag of its own and its own "not a re-post"; only the same message seen again (an
        update delivered twice) is stored already. Private chats and imports keep one post per bytes."""
        if first is None:
            return None
        if photo.chat_id is None or photo.chat_id >= 0 or photo.message_id is None:
            return first
        post = self.store.post_by_message(photo.scope, photo.message_id)
        return post.id if post is not None and post.sha256 == sha256 else None

    def _first_post(self, photo: PhotoInput, copy_of: int | None) -> int | None:
        """What a new post records as the first post of its photo: what the re-post policy said, or
        for the very bytes of an earlier post, that post's first post."""
        if photo.repost_of is not None or copy_of is None:
            return photo.repost_of
        earlier = self.store.get_post(copy_of)
        return None if earlier is None else earlier.repost_of or earlier.id

    def _index_posts(self, stored: list[tuple[Post, PhotoVectors, np.ndarray]]) -> None:
        """Add stored posts to the catalogue and indexes, one batched insert per index."""
        if not stored:
            return
        with self.serving.lock:
            self.catalogue.remember(post for post, _, _ in stored)
            self._index_words(post for post, _, _ in stored)
            v = self.serving.view
            ids = [post.id for post, _, _ in stored]
            v.image.add(ids, np.array([vec.features for _, vec, _ in stored]))
            v.text.add(ids, np.array([self.projection.text_of(vec, v) for _, vec, _ in stored]))
            labels = [post.id << CAPTION_SHIFT | k for post, _, caps in stored for k in range(len(caps))]
            if labels:
                raw = np.concatenate([caps for _, _, caps in stored if len(caps)])
                v.caption.add(labels, v.projector.adapt_text(raw))

    # -- captions --------------------------------------------------------------------------------
    def encode_captions(self, per_post: list[list[str]]) -> list[np.ndarray]:
        """Each post's caption vectors (its first MAX_CAPTIONS_PER_POST captions), encoded in one batch."""
        flat = [c for caps in per_post for c in caps[:MAX_CAPTIONS_PER_POST]]
        vecs = self.text_encoder.encode(flat) if flat else np.zeros((0, self.text_encoder.dim), np.float32)
        out, offset = [], 0
        for caps in per_post:
            n = min(len(caps), MAX_CAPTIONS_PER_POST)
            out.append(vecs[offset:offset + n])
            offset += n
        return out

    def encode_stored_captions(self, ids: list[int]) -> int:
        """Encode stored posts' captions with this engine's text model, store and index them (the
        migration to a new text model, indexing/migration/captions.py). Returns how many posts had captions."""
        posts = [p for p in self.store.get_posts(ids) if p is not None and p.captions]
        out = {p.id: vecs for p, vecs in zip(posts, self.encode_captions([p.captions for p in posts]))}
        self.store.put_caption_vectors(out, self.text_encoder.name, sum(1 for p in posts if p.scope == PUBLIC))
        self.apply_captions_changed(list(out))
        return len(out)

    def update_caption(self, scope: str, sha256: str, captions: list[str], tags: list[str]) -> bool:
        """The first post of these bytes in `scope` takes new captions and hashtags: stored,
        re-encoded and re-indexed. False when the scope has no such post."""
        post_id = self.store.find_by_sha(scope, sha256)
        post = self.store.get_post(post_id) if post_id is not None else None
        return post is not None and self._replace_caption(post, captions, tags)

    def update_caption_of_message(self, scope: str, message_id: int, captions: list[str], tags: list[str],
                                  sha256: str | None = None) -> bool:
        """The post stored from that message takes new captions and hashtags (its caption edited on
        Telegram; in a group another member's copy of the same file keeps its own). False when there
        is no such post, or (`sha256` given) it holds other bytes: the message's photo was replaced."""
        post = self.store.post_by_message(validate_scope(scope), message_id)
        if post is None or (sha256 is not None and post.sha256 != sha256):
            return False
        return self._replace_caption(post, captions, tags)

    def _replace_caption(self, post: Post, captions: list[str], tags: list[str]) -> bool:
        caps = cleaned_captions(captions)[:MAX_CAPTIONS_PER_POST]
        self.store.replace_caption(post, caps, normalize_tags(tags), self.encode_captions([caps])[0],
                                   self.text_encoder.name)
        self.apply_captions_changed([post.id])
        return True

    def apply_captions_changed(self, ids: list[int], from_log: bool = False) -> None:
        """Re-index the stored captions of posts whose captions changed (here, or in another process:
        `from_log`, the change log), and let the hashtag caches see their new tags. Shared indexes were
        re-indexed by the process that changed them."""
        with self.catalogue.lock:
            ids = self.catalogue.known(ids)
            self.catalogue.tags_changed()
        if not ids:
            return
        self._words_changed(ids)
        if from_log and self.views.backend.shared:
            return
        with self.serving.lock:
            v = self.serving.view
            v.caption.remove(caption_labels(ids))
            v.caption.add(*self.views.caption_vectors_for(ids, v.projector))

    # -- others' posts, deletions ----------------------------------------------------------------
    def apply_added(self, ids: list[int]) -> int:
        """Index posts another process stored (from the change log); known ones are skipped. Shared
        indexes hold them already (their writer wrote them): only the catalogue and the words learn them."""
        posts = [p for p in self.store.get_posts(self.catalogue.unknown(ids)) if p is not None]  # deleted since: skipped
        if not posts:
            return 0
        if self.views.backend.shared:
            with self.serving.lock:
                self.catalogue.remember(posts)
                self._index_words(posts)
            return len(posts)
        with self.serving.lock:
            v = self.serving.view
            labels, feats = self.views.image_vectors_for([p.id for p in posts])
            indexed = set(labels)
            self.catalogue.remember(p for p in posts if p.id in indexed)
            self._index_words(p for p in posts if p.id in indexed)
            v.image.add(labels, feats)
            v.text.add(labels, self.views.projection.project_stored(labels, feats, v.projector))  # not read twice
            v.caption.add(*self.views.caption_vectors_for(labels, v.projector))
        return len(labels)

    # -- text read from photos -------------------------------------------------------------------
    def put_read_text(self, post_id: int, status: str, text: str, lang: str) -> bool:
        """Store the text read from a post's photo (logged for other processes) and index its words here."""
        if not self.catalogue.known([post_id]) or not self.store.put_read_text(post_id, status, text, lang):
            return False  # deleted meanwhile (the store writes nothing then: no hash without its post)
        self._words_changed([post_id])
        return True

    def apply_text_changed(self, ids: list[int]) -> None:
        """Index the words of posts whose text was read in another process (from the change log)."""
        ids = self.catalogue.known(ids)
        if ids:
            self._words_changed(ids)

    def _words_changed(self, ids: list[int]) -> None:
        """Re-read the posts' read text and captions and index their words (a post gone meanwhile: none)."""
        posts = self.store.get_posts(ids)
        self.lexicon.forget(pid for pid, post in zip(ids, posts) if post is None)
        self._index_words(post for post in posts if post is not None)

    def _index_words(self, posts: Iterable[Post]) -> None:
        """The posts' words (read text and captions) in the words index."""
        for post in posts:
            self.lexicon.put(post.id, post_text(post.captions, post.ocr_text))

    def apply_deleted(self, ids: list[int]) -> None:
        ids = self.catalogue.known(ids)
        if ids:
            self._forget_locally(ids, indexes=not self.views.backend.shared)  # shared: its deleter removed them

    def forget_scope(self, scope: str) -> int:
        """Delete every post of a scope (a chat's /forget). Returns how many were deleted."""
        validate_scope(scope)
        return self.delete_posts(self.store.scope_post_ids(scope))

    def delete_posts(self, ids: list[int]) -> int:
        kinds = [(kind, model) for model in self.vector_models for kind in ("image", "probs", "keyframes")]
        kinds.append(("captions", self.text_encoder.name))
        deleted = 0
        for start in range(0, len(ids), 1000):
            batch = ids[start:start + 1000]
            deleted += self.store.delete(batch, kinds)
            self._forget_locally(batch)
        return deleted

    def _forget_locally(self, ids: Iterable[int], indexes: bool = True) -> None:
        ids = list(ids)
        with self.serving.lock:
            self.catalogue.forget(ids)
            self.lexicon.forget(ids)
            if not indexes:
                return
            v = self.serving.view
            v.image.remove(ids)
            v.text.remove(ids)
            v.caption.remove(caption_labels(ids))
