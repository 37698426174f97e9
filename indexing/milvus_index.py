"""The Milvus vector index (what any backend offers: indexing/vectorindex.py), on pymilvus's MilvusClient.

One collection holds one index: the label is the primary key, beside it the post id and the post's
scope as an int64 partition key (`scope_key`), so a chat's query is filtered inside Milvus, never
after it. The same code talks to Milvus Lite (uri = a local ``*.db`` path: an embedded server in this
process, one process at a time) and to a Milvus server (uri = ``http://host:19530``).

Inner product, not COSINE: the text indexes' reduced rows keep each block's norm (indexing/reduced.py),
so they are not unit vectors and a cosine would change their scores; on unit rows IP is the cosine.
Collections are created Strong-consistent: another worker's write must be visible to the next
re-post check (a server's default, Bounded, may hide the last seconds: docs/milvus-design.md).

A "snapshot" of a Milvus index is the name of its collection (`to_bytes`): the vectors live in
Milvus, a release points at collections and a rollback points the aliases back (docs/milvus-design.md).
"""
from __future__ import annotations

import json
import logging
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
from pymilvus import DataType, MilvusClient, MilvusException

from indexing.scopes import PUBLIC, validate_scope

log = logging.getLogger(__name__)



class _NoTimestampNoise(logging.Filter):
    """Milvus Lite implements no AllocTimestamp: pymilvus warns at every query iterator (a full scan) and
    an in-process Lite's gRPC server logs the unimplemented call. Harmless (the client's clock is used),
    and a line per scan would bury the service's own logs, so those records are dropped."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage() + (str(record.exc_info[1]) if record.exc_info and record.exc_info[1] else "")
        return "mvccTs" not in text and "AllocTimestamp" not in text


for _name in ("pymilvus.client.iterator.query_iterator", "grpc._server"):  # filters act on the emitting logger
    logging.getLogger(_name).addFilter(_NoTimestampNoise())

BATCH = 2000  # rows a request: 2,000 x 2,560-d floats is ~20 MB, under Milvus's 64 MB request cap
IN_LIST_MAX = 16_384  # ids in one `in [...]` filter; larger post sets are sent in pieces
EXACT_POSTS_A_QUERY = 8_192  # rows one query may return (a server's cap is 16,384); shifted by labels a post
FILTERED_EF_MAX = 512  # a filtered walk's ef at most (`search`; recall 1.0 at 0.25-5 % shares, measured)
EXACT_MAX = 64  # visible posts read back and scored here, at most (reading rows back costs ~0.3 ms each)
LITE_FLUSH_ROWS = 256  # a growing segment of this many 1,280-d rows adds ~25 ms to a Lite search (measured)


HIDDEN = -(2 ** 63)  # the scope key of a post gone before its rows were written: no viewer's filter names it
_lite_users: dict[str, int] = {}  # MilvusBackends of this process on each Lite file (one embedded server each)
_lite_lock = threading.Lock()


def exact_max_for(configured: int) -> int:
    """Visible posts answered exactly on Milvus, for HASHLENS_EXACT_SEARCH_MAX_POSTS = `configured`: at most
    EXACT_MAX (rows read back over gRPC cost what hnswlib's in-process rows do not)."""
    return min(configured, EXACT_MAX)


def scope_key(scope: str | None) -> int:
    """A scope as the int64 the partition key holds: public is 0, `chat:<id>` its chat id (never 0 in Telegram)."""
    if scope is None:
        return HIDDEN
    validate_scope(scope)
    return 0 if scope == PUBLIC else int(scope.split(":", 1)[1])


def collection_prefix(key_prefix: str) -> str:
    """The collections' and aliases' prefix of a deployment (its Redis key prefix: tests use one each).
    Milvus names take letters, digits and underscores."""
    return "hashlens_" + re.sub(r"[^A-Za-z0-9_]", "_", key_prefix)


def _id_list(ids: Iterable[int]) -> str:
    return "[" + ",".join(str(int(x)) for x in ids) + "]"


class MilvusIndex:
    """One collection (or an alias of one) as a `VectorIndex`. `scope_of(post_ids)` gives each post's
    scope when its vectors are added (the engine's catalogue knows it before it indexes a post)."""

    def __init__(self, client: MilvusClient, collection: str, dim: int, *, post_shift: int = 0,
                 scope_of: Callable[[list[int]], list[str]], ef_search: int = 96, exact_max: int = EXACT_MAX,
                 on_written: Callable[[str, int], None] | None = None) -> None:
        self.client = client
        self.collection = collection
        self.dim = dim
        self.post_shift = post_shift
        self.scope_of = scope_of
        self.ef_search = ef_search
        self.exact_max = exact_max
        self.on_written = on_written  # (collection, rows): told of each upsert while the index serves

    def __len__(self) -> int:
        rows = self.client.query(self.collection, filter="", output_fields=["count(*)"])
        return int(rows[0]["count(*)"])

    def __contains__(self, label: int) -> bool:
        return bool(self.labels_of([int(label)]))

    @property
    def deleted_share(self) -> float:
        """Milvus compacts deleted rows itself: nothing for a rebuild to win back."""
        return 0.0

    def labels(self) -> np.ndarray:
        found: list[int] = []
        iterator = self.client.query_iterator(self.collection, batch_size=10_000, filter="", output_fields=["label"])
        try:
            while batch := iterator.next():
                found += [row["label"] for row in batch]
        finally:
            iterator.close()
        return np.array(sorted(found), np.int64)

    # -- updates ---------------------------------------------------------------------------
    def add(self, labels, vectors: np.ndarray) -> None:
        """Add or replace (an upsert by label)."""
        labels = [int(x) for x in np.asarray(labels, np.int64).reshape(-1)]
        vectors = np.asarray(vectors, np.float32).reshape(len(labels), self.dim)
        posts = [label >> self.post_shift for label in labels]
        scopes = self.scope_of(sorted(set(posts)))
        key_of = dict(zip(sorted(set(posts)), (scope_key(s) for s in scopes)))
        for start in range(0, len(labels), BATCH):
            stop = start + BATCH
            rows = [{"label": label, "post_id": post, "scope_id": key_of[post], "vector": vector}
                    for label, post, vector in zip(labels[start:stop], posts[start:stop], vectors[start:stop])]
            self.client.upsert(self.collection, rows)
        if self.on_written is not None and labels:
            self.on_written(self.collection, len(labels))

    def remove(self, labels) -> None:
        labels = [int(x) for x in np.asarray(labels, np.int64).reshape(-1)]
        for start in range(0, len(labels), BATCH):
            self.client.delete(self.collection, ids=labels[start:start + BATCH])

    # -- reads -----------------------------------------------------------------------------
    def _rows(self, labels: list[int], fields: list[str]) -> dict[int, dict]:
        found: dict[int, dict] = {}
        for start in range(0, len(labels), BATCH):
            chunk = labels[start:start + BATCH]
            if chunk:
                found.update((row["label"], row) for row in self.client.get(self.collection, ids=chunk,
                                                                             output_fields=fields))
        return found

    def labels_of(self, labels) -> list[int]:
        """The given labels that are in the index, in their order."""
        labels = [int(x) for x in labels]
        present = self._rows(sorted(set(labels)), ["label"])
        return [x for x in labels if x in present]

    def get_or_zero(self, labels) -> np.ndarray:
        labels = [int(x) for x in labels]
        rows = self._rows(sorted(set(labels)), ["vector"])
        out = np.zeros((len(labels), self.dim), np.float32)
        for i, label in enumerate(labels):
            if label in rows:
                out[i] = rows[label]["vector"]
        return out

    def get(self, labels) -> np.ndarray:
        labels = [int(x) for x in labels]
        rows = self._rows(sorted(set(labels)), ["vector"])
        return np.array([rows[x]["vector"] for x in labels if x in rows], np.float32).reshape(-1, self.dim)

    # -- search ----------------------------------------------------------------------------
    def search(self, query: np.ndarray, k: int, allowed_posts=None) -> list[tuple[int, float]]:
        """Top-k (label, inner product), filtered inside Milvus: by scope when `allowed_posts` is a scope
        filter (it has `.scopes`: the catalogue's), else by post id. At most `exact_max` visible posts are
        answered exactly over their rows: Milvus Lite's filtered HNSW walk (a FAISS id selector) comes back
        short when the filter keeps few rows (a 5-post chat got 2-5 of its posts, docs/milvus-design.md).
        More than that: the filtered walk, its ef raised as the visible share of the posts falls (it keeps
        only that share of what it visits), up to FILTERED_EF_MAX. Reading rows back is what makes the
        exact path dear here (~0.3 ms a row over gRPC: 2,000 posts cost 0.57 s a search, measured)."""
        if k <= 0 or (allowed_posts is not None and len(allowed_posts) == 0):
            return []
        query = np.asarray(query, np.float32).reshape(self.dim)
        if allowed_posts is not None and len(allowed_posts) <= self.exact_max:
            return self._exact(query, k, sorted(int(p) for p in allowed_posts))
        scopes = getattr(allowed_posts, "scopes", None)
        if allowed_posts is None:
            filters = [""]
        elif scopes is not None:
            filters = [f"scope_id in {_id_list(sorted(scope_key(s) for s in scopes))}"]
        else:
            posts = sorted(int(p) for p in allowed_posts)
            filters = [f"post_id in {_id_list(posts[i:i + IN_LIST_MAX])}" for i in range(0, len(posts), IN_LIST_MAX)]
        ef = max(self.ef_search, k)
        share = getattr(allowed_posts, "share", 1.0)
        if share < 1.0:  # a filtered walk keeps ~share of what it visits: it looks further to find as many
            ef = max(ef, min(FILTERED_EF_MAX, int(ef / max(share, 1e-9))))
        hits: list[tuple[int, float]] = []
        for expr in filters:
            found = self.client.search(self.collection, [query.tolist()], limit=min(k, 16_384), filter=expr,
                                       search_params={"params": {"ef": ef}})
            hits += [(int(hit["label"]), float(hit["distance"])) for hit in found[0]]
        hits.sort(key=lambda hit: -hit[1])
        return hits[:k]

    def _exact(self, query: np.ndarray, k: int, posts: list[int]) -> list[tuple[int, float]]:
        """The posts' rows read back (a query by filter, no graph) and scored here."""
        labels, rows = [], []
        step = EXACT_POSTS_A_QUERY >> self.post_shift
        for start in range(0, len(posts), step):
            for row in self.client.query(self.collection, filter=f"post_id in {_id_list(posts[start:start + step])}",
                                         output_fields=["label", "vector"], limit=EXACT_POSTS_A_QUERY):
                labels.append(int(row["label"]))
                rows.append(row["vector"])
        if not labels:
            return []
        sims = np.asarray(rows, np.float32).reshape(-1, self.dim) @ query
        top = np.argsort(-sims, kind="stable")[:k]
        return [(labels[i], float(sims[i])) for i in top]

    # -- releases --------------------------------------------------------------------------
    def seal(self, timeout_s: float = 600.0) -> None:
        """Flush what was added and return once every row is in the HNSW index: for a new release's
        collection, before anything serves it (it is released meanwhile; unindexed rows are searched
        exactly, slowly). Milvus Lite builds indexes in a background thread after a flush, unseen by its
        describe_index (always "Finished"), and writes the index file in place: released first, its flush
        builds nothing, and the load builds every segment's index itself; a load that read a file an
        earlier background build was still writing fails and is tried again. A server reports its
        unindexed rows, waited for here. TimeoutError after timeout_s."""
        deadline = time.monotonic() + timeout_s
        self.client.release_collection(self.collection)
        self.client.flush(self.collection)
        while True:
            try:
                self.client.load_collection(self.collection)
                break
            except MilvusException:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        while (state := self.client.describe_index(self.collection, "vector")).get("pending_index_rows", 0) > 0:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.collection}: {state.get('pending_index_rows')} rows still unindexed")
            time.sleep(0.1)

    def to_bytes(self) -> tuple[bytes, np.ndarray, bytes]:
        """A reference, not a copy: the collection's name (its vectors stay in Milvus), no labels, no matrix."""
        ref = {"backend": "milvus", "collection": self.client.describe_collection(self.collection)["collection_name"]}
        return json.dumps(ref).encode(), np.zeros(0, np.int64), b""


