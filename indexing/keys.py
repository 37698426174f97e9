"""Every Redis key of hashlens, built here and nowhere else.

Layout (prefix `hl` by default, colon hierarchy, schema version in the prefix):
  {p}:v1:post:{id}                 hash   one post: scope, chat_id, message_id, file ids, captions, tags, phash, ...
  {p}:v1:posts:next_id             string counter for post ids (also the HNSW labels)
  {p}:v1:posts:scope               hash   post id -> scope (bulk-loaded at start)
  {p}:v1:posts:phash               hash   post id -> 16 hex digits pHash
  {p}:v1:scopes                    set    every scope that has posts (a registry instead of KEYS scans)
  {p}:v1:scope:{scope}:posts       set    post ids in a scope
  {p}:v1:scope:{scope}:seen        hash   content sha256 -> post id (resumable ingest, exact re-posts)
  {p}:v1:scope:{scope}:files       hash   Telegram file_unique_id -> post id (exact re-sends of a file)
  {p}:v1:scope:{scope}:tags        zset   hashtag -> number of posts carrying it
  {p}:v1:scope:{scope}:messages    hash   Telegram message id -> post id ("*": older posts looked up too)
  {p}:v1:vec:{kind}:{model}        hash   post id -> vector bytes (vectorblobs.py; kind: image, probs, captions)
  {p}:v1:thumbs                    hash   post id -> small square JPEG (drawn on /map)
  {p}:v1:changes                   stream change log: posts added / deleted, releases published
  {p}:v1:counters                  hash   changes / labelled / deleted since the last release or training
  {p}:v1:release:current           string the release every process serves (flipped atomically)
  {p}:v1:release:versions          list   kept releases, newest first (rollback targets)
  {p}:v1:release:{version}         string release manifest (json): index metas, artifact versions, metrics
  {p}:v1:snap:{index}:{version}    hash   meta (json) + live (int64 labels) + chunk:{i} (hnswlib bytes)
  {p}:v1:artifact:{name}:current   string current version of a model artifact (projector, heads)
  {p}:v1:artifact:{name}:{version} string artifact bytes
  {p}:v1:chat:{scope}:settings     hash   a chat's settings (duplicate handling, sensitivity, window)
  {p}:v1:chat:{scope}:cleared      hash   "post:original" -> json (by, name, at): an admin said "not a re-post"
  {p}:v1:chat:{scope}:events       zset   "flagged|cleared:post:original:user" scored by time (30 days, capped)
  {p}:v1:chat:{scope}:names        hash   user id -> the name last seen with a flag or a decision
  {p}:v1:chat:{scope}:notices      hash   what -> when the chat's admins were told it (told once)
  {p}:v1:chat:{scope}:alerts       hash   "post:original" -> json [[chat, message, lang, photo, html], ...]: a flag's private alerts
  {p}:v1:chat:{scope}:alert_times  zset   "post:original" scored by when its alerts were sent (kept 30 days)
  {p}:v1:lock:{name}               string cross-process job lock (token, expiry)
  {p}:v1:job:{name}                hash   a scheduled job's state: running/done/failed, progress, result
  {p}:v1:map:{scope}:{query}       hash   a cached /map: fingerprint of the photos mapped, layout, file ids
  {p}:v1:map:{scope}:{query}:images hash  its rendered JPEGs, for an hour or until Telegram has them
  {p}:v1:inbox:{bot_id}            hash   a bot's updates kept until handled: update id -> JSON
  {p}:v1:reading:queue             stream photos waiting to have their text read (post, scope, image); group "readers"
  {p}:v1:reading:attempts          hash   queue entry id -> tries so far (a photo failing too often ends as "error")
  {p}:v1:reading:waiting           hash   scope -> photos of it queued and not read yet
  {p}:v1:reading:since             string when this store began queuing photos (older posts are read when idle)
  {p}:v1:image_model               string the image model the store serves with (after a migration)
  {p}:v1:migration:{model}:failures hash  posts a migration could not re-embed yet

On a Redis/Valkey Cluster (`Keys(prefix, cluster=True)`; the client says which: `Keys.for_client`)
the same names carry hash tags, so that every key a MULTI/EXEC, WATCH or script uses lies in one
slot, and data no transaction ties to the posts spreads over the shards:
  core     `{p:v1}:...`          everything the post transactions touch together (post, posts:*, scopes,
                                 scope:*, vec:*, thumbs, changes, counters), the releases' pointers and
                                 manifests and the artifacts' `current` (flipped with a change-log entry),
                                 the moderation decisions a clear writes with the post (cleared, events,
                                 names), next_id, image_model, migration failures
  per chat `{p:v1:chat:S}:...`   settings, notices, alerts, alert_times (alerts+alert_times: one MULTI)
  per map  `{p:v1:map:S:Q}...`   a /map layout and its images (deleted together)
  one each `{p:v1:snap:I:V}`, `{p:v1:artifact:N:V}`, `{p:v1:lock:N}`, `{p:v1:job:N}`, `{p:v1:inbox:B}`
  reading  `{p:v1:reading}:...`  queue, attempts, waiting, since (one script touches three of them)
A single server keeps the untagged names above: its keys never move (docs/DESIGN-NOTES.md, "Redis Cluster").
"""
from __future__ import annotations

