"""The control side of the emulator: act as Telegram users and read what the bot did.

JSON (or multipart from the playground page) under /control/:
  POST /control/message   {chat_id, user_id, [first_name, language_code, chat_title, text, caption,
                           reply_to, photo_b64 | photos_b64: [...] (an album) | video_b64 | animation_b64 (a GIF
                           becomes an MP4 animation) | video_note_b64 | album: [{type: photo|video, b64}]
                           (an album mixing photos and videos) | document_b64, file_name, mime_type |
                           sticker_b64, sticker_format (static | animated | video), emoji
                           (bot/emulator/imagefiles.py), album_gap_s, thread_id (a forum topic), as_group (an
                           anonymous admin), forward_from: {type: user|hidden_user|chat|channel, id,
                           first_name|title}, automatic_forward (a post of the linked channel)]}
                           -> the message(s) the user sent
                           (album_gap_s: an album's updates pushed that far apart, so they reach
                           the bot in separate getUpdates batches; the call returns at once)
  POST /control/edit      {chat_id, message_id, text | caption}  -> the edited message (an
                           `edited_message` update, as Telegram sends when a user edits)
  POST /control/group     {chat_id, title, admins: [user ids], creator, forum, bot_admin, bot_can_delete,
                           privacy, linked_channel_id}   (a forum is a supergroup with topics)
  POST /control/topic     {chat_id, name, [user_id]}  -> {"message_thread_id": id} of a new forum topic
  POST /control/start     {user_id, [first_name, language_code]}  -> the user's /start: the bot may now
                           write to them (before, 403 "bot can't initiate conversation with a user")
  POST /control/press     {chat_id, message_id, user_id, data}  -> {"id": callback query id}: the user
                           pressed the inline button with that callback_data
  GET  /control/press/{id}?timeout=s                  -> the bot's answerCallbackQuery (waits for it)
  POST /control/inline    {user_id, query}            -> {"id": inline query id}
  GET  /control/inline/{id}?timeout=s                 -> the bot's answer (waits for it)
  GET  /control/chats/{chat_id}/messages?after=id[&deleted=1]  -> the chat's messages (deleted ones
                                                       only with deleted=1, marked "deleted": true)
  GET  /control/wait?chat_id=&after=&count=&timeout=[&reply_to=]  -> waits for `count` bot messages after
                                                       `after` (only those replying to message `reply_to`)
  POST /control/fail      {method | "*", count, code (429 | 5xx), retry_after, delay_s (a timeout)}
  POST /control/kick      {chat_id, after: n}   -> the bot is kicked (blocked in a private chat) after
                           n more messages there: then 403 Forbidden for all it sends there
  GET  /control/files/{file_id}                       -> the file's bytes
  GET  /control/state                                 -> calls, chat actions, commands, pending updates
  GET  /control/playground                            -> the playground's users and chats (page only)
"""
from __future__ import annotations

import asyncio
import time
from pathlib import Path

from aiohttp import web

from bot.emulator.editing import CAPTIONED
from bot.emulator.users import entities, press, send_as_user, start
from bot.emulator.videos import VIDEO_KINDS
from bot.emulator.world import MAX_CAPTION, MAX_TEXT, ApiError, Failure, World

