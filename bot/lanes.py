"""The bot's update queue: one lane per user, answered in order, slowed down by the flood limit.

python-telegram-bot handles up to `concurrent_updates` updates at once, in any order. Put in
its place (ApplicationBuilder.update_queue), this queue hands the application at most one
update per user at a time, in the order the user sent them, and a costly one (a photo or a
search in a private chat, a map) only once the user's token bucket has a token. Nothing is
refused: a flood waits in its lane while other users' updates pass it. Each update is kept in
the inbox (bot.inbox) from the moment it is queued until it has been handled, so a restart
answers what was still waiting.

Albums: Telegram sends each photo of an album as its own update, maybe in different
getUpdates batches and interleaved with other updates. While the handlers collect an album
(`hold_album` ... `album_done`), its remaining parts pass everything else in the user's lane
(without waiting for tokens: an album is answered whole) and nothing else of that user starts.
"""
from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Awaitable, Callable

from telegram import Update
from telegram.constants import ChatType

from bot.parsing import command_of
from bot.throttle import Throttle

log = logging.getLogger(__name__)

COSTLY_COMMANDS = {"find", "hashtags", "similar", "captions"}  # rate-limited with photos
MAP_COMMANDS = {"map", "clusters"}  # rate-limited in groups too: a new layout takes both cores for seconds
ALBUM_HOLD_MAX_S = 120  # a hold never released (a handler bug) must not stall a user for ever


