"""Telegram's transient failures (5xx, timeouts, a dropped connection) retried with backoff.

AIORateLimiter already waits out 429s (retry_after); this adds the other errors a busy Telegram
returns now and then, so one 500 on a send is a short delay, not "something went wrong" for the
user. A request Telegram rejected (400 Bad Request, 403 Forbidden...) is never retried.
"""
from __future__ import annotations

import asyncio
import logging

from telegram.error import BadRequest, NetworkError
from telegram.ext import AIORateLimiter

log = logging.getLogger(__name__)

TRANSIENT_RETRIES = 4  # after 0.5, 1, 2 and 4 s: ~7.5 s in all before the error is the user's
FIRST_DELAY_S = 0.5
NOT_RETRIED = {"getUpdates"}  # the updater polls again by itself


def is_transient(error: Exception) -> bool:
    """NetworkError covers 5xx answers, timeouts and connection errors; BadRequest is a subclass
    that only means the request itself was wrong."""
    return isinstance(error, NetworkError) and not isinstance(error, BadRequest)


class RetryingRateLimiter(AIORateLimiter):
    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args):
        delay = FIRST_DELAY_S
        for attempt in range(TRANSIENT_RETRIES + 1):
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
            except NetworkError as exc:
                if not is_transient(exc) or endpoint in NOT_RETRIED or attempt == TRANSIENT_RETRIES:
                    raise
                log.warning("%s failed (%s): retry %d in %.1f s", endpoint, exc, attempt + 1, delay)
                await asyncio.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")