@dataclass
class MilvusBackend:
    """Makes Milvus indexes (an `IndexBackend`): one collection each, HNSW with these graph parameters.

    `uri`: a Milvus Lite file (``*.db``) or a server (``http://host:19530``); `prefix` names this
    deployment's collections and aliases.
    """

    uri: str
    scope_of: Callable[[list[int]], list[str]]
    prefix: str = "hashlens"
    m: int = 16
    ef_construction: int = 200
    ef_search: int = 96
    exact_max: int = EXACT_MAX  # visible posts answered exactly (the engine: HASHLENS_EXACT_SEARCH_MAX_POSTS, capped)
    token: str = ""
    flush_rows: int = LITE_FLUSH_ROWS  # on Milvus Lite: seal a serving collection's new rows this often
    shared = True  # every process reads and writes the same collections: the writer writes once
    _client: MilvusClient | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _on_lite: bool = field(default=False, init=False, repr=False)
    _unflushed: dict[str, int] = field(default_factory=dict, init=False, repr=False)
    _flushing: dict[str, threading.Thread] = field(default_factory=dict, init=False, repr=False)

    @property
    def client(self) -> MilvusClient:
        with self._lock:
            if self._client is None:
                if self._lite:
                    Path(self.uri).parent.mkdir(parents=True, exist_ok=True)  # a fresh data dir has no milvus/ yet
                    with _lite_lock:
                        _lite_users[self.uri] = _lite_users.get(self.uri, 0) + 1
                self._client = MilvusClient(uri=self.uri, token=self.token)
                # a file, or a `milvus-lite server` (several workers): "milvus_lite-3.2.2"
                self._on_lite = self._lite or "lite" in str(self._client.get_server_version()).lower()
            return self._client

    def _written(self, collection: str, rows: int) -> None:
        """Rows upserted into a serving collection. Milvus Lite searches the rows of a growing segment
        (those not flushed yet) one by one, ~0.1 ms a row a search at 1,280-d (measured: 190 ms a search
        with 2,000 such rows, 3 ms once flushed): every `flush_rows` rows this process wrote, a background
        flush seals them and Lite indexes the segment. A Milvus server seals segments and indexes growing
        ones itself (and rate-limits flush calls): nothing to do there."""
        if not self._on_lite or self.flush_rows <= 0:
            return
        with self._lock:
            self._unflushed[collection] = self._unflushed.get(collection, 0) + rows
            if self._unflushed[collection] < self.flush_rows or collection in self._flushing:
                return
            self._unflushed[collection] = 0
            flusher = self._flushing[collection] = threading.Thread(target=self._flush, args=(collection,),
                                                                    name="milvus-flush", daemon=True)
            flusher.start()  # under the lock: `close` joins only started threads

    def _flush(self, collection: str) -> None:
        try:
            client = self._client
            if client is not None:
                client.flush(collection)
        except Exception as exc:  # noqa: BLE001 (a dropped collection, a closed client): the rows are kept anyway
            log.warning("flushing %s failed (%s); its new rows stay searched one by one until the next", collection,
                        exc)
        finally:
            with self._lock:
                self._flushing.pop(collection, None)

    @property
    def _lite(self) -> bool:
        return self.uri.endswith(".db")

    def new(self, dim: int, post_shift: int = 0) -> MilvusIndex:
        """An empty index in a new collection (named by its shape and a random suffix)."""
        name = f"{self.prefix}_{dim}d_s{post_shift}_{uuid.uuid4().hex[:12]}"
        schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("label", DataType.INT64, is_primary=True)
        schema.add_field("post_id", DataType.INT64)
        schema.add_field("scope_id", DataType.INT64, is_partition_key=True)
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
        params = self.client.prepare_index_params()
        params.add_index("vector", index_type="HNSW", metric_type="IP",
                         params={"M": self.m, "efConstruction": self.ef_construction})
        params.add_index("post_id", index_type="INVERTED")
        self.client.create_collection(name, schema=schema, consistency_level="Strong",
                                      properties={"hashlens.post_shift": str(post_shift),
                                                  "hashlens.created_s": str(int(time.time()))})
        # Not waited for: pymilvus polls each new index every 0.5 s (1 s a collection, measured), and the
        # index of an empty collection has nothing to build; `seal` waits for rows before a release serves.
        self.client.create_index(name, params, sync=False)
        self.client.load_collection(name)
        return self._open(name, dim, post_shift, serving=False)  # filled, then sealed in one go (`seal`)

    def _open(self, name: str, dim: int, post_shift: int, serving: bool = True) -> MilvusIndex:
        return MilvusIndex(self.client, name, dim, post_shift=post_shift, scope_of=self.scope_of,
                           ef_search=self.ef_search, exact_max=self.exact_max,
                           on_written=self._written if serving else None)

    def from_snapshot(self, blob: bytes, dim: int, live=None, vectors=None, post_shift: int = 0) -> MilvusIndex:
        """The collection a release names (`MilvusIndex.to_bytes`). RuntimeError when the blob is not a
        Milvus reference (an hnswlib release: rebuild) or the collection is gone or of another shape."""
        try:
            ref = json.loads(blob)
            name = ref["collection"] if ref.get("backend") == "milvus" else None
        except (ValueError, TypeError, AttributeError, KeyError):
            name = None
        if name is None:
            raise RuntimeError("not a Milvus index reference (a release of another backend?)")
        if not self.client.has_collection(name):
            raise RuntimeError(f"collection {name} is gone")
        fields = {f["name"]: f for f in self.client.describe_collection(name)["fields"]}
        if fields.get("vector", {}).get("params", {}).get("dim") != dim:
            raise RuntimeError(f"collection {name} does not hold {dim}-d vectors")
        self.client.load_collection(name)
        return self._open(name, dim, post_shift)

    # -- aliases: what serves ------------------------------------------------------------------
    def alias(self, kind: str) -> str:
        return f"{self.prefix}_{kind}"

    def publish(self, kind: str, index) -> None:
        """Point the kind's alias at the index's collection (one atomic switch for every reader)."""
        alias, name = self.alias(kind), _inner(index).collection
        if alias in self.client.list_aliases().get("aliases", []):
            self.client.alter_alias(name, alias)
        else:
            self.client.create_alias(name, alias)

    def serving(self, kind: str, dim: int, post_shift: int = 0) -> MilvusIndex:
        """The index the kind's alias points at now (every query resolves it anew)."""
        return self._open(self.alias(kind), dim, post_shift)

    def drop(self, index: MilvusIndex) -> None:
        """Drop an index's collection (an old release's, once no alias or kept release names it)."""
        self.client.drop_collection(index.collection)

    def drop_collections(self, names) -> list[str]:
        """Drop these collections (a trimmed release's), but never one an alias names (a server refuses
        it; Lite would drop the alias with it) nor one that is gone already. Returns those dropped."""
        aliased = {self.client.describe_alias(alias)["collection_name"]
                   for alias in self.client.list_aliases().get("aliases", [])}
        dropped = []
        for name in names:
            if name not in aliased and self.client.has_collection(name):
                self.client.drop_collection(name)
                dropped.append(name)
        return dropped

    def drop_orphans(self, kept, older_than_s: float) -> list[str]:
        """Drop this deployment's collections that no kept release names (`kept`) and no alias names, made
        more than `older_than_s` ago: those of a builder killed before it published (a younger one may be
        a rebuild still filling). Returns those dropped."""
        own = re.compile(re.escape(self.prefix) + r"_\d+d_s\d+_[0-9a-f]{12}")
        now, kept = time.time(), set(kept)
        old = []
        for name in self.client.list_collections():
            if own.fullmatch(name) and name not in kept:
                made = self.client.describe_collection(name).get("properties", {}).get("hashlens.created_s")
                if made is not None and now - float(made) > older_than_s:
                    old.append(name)
        return self.drop_collections(old)

    def seal(self, index) -> None:
        """Make a new collection's rows searched through its graph before it serves (`MilvusIndex.seal`);
        the rows it is written from then on are flushed as they come (`_written`)."""
        inner = _inner(index)
        inner.seal()
        inner.on_written = self._written

    @staticmethod
    def collection_of(index) -> str:
        return _inner(index).collection

    def close(self) -> None:
        """Close the client; with Milvus Lite the last backend of this process on the file also stops the
        embedded server (it holds the file's lock). A flush under way is waited for (seconds at most)."""
        with self._lock:
            flushes = list(self._flushing.values())
        for flusher in flushes:
            flusher.join(timeout=30)
        with self._lock:
            if self._client is None:
                return
            self._client.close()
            self._client = None
            if not self._lite:
                return
            with _lite_lock:
                _lite_users[self.uri] -= 1
                last = _lite_users[self.uri] == 0
                if last:
                    del _lite_users[self.uri]
            if last:
                from milvus_lite.server_manager import server_manager_instance

                server_manager_instance.release_server(self.uri)


def _inner(index) -> MilvusIndex:
    """The Milvus index itself, under a ReducedIndex (indexing/reduced.py) if it is one."""
    return getattr(index, "inner", index)