def is_costly(update: Update) -> bool:
    """Whether an update spends one of its user's tokens. Group photos are not limited: they are
    collected and checked for re-posts, which moderation needs most in a flood."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or update.callback_query is not None:  # a button pressed under the bot's message
        return False
    command = command_of(message.text or message.caption)
    return command in MAP_COMMANDS or (chat is not None and chat.type == ChatType.PRIVATE and
                                       bool(message.photo or message.document or message.video or message.animation
                                            or message.video_note or command in COSTLY_COMMANDS))


@dataclass
class _Queued:
    seq: int
    update: object
    album: str | None = None


@dataclass
class _Lane:
    items: list[_Queued] = field(default_factory=list)
    busy: bool = False  # one of its updates is being handled
    album: str | None = None  # the media group being collected: only its parts may start
    album_since: float = 0.0
    told: bool = False  # the user was told their updates wait (once per flood)


class UserLanes:
    def __init__(self, throttle: Throttle) -> None:
        self.throttle = throttle
        self.inbox = None  # bot.inbox.Inbox, set once the application exists
        self.on_wait: Callable[[Update, int], Awaitable[None]] | None = None  # told once per flood
        self._lanes: dict[int, _Lane] = {}
        self._free: deque[object] = deque()  # no user (or inline queries, which cannot wait), and STOP
        self._seq = itertools.count()
        self._unfinished = 0
        self._all_done: asyncio.Event | None = None
        self._wake: asyncio.Event | None = None
        self._stopping = False

    # -- asyncio.Queue's interface, as python-telegram-bot uses it ----------------------------
    async def put(self, item: object) -> None:
        self.put_nowait(item)

    def put_nowait(self, item: object) -> None:
        self._unfinished += 1
        self._events()[0].clear()
        if isinstance(item, Update) and self.inbox is not None:
            self.inbox.keep(item)
        user = self._user_of(item)
        if user is None:
            self._free.append(item)
        else:
            message = item.effective_message
            self._lanes.setdefault(user, _Lane()).items.append(
                _Queued(next(self._seq), item, message.media_group_id if message else None))
        if type(item) is object:  # python-telegram-bot's stop signal: what waits stays in the inbox
            self._stopping = True
            self._drop_waiting()
        self._wake_up()

    async def get(self) -> object:
        while True:
            self._events()[1].clear()
            item, wait_s = self._pick(time.monotonic())
            if item is not None:
                return item
            try:
                await asyncio.wait_for(self._events()[1].wait(), wait_s)
            except asyncio.TimeoutError:
                pass

    def get_nowait(self) -> object:
        item, _ = self._pick(time.monotonic())
        if item is None:
            raise asyncio.QueueEmpty
        return item

    def task_done(self) -> None:
        self._unfinished = max(0, self._unfinished - 1)
        if self._unfinished == 0:
            self._events()[0].set()

    async def join(self) -> None:
        if self._unfinished:
            await self._events()[0].wait()

    def empty(self) -> bool:
        return not self._free and (self._stopping or not any(lane.items for lane in self._lanes.values()))

    def qsize(self) -> int:
        return len(self._free) + sum(len(lane.items) for lane in self._lanes.values())

    # -- what the application and the handlers tell the lanes ----------------------------------
    def finished(self, update: object) -> None:
        """An update's handlers are done: the user's next update may start."""
        lane = self._lanes.get(self._user_of(update))
        if lane is not None:
            lane.busy = False
            self._tidy(update)
            self._wake_up()

    def hold_album(self, update: Update) -> None:
        """The handlers collect this update's album: its other parts come next, nothing else of the user."""
        lane = self._lanes.get(self._user_of(update))
        if lane is not None and lane.album is None:
            lane.album, lane.album_since = update.effective_message.media_group_id, time.monotonic()

    def album_done(self, update: Update) -> None:
        lane = self._lanes.get(self._user_of(update))
        if lane is not None and lane.album == update.effective_message.media_group_id:
            lane.album = None
            self._tidy(update)
            self._wake_up()

    def waiting(self, user_id: int) -> int:
        lane = self._lanes.get(user_id)
        return len(lane.items) if lane else 0

    # -- internals ---------------------------------------------------------------------------
    def _events(self) -> tuple[asyncio.Event, asyncio.Event]:
        if self._wake is None:  # made on first use, inside the running loop
            self._all_done, self._wake = asyncio.Event(), asyncio.Event()
        return self._all_done, self._wake

    def _wake_up(self) -> None:
        self._events()[1].set()

    @staticmethod
    def _user_of(item: object) -> int | None:
        if not isinstance(item, Update) or item.inline_query is not None or item.effective_user is None:
            return None
        return item.effective_user.id

    def _tidy(self, update: object) -> None:
        user = self._user_of(update)
        lane = self._lanes.get(user)
        if lane is not None and not lane.items and not lane.busy and lane.album is None:
            del self._lanes[user]

    def _pick(self, now: float) -> tuple[object | None, float | None]:
        """The next update to hand out (the earliest sent among the lanes that may start one), or
        None and how long until a lane's token comes (None: until something changes)."""
        if self._free:
            return self._free.popleft(), None
        if self._stopping:
            return None, None
        best: tuple[int, int, int] | None = None  # (seq, user, index in lane)
        wait_s: float | None = None
        for user, lane in self._lanes.items():
            if lane.album is not None and now - lane.album_since > ALBUM_HOLD_MAX_S:
                log.warning("album %s of user %s was never answered: its hold is dropped", lane.album, user)
                lane.album = None
            if lane.album is not None:
                index = next((i for i, q in enumerate(lane.items) if q.album == lane.album), None)
            elif not lane.busy and lane.items:
                index = 0
                head = lane.items[0].update
                if is_costly(head):
                    seconds = self.throttle.wait_s(user, now)
                    if seconds > 0:
                        self._tell_waiting(user, lane, head, seconds)
                        wait_s = seconds if wait_s is None else min(wait_s, seconds)
                        index = None
            else:
                index = None
            if index is not None and (best is None or lane.items[index].seq < best[0]):
                best = (lane.items[index].seq, user, index)
        if best is None:
            return None, wait_s
        _, user, index = best
        lane = self._lanes[user]
        queued = lane.items.pop(index)
        lane.busy = True
        if not lane.items:
            lane.told = False
        if is_costly(queued.update):
            self.throttle.take(user, now)
        return queued.update, None

    def _tell_waiting(self, user: int, lane: _Lane, head: Update, seconds: float) -> None:
        if lane.told or self.on_wait is None:
            return
        lane.told = True
        log.info("user %s slowed down: %d updates wait, the next in %.1f s", user, len(lane.items), seconds)
        asyncio.get_running_loop().create_task(self.on_wait(head, len(lane.items)))

    def _drop_waiting(self) -> None:
        """Stopping: updates still waiting are not handed out (the inbox keeps them for the next start)."""
        for lane in self._lanes.values():
            if lane.items:
                self._unfinished -= len(lane.items)
                lane.items.clear()
        if self._unfinished <= 0:
            self._unfinished = 0
            self._events()[0].set()
