"""Releases: one version of everything a search process serves, flipped into service atomically.

A release is the three index snapshots (hnswlib bytes + live labels) and the versions of the
heads they were built with. Writing one: every chunk first, then the manifest, the `current`
pointer, the artifacts' current pointers and a change-log entry in one MULTI/EXEC. A crash
before that step leaves orphan chunks nobody points at (deleted by the next writer), never a
half-written release in service; readers check every chunk's presence and size anyway.
The newest `keep` releases are kept as rollback targets. `ReleaseStore` (a PostStore's `releases`)
does all of it; its Redis failures are StorageUnavailableError, like every storage call.
"""
from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass

import numpy as np
import redis

from indexing.changelog import append_change
from indexing.keys import Keys
from indexing.storage_errors import public_methods_raise_storage_errors

log = logging.getLogger(__name__)
# Small chunks, fetched one at a time: a serving process reads a release between queries without
# holding the GIL for long (measured: 100 MB as one reply stalled other threads 0.6 s; 8 MB
# chunks one by one, with hiredis, 20 ms at most).
CHUNK_BYTES = 8 * 1024 * 1024
INDEX_NAMES = ("image", "text", "caption")


@dataclass
class IndexSnapshot:
    meta: dict
    blob: bytes
    live: np.ndarray  # int64 labels not marked deleted (hnswlib keeps deleted ones in the file)
    # vectors of `live` in order (the index's exact-search matrix): an int8 vectorblobs blob,
    # float16 rows in releases saved before it
    vectors: bytes = b""
    # the image index's PCA basis (indexing/reduced.py; meta["basis"] says its shape), b"" for none
    basis: bytes = b""


@dataclass
class Release:
    version: str
    manifest: dict
    indexes: dict[str, IndexSnapshot]


def new_version() -> str:
    """A version name for a release or an artifact: the UTC time to the microsecond (they sort by age)."""
    now = time.time()
    return time.strftime("%Y%m%dT%H%M%S", time.gmtime(now)) + f"{now % 1:.6f}"[1:]


