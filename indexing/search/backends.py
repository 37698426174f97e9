"""Which vector backend an engine's indexes live in (`EngineOptions.vector_backend`, HASHLENS_VECTOR_BACKEND):
hnswlib, a copy in every process, or Milvus, one copy shared by every process on the same Redis key
prefix (docs/milvus-design.md)."""
from __future__ import annotations

from functools import partial

from indexing.ann import HnswBackend
from indexing.search.catalogue import Catalogue
from indexing.search.types import EngineOptions
from indexing.store import PostStore
from indexing.vectorindex import IndexBackend

BACKENDS = ("hnswlib", "milvus")


def make_backend(options: EngineOptions, store: PostStore, catalogue: Catalogue) -> IndexBackend:
    if options.vector_backend == "hnswlib":
        return HnswBackend(options.hnsw_m, options.hnsw_ef_construction, options.hnsw_ef_search,
                           options.exact_search_max_posts)
    if options.vector_backend == "milvus":
        # pymilvus only when asked for
        from indexing.milvus_index import MilvusBackend, collection_prefix, exact_max_for

        return MilvusBackend(options.milvus_uri, scope_of=partial(scopes_of, store, catalogue),
                             prefix=collection_prefix(store.keys.prefix), m=options.hnsw_m,
                             ef_construction=options.hnsw_ef_construction, ef_search=options.hnsw_ef_search,
                             exact_max=exact_max_for(options.exact_search_max_posts), token=options.milvus_token)
    raise ValueError(f"unknown vector backend {options.vector_backend!r}: one of {', '.join(BACKENDS)}")


def scopes_of(store: PostStore, catalogue: Catalogue, post_ids: list[int]) -> list[str | None]:
    """Each post's scope as its rows are written: the catalogue's, else the store's (a post another process
    stored, written here by a release's catch-up before this process's follower told the catalogue);
    None for a post that is gone (its rows are then seen by no scope)."""
    with catalogue.lock:
        found = [catalogue.scope_of.get(pid) for pid in post_ids]
    missing = [pid for pid, scope in zip(post_ids, found) if scope is None]
    if missing:
        stored = dict(zip(missing, store.scopes_of(missing)))
        found = [scope if scope is not None else stored[pid] for pid, scope in zip(post_ids, found)]
    return found
