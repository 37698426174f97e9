"""Updates kept in Redis until handled, so a bot killed mid-update answers it after its restart.

Telegram forgets an update once the next getUpdates confirms it, and python-telegram-bot
confirms as soon as it fetches the next batch, while earlier updates are still waiting or being
handled. So every update is written here when it is queued (bot.lanes) and deleted after its
handlers finish; a new process replays what a dead one left (handlers are idempotent: a photo
is stored once per chat).
"""
from __future__ import annotations

import json
import logging
import time

from telegram import Update
from telegram.ext import Application

from indexing.search import StorageUnavailableError

log = logging.getLogger(__name__)
MAX_AGE_S = 3600  # older leftovers are dropped: an answer an hour late helps nobody


class Inbox:
    def __init__(self, stored) -> None:
        self.stored = stored  # indexing.sidestores.UpdateInbox, from SearchEngine.update_inbox

    def keep(self, update: Update) -> bool:
        try:
            self.stored.put(update.update_id, json.dumps({"t": time.time(), "update": update.to_dict()}))
            return True
        except StorageUnavailableError as exc:  # storage down: handle the update anyway
            log.warning("update %s not kept in the inbox: %s", update.update_id, exc)
            return False

    def done(self, *update_ids: int) -> None:
        try:
            self.stored.remove(*update_ids)
        except StorageUnavailableError as exc:
            log.warning("inbox entries %s not cleared: %s", update_ids, exc)

    async def replay(self, app: Application) -> int:
        """Queue the updates a previous process left unhandled; returns how many."""
        try:
            left = self.stored.pending()
        except StorageUnavailableError as exc:
            log.warning("inbox unreadable: %s", exc)
            return 0
        replayed = 0
        for update_id, raw in sorted(left.items()):
            entry = json.loads(raw)
            if time.time() - entry["t"] > MAX_AGE_S:
                self.done(update_id)
                continue
            await app.update_queue.put(Update.de_json(entry["update"], app.bot))
            replayed += 1
        if replayed:
            log.info("replaying %d updates a previous run left unhandled", replayed)
        return replayed


class DurableApplication(Application):
    """An Application whose updates leave the inbox once handled (its queue, bot.lanes, kept them)."""

    inbox: Inbox | None = None

    async def process_update(self, update: object) -> None:
        try:
            await super().process_update(update)
        finally:
            finished = getattr(self.update_queue, "finished", None)
            if finished is not None:
                finished(update)  # the user's next update may start
            # An album's photos are answered together after a quiet time: the album clears them.
            if isinstance(update, Update) and self.inbox is not None and not (
                    update.effective_message and update.effective_message.media_group_id):
                self.inbox.done(update.update_id)
