"""/map and /clusters: which photos a map covers, its cache in Redis, and its pictures.

A chat's map covers the chat's own photos (the public collection when the chat has none yet),
optionally only those carrying a hashtag (`#tag`) or matching a text. The layout is cached in Redis
under a fingerprint of exactly the photos mapped, so it is reused until a photo of them is added or
deleted; the rendered pictures are kept for an hour, and once Telegram has them, only their file ids.
"""
from __future__ import annotations

import hashlib
import json
import logging
import threading
from dataclasses import dataclass

import numpy as np

from indexing import maprender
from indexing.errors import EmptyQueryError
from indexing.photomap import LAYOUT_VERSION, MapLayout, build_layout
from indexing.scopes import PUBLIC, validate_scope
from indexing.search import IMAGENET_REASON
from models.errors import BadImageError
from models.imaging import THUMBNAIL_SIDE, decode_image, square_thumbnail
from models.tags import normalize_tags, post_hashtags, tag_to_words
from models.zeroshot import class_hashtags

log = logging.getLogger(__name__)

CLUSTER_SAMPLE = 20_000  # photos clustered at most (a uniform sample of bigger scopes; see photomap.py)
MIN_TEXT_MATCHES = 12  # a text query maps at least this many photos (when the scope has them)
IMAGES_TTL_S = 3600  # rendered pictures: until Telegram has them (file ids), at most an hour


class NothingToMapError(ValueError):
    """The scope (or the filter) leaves no photo to map."""


@dataclass(frozen=True)
class Selection:
    """The photos one map covers."""

    scope: str  # the scope mapped (the chat's, or public while the chat has no photos)
    query: str  # '' (all), '#tag' or words
    ids: list[int]


@dataclass
class PhotoMap:
    layout: MapLayout
    scope: str  # the scope mapped
    query: str
    query_hash: str  # with the scope, where the map is cached
    fingerprint: str
    cached: bool  # the layout came from Redis
    photo: bytes | None = None  # JPEG for the chat (at most 2,048 px)
    document: bytes | None = None  # full-resolution JPEG
    photo_file_id: str | None = None
    document_file_id: str | None = None

    @property
    def title(self) -> str:
        what = "public photos" if self.scope == PUBLIC else "photos"
        about = f" matching {self.query}" if self.query else ""
        groups = len(self.layout.clusters)
        shown = (f", {len(self.layout.ids)} drawn" if len(self.layout.ids) < self.layout.total else "")
        return f"{self.layout.total} {what}{about}{shown} · {groups} group{'s' if groups != 1 else ''}"


