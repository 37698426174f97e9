"""Duplicates: the stored posts a photo may copy, which one it copies, and the re-post policy of a
chat, the one rule of both the bot (a group's photos) and the CLI (`python -m indexing dupes`).

A new photo re-posts a stored one when they pass the chat's duplicate thresholds (the engine's
calibrated ones scaled by the chat's sensitivity). Every stored copy records the first post of the
photo in the chat (`Post.repost_of`), so a photo posted many times has one original: the earliest
post among the copies it matches and the originals they record. That original is the link target:

- never a re-post (a third copy links to the first post, not to the second);
- never a message the bot deleted (a re-post in delete mode is marked `message_deleted`); a copy
  whose original is gone from the store and whose own message was deleted has nothing to link to,
  so the new photo is taken as a new original;
- the window (`window_days`) runs from the original: a photo first posted 40 days ago is no
  re-post in a 30-day window, however recently a copy of it was posted;
- never the photo itself (the same message handled twice, e.g. an update delivered again);
- never an original an admin cleared a matched copy of ("not a re-post": moderation_records.py), so
  a false flag does not come back, even after a rebuild;
- a member's own photo again is recorded but not flagged, unless the chat flags self re-posts (also
  when someone's copy of it was cleared: that copy does not become the original of its author's photo);
- never a copy whose text (read in the background) differs from the new photo's: the same meme
  template with other words is another photo (the text rule: indexing/search/reposttext.py).

Some photos are never re-posts: automatic forwards from the chat's linked channel (the channel's
post, shown in its discussion group), forwards from other chats when the chat turned them off, and
pictures smaller than the chat's minimum size on their short side.

When the original's author deletes it, Telegram tells the bot nothing (the Bot API sends no update
for deleted messages), so the original stays the link target until the window ends: the link then
opens Telegram's "message not found". Taking a later copy instead would need knowledge we do not
have, and would make two different "originals" for one photo.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from indexing.chats import ChatSettings, Thresholds
from indexing.post import VIDEO_MEDIA
from indexing.search.catalogue import Catalogue
from indexing.search.queryphotos import QueryPhoto, QueryPhotos
from indexing.search.repostvideo import RepostVideo, VideoThresholds
from indexing.search.reposttext import RepostText
from indexing.search.types import DuplicateMatch, PhotoVectors, VideoVectors
from indexing.search.views import Serving
from indexing.store import AUTOMATIC, FORWARD, Post, PostStore
from models.phash import hamming

HASH_CANDIDATE_RADIUS = 16
SAME_PHOTO_COSINE, SAME_PHOTO_HAMMING = 0.99, 2  # a photo this close to a post is that post's photo
MAX_CHAIN = 16  # `repost_of` always names a root; this only bounds a damaged chain

Candidate = tuple[int, float, int]  # (post id, feature cosine, pHash Hamming distance)


@dataclass(frozen=True)
class Repost:
    original: Post  # the first post of the photo in the chat: the link target
    copy_id: int  # the stored post the new photo matched most closely
    cosine: float
    hamming: int


@dataclass(frozen=True)
class Verdict:
    original_id: int | None  # what the new photo's post records as `repost_of` (even outside the window)
    repost: Repost | None  # set when the chat is to be told: the original is within the window


NOT_A_REPOST = Verdict(None, None)


def decide_duplicate(candidates: list[Candidate], th: Thresholds) -> Candidate | None:
    """The most similar candidate that passes the thresholds, or None (shared by the bot and the benchmark)."""
    for pid, cos, ham in sorted(candidates, key=lambda c: -c[1]):
        if th.matches(cos, ham):
            return pid, cos, ham
    return None


def hash_distances(vec: PhotoVectors, hashes: np.ndarray) -> np.ndarray:
    """Hamming distance of each stored hash to the photo or to its mirror image, whichever is nearer."""
    return np.minimum(hamming(vec.phash, hashes), hamming(vec.phash_mirror, hashes))


class Duplicates:
    def __init__(self, store: PostStore, catalogue: Catalogue, serving: Serving, photos: QueryPhotos,
                 thresholds: Thresholds, text: RepostText | None = None,
                 video_thresholds: VideoThresholds = VideoThresholds()) -> None:
        self.store = store
        self.catalogue = catalogue
        self.serving = serving
        self.photos = photos
        self.thresholds = thresholds
        self.text = text or RepostText()
        self.videos = RepostVideo(store, catalogue, serving, photos.image_model, video_thresholds)

    def candidates(self, photo: QueryPhoto, scope: str, include_public: bool = False, k: int = 10) -> list[Candidate]:
        """(post id, feature cosine, pHash Hamming distance) of the posts this photo may re-post.

        Candidates come from two sides, since each signal misses what the other catches: the
        nearest features (crops, borders) and every hash within the widest Hamming radius we
        decide on (recompression, resizing, mirroring via the mirrored hash).
        """
        v = self.serving.view
        vec, own_id = self.photos.vectors(photo, v)
        visible = self.catalogue.visible(scope, include_public=include_public)
        cosines = {pid: s for pid, s in v.image.search(vec.features, k, visible) if pid != own_id}
        pool, hashes = self.catalogue.hash_pool(visible)
        distances: dict[int, int] = {}
        if len(pool):
            dist = hash_distances(vec, hashes)
            distances = {pool[i]: int(dist[i]) for i in np.flatnonzero(dist <= HASH_CANDIDATE_RADIUS)[:200]}
            unhashed, unhashed_hashes = self.catalogue.hashed(pid for pid in cosines if pid not in distances)
            if unhashed:
                distances.update(zip(unhashed, hash_distances(vec, unhashed_hashes).tolist()))
        extra = [pid for pid in distances if pid not in cosines and pid != own_id][:50]
        if extra:
            present = v.image.labels_of(extra)
            for pid, cos in zip(present, v.image.get_or_zero(present) @ vec.features):
                cosines[pid] = float(cos)
        return sorted(((pid, cos, distances.get(pid, 64)) for pid, cos in cosines.items()), key=lambda c: -c[1])

    def duplicate_of(self, photo: QueryPhoto, scope: str, include_public: bool = False,
                     thresholds: Thresholds | None = None) -> DuplicateMatch | None:
        """The stored post this photo re-posts (within `scope`, plus public if asked), or None."""
        best = decide_duplicate(self.candidates(photo, scope, include_public), thresholds or self.thresholds)
        if best is None:
            return None
        post = self.store.get_post(best[0])
        return DuplicateMatch(post, round(best[1], 4), best[2]) if post else None

    def check_repost(self, photo: QueryPhoto, scope: str, settings: ChatSettings, message_id: int | None = None,
                     now: float | None = None, *, author_id: int | None = None, origin: str = "",
                     size: tuple[int, int] | None = None, image: bytes | None = None,
                     file_unique_id: str | None = None) -> Verdict:
        """Whether `photo` re-posts a photo of `scope`, and which original (the policy above);
        `message_id` is the new photo's own message (never its own original), `author_id` who posted
        it, `origin` where it comes from (Post.origin), `size` its (width, height) as posted, `image`
        its bytes when `photo` is vectors (read only if the image rule matched: the text rule).
        A VideoVectors is a video, GIF or video note: it re-posts only a stored one, by the keyframes
        (indexing/search/repostvideo.py; `file_unique_id`, Telegram's id of its file, finds an exact
        re-send at once); the rest of the policy is the photos'."""
        if origin == AUTOMATIC or (origin == FORWARD and settings.forwards == "off"):
            return NOT_A_REPOST
        if size is not None and min(size) < settings.minsize:
            return NOT_A_REPOST  # stickers, avatars, thumbnails: small pictures look alike
        thresholds = self.thresholds.scaled(settings.sensitivity)
        video = isinstance(photo, VideoVectors)
        if video:
            matches = self.videos.matches(photo, scope, settings.sensitivity, file_unique_id)
            image = None  # a video's text (its middle frame's) moves with a trim: the keyframes decide alone
        else:
            matches = sorted((c for c in self.candidates(photo, scope) if thresholds.matches(c[1], c[2])),
                             key=lambda c: -c[1])
        if not matches:
            return NOT_A_REPOST
        # a video re-posts only a video (or GIF, video note), a photo only a photo
        copies = {p.id: p for p in self.store.get_posts([pid for pid, _, _ in matches])
                  if p is not None and (p.media in VIDEO_MEDIA) == video}
        matches = [c for c in matches if c[0] in copies]
        if message_id is not None and any(p.message_id == message_id for p in copies.values()):
            return NOT_A_REPOST  # this very message, seen again (an update delivered twice): handled already
        other_text = self.text.differing(photo if isinstance(photo, bytes) else image, copies.values(),
                                         thresholds.min_text_match)
        matches = [c for c in matches if c[0] not in other_text]
        copies = {pid: p for pid, p in copies.items() if pid not in other_text}
        if not copies:
            return NOT_A_REPOST
        roots = {post.id: self._original_of(post) for post in copies.values()}
        originals = {o.id: o for o in roots.values() if o is not None}
        mine = self._own_very_photo(matches, originals, author_id)
        if settings.self_reposts == "off" and mine is not None:
            # Their own photo again, even when a copy of it was cleared (which would otherwise become
            # the original: an admin's own photo flagged as a re-post of the member's copy of it).
            return Verdict(mine.id, None)
        for original_id in self._cleared(scope, matches, roots, originals):
            originals.pop(original_id, None)
        if not originals:
            return NOT_A_REPOST
        original = min(originals.values(), key=lambda p: (p.created_s, p.id))
        linked = {pid for pid, root in roots.items() if root is not None and root.id in originals}
        closest = next(c for c in matches if c[0] in linked)  # the closest copy of a photo still counted
        now = time.time() if now is None else now
        if original.created_s < now - settings.window_days * 86400:
            return Verdict(original.id, None)
        if settings.self_reposts == "off" and author_id is not None and original.user_id == author_id:
            return Verdict(original.id, None)  # their own photo again: recorded, not flagged
        return Verdict(original.id, Repost(original, closest[0], round(closest[1], 4), closest[2]))

    @staticmethod
    def _own_very_photo(matches: list[Candidate], originals: dict[int, Post], author_id: int | None) -> Post | None:
        """The first post of the photo, when the author posted it and the new photo is (near-)identical
        to it. Only the first: a copy the author posted later (say, one too small to be checked) does
        not make someone else's photo theirs."""
        if author_id is None or not originals:
            return None
        first = min(originals.values(), key=lambda p: (p.created_s, p.id))
        same = any(pid == first.id and cos >= SAME_PHOTO_COSINE and ham <= SAME_PHOTO_HAMMING
                   for pid, cos, ham in matches)
        return first if same and first.user_id == author_id else None

    def _cleared(self, scope: str, matches: list[Candidate], roots: dict[int, Post | None],
                 originals: dict[int, Post]) -> set[int]:
        """Originals this photo is no re-post of: an admin cleared a matched copy (or the original it
        records) against them. Only the original's very photo (near-identical to it, and closer to it
        than to the cleared copy) is still its re-post: an edit of the cleared photo can sit a hair
        closer to the original when the two look alike, and must not bring the flag back."""
        cosine = {pid: cos for pid, cos, _ in matches}
        hamming = {pid: ham for pid, _, ham in matches}
        closeness: dict[int, float] = dict(cosine)  # to a post, or to any matched copy recording it
        for pid, root in roots.items():
            if root is not None:
                closeness[root.id] = max(closeness.get(root.id, -1.0), cosine[pid])

        def is_the_original_itself(c: int, o: int) -> bool:
            return (cosine.get(o, -1.0) >= SAME_PHOTO_COSINE and hamming.get(o, 64) <= SAME_PHOTO_HAMMING
                    and cosine[o] > closeness[c])

        pairs = [(c, o) for c in closeness for o in originals if c != o]
        return {o for c, o in self.store.moderation.cleared_pairs(scope, pairs) if not is_the_original_itself(c, o)}

    def _original_of(self, post: Post) -> Post | None:
        """The first post of `post`'s photo that can be linked to (None: nothing left to link to)."""
        seen = {post.id}
        while post.repost_of is not None and post.repost_of not in seen and len(seen) < MAX_CHAIN:
            earlier = self.store.get_post(post.repost_of)
            if earlier is None:  # the original was deleted from the store: the copy stands in for it
                break
            seen.add(earlier.id)
            post = earlier
        return None if post.message_deleted else post
