"""The local Bot API emulator as an aiohttp app: `python -m bot.emulator` or embedded in the playground."""
from __future__ import annotations

import argparse
import asyncio
import logging

from aiohttp import web

from bot.emulator.botapi import BotApi
from bot.emulator.control import Control
from bot.emulator.world import World

log = logging.getLogger(__name__)


def make_app(world: World, playground: bool = False) -> web.Application:
    app = web.Application(client_max_size=64 * 1024 * 1024)
    api = BotApi(world)
    app["world"], app["botapi"] = world, api
    app.add_routes(api.routes() + Control(world, playground).routes())
    app.on_cleanup.append(lambda _: api.close())
    return app


class EmulatorServer:
    """Runs the emulator on host:port inside the current event loop (port 0 = any free port)."""

    def __init__(self, world: World | None = None, host: str = "127.0.0.1", port: int = 0,
                 playground: bool = False) -> None:
        self.world = world or World()
        self.host, self.port = host, port
        self.playground = playground
        self._runner: web.AppRunner | None = None

    async def start(self) -> "EmulatorServer":
        self._runner = web.AppRunner(make_app(self.world, self.playground), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]
        log.info("Bot API emulator on %s", self.url)
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """What python-telegram-bot's `base_url` wants (it appends the token)."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m bot.emulator", description="local Telegram Bot API emulator")
    p.add_argument("--port", type=int, default=8081)
    p.add_argument("--token", default="123456:TEST-TOKEN")
    args = p.parse_args()
    logging.basicConfig(level=logging.INFO)

    async def serve() -> None:
        server = await EmulatorServer(World(args.token), port=args.port, playground=True).start()
        print(f"emulator: {server.url}  (base_url {server.base_url})", flush=True)
        await asyncio.Event().wait()

    asyncio.run(serve())


class ThreadedEmulator:
    """The emulator on its own event loop in a daemon thread: for tests and benchmarks that drive a bot process."""

    def __init__(self, world: World | None = None, port: int = 0) -> None:
        import threading

        self.world = world or World()
        self._loop = asyncio.new_event_loop()
        self._server = EmulatorServer(self.world, port=port)
        self._thread = threading.Thread(target=self._loop.run_forever, name="emulator", daemon=True)

    def start(self) -> "ThreadedEmulator":
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._server.start(), self._loop).result(10)
        return self

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._server.stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    @property
    def url(self) -> str:
        return self._server.url

    @property
    def base_url(self) -> str:
        return self._server.base_url

    @property
    def base_file_url(self) -> str:
        return self._server.base_file_url