class PhotoMaps:
    def __init__(self, engine, max_photos: int = 2000, cache_days: float = 7.0, cell: int = 64,
                 cluster_sample: int = CLUSTER_SAMPLE) -> None:
        self.engine = engine
        self.cluster_sample = max(cluster_sample, max_photos)
        self.max_photos = max_photos
        self.cache_s = max(60, int(cache_days * 86400))
        self.cell = cell or THUMBNAIL_SIDE  # tiles stored at 0 px (none stored): drawn grey at the default side
        self._computing = threading.Lock()  # one layout at a time: t-SNE takes both cores

    # -- what a map covers -----------------------------------------------------------------
    def selection(self, scope: str, query: str = "") -> Selection:
        """The chat's own photos (the public ones while it has none), those with `#tag` or matching words."""
        validate_scope(scope)
        ids = self.engine.scope_ids(scope)
        mapped = scope
        if not ids and scope != PUBLIC:
            mapped, ids = PUBLIC, self.engine.scope_ids(PUBLIC)
        query = query.strip()
        if not query or not ids:
            return Selection(mapped, query, ids)
        words, text = query.split(), query
        if len(words) == 1 and words[0].startswith("#"):
            tag = normalize_tags(words)
            if tag:
                tagged = [p.id for p in self._posts(ids) if tag[0] in p.tags]
                if tagged:
                    return Selection(mapped, query, tagged)
                text = " ".join(tag_to_words(tag[0]))  # nobody wrote it: photos that look like it
        return Selection(mapped, query, self._matching(text, ids))

    def _matching(self, text: str, ids: list[int]) -> list[int]:
        """Photos scoring a standard deviation above the scope's mean for the text (at least a dozen)."""
        if not text.strip():
            raise EmptyQueryError("the query text is empty")
        scores = self.engine.text_match(text, ids)
        order = np.argsort(-scores, kind="stable")
        keep = int((scores >= scores.mean() + scores.std()).sum())
        keep = max(keep, min(MIN_TEXT_MATCHES, len(ids)))
        return sorted(ids[i] for i in order[:keep])

    def _posts(self, ids: list[int]) -> list:
        posts = []
        for start in range(0, len(ids), 2000):
            posts += [p for p in self.engine.store.get_posts(ids[start:start + 2000]) if p is not None]
        return posts

    # -- the layout, cached ------------------------------------------------------------------
    def get(self, scope: str, query: str = "") -> PhotoMap:
        """The map's layout for a chat (see `layout`)."""
        return self.layout(self.selection(scope, query))

    def cached(self, selection: Selection) -> PhotoMap | None:
        """The cached layout if it was made from exactly these photos, else None."""
        if not selection.ids:
            return None
        return self._cached(selection, self._fingerprint(selection.ids))

    def layout(self, selection: Selection) -> PhotoMap:
        """The map's layout: from the cache while the same photos are mapped, else computed and cached."""
        if not selection.ids:
            raise NothingToMapError(f"no photos to map in {selection.scope}" +
                                    (f" matching {selection.query!r}" if selection.query else ""))
        fingerprint = self._fingerprint(selection.ids)
        found = self._cached(selection, fingerprint)
        if found is not None:
            return found
        with self._computing:
            found = self._cached(selection, fingerprint)  # another request may just have made it
            if found is not None:
                return found
            layout = self._compute(selection.scope, selection.ids)
            query_hash = self._query_hash(selection.query)
            self.engine.store.map_cache.put_layout(selection.scope, query_hash, fingerprint, json.dumps(layout.to_dict()),
                                             self.cache_s)
            log.info("map of %s (%d photos, %d drawn, %d clusters) computed in %.1f s", selection.scope,
                     layout.total, len(layout.ids), len(layout.clusters), layout.seconds)
            return PhotoMap(layout, selection.scope, selection.query, query_hash, fingerprint, cached=False)

    @staticmethod
    def _query_hash(query: str) -> str:
        return hashlib.sha1(query.strip().lower().encode()).hexdigest()[:16]

    def _fingerprint(self, ids: list[int]) -> str:
        h = hashlib.sha1(f"{LAYOUT_VERSION}|{self.engine.image_model}|{self.max_photos}|".encode())
        h.update(np.asarray(sorted(ids), np.int64).tobytes())
        return h.hexdigest()

    def _cached(self, selection: Selection, fingerprint: str) -> PhotoMap | None:
        query_hash = self._query_hash(selection.query)
        entry = self.engine.store.map_cache.entry(selection.scope, query_hash)
        if entry.get("fingerprint", b"").decode() != fingerprint:
            return None
        get = lambda name: entry[name].decode() if name in entry else None  # noqa: E731
        return PhotoMap(MapLayout.from_dict(json.loads(entry["layout"])), selection.scope, selection.query,
                        query_hash, fingerprint, cached=True, photo_file_id=get("photo_file_id"),
                        document_file_id=get("document_file_id"))

    def _compute(self, scope: str, ids: list[int]) -> MapLayout:
        total = len(ids)
        if total > self.cluster_sample:  # a uniform sample: same clusters, bounded time and memory
            rng = np.random.default_rng(total)
            ids = sorted(int(i) for i in rng.choice(ids, self.cluster_sample, replace=False))
        posts = {p.id: p for p in self._posts(ids)}
        total -= len(ids) - len(posts)  # deleted meanwhile
        ids = [i for i in ids if i in posts]
        # A post's hashtags, or for an untagged one the content words of its captions ("a dog runs on the
        # grass" -> dog, runs, grass): what a group of photos is about, in its posters' words.
        words = [post_hashtags(posts[i].tags, posts[i].captions, words_as_tags=True) for i in ids]
        layout = build_layout(ids, self.engine.image_vectors(ids), words, cap=self.max_photos, seed=len(ids),
                              total=total)
        members: dict[int, list[int]] = {}
        for pid, number in zip(layout.ids, layout.cluster_of):
            members.setdefault(number, []).append(pid)
        for cluster in layout.clusters:
            if not cluster.tags:  # nobody tagged these photos
                cluster.tags = self._suggested_tags(cluster.sample, members.get(cluster.number, []), scope)
        return layout

    def _suggested_tags(self, sample: int, members: list[int], scope: str, k: int = 3) -> list[str]:
        """What the engine suggests for the cluster's typical photo; when that is only its ImageNet classes
        (nothing tagged in sight), the classes of all its members drawn, which one odd medoid cannot sway."""
        suggested = self.engine.hashtags(sample, scope, k)
        if suggested and not all(s.reason == IMAGENET_REASON for s in suggested):
            return [s.tag for s in suggested]
        probs = [p for p in self.engine.store.get_vectors("probs", self.engine.image_model, members, 1000)
                 if p is not None]
        if not probs:
            return [s.tag for s in suggested]
        return [tag for tag, _ in class_hashtags(np.mean([p[0] for p in probs], axis=0), k)]

    # -- pictures ----------------------------------------------------------------------------
    def draw(self, photo_map: PhotoMap) -> PhotoMap:
        """Fill in the map's two JPEGs (kept in Redis for an hour, so a re-send does not redraw)."""
        store = self.engine.store
        kept = store.map_cache.images(photo_map.scope, photo_map.query_hash, photo_map.fingerprint)
        if kept is not None:
            photo_map.photo, photo_map.document = kept
            return photo_map
        # No title drawn: one picture serves readers of every language; the chat's caption says
        # what the map shows, in the reader's language (the CLI draws the English title).
        image = maprender.render(photo_map.layout, self.thumbnails(photo_map.layout.ids), self.cell)
        photo_map.photo = maprender.to_jpeg(image, maprender.PHOTO_MAX_SIDE)
        photo_map.document = maprender.to_jpeg(image, quality=90)
        store.map_cache.put_images(photo_map.scope, photo_map.query_hash, photo_map.fingerprint, photo_map.photo,
                             photo_map.document, IMAGES_TTL_S)
        return photo_map

    def thumbnails(self, ids: list[int]) -> list[bytes | None]:
        """Stored tiles; posts stored before tiles existed get one made from their file when it is on disk."""
        store = self.engine.store
        tiles = store.get_thumbnails(ids)
        missing = [i for i, t in zip(ids, tiles) if t is None]
        made: dict[int, bytes] = {}
        for post in self._posts(missing) if missing else []:
            data = self.engine.photo_bytes(post)  # None for Telegram posts and files gone from disk
            if data is None:
                continue
            try:
                image = decode_image(data, max_pixels=self.engine.max_photo_pixels).image
            except BadImageError:
                continue
            made[post.id] = square_thumbnail(image, self.cell)
        store.set_thumbnails(made)
        return [t if t is not None else made.get(i) for i, t in zip(ids, tiles)]

    def remember_files(self, photo_map: PhotoMap, photo_file_id: str | None, document_file_id: str | None) -> None:
        """Telegram's ids of the sent pictures: the next /map of the same photos re-sends them by id."""
        fields = {k: v for k, v in (("photo_file_id", photo_file_id), ("document_file_id", document_file_id)) if v}
        self.engine.store.map_cache.put_files(photo_map.scope, photo_map.query_hash, photo_map.fingerprint, fields)
