"""The local playground: the real bot, the project's Bot API emulator, and a web chat page.

One process, one event loop: the emulator serves the Bot API and the page on
http://HASHLENS_PLAYGROUND_HOST:PORT/, the bot polls it exactly as it polls Telegram.
"""
from __future__ import annotations

import asyncio
import logging
import signal
import time
from pathlib import Path

from bot.emulator.server import EmulatorServer
from bot.emulator.world import World

log = logging.getLogger(__name__)

PLAYGROUND_TOKEN = "100000:PLAYGROUND"
PLAYGROUND_EPOCH = 1_767_225_600  # 2026-01-01 UTC
YOU, ALICE = 1001, 1002
GROUP_ID = -1001000000001
UPLOADS_ID = -1001000000099  # a hidden channel: inline mode uploads photos there once, like a real deployment


def playground_world(files_dir: Path | None = None) -> World:
    # Ids past any an earlier run gave (ten a second since 2026 fits Telegram's 32-bit message ids until
    # 2032): the bot's store outlives the playground's emulator, and a repeated message or file id would
    # read as an update already handled or a file already posted. Its files are kept in the data dir for
    # the same reason: the stored posts' file ids stay valid after a restart.
    world = World(PLAYGROUND_TOKEN, id_base=int((time.time() - PLAYGROUND_EPOCH) * 10), files_dir=files_dir)
    you = world.user(YOU, "You", "en")
    world.user(ALICE, "Alice", "fr")
    world.private_chat(you)
    world.group(GROUP_ID, "Playground group", admins={YOU}, creator=YOU)
    world.group(UPLOADS_ID, "uploads", admins=set())
    world.meta = {"you": YOU, "alice": ALICE, "group": GROUP_ID, "group_title": "Playground group",
                  "bot": world.bot_user["username"]}
    return world


async def serve_playground(engine, settings, config_for, stop: asyncio.Event,
                           ready: asyncio.Event | None = None) -> None:
    from bot.app import ALLOWED_UPDATES, build_application, post_init
    from bot.logs import protect_logs

    server = await EmulatorServer(playground_world(Path(settings.data_dir) / "playground-files"),
                                  settings.playground_host, settings.playground_port, playground=True).start()
    protect_logs(PLAYGROUND_TOKEN)
    app, features = build_application(engine, PLAYGROUND_TOKEN, config_for(settings, UPLOADS_ID),
                                      base_url=server.base_url, base_file_url=server.base_file_url)
    try:
        async with app:
            await app.start()
            await post_init(app)
            await app.updater.start_polling(poll_interval=0.0, timeout=10, allowed_updates=ALLOWED_UPDATES)
            print(f"hashlens playground: open {server.url}/ in a browser "
                  f"({engine.stats()['posts']} photos indexed; Ctrl-C stops)", flush=True)
            if ready is not None:
                ready.set()
            await stop.wait()
            await app.updater.stop()
            await app.stop()  # waits for updates being handled
    finally:
        features.close()
        await server.stop()


def run_playground(engine, settings, config_for) -> None:
    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await serve_playground(engine, settings, config_for, stop)

    asyncio.run(main())
