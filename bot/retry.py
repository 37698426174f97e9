"""Telegram's flood limits kept, and its transient failures (5xx, timeouts, a dropped connection) retried.

AIORateLimiter keeps to Telegram's limits (30 messages a second overall, 20 a minute per group)
and waits out 429s (retry_after); this adds the other errors a busy Telegram returns now and then,
so one 500 on a send is a short delay, not "something went wrong" for the user. A request Telegram
rejected (400 Bad Request, 403 Forbidden...) is never retried.

A chat action ("typing…") is a courtesy: AIORateLimiter counts it like a message, so under load it
spent a third of the 30 a second and half of a group's 20 a minute, and answers waited behind it
(docs/BENCHMARKS.md, `load`). It is sent only when both budgets have room now, never waited for.
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
COURTESIES = {"sendChatAction"}  # skipped rather than waited for when the limits have no room


def is_transient(error: Exception) -> bool:
    """NetworkError covers 5xx answers, timeouts and connection errors; BadRequest is a subclass
    that only means the request itself was wrong."""
    return isinstance(error, NetworkError) and not isinstance(error, BadRequest)


def group_of(chat_id) -> int | str | None:
    """The chat AIORateLimiter limits as a group: a negative id or an @username (its own rule)."""
    try:
        chat_id = int(chat_id)
    except (TypeError, ValueError):
        pass
    return chat_id if (isinstance(chat_id, int) and chat_id < 0) or isinstance(chat_id, str) else None


class RetryingRateLimiter(AIORateLimiter):
    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args):
        if endpoint in COURTESIES and not self.has_room(data.get("chat_id")):
            log.debug("%s to %s skipped: the flood limits have no room for it now", endpoint, data.get("chat_id"))
            return True  # what Telegram answers to a chat action
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

    def has_room(self, chat_id) -> bool:
        """Whether a request to `chat_id` would go out now, waiting for neither the overall limit nor
        its group's (nor a 429's pause)."""
        if not self._retry_after_event.is_set():
            return False
        if self._base_limiter is not None and not self._base_limiter.has_capacity():
            return False
        group = group_of(chat_id)
        return group is None or not self._group_max_rate or self._get_group_limiter(group).has_capacity()