SCHEMA = "v1"
_PER_CHAT = ("settings", "notices", "alerts", "alert_times")  # a chat's keys no transaction ties to the posts


class Keys:
    """Key builder bound to one prefix (tests use a prefix each)."""

    def __init__(self, prefix: str = "hl", cluster: bool = False) -> None:
        if not prefix or any(c.isspace() or c in "{}" for c in prefix):
            raise ValueError("key prefix must be a non-empty string without spaces or braces")
        self.prefix = prefix
        self.cluster = cluster
        self.base = f"{prefix}:{SCHEMA}"

    @classmethod
    def for_client(cls, client, prefix: str = "hl") -> "Keys":
        """The keys for this client: hash-tagged when it talks to a cluster."""
        from redis.cluster import RedisCluster

        return cls(prefix, cluster=isinstance(client, RedisCluster))

    def _key(self, group: str | None, rest: str = "") -> str:
        """`base[:group][:rest]`; on a cluster `{base[:group]}[:rest]`: keys of one group share a slot."""
        head = self.base if group is None else f"{self.base}:{group}"
        if self.cluster:
            head = "{" + head + "}"
        return f"{head}:{rest}" if rest else head

    def on_cluster(self, key: str) -> str:
        """The name an untagged key of this prefix (a single server's) takes on a cluster: copying a
        store into a cluster (indexing/cluster_copy.py)."""
        base = f"{self.base}:"
        if self.cluster or not key.startswith(base):
            raise ValueError(f"not an untagged key of prefix {self.prefix}: {key}")
        tagged = Keys(self.prefix, cluster=True)
        parts = key[len(base):].split(":")
        head = parts[0]
        if head == "chat" and len(parts) == 4 and parts[3] in _PER_CHAT:  # chat:<scope>, the scope is "chat:<id>"
            return tagged._key(f"chat:{parts[1]}:{parts[2]}", parts[3])
        if head == "chat" and len(parts) == 3 and parts[2] in _PER_CHAT:  # the "public" scope
            return tagged._key(f"chat:{parts[1]}", parts[2])
        if head == "map" and parts[-1] == "images":
            return tagged._key(":".join(parts[:-1]), "images")
        if head == "reading":
            return tagged._key("reading", ":".join(parts[1:]))
        if head in ("snap", "lock", "job", "map", "inbox") or (head == "artifact" and parts[-1] != "current"):
            return tagged._key(":".join(parts))
        return tagged._core(":".join(parts))

    def _core(self, rest: str) -> str:
        """A key the post transactions may touch together with the others (one slot on a cluster)."""
        return self._key(None, rest)

    def post(self, post_id: int) -> str:
        return self._core(f"post:{post_id}")

    def next_post_id(self) -> str:
        return self._core("posts:next_id")

    def post_scopes(self) -> str:
        return self._core("posts:scope")

    def post_phashes(self) -> str:
        return self._core("posts:phash")

    def scopes(self) -> str:
        return self._core("scopes")

    def scope_posts(self, scope: str) -> str:
        return self._core(f"scope:{scope}:posts")

    def scope_seen(self, scope: str) -> str:
        return self._core(f"scope:{scope}:seen")

    def scope_copies(self, scope: str, sha256: str) -> str:
        """Later posts of bytes `scope_seen` gives the first post of (a group's members posting one file)."""
        return self._core(f"scope:{scope}:copies:{sha256}")

    def scope_files(self, scope: str) -> str:
        return self._core(f"scope:{scope}:files")

    def scope_file_copies(self, scope: str, file_unique_id: str) -> str:
        """Later posts of the Telegram file `scope_files` gives the first post of."""
        return self._core(f"scope:{scope}:filecopies:{file_unique_id}")

    def scope_tags(self, scope: str) -> str:
        return self._core(f"scope:{scope}:tags")

    def scope_messages(self, scope: str) -> str:
        return self._core(f"scope:{scope}:messages")

    def vectors(self, kind: str, model: str) -> str:
        return self._core(f"vec:{kind}:{model}")

    def thumbnails(self) -> str:
        return self._core("thumbs")

    def changes(self) -> str:
        return self._core("changes")

    def counters(self) -> str:
        return self._core("counters")

    def release_current(self) -> str:
        return self._core("release:current")

    def release_versions(self) -> str:
        return self._core("release:versions")

    def release(self, version: str) -> str:
        return self._core(f"release:{version}")

    def snapshot(self, index: str, version: str) -> str:
        return self._key(f"snap:{index}:{version}")

    def snapshot_pattern(self) -> str:
        return self._key("snap:*")

    def snapshot_version(self, key: str) -> str:
        """The release version a snapshot key (found with `snapshot_pattern`) belongs to."""
        return key.strip("{}")[len(f"{self.base}:snap:"):].split(":", 1)[-1]

    def chat_settings(self, scope: str) -> str:
        return self._key(f"chat:{scope}", "settings")

    def cleared(self, scope: str) -> str:
        return self._core(f"chat:{scope}:cleared")

    def moderation_events(self, scope: str) -> str:
        return self._core(f"chat:{scope}:events")

    def member_names(self, scope: str) -> str:
        return self._core(f"chat:{scope}:names")

    def notices(self, scope: str) -> str:
        return self._key(f"chat:{scope}", "notices")

    def alerts(self, scope: str) -> str:
        return self._key(f"chat:{scope}", "alerts")

    def alert_times(self, scope: str) -> str:
        return self._key(f"chat:{scope}", "alert_times")

    def artifact_current(self, name: str) -> str:
        return self._core(f"artifact:{name}:current")

    def artifact(self, name: str, version: str) -> str:
        return self._key(f"artifact:{name}:{version}")

    def lock(self, name: str) -> str:
        return self._key(f"lock:{name}")

    def job(self, name: str) -> str:
        return self._key(f"job:{name}")

    def job_name(self, key: str) -> str:
        """The job a key found with `job("*")` is the state of."""
        return key.strip("{}")[len(f"{self.base}:job:"):]

    def map_cache(self, scope: str, query_hash: str) -> str:
        return self._key(f"map:{scope}:{query_hash}")

    def map_images(self, scope: str, query_hash: str) -> str:
        return self._key(f"map:{scope}:{query_hash}", "images")

    def inbox(self, bot_id: str) -> str:
        return self._key(f"inbox:{bot_id}")

    def reading_queue(self) -> str:
        return self._key("reading", "queue")

    def reading_attempts(self) -> str:
        return self._key("reading", "attempts")

    def reading_waiting(self) -> str:
        return self._key("reading", "waiting")

    def reading_since(self) -> str:
        return self._key("reading", "since")

    def image_model(self) -> str:
        """The image model the store serves with, recorded when a migration switched to it."""
        return self._core("image_model")

    def migration_failures(self, model: str) -> str:
        """Posts a migration to `model` could not re-embed yet: post id -> attempts and reason."""
        return self._core(f"migration:{model}:failures")
