"""Versioned index snapshots in Redis: write chunks, then flip the `current` pointer atomically.

A reader follows `current` and only ever sees a snapshot whose chunks were all written first,
so a crash mid-write leaves the previous version serving. The newest `keep` versions are kept
(for rollback); older ones are deleted.
"""
from __future__ import annotations

import json
import logging
import time

import redis

from indexing.keys import Keys

log = logging.getLogger(__name__)
CHUNK_BYTES = 64 * 1024 * 1024  # Redis strings stop at 512 MB; chunks also keep replies small


def new_version() -> str:
    return time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + f"{time.time() % 1:.6f}"[1:]


def save_snapshot(r: redis.Redis, keys: Keys, index: str, blob: bytes, meta: dict, keep: int = 3) -> str:
    version = new_version()
    key = keys.snapshot(index, version)
    chunks = [blob[i:i + CHUNK_BYTES] for i in range(0, len(blob), CHUNK_BYTES)] or [b""]
    meta = dict(meta, version=version, chunks=len(chunks), bytes=len(blob), created_s=time.time())
    for i, chunk in enumerate(chunks):
        r.hset(key, f"chunk:{i}", chunk)
    r.hset(key, "meta", json.dumps(meta))
    pipe = r.pipeline(transaction=True)  # the flip: pointer + version list in one step
    pipe.set(keys.snapshot_current(index), version)
    pipe.lpush(keys.snapshot_versions(index), version)
    pipe.execute()
    for old in r.lrange(keys.snapshot_versions(index), keep, -1):
        r.delete(keys.snapshot(index, old.decode()))
    r.ltrim(keys.snapshot_versions(index), 0, keep - 1)
    r.publish(keys.events(), json.dumps({"snapshot": index, "version": version}))
    return version


def load_snapshot(r: redis.Redis, keys: Keys, index: str, version: str | None = None) -> tuple[dict, bytes] | None:
    """(meta, bytes) of the current (or given) snapshot, or None if there is none or it is incomplete."""
    if version is None:
        raw = r.get(keys.snapshot_current(index))
        if raw is None:
            return None
        version = raw.decode()
    key = keys.snapshot(index, version)
    raw_meta = r.hget(key, "meta")
    if raw_meta is None:
        log.warning("snapshot %s/%s has no meta: ignored", index, version)
        return None
    meta = json.loads(raw_meta)
    parts = r.hmget(key, [f"chunk:{i}" for i in range(meta["chunks"])])
    if any(p is None for p in parts):
        log.warning("snapshot %s/%s is missing chunks: ignored", index, version)
        return None
    blob = b"".join(parts)
    if len(blob) != meta["bytes"]:
        log.warning("snapshot %s/%s has %d bytes, expected %d: ignored", index, version, len(blob), meta["bytes"])
        return None
    return meta, blob


def list_versions(r: redis.Redis, keys: Keys, index: str) -> list[str]:
    return [v.decode() for v in r.lrange(keys.snapshot_versions(index), 0, -1)]
