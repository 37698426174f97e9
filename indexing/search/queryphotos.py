"""What a query photo is: bytes (embedded now), a stored post's id (its indexed vectors) or vectors
already made; and which stored posts are that very photo (never an answer to a query about it)."""
from __future__ import annotations

from typing import Callable, Iterable, Union

import numpy as np

from indexing.errors import UnknownPostError
from indexing.search.catalogue import Catalogue
from indexing.search.projection import CLASSES
from indexing.search.types import IndexView, PhotoVectors
from indexing.store import PostStore

QueryPhoto = Union[bytes, int, PhotoVectors]


class QueryPhotos:
    def __init__(self, store: PostStore, image_model: str, catalogue: Catalogue,
                 embed_photo: Callable[[bytes], PhotoVectors]) -> None:
        self.store = store
        self.image_model = image_model
        self.catalogue = catalogue
        self.embed_photo = embed_photo

    def vectors(self, photo: QueryPhoto, v: IndexView) -> tuple[PhotoVectors, int | None]:
        """(its vectors, its post id when it is a stored post)."""
        if isinstance(photo, PhotoVectors):
            return photo, None
        if isinstance(photo, int):
            if photo not in v.image:
                raise UnknownPostError(f"no indexed post {photo}")
            feats = v.image.get([photo])[0]
            text = v.text.get([photo])
            probs = self.store.get_vectors("probs", self.image_model, [photo], CLASSES)[0]
            post = self.store.get_post(photo)
            ph = post.phash if post else self.catalogue.phash_of(photo) or 0
            return PhotoVectors(features=feats, class_probs=None if probs is None else probs[0],
                                text=text[0] if len(text) else np.zeros(v.text.dim, np.float32),
                                phash=ph, phash_mirror=ph, sha256=post.sha256 if post else "",
                                width=post.width if post else 0, height=post.height if post else 0,
                                space=v.projector_version), photo
        return self.embed_photo(photo), None

    def same_photo(self, vec: PhotoVectors, own_id: int | None, scopes: Iterable[str]) -> set[int]:
        """The stored posts that are the query photo itself: its own post, and every post of the same
        bytes in the visible scopes (a photo sent as a reply is downloaded byte for byte; in a group
        several members may have posted that file)."""
        found = {pid for scope in scopes for pid in self.store.posts_by_sha(scope, vec.sha256)} if vec.sha256 else set()
        return (found | {own_id}) - {None}
