"""A chat's moderation decisions and what /stats says of them: who re-posts most and what gets
re-posted, over the events indexing/moderation_records.py keeps (30 days, in Redis).

A flag an admin cleared was a false flag: it counts among the flags of its week and month (the bot
did flag it), but not against its author nor for its original in the top lists.
"""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

from indexing.moderation_records import CLEARED, EVENTS_DAYS, FLAGGED, SentAlert
from indexing.scopes import validate_scope
from indexing.store import Post, PostStore

TOP = 5
WEEK_S = 7 * 86400


@dataclass(frozen=True)
class ModerationStats:
    flagged_7d: int = 0
    flagged_30d: int = 0
    cleared_7d: int = 0
    cleared_30d: int = 0
    top_reposters: list[tuple[int, str, int]] = field(default_factory=list)  # (user id, name, flags), most first
    top_reposted: list[tuple[Post, int]] = field(default_factory=list)  # (original, times flagged), most first


class Moderation:
    """`engine.moderation`: admins' decisions on flags (kept in Redis: restarts, rebuilds and releases
    keep them), the private alerts a flag was sent as, and the chat's moderation statistics."""

    def __init__(self, store: PostStore) -> None:
        self.store = store
        self.records = store.moderation

    def clear_repost(self, scope: str, post_id: int, original_id: int, by_user_id: int | None, by_name: str = "",
                     now: float | None = None) -> bool:
        """An admin says post `post_id` is no re-post of `original_id` (its photo is never flagged against
        it again). False, and nothing changed, when the pair was cleared already (pressed twice)."""
        return self.records.clear(validate_scope(scope), post_id, original_id, by_user_id, by_name, now)

    def cleared_by(self, scope: str, post_id: int, original_id: int) -> str | None:
        """Who cleared the pair (their name, "" if none was given), or None if nobody did."""
        return self.records.cleared_by(validate_scope(scope), post_id, original_id)

    def record_flag(self, scope: str, post_id: int, original_id: int, author_id: int | None, author_name: str = "",
                    now: float | None = None) -> bool:
        """Log a flag for the chat's statistics, once per (post, original): False if logged already."""
        return self.records.record_flag(validate_scope(scope), post_id, original_id, author_id, author_name, now)

    def first_time(self, scope: str, what: str) -> bool:
        """True once per (scope, what), then False: for what the admins are told once."""
        return self.records.first_time(validate_scope(scope), what)

    def remember_alerts(self, scope: str, post_id: int, original_id: int, alerts: list[SentAlert],
                        now: float | None = None) -> None:
        """Keep the private alerts a flag was sent as (30 days), so a press on one edits them all."""
        self.records.remember_alerts(validate_scope(scope), post_id, original_id, alerts, now)

    def alerts_of(self, scope: str, post_id: int, original_id: int, now: float | None = None) -> list[SentAlert]:
        """The private alerts a flag was sent as (none once 30 days old)."""
        return self.records.alerts_of(validate_scope(scope), post_id, original_id, now)

    def stats(self, scope: str, now: float | None = None) -> ModerationStats:
        """Flags and clears of the last 7 and 30 days, who re-posts most and what is re-posted most."""
        now = time.time() if now is None else now
        events = self.records.events(validate_scope(scope), now - EVENTS_DAYS * 86400)
        flags = [e for e in events if e.kind == FLAGGED]
        clears = [e for e in events if e.kind == CLEARED]
        false_flags = self.records.cleared_pairs(scope, ((e.post_id, e.original_id) for e in flags))
        kept = [e for e in flags if (e.post_id, e.original_id) not in false_flags]
        by_author = Counter(e.user_id for e in kept if e.user_id is not None).most_common(TOP)
        names = self.records.names(scope, [user for user, _ in by_author])
        by_original = Counter(e.original_id for e in kept).most_common()
        originals = self.store.get_posts([pid for pid, _ in by_original[:TOP * 2]])  # some may be gone
        reposted = [(post, n) for post, (_, n) in zip(originals, by_original) if post is not None][:TOP]
        return ModerationStats(
            flagged_7d=sum(e.at >= now - WEEK_S for e in flags), flagged_30d=len(flags),
            cleared_7d=sum(e.at >= now - WEEK_S for e in clears), cleared_30d=len(clears),
            top_reposters=[(user, names[user], n) for user, n in by_author], top_reposted=reposted)
