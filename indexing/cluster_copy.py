"""Copy a single server's store into a Redis/Valkey Cluster, under the cluster's hash-tagged names
(`python -m indexing copy-to-cluster`; docs/DESIGN-NOTES.md, "Redis Cluster").

Run it with the bots stopped (nothing may write meanwhile). Each key moves with DUMP/RESTORE (its
type, TTL, a stream's consumer groups kept), except large hashes (vectors, thumbnails, posts' maps),
copied in HSCAN batches: a DUMP of one would pass the server's 512 MB bulk limit at scale. The copy
may be run again: a key is replaced whole. The source is left as it was.
"""
from __future__ import annotations

import redis

from indexing.keys import Keys

WHOLE_BYTES = 64 * 1024 * 1024  # larger hashes go in batches
BATCH = 2000


def copy_to_cluster(source: redis.Redis, target, prefix: str, progress=lambda n: None) -> int:
    """Copy every key of `prefix` from `source` (a single server) to `target` (a cluster client);
    returns how many keys were copied."""
    keys = Keys(prefix)
    copied = 0
    for raw in source.scan_iter(match=f"{keys.base}:*", count=1000):
        name = raw.decode()
        new_name = keys.on_cluster(name)
        if source.type(raw) == b"hash" and (source.memory_usage(raw) or 0) > WHOLE_BYTES:
            _copy_hash(source, target, raw, new_name)
        else:
            dumped = source.dump(raw)
            if dumped is None:  # expired meanwhile
                continue
            ttl = max(source.pttl(raw), 0)
            target.restore(new_name, ttl, dumped, replace=True)
        copied += 1
        progress(copied)
    return copied


def _copy_hash(source: redis.Redis, target, key: bytes, new_name: str) -> None:
    target.delete(new_name)
    batch: dict[bytes, bytes] = {}
    for field, value in source.hscan_iter(key, count=BATCH):
        batch[field] = value
        if len(batch) >= BATCH:
            target.hset(new_name, mapping=batch)
            batch = {}
    if batch:
        target.hset(new_name, mapping=batch)
    ttl = source.pttl(key)
    if ttl > 0:
        target.pexpire(new_name, ttl)
