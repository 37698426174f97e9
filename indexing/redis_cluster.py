"""A Redis/Valkey Cluster behind REDIS_URL: found by asking the server, and written to durably.

`open_client` asks the node REDIS_URL names whether cluster mode is on (INFO cluster); if so it
returns a `ReplicatedCluster`, a redis-py RedisCluster whose MULTI/EXEC transactions are followed,
on the same connection, by WAIT: a transaction is acknowledged only once `wait_replicas` replicas
of its master have it, so a master killed after answering loses nothing its replica does not have
(replication is asynchronous otherwise). Every post, deletion, release flip, moderation decision
and reading-queue entry is written by such a transaction, and every single write command is run as a
transaction of one (an update kept in the inbox, a lock, a chat's setting). The keys carry hash tags on a cluster
(indexing/keys.py) so each transaction's keys share one slot.
"""
from __future__ import annotations

import redis
from redis.cluster import ClusterPipeline, RedisCluster, TransactionStrategy
from redis.exceptions import RedisClusterException

WAIT_TIMEOUT_MS = 2000  # replicas on the same network answer in a millisecond; this is a dead one
# Single write commands run as a transaction of one and waited for. A list, not COMMAND's "write" flag:
# a reply some commands' parsers read from their options (XAUTOCLAIM's) comes back raw from a
# transaction, and blocking ones would stop blocking inside MULTI. Left out: the stream consumer
# group's claims (a claim lost with its master is delivered again).
WAITED = frozenset({
    "set", "setnx", "setex", "psetex", "getset", "getdel", "append", "incr", "incrby", "incrbyfloat", "decr",
    "decrby", "del", "unlink", "expire", "pexpire", "expireat", "pexpireat", "persist", "hset", "hsetnx",
    "hmset", "hdel", "hincrby", "hincrbyfloat", "sadd", "srem", "zadd", "zrem", "zincrby", "zremrangebyscore",
    "lpush", "rpush", "lrem", "ltrim", "lpop", "rpop", "xadd", "xack", "xdel", "xtrim", "eval", "evalsha"})


class NotReplicated(redis.ResponseError):
    """The transaction ran on the master but too few replicas confirmed it: not acknowledged (a
    ResponseError, so the pipeline does not run it again; the store reports storage unavailable)."""


def is_cluster_node(url: str, **options) -> bool:
    """Whether the server at `url` runs in cluster mode."""
    probe = redis.Redis.from_url(url, **options)
    try:
        return bool(int(probe.info("cluster").get("cluster_enabled", 0)))
    finally:
        probe.close()


def used_memory_by_master(client: redis.Redis | RedisCluster) -> dict[str, int]:
    """Bytes each master holds ("server" for a single one): how a cluster spreads the store."""
    if isinstance(client, RedisCluster):
        infos = client.info("memory", target_nodes=RedisCluster.PRIMARIES)
        return {node: int(info["used_memory"]) for node, info in infos.items()}
    return {"server": int(client.info("memory")["used_memory"])}


def open_client(url: str, wait_replicas: int = 1, **options) -> redis.Redis | RedisCluster:
    """A client for `url`: a plain one for a single server, a `ReplicatedCluster` for a cluster node."""
    if is_cluster_node(url, **options):
        client = ReplicatedCluster.from_url(url, **options)
        client.wait_replicas = wait_replicas
        return client
    return redis.Redis.from_url(url, **options)


class _ReplicatedTransaction(TransactionStrategy):
    """MULTI/EXEC, then WAIT on the connection that ran it (WAIT counts that connection's writes)."""

    def _execute_transaction(self, stack, raise_on_error):
        result = super()._execute_transaction(stack, raise_on_error)
        wanted = self._pipe.wait_replicas
        if wanted > 0:
            connection = self._transaction_connection
            connection.send_command("WAIT", wanted, WAIT_TIMEOUT_MS)
            acked = int(connection.read_response())
            if acked < wanted:
                raise NotReplicated(f"{acked} of {wanted} replicas confirmed the write within {WAIT_TIMEOUT_MS} ms")
        return result


class _ReplicatedPipeline(ClusterPipeline):
    def __init__(self, *args, wait_replicas: int = 1, transaction=False, **kwargs) -> None:
        super().__init__(*args, transaction=transaction, **kwargs)
        self.wait_replicas = wait_replicas
        if transaction:
            self._execution_strategy = _ReplicatedTransaction(self)


class ReplicatedCluster(RedisCluster):
    """RedisCluster whose writes wait for `wait_replicas` replicas (0: do not wait): transactions, and
    single write commands too (`WAITED`: the inbox's HSET of an update, a lock, a chat's setting), which
    are run as a transaction of one so that WAIT follows them on their own connection."""

    wait_replicas = 1

    def execute_command(self, *args, **kwargs):
        if self.wait_replicas > 0 and "target_nodes" not in kwargs and self._writes(args[0]):
            try:
                self.determine_slot(*args)
            except RedisClusterException:  # keys in several slots (a DEL of many): redis-py splits it, unwaited
                return super().execute_command(*args, **kwargs)
            pipe = self.pipeline(transaction=True)
            try:
                pipe.execute_command(*args, **kwargs)
                return pipe.execute()[0]
            finally:
                pipe.reset()
        return super().execute_command(*args, **kwargs)

    @staticmethod
    def _writes(command) -> bool:
        """A write waited for: one of `WAITED`, whose reply reads the same from a transaction."""
        return str(command.decode() if isinstance(command, bytes) else command).split()[0].lower() in WAITED

    def pipeline(self, transaction=None, shard_hint=None):
        if shard_hint:
            raise redis.exceptions.RedisClusterException("shard_hint is deprecated in cluster mode")
        # as RedisCluster.pipeline, with the waiting pipeline class
        return _ReplicatedPipeline(
            nodes_manager=self.nodes_manager, commands_parser=self.commands_parser,
            startup_nodes=self.nodes_manager.startup_nodes, result_callbacks=self.result_callbacks,
            cluster_response_callbacks=self.cluster_response_callbacks, read_from_replicas=self.read_from_replicas,
            load_balancing_strategy=self.load_balancing_strategy, reinitialize_steps=self.reinitialize_steps,
            retry=self.retry, lock=self._lock, transaction=transaction, event_dispatcher=self._event_dispatcher,
            wait_replicas=self.wait_replicas)
