"""The in-memory catalogue of stored posts: which scope each belongs to, its pHash, and a generation
counter of their hashtags (caches of tag counts are valid while it stands still). One lock guards it.

It answers "which posts may this viewer see" without Redis (scopes.py: public + the viewer's chat).
"""
from __future__ import annotations

import threading
from typing import Iterable, Iterator

import numpy as np

from indexing.scopes import validate_scope, visible_scopes
from indexing.store import Post


class ScopeFilter:
    """The posts visible from a viewer, answering `in` and `len` without building a set."""

    def __init__(self, scope_of: dict[int, str], members: list[set[int]], scopes: frozenset[str]) -> None:
        self._scope_of = scope_of
        self._members = members
        self.scopes = scopes

    def __contains__(self, post_id: int) -> bool:
        return self._scope_of.get(post_id) in self.scopes

    def __len__(self) -> int:
        return sum(len(m) for m in self._members)

    @property
    def share(self) -> float:
        """The visible posts' share of all posts: how much of a graph a filtered walk passes over."""
        return len(self) / max(1, len(self._scope_of))

    def __iter__(self) -> Iterator[int]:
        for members in self._members:
            yield from list(members)


class Catalogue:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.scope_of: dict[int, str] = {}
        self.scope_members: dict[str, set[int]] = {}
        self.phash: dict[int, int] = {}
        self.tags_generation = 0  # bumped whenever a post's hashtags may have come or gone

    def replace_all(self, ids: np.ndarray, scopes: list[str], phashes: np.ndarray) -> None:
        """Hold exactly these posts (what the store holds now)."""
        members: dict[str, set[int]] = {}
        for pid, scope in zip(ids.tolist(), scopes):
            members.setdefault(scope, set()).add(pid)
        with self.lock:
            self.scope_of = dict(zip(ids.tolist(), scopes))
            self.scope_members = members
            self.phash = dict(zip(ids.tolist(), phashes.tolist()))
            self.tags_generation += 1

    def remember(self, posts: Iterable[Post]) -> None:
        with self.lock:
            for post in posts:
                self.scope_of[post.id] = post.scope
                self.scope_members.setdefault(post.scope, set()).add(post.id)
                self.phash[post.id] = post.phash
                if post.tags:
                    self.tags_generation += 1

    def forget(self, ids: Iterable[int]) -> None:
        with self.lock:
            self.tags_generation += 1
            for pid in ids:
                scope = self.scope_of.pop(pid, None)
                if scope is not None:
                    self.scope_members.get(scope, set()).discard(pid)
                self.phash.pop(pid, None)

    def tags_changed(self) -> None:
        with self.lock:
            self.tags_generation += 1

    def live_ids(self) -> set[int]:
        with self.lock:
            return set(self.scope_of)

    def known(self, ids: Iterable[int]) -> list[int]:
        """The given ids this catalogue holds, in their order."""
        with self.lock:
            return [pid for pid in ids if pid in self.scope_of]

    def unknown(self, ids: Iterable[int]) -> list[int]:
        with self.lock:
            return [pid for pid in ids if pid not in self.scope_of]

    def __len__(self) -> int:
        with self.lock:
            return len(self.scope_of)

    def scope_ids(self, scope: str) -> list[int]:
        """Ids of the posts stored in one scope, sorted."""
        with self.lock:
            return sorted(self.scope_members.get(validate_scope(scope), ()))

    def scope_sizes(self) -> dict[str, int]:
        """Posts per scope that holds any."""
        with self.lock:
            return {s: len(m) for s, m in self.scope_members.items() if m}

    def visible(self, viewer: str, include_public: bool = True) -> ScopeFilter | None:
        """The posts a viewer may see; None when that is every post (search unfiltered)."""
        scopes = visible_scopes(viewer) if include_public else frozenset({validate_scope(viewer)})
        with self.lock:
            filt = ScopeFilter(self.scope_of, [self.scope_members.get(s, set()) for s in scopes], scopes)
            if len(filt) == len(self.scope_of):
                return None
            return filt

    def posts_in(self, scopes: Iterable[str]) -> int:
        """How many posts these scopes hold."""
        with self.lock:
            return sum(len(self.scope_members.get(s, ())) for s in scopes)

    def visible_count(self, viewer: str, include_public: bool = True) -> int:
        visible = self.visible(viewer, include_public)
        if visible is None:
            return len(self)
        return len(visible)

    def phashes(self, ids: Iterable[int]) -> np.ndarray:
        """The posts' pHashes (0 for posts it does not hold)."""
        with self.lock:
            return np.array([self.phash.get(pid, 0) for pid in ids], np.uint64)

    def phash_of(self, post_id: int) -> int | None:
        with self.lock:
            return self.phash.get(post_id)

    def hash_pool(self, visible: ScopeFilter | None) -> tuple[list[int], np.ndarray]:
        """(post ids, their pHashes) of the visible posts, every post's when `visible` is None."""
        with self.lock:
            pool = list(visible) if visible is not None else list(self.phash)
            return pool, np.array([self.phash.get(pid, 0) for pid in pool], np.uint64)

    def hashed(self, ids: Iterable[int]) -> tuple[list[int], np.ndarray]:
        """(the given ids it holds a pHash for, those pHashes)."""
        with self.lock:
            kept = [pid for pid in ids if pid in self.phash]
            return kept, np.array([self.phash[pid] for pid in kept], np.uint64)
