"""What a chat's moderation decided and did, in Redis (a PostStore's `moderation`): pairs an admin
cleared ("this post is not a re-post of that original"), the flags and clears of the last 30 days
for /stats, the names they were made by, notices the admins were given once, and the private
alerts a flag was sent as (so a press on any of them edits them all).

They live in Redis, beside the posts and apart from the indexes, so restarts, rebuilds and
releases never bring a cleared flag back. Events are a sorted set per chat scored by time, trimmed
on every write to the stats' 30 days and EVENTS_CAP entries: reading them stays one bounded call.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Iterable

import redis

from indexing.keys import Keys
from indexing.storage_errors import public_methods_raise_storage_errors

EVENTS_DAYS = 30
EVENTS_CAP = 20_000  # per chat: a month of a very busy group, a few MB at most
FLAGGED, CLEARED = "flagged", "cleared"
ALERTS_TTL_S = 30 * 86400  # a flag's alerts are kept in step for a month; older presses edit only their own


@dataclass(frozen=True)
class SentAlert:
    """One admin's private alert of a flag, as sent: where it is, its language, and its HTML (the
    caption when `photo`), for editing it later (the Bot API cannot read a message back)."""
    chat_id: int
    message_id: int
    lang: str = "en"
    photo: bool = False
    html: str = ""


@dataclass(frozen=True)
class Event:
    kind: str  # FLAGGED or CLEARED
    post_id: int
    original_id: int
    user_id: int | None  # the re-post's author (flagged) or the admin who decided (cleared)
    at: float


def _pair(post_id: int, original_id: int) -> str:
    return f"{int(post_id)}:{int(original_id)}"


def _member(kind: str, post_id: int, original_id: int, user_id: int | None) -> str:
    return f"{kind}:{_pair(post_id, original_id)}:{'' if user_id is None else int(user_id)}"


def _event(member: bytes, at: float) -> Event:
    kind, post, original, user = member.decode().split(":")
    return Event(kind, int(post), int(original), int(user) if user else None, at)


@public_methods_raise_storage_errors
class ModerationRecords:
    def __init__(self, client: redis.Redis, keys: Keys) -> None:
        self.r = client
        self.keys = keys

    def clear(self, scope: str, post_id: int, original_id: int, by_user_id: int | None, by_name: str = "",
              now: float | None = None) -> bool:
        """Record that `post_id` is no re-post of `original_id`, take `original_id` off the post's
        `repost_of` (if the post is this scope's and records it) and log the decision, in one
        transaction. False, and nothing changed, when the pair was cleared already."""
        k, now = self.keys, time.time() if now is None else now
        field = _pair(post_id, original_id)
        with self.r.pipeline(transaction=True) as pipe:
            while True:
                try:
                    pipe.watch(k.cleared(scope), k.post(post_id))  # a second press racing this one: one wins
                    if pipe.hexists(k.cleared(scope), field):
                        return False
                    post_scope, repost_of = pipe.hmget(k.post(post_id), ["scope", "repost_of"])
                    pipe.multi()
                    pipe.hset(k.cleared(scope), field, json.dumps({"by": by_user_id, "name": by_name,
                                                                   "at": round(now, 3)}))
                    if post_scope == scope.encode() and repost_of == str(int(original_id)).encode():
                        pipe.hdel(k.post(post_id), "repost_of")  # the one post field written outside store.py
                    self._log(pipe, scope, _member(CLEARED, post_id, original_id, by_user_id), now, by_user_id,
                              by_name)
                    pipe.execute()
                    return True
                except redis.WatchError:
                    continue  # the post or the decisions changed meanwhile: look again

    def cleared_by(self, scope: str, post_id: int, original_id: int) -> str | None:
        """The name of who cleared the pair ("" when no name was given), or None when nobody did."""
        raw = self.r.hget(self.keys.cleared(scope), _pair(post_id, original_id))
        return None if raw is None else json.loads(raw).get("name", "")

    def cleared_pairs(self, scope: str, pairs: Iterable[tuple[int, int]]) -> set[tuple[int, int]]:
        """Which of these (post, original) pairs an admin cleared."""
        pairs = list(dict.fromkeys(pairs))
        if not pairs:
            return set()
        found = self.r.hmget(self.keys.cleared(scope), [_pair(*p) for p in pairs])
        return {p for p, raw in zip(pairs, found) if raw is not None}

    def record_flag(self, scope: str, post_id: int, original_id: int, author_id: int | None, author_name: str = "",
                    now: float | None = None) -> bool:
        """Log that `post_id` was flagged as a re-post of `original_id`; False when it was logged already."""
        now = time.time() if now is None else now
        pipe = self.r.pipeline(transaction=True)
        self._log(pipe, scope, _member(FLAGGED, post_id, original_id, author_id), now, author_id, author_name)
        return bool(pipe.execute()[0])

    def _log(self, pipe, scope: str, member: str, now: float, user_id: int | None, name: str) -> None:
        """One event, added unless the same one is kept already (first command: 1 when added), then the
        chat's events trimmed to EVENTS_DAYS and EVENTS_CAP."""
        key = self.keys.moderation_events(scope)
        pipe.zadd(key, {member: now}, nx=True)
        if user_id is not None and name:
            pipe.hset(self.keys.member_names(scope), str(int(user_id)), name[:64])
        pipe.zremrangebyscore(key, "-inf", f"({now - EVENTS_DAYS * 86400}")
        pipe.zremrangebyrank(key, 0, -EVENTS_CAP - 1)

    def events(self, scope: str, since: float) -> list[Event]:
        """The chat's kept events from `since` on, oldest first."""
        raw = self.r.zrangebyscore(self.keys.moderation_events(scope), since, "+inf", withscores=True)
        return [_event(member, at) for member, at in raw]

    def names(self, scope: str, user_ids: list[int]) -> dict[int, str]:
        """The names last seen for these users ("" when none was)."""
        if not user_ids:
            return {}
        found = self.r.hmget(self.keys.member_names(scope), [str(u) for u in user_ids])
        return {u: raw.decode() if raw is not None else "" for u, raw in zip(user_ids, found)}

    def first_time(self, scope: str, what: str) -> bool:
        """True the first time it is asked for this (scope, what), False ever after."""
        return bool(self.r.hsetnx(self.keys.notices(scope), what, f"{time.time():.0f}"))

    def remember_alerts(self, scope: str, post_id: int, original_id: int, alerts: Iterable[SentAlert],
                        now: float | None = None) -> None:
        """Keep the private alerts a flag was sent as, ALERTS_TTL_S long (those of older flags are dropped
        on every write, and an idle chat's keys expire whole)."""
        alerts = [[a.chat_id, a.message_id, a.lang, a.photo, a.html] for a in alerts]
        if not alerts:
            return
        k, now = self.keys, time.time() if now is None else now
        stale = self.r.zrangebyscore(k.alert_times(scope), "-inf", f"({now - ALERTS_TTL_S}")
        pair = _pair(post_id, original_id)
        with self.r.pipeline(transaction=True) as pipe:
            if stale:
                pipe.hdel(k.alerts(scope), *stale)
                pipe.zrem(k.alert_times(scope), *stale)
            pipe.hset(k.alerts(scope), pair, json.dumps(alerts))
            pipe.zadd(k.alert_times(scope), {pair: now})
            pipe.expire(k.alerts(scope), ALERTS_TTL_S)
            pipe.expire(k.alert_times(scope), ALERTS_TTL_S)
            pipe.execute()

    def alerts_of(self, scope: str, post_id: int, original_id: int, now: float | None = None) -> list[SentAlert]:
        """The private alerts of a flag of the last ALERTS_TTL_S, as remembered."""
        k, now, pair = self.keys, time.time() if now is None else now, _pair(post_id, original_id)
        at, raw = self.r.zscore(k.alert_times(scope), pair), self.r.hget(k.alerts(scope), pair)
        if raw is None or at is None or at < now - ALERTS_TTL_S:
            return []
        return [SentAlert(int(chat), int(message), lang, bool(photo), html)
                for chat, message, lang, photo, html in json.loads(raw)]

    def forget(self, scope: str) -> None:
        """The chat's decisions, events, names and alerts deleted (its /forget); the notices stay, they
        are about the bot's rights in the chat, not about its photos."""
        k = self.keys
        self.r.delete(k.cleared(scope), k.moderation_events(scope), k.member_names(scope), k.alerts(scope),
                      k.alert_times(scope))
