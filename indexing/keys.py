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
"""
from __future__ import annotations

SCHEMA = "v1"


class Keys:
    """Key builder bound to one prefix (tests use a prefix each)."""

    def __init__(self, prefix: str = "hl") -> None:
        if not prefix or any(c.isspace() for c in prefix):
            raise ValueError("key prefix must be a non-empty string without spaces")
        self.prefix = prefix
        self.base = f"{prefix}:{SCHEMA}"

    def post(self, post_id: int) -> str:
        return f"{self.base}:post:{post_id}"

    def next_post_id(self) -> str:
        return f"{self.base}:posts:next_id"

    def post_scopes(self) -> str:
        return f"{self.base}:posts:scope"

    def post_phashes(self) -> str:
        return f"{self.base}:posts:phash"

    def scopes(self) -> str:
        return f"{self.base}:scopes"

    def scope_posts(self, scope: str) -> str:
        return f"{self.base}:scope:{scope}:posts"

    def scope_seen(self, scope: str) -> str:
        return f"{self.base}:scope:{scope}:seen"

    def scope_copies(self, scope: str, sha256: str) -> str:
        """Later posts of bytes `scope_seen` gives the first post of (a group's members posting one file)."""
        return f"{self.base}:scope:{scope}:copies:{sha256}"

    def scope_files(self, scope: str) -> str:
        return f"{self.base}:scope:{scope}:files"

    def scope_file_copies(self, scope: str, file_unique_id: str) -> str:
        """Later posts of the Telegram file `scope_files` gives the first post of."""
        return f"{self.base}:scope:{scope}:filecopies:{file_unique_id}"

    def scope_tags(self, scope: str) -> str:
        return f"{self.base}:scope:{scope}:tags"

    def scope_messages(self, scope: str) -> str:
        return f"{self.base}:scope:{scope}:messages"

    def vectors(self, kind: str, model: str) -> str:
        return f"{self.base}:vec:{kind}:{model}"

    def thumbnails(self) -> str:
        return f"{self.base}:thumbs"

    def changes(self) -> str:
        return f"{self.base}:changes"

    def counters(self) -> str:
        return f"{self.base}:counters"

    def release_current(self) -> str:
        return f"{self.base}:release:current"

    def release_versions(self) -> str:
        return f"{self.base}:release:versions"

    def release(self, version: str) -> str:
        return f"{self.base}:release:{version}"

    def snapshot(self, index: str, version: str) -> str:
        return f"{self.base}:snap:{index}:{version}"

    def snapshot_pattern(self) -> str:
        return f"{self.base}:snap:*"

    def chat_settings(self, scope: str) -> str:
        return f"{self.base}:chat:{scope}:settings"

    def cleared(self, scope: str) -> str:
        return f"{self.base}:chat:{scope}:cleared"

    def moderation_events(self, scope: str) -> str:
        return f"{self.base}:chat:{scope}:events"

    def member_names(self, scope: str) -> str:
        return f"{self.base}:chat:{scope}:names"

    def notices(self, scope: str) -> str:
        return f"{self.base}:chat:{scope}:notices"

    def alerts(self, scope: str) -> str:
        return f"{self.base}:chat:{scope}:alerts"

    def alert_times(self, scope: str) -> str:
        return f"{self.base}:chat:{scope}:alert_times"

    def artifact_current(self, name: str) -> str:
        return f"{self.base}:artifact:{name}:current"

    def artifact(self, name: str, version: str) -> str:
        return f"{self.base}:artifact:{name}:{version}"

    def lock(self, name: str) -> str:
        return f"{self.base}:lock:{name}"

    def job(self, name: str) -> str:
        return f"{self.base}:job:{name}"

    def map_cache(self, scope: str, query_hash: str) -> str:
        return f"{self.base}:map:{scope}:{query_hash}"

    def map_images(self, scope: str, query_hash: str) -> str:
        return f"{self.map_cache(scope, query_hash)}:images"

    def inbox(self, bot_id: str) -> str:
        return f"{self.base}:inbox:{bot_id}"

    def reading_queue(self) -> str:
        return f"{self.base}:reading:queue"

    def reading_attempts(self) -> str:
        return f"{self.base}:reading:attempts"

    def reading_waiting(self) -> str:
        return f"{self.base}:reading:waiting"

    def reading_since(self) -> str:
        return f"{self.base}:reading:since"

    def image_model(self) -> str:
        """The image model the store serves with, recorded when a migration switched to it."""
        return f"{self.base}:image_model"

    def migration_failures(self, model: str) -> str:
        """Posts a migration to `model` could not re-embed yet: post id -> attempts and reason."""
        return f"{self.base}:migration:{model}:failures"