@public_methods_raise_storage_errors
class ReleaseStore:
    """The releases in Redis: written, flipped into service, read, rolled back, trimmed."""

    def __init__(self, client: redis.Redis, keys: Keys) -> None:
        self._r = client
        self._keys = keys

    def save(self, indexes: dict[str, IndexSnapshot], artifacts: dict[str, str], info: dict | None = None,
             keep: int = 3) -> str:
        """Write a release and make it current; returns its version. Call with the release lock held."""
        r, keys = self._r, self._keys
        version = new_version()
        manifest = {"version": version, "created_s": round(time.time(), 3), "artifacts": artifacts,
                    "indexes": {}, **(info or {})}
        for name, snap in indexes.items():
            key = keys.snapshot(name, version)
            chunks = _chunks(snap.blob)
            vchunks = _chunks(snap.vectors)
            meta = dict(snap.meta, chunks=len(chunks), bytes=len(snap.blob), live=len(snap.live),
                        vchunks=len(vchunks), vbytes=len(snap.vectors))
            for i, chunk in enumerate(chunks):
                r.hset(key, f"chunk:{i}", chunk)
            for i, chunk in enumerate(vchunks):
                r.hset(key, f"vchunk:{i}", chunk)
            if snap.basis:
                r.hset(key, "basis", snap.basis)
            r.hset(key, mapping={"live": np.asarray(snap.live, np.int64).tobytes(), "meta": json.dumps(meta)})
            manifest["indexes"][name] = meta
        manifest["published_s"] = round(time.time(), 3)  # the flip (created_s: when writing began)
        self._flip(version, manifest, new=True)
        self._trim(keep)
        return version

    def _flip(self, version: str, manifest: dict, new: bool) -> None:
        keys = self._keys
        pipe = self._r.pipeline(transaction=True)
        if new:
            pipe.set(keys.release(version), json.dumps(manifest))
            pipe.lpush(keys.release_versions(), version)
        pipe.set(keys.release_current(), version)
        for name, artifact_version in manifest.get("artifacts", {}).items():
            if artifact_version and artifact_version != "none":
                pipe.set(keys.artifact_current(name), artifact_version)
            else:
                pipe.delete(keys.artifact_current(name))
        append_change(pipe, keys, op="release", version=version)
        pipe.hset(keys.counters(), "changes", 0)
        pipe.execute()

    def _trim(self, keep: int) -> None:
        """Drop releases beyond the newest `keep` (never the current one) and orphan chunks of crashed writes."""
        r, keys = self._r, self._keys
        current = self.current_version()
        versions = self.versions()
        kept = set(versions[:keep]) | ({current} if current else set())
        for old in versions[keep:]:
            if old in kept:
                continue
            r.lrem(keys.release_versions(), 0, old)
            r.delete(keys.release(old), *(keys.snapshot(name, old) for name in INDEX_NAMES))
        for key in r.scan_iter(match=keys.snapshot_pattern(), count=1000):
            if keys.snapshot_version(key.decode()) not in kept:
                log.info("deleting orphan snapshot %s (an interrupted write)", key.decode())
                r.delete(key)

    def current_version(self) -> str | None:
        raw = self._r.get(self._keys.release_current())
        return raw.decode() if raw is not None else None

    def versions(self) -> list[str]:
        """The kept releases, newest first."""
        return [v.decode() for v in self._r.lrange(self._keys.release_versions(), 0, -1)]

    def manifest(self, version: str) -> dict | None:
        raw = self._r.get(self._keys.release(version))
        return json.loads(raw) if raw is not None else None

    def load(self, version: str | None = None) -> Release | None:
        """The current (or given) release with all its snapshots, or None if there is none or it is incomplete."""
        version = version or self.current_version()
        if version is None:
            return None
        manifest = self.manifest(version)
        if manifest is None:
            log.warning("release %s has no manifest: ignored", version)
            return None
        indexes = {}
        for name in manifest["indexes"]:
            snap = self._load_snapshot(name, version)
            if snap is None:
                return None
            indexes[name] = snap
        return Release(version, manifest, indexes)

    def _load_snapshot(self, name: str, version: str) -> IndexSnapshot | None:
        r = self._r
        key = self._keys.snapshot(name, version)
        raw_meta, live = r.hmget(key, ["meta", "live"])
        if raw_meta is None or live is None:
            log.warning("snapshot %s/%s is incomplete: ignored", name, version)
            return None
        meta = json.loads(raw_meta)
        parts = [r.hget(key, f"chunk:{i}") for i in range(meta["chunks"])]
        vparts = [r.hget(key, f"vchunk:{i}") for i in range(meta.get("vchunks", 0))]
        if any(p is None for p in parts + vparts):
            log.warning("snapshot %s/%s is missing chunks: ignored", name, version)
            return None
        blob, vectors = b"".join(parts), b"".join(vparts)
        labels = np.frombuffer(live, np.int64)
        if len(blob) != meta["bytes"] or len(labels) != meta["live"] or len(vectors) != meta.get("vbytes", 0):
            log.warning("snapshot %s/%s has %d bytes, expected %d: ignored", name, version, len(blob), meta["bytes"])
            return None
        # a basis kept with another index's snapshot (the caption index's: the text index's) is read there
        basis = r.hget(key, "basis") if meta.get("basis") and not meta.get("basis_in") else b""
        if basis is None:
            log.warning("snapshot %s/%s is missing its basis: ignored", name, version)
            return None
        return IndexSnapshot(meta, blob, labels, vectors, basis)

    def basis(self, name: str, version: str) -> bytes | None:
        """The PCA basis of a release's index alone (a follower that keeps its own index but not its basis)."""
        return self._r.hget(self._keys.snapshot(name, version), "basis")

    def rollback(self, version: str) -> dict:
        """Make an older kept release current again (its heads too) and tell every process.
        KeyError when it is not kept or incomplete."""
        kept = self.versions()
        if version not in kept:
            raise KeyError(f"no kept release {version}; kept: {', '.join(kept) or 'none'}")
        if self.load(version) is None:
            raise KeyError(f"release {version} is incomplete")
        manifest = self.manifest(version)
        self._flip(version, manifest, new=False)
        return manifest


def _chunks(data: bytes) -> list[bytes]:
    return [data[i:i + CHUNK_BYTES] for i in range(0, len(data), CHUNK_BYTES)] or [b""]


# -- the module functions callers used before ReleaseStore ---------------------------------------------
