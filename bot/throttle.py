"""Per-user rate limit: a token bucket for the requests that cost CPU (photos, searches).

A user flooding the bot is refused (told once per flood) while everyone else is served as
usual; the engine's thread pool never fills with one person's requests. Group photos are not
limited: they are collected and checked for re-posts, which moderation needs most from floods.
"""
from __future__ import annotations

import time
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    at: float
    warned: bool = False


class Throttle:
    def __init__(self, per_minute: float, burst: int, max_users: int = 100_000) -> None:
        self.rate = per_minute / 60.0
        self.burst = burst
        self.max_users = max_users
        self._buckets: dict[int, _Bucket] = {}

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def allow(self, user_id: int, now: float | None = None) -> tuple[bool, bool]:
        """(allowed, warn): warn is True the first time a flood is refused."""
        if not self.enabled:
            return True, False
        now = time.monotonic() if now is None else now
        bucket = self._buckets.get(user_id)
        if bucket is None:
            if len(self._buckets) >= self.max_users:  # forget idle users rather than grow forever
                self._buckets = {u: b for u, b in self._buckets.items() if b.tokens < self.burst - 1}
            bucket = self._buckets[user_id] = _Bucket(float(self.burst), now)
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.at) * self.rate)
        bucket.at = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            bucket.warned = False
            return True, False
        warn = not bucket.warned
        bucket.warned = True
        return False, warn

    def wait_s(self, user_id: int) -> int:
        bucket = self._buckets.get(user_id)
        return max(1, int((1.0 - (bucket.tokens if bucket else 0)) / self.rate + 0.999)) if self.rate else 0
