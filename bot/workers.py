"""Where the bot's blocking engine calls run, so the event loop keeps answering other chats meanwhile."""
from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from threadpoolctl import threadpool_limits

from indexing.search import background_priority


class Workers:
    def __init__(self, threads: int) -> None:
        # The engine threads answer updates side by side: numpy's small products (a photo's classes
        # into the text space, the heads) on one BLAS thread each. OpenBLAS's own threads spin while
        # they wait and took 2.4-4.5 ms for a 0.1 ms product when two engine threads ran
        # (docs/BENCHMARKS.md, `load`). The limit is the process's: the bot is this process's job.
        threadpool_limits(1, user_api="blas")
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="engine")
        # Maps get a thread of their own at a lower priority: a new layout takes seconds of both cores,
        # and must not hold up the engine threads that answer photos meanwhile.
        self._map_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="map", initializer=background_priority)
        self._active = 0  # engine calls running now: background reading waits while there are any
        self._active_lock = threading.Lock()

    async def run(self, fn, *args, **kwargs):
        return await asyncio.get_running_loop().run_in_executor(self._pool, partial(self._counted, fn, *args, **kwargs))

    def _counted(self, fn, *args, **kwargs):
        with self._active_lock:
            self._active += 1
        try:
            return fn(*args, **kwargs)
        finally:
            with self._active_lock:
                self._active -= 1

    def busy(self) -> bool:
        """Whether an update is being answered on the engine threads now (the reply path)."""
        return self._active > 0

    async def run_map(self, fn, *args, **kwargs):
        return await asyncio.get_running_loop().run_in_executor(self._map_pool, partial(fn, *args, **kwargs))

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self._map_pool.shutdown(wait=True)