STATIC = Path(__file__).parent / "static"
class Control:
    def __init__(self, world: World, playground: bool = False) -> None:
        self.world = world
        self.playground = playground

    def routes(self) -> list:
        routes = [web.post("/control/message", self.message), web.post("/control/group", self.group),
                  web.post("/control/edit", self.edit), web.post("/control/kick", self.kick),
                  web.post("/control/inline", self.inline), web.get("/control/inline/{id}", self.inline_answer),
                  web.get("/control/chats/{chat_id}/messages", self.messages), web.get("/control/wait", self.wait),
                  web.post("/control/fail", self.fail), web.post("/control/topic", self.topic),
                  web.post("/control/start", self.start), web.post("/control/press", self.press),
                  web.get("/control/press/{id}", self.press_answer), web.get("/control/files/{file_id}", self.file),
                  web.get("/control/state", self.state)]
        if self.playground:
            routes += [web.get("/", self.page), web.get("/control/playground", self.playground_meta)]
        return routes

    @staticmethod
    async def _body(request: web.Request) -> dict:
        if request.content_type.startswith("multipart/"):
            body: dict = {"album": []}
            async for part in await request.multipart():
                if part.filename is not None:
                    data = bytes(await part.read(decode=False))
                    mime = part.headers.get("Content-Type", "application/octet-stream")
                    if part.name == "document":
                        body["document"], body["file_name"], body["mime_type"] = data, part.filename, mime
                    else:  # the page's picker: a photo, a video, or a GIF (sent as an animation)
                        kind = "animation" if mime == "image/gif" else "video" if mime.startswith("video/") else "photo"
                        body["album"].append({"type": kind, "data": data})
                else:
                    body[part.name] = await part.text()
            return body
        try:
            return await request.json()
        except ValueError:
            raise ApiError(400, "Bad Request: JSON body expected") from None

    async def message(self, request: web.Request) -> web.Response:
        try:
            body = await self._body(request)
            return web.json_response(await send_as_user(self.world, body))
        except ApiError as exc:
            return web.json_response(exc.payload(), status=exc.code)

    async def edit(self, request: web.Request) -> web.Response:
        """A user edits their message's text or caption: Telegram sends an `edited_message` update."""
        try:
            body = await request.json()
            chat = self.world.chat(body["chat_id"])
            message = self.world.find_message(chat, body.get("message_id"))
            if message is None:
                raise ApiError(400, "Bad Request: message to edit not found")
            if "video_note" in message:
                raise ApiError(400, "Bad Request: a video note has no caption")
            field = "caption" if any(k in message for k in CAPTIONED) else "text"
            value = body.get(field)
            if value is None or (field == "text" and not value):
                raise ApiError(400, f"Bad Request: {field} expected")
            if len(value) > (MAX_CAPTION if field == "caption" else MAX_TEXT):
                raise ApiError(400, "Bad Request: message is too long")
            message[field] = value
            message[f"{'caption_' if field == 'caption' else ''}entities"] = entities(value)
            message["edit_date"] = int(time.time())
            if self.world.sees(chat, message):
                await self.world.push_update("edited_message", message)
            return web.json_response(message)
        except ApiError as exc:
            return web.json_response(exc.payload(), status=exc.code)

    async def kick(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.world.kicked[int(body["chat_id"])] = int(body.get("after", 0))
        return web.json_response({"ok": True})

    async def group(self, request: web.Request) -> web.Response:
        body = await request.json()
        for uid in body.get("admins", []) + ([body["creator"]] if body.get("creator") else []):
            self.world.user(int(uid))
        options = {name: bool(body[key]) for key, name in (("forum", "is_forum"), ("bot_admin", "bot_admin"),
                                                           ("bot_can_delete", "bot_can_delete"),
                                                           ("privacy", "privacy")) if body.get(key) is not None}
        if body.get("linked_channel_id") is not None:
            options["linked_channel_id"] = int(body["linked_channel_id"])
        chat = self.world.group(int(body["chat_id"]), body.get("title") or "Group",
                                admins={int(a) for a in body.get("admins", [])}, creator=body.get("creator"),
                                **options)
        return web.json_response(chat.as_json())

    async def topic(self, request: web.Request) -> web.Response:
        """A forum topic opened by a user (an admin by default): the bot sees its service message."""
        try:
            body = await request.json()
            chat = self.world.chat(body["chat_id"])
            opener = body.get("user_id") or chat.creator or min(chat.admins, default=None)
            creator = self.world.user(int(opener)) if opener else self.world.bot_user
            thread_id = self.world.create_topic(chat, str(body.get("name") or ""), creator)
            await self.world.push_update("message", self.world.find_message(chat, thread_id))
            return web.json_response({"message_thread_id": thread_id})
        except ApiError as exc:
            return web.json_response(exc.payload(), status=exc.code)

    async def start(self, request: web.Request) -> web.Response:
        try:
            return web.json_response(await start(self.world, await request.json()))
        except ApiError as exc:
            return web.json_response(exc.payload(), status=exc.code)

    async def press(self, request: web.Request) -> web.Response:
        try:
            return web.json_response({"id": await press(self.world, await request.json())})
        except ApiError as exc:
            return web.json_response(exc.payload(), status=exc.code)

    async def press_answer(self, request: web.Request) -> web.Response:
        return await self._answer(request, self.world.callback_answers, "the bot did not answer the callback query")

    async def inline(self, request: web.Request) -> web.Response:
        body = await request.json()
        user = self.world.user(int(body["user_id"]), body.get("first_name"), body.get("language_code"))
        query_id = self.world.next_inline_id()
        await self.world.push_update("inline_query", {"id": query_id, "from": user, "query": body.get("query", ""),
                                                      "offset": "", "chat_type": "private"})
        return web.json_response({"id": query_id})

    async def inline_answer(self, request: web.Request) -> web.Response:
        return await self._answer(request, self.world.inline_answers, "no answer")

    async def _answer(self, request: web.Request, answers: dict, missing: str) -> web.Response:
        """The bot's answer to the query in the path, once it came (`?timeout=` seconds at most; a
        callback query is None in `answers` until answered)."""
        query_id = request.match_info["id"]
        timeout = float(request.query.get("timeout", 10))
        async with self.world.changed:
            try:
                await asyncio.wait_for(self.world.changed.wait_for(lambda: answers.get(query_id) is not None), timeout)
            except asyncio.TimeoutError:
                return web.json_response({"error": missing}, status=404)
        return web.json_response(answers[query_id])

    async def messages(self, request: web.Request) -> web.Response:
        try:
            chat = self.world.chat(request.match_info["chat_id"])
        except ApiError:
            return web.json_response([])
        after = int(request.query.get("after", 0))
        deleted = request.query.get("deleted") in ("1", "true")
        return web.json_response([m for m in chat.messages if m["message_id"] > after and
                                  (deleted or not m.get("deleted"))])

    async def wait(self, request: web.Request) -> web.Response:
        w = self.world
        chat_id = int(request.query["chat_id"])
        after, count = int(request.query.get("after", 0)), int(request.query.get("count", 1))
        timeout = float(request.query.get("timeout", 10))
        reply_to = int(request.query["reply_to"]) if "reply_to" in request.query else None

        def from_bot():
            chat = w.chats.get(chat_id)
            return [m for m in (chat.messages if chat else []) if m["message_id"] > after
                    and m["from"]["id"] == w.bot_id and
                    (reply_to is None or (m.get("reply_to_message") or {}).get("message_id") == reply_to)]

        async with w.changed:
            try:
                await asyncio.wait_for(w.changed.wait_for(lambda: len(from_bot()) >= count), timeout)
            except asyncio.TimeoutError:
                pass
        return web.json_response(from_bot())

    async def fail(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.world.failures.append(Failure(body.get("method", "*"), int(body.get("count", 1)),
                                           int(body.get("code", 429)), int(body.get("retry_after", 1)),
                                           float(body.get("delay_s", 0))))
        return web.json_response({"ok": True})

    async def file(self, request: web.Request) -> web.Response:
        stored = self.world.files.get(request.match_info["file_id"])
        if stored is None:
            return web.Response(status=404)
        return web.Response(body=stored.data, content_type="video/mp4" if stored.kind in VIDEO_KINDS else "image/jpeg")

    async def state(self, request: web.Request) -> web.Response:
        w = self.world
        return web.json_response({
            "calls": [m for m, _ in w.calls], "chat_actions": w.chat_actions, "commands": w.commands,
            "pending_updates": len(w.pending()), "callback_answers": w.callback_answers,
            "webhook": w.webhook, "bot": w.bot_user})

    async def playground_meta(self, request: web.Request) -> web.Response:
        return web.json_response(self.world.meta)

    async def page(self, request: web.Request) -> web.Response:
        return web.FileResponse(STATIC / "playground.html")
