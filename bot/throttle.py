"""Per-user rate: a token bucket for the requests that cost CPU (photos, searches).

A user flooding the bot is slowed down, never refused: their requests wait in their lane
(bot.lanes) until a token is there, while everyone else is served as usual, so the engine's
thread pool never fills with one person's requests. Album parts after the first may take
tokens the user does not have yet (a debt): an album is answered whole, the debt is waited
out by what the user sends next.
"""
from __future__ import annotations

import time
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    at: float


class Throttle:
    def __init__(self, per_minute: float, burst: int, max_users: int = 100_000) -> None:
        self.rate = per_minute / 60.0
        self.burst = burst
        self.max_users = max_users
        self._buckets: dict[int, _Bucket] = {}

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def _bucket(self, user_id: int, now: float) -> _Bucket:
        bucket = self._buckets.get(user_id)
        if bucket is None:
            if len(self._buckets) >= self.max_users:  # forget idle users rather than grow forever
                self._buckets = {u: b for u, b in self._buckets.items() if b.tokens < self.burst - 1}
            bucket = self._buckets[user_id] = _Bucket(float(self.burst), now)
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.at) * self.rate)
        bucket.at = now
        return bucket

    def wait_s(self, user_id: int, now: float | None = None) -> float:
        """Seconds until the user has a whole token (0: now)."""
        if not self.enabled:
            return 0.0
        bucket = self._bucket(user_id, time.monotonic() if now is None else now)
        return max(0.0, (1.0 - bucket.tokens) / self.rate)

    def take(self, user_id: int, now: float | None = None) -> None:
        """Spend one token, going into debt if there is none."""
        if self.enabled:
            self._bucket(user_id, time.monotonic() if now is None else now).tokens -= 1.0
