"""The bot's engine threads tell the background reader when a reply is being computed."""
import asyncio
import threading

from bot.workers import Workers


def test_workers_are_busy_exactly_while_an_engine_call_runs():
    workers = Workers(2)
    started, release = threading.Event(), threading.Event()

    def engine_call():
        started.set()
        release.wait(5)
        return "answer"

    async def scenario():
        assert not workers.busy()
        call = asyncio.ensure_future(workers.run(engine_call))
        await asyncio.get_running_loop().run_in_executor(None, started.wait, 5)
        assert workers.busy()
        release.set()
        assert await call == "answer"
        assert not workers.busy()

    try:
        asyncio.run(scenario())
    finally:
        workers.close()


def test_a_failing_engine_call_does_not_leave_the_workers_busy():
    workers = Workers(1)

    def broken():
        raise ValueError("bad photo")

    async def scenario():
        try:
            await workers.run(broken)
        except ValueError:
            pass
        assert not workers.busy()

    try:
        asyncio.run(scenario())
    finally:
        workers.close()
