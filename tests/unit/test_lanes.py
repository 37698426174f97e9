"""The update queue that keeps each user's updates in order and slows floods down (bot.lanes)."""
import asyncio
import itertools

from telegram import Update

from bot.lanes import UserLanes
from bot.throttle import Throttle

_ids = itertools.count(1)


def update(user: int, *, photo: bool = True, album: str | None = None, chat: int | None = None,
           text: str | None = None) -> Update:
    chat_id = chat or user
    message = {"message_id": next(_ids), "date": 0, "from": {"id": user, "is_bot": False, "first_name": "U"},
               "chat": {"id": chat_id, "type": "private" if chat_id == user else "supergroup"}}
    if photo:
        message["photo"] = [{"file_id": "f", "file_unique_id": "u", "width": 1, "height": 1}]
    if text:
        message["text"] = text
    if album:
        message["media_group_id"] = album
    return Update.de_json({"update_id": message["message_id"], "message": message}, None)


def drain(lanes: UserLanes) -> list:
    out = []
    while True:
        try:
            out.append(lanes.get_nowait())
        except asyncio.QueueEmpty:
            return out


def test_one_update_per_user_at_a_time_in_order_others_pass():
    async def go():
        lanes = UserLanes(Throttle(0, 1))
        a1, a2, b1 = update(1), update(1), update(2)
        for u in (a1, a2, b1):
            await lanes.put(u)
        assert drain(lanes) == [a1, b1]  # a2 waits for a1; user 2 is not held up
        lanes.finished(a1)
        assert drain(lanes) == [a2]
    asyncio.run(go())


def test_a_flood_waits_for_tokens_and_nothing_is_dropped():
    async def go():
        lanes = UserLanes(Throttle(per_minute=600, burst=2))  # a token every 0.1 s after two
        told = []

        async def on_wait(u, waiting):
            told.append(waiting)
        lanes.on_wait = on_wait
        sent = [update(1) for _ in range(5)]
        for u in sent:
            await lanes.put(u)
        got = []
        for _ in sent:
            got.append(await asyncio.wait_for(lanes.get(), 2))
            lanes.finished(got[-1])
        assert got == sent
        await asyncio.sleep(0)
        assert told == [3]  # told once, when the third had to wait
    asyncio.run(go())


def test_an_albums_parts_come_first_even_without_tokens_and_interleaved():
    async def go():
        lanes = UserLanes(Throttle(per_minute=1, burst=1))
        first, photo, second = update(1, album="g"), update(1), update(1, album="g")
        text = update(1, photo=False, text="/help")
        for u in (first, photo, second, text):
            await lanes.put(u)
        assert drain(lanes) == [first]
        lanes.hold_album(first)  # the handlers collect the album
        lanes.finished(first)
        assert drain(lanes) == [second]  # the album's other part passes the photo sent between
        lanes.finished(second)
        assert drain(lanes) == []  # nothing else until the album is answered
        lanes.album_done(first)
        assert drain(lanes) == []  # the photo waits for a token (the album took them)...
        assert lanes.qsize() == 2
    asyncio.run(go())


def test_stopping_leaves_waiting_updates_for_the_next_start():
    async def go():
        lanes = UserLanes(Throttle(0, 1))
        for _ in range(3):
            await lanes.put(update(1))
        first = await lanes.get()
        stop = object()
        await lanes.put(stop)
        assert await lanes.get() is stop
        lanes.task_done()  # the stop signal
        joined = asyncio.ensure_future(lanes.join())
        await asyncio.sleep(0)
        assert not joined.done()  # the update being handled is waited for...
        lanes.finished(first)
        lanes.task_done()
        await asyncio.wait_for(joined, 1)  # ...the two waiting ones are not (they stay in the inbox)
        assert lanes.empty()
    asyncio.run(go())
