"""The Bot API side of the emulator: POST/GET /bot<token>/<method>, GET /file/bot<token>/<path>.

Parameters arrive the way python-telegram-bot (and any client) sends them: JSON body,
url-encoded form or multipart form with uploads; complex values are JSON-encoded strings.
Replies are Telegram's envelopes: {"ok": true, "result": ...} or {"ok": false, "error_code",
"description"[, "parameters": {"retry_after"}]}, with Telegram's status codes.
"""
from __future__ import annotations

import asyncio
import json
import logging
import mimetypes
import time

from aiohttp import web

from bot.emulator.editing import EditMethods
from bot.emulator.formatting import text_field
from bot.emulator.keyboards import checked_markup
from bot.emulator.members import MemberMethods
from bot.emulator.videos import VIDEO, VideoMethods, resolve_media
from bot.emulator.world import MAX_CAPTION, MAX_DOWNLOAD, MAX_TEXT, ApiError, World

log = logging.getLogger(__name__)

# Values that are strings even when they look like JSON ("123" stays a text, not a number).
STRING_FIELDS = {"text", "caption", "query", "inline_query_id", "callback_query_id", "parse_mode", "url",
                 "secret_token", "action", "file_id", "photo", "document", "video", "animation",
                 "video_note", "next_offset", "language_code",
                 "description", "short_description", "switch_pm_text", "name"}


async def parse_params(request: web.Request) -> tuple[dict, dict[str, bytes]]:
    params: dict = dict(request.query)
    uploads: dict[str, bytes] = {}
    if request.content_type == "application/json":
        body = await request.read()
        if body:
            try:
                params.update(json.loads(body))
            except json.JSONDecodeError:
                raise ApiError(400, "Bad Request: can't parse JSON object") from None
        return params, uploads
    if request.content_type.startswith("multipart/"):
        reader = await request.multipart()
        async for part in reader:
            if part.filename is not None:
                uploads[part.name] = bytes(await part.read(decode=False))
                params.setdefault("_filenames", {})[part.name] = part.filename
            else:
                params[part.name] = await part.text()
    elif request.can_read_body:
        params.update(await request.post())
    for key, value in list(params.items()):
        if isinstance(value, str) and key not in STRING_FIELDS:
            try:
                params[key] = json.loads(value)
            except json.JSONDecodeError:
                pass
    for key in list(uploads):  # a plain upload field (photo=<file>) is the parameter itself
        if key not in params:
            params[key] = uploads[key]
    return params, uploads


class BotApi(EditMethods, MemberMethods, VideoMethods):
    def __init__(self, world: World) -> None:
        self.world = world
        self._webhook_task: asyncio.Task | None = None

    async def close(self) -> None:
        """Stop pushing to a webhook (the emulator is shutting down)."""
        if self._webhook_task is not None and not self._webhook_task.done():
            self._webhook_task.cancel()
            try:
                await self._webhook_task
            except asyncio.CancelledError:
                pass

    def routes(self) -> list:
        return [web.route("*", "/bot{token}/{method}", self.call),
                web.get("/file/bot{token}/{path:.+}", self.download)]

    async def call(self, request: web.Request) -> web.Response:
        w = self.world
        if request.match_info["token"] != w.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        handler = getattr(self, "m_" + method.lower(), None)
        try:
            params, uploads = await parse_params(request)
            w.calls.append((method, time.time()))
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            failure = w.take_failure(method)
            if failure is not None:
                await asyncio.sleep(failure.delay_s)  # a timeout: the client gave up before this answer
                raise failure.error()
            w.check_member(method, params.get("chat_id"))
            result = await handler(params, uploads)
        except ApiError as exc:
            return web.json_response(exc.payload(), status=exc.code)
        await w.notify()
        return web.json_response({"ok": True, "result": result})

    async def download(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.world.token:
            return web.Response(status=401, text="Unauthorized")
        path = request.match_info["path"]
        stored = self.world.files.by_path(path)
        if stored is None:
            return web.Response(status=404, text="Not Found")
        return web.Response(body=stored.data, content_type="application/octet-stream")

    # -- identity, updates, webhook -----------------------------------------------------------
    async def m_getme(self, p, u):
        return self.world.bot_user

    async def m_getupdates(self, p, u):
        w = self.world
        if w.webhook:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first")
        offset, limit, timeout = int(p.get("offset") or 0), int(p.get("limit") or 100), float(p.get("timeout") or 0)
        if offset:
            w.acknowledged = max(w.acknowledged, offset - 1)
            w.updates = [x for x in w.updates if x["update_id"] >= offset]
        if isinstance(p.get("allowed_updates"), list):  # kept until the next call that gives it
            w.allowed_updates = p["allowed_updates"]

        async with w.changed:
            if not w.pending() and timeout > 0:
                try:
                    await asyncio.wait_for(w.changed.wait_for(lambda: bool(w.pending())), timeout)
                except asyncio.TimeoutError:
                    pass
        return w.pending()[:limit]

    async def m_setwebhook(self, p, u):
        url = p.get("url") or ""
        if not url:
            return await self.m_deletewebhook(p, u)
        self.world.webhook = {"url": url, "secret_token": p.get("secret_token")}
        if isinstance(p.get("allowed_updates"), list):
            self.world.allowed_updates = p["allowed_updates"]
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.create_task(self._deliver())
        return True

    async def m_deletewebhook(self, p, u):
        self.world.webhook = None
        if p.get("drop_pending_updates") in (True, "true"):
            self.world.updates.clear()
        return True

    async def m_getwebhookinfo(self, p, u):
        w = self.world
        return {"url": (w.webhook or {}).get("url", ""), "has_custom_certificate": False,
                "pending_update_count": len(w.pending())}

    async def _deliver(self) -> None:
        """Push updates to the webhook like Telegram: POST each, drop it on 2xx, retry otherwise."""
        import aiohttp

        w = self.world
        async with aiohttp.ClientSession() as session:
            while w.webhook:
                pending = w.pending()
                if not pending:
                    async with w.changed:
                        try:
                            await asyncio.wait_for(w.changed.wait(), 1.0)
                        except asyncio.TimeoutError:
                            pass
                    continue
                update = pending[0]
                headers = {}
                if w.webhook.get("secret_token"):
                    headers["X-Telegram-Bot-Api-Secret-Token"] = w.webhook["secret_token"]
                try:
                    async with session.post(w.webhook["url"], json=update, headers=headers) as resp:
                        ok = 200 <= resp.status < 300
                except aiohttp.ClientError:
                    ok = False
                if ok:
                    w.acknowledged = update["update_id"]
                else:
                    await asyncio.sleep(0.5)

    # -- sending -----------------------------------------------------------------------------
    def _reply_to(self, chat, p) -> dict | None:
        ref = p.get("reply_parameters") or ({"message_id": p["reply_to_message_id"]}
                                            if p.get("reply_to_message_id") else None)
        if not ref:
            return None
        original = self.world.find_message(chat, ref.get("message_id"))
        if original is None:
            if ref.get("allow_sending_without_reply"):
                return None
            raise ApiError(400, "Bad Request: message to be replied not found")
        return {k: v for k, v in original.items() if k != "reply_to_message"}

    def _placed(self, chat, p) -> dict:
        """Where a bot message goes: the message it replies to, and the forum topic (the one asked
        for, else the replied message's), with its reply markup checked."""
        replied = self._reply_to(chat, p)
        return {"reply_to_message": replied, "thread_id": self.world.thread_of(chat, p.get("message_thread_id"), replied),
                "reply_markup": checked_markup(p.get("reply_markup"))}

    async def m_sendmessage(self, p, u):
        chat = self.world.chat(p.get("chat_id"))
        text, html_source, found = text_field(p, "text", MAX_TEXT, required=True)
        return self.world.new_message(chat, self.world.bot_user, text=text, entities=found, html=html_source,
                                      **self._placed(chat, p))

    async def m_sendphoto(self, p, u):
        chat = self.world.chat(p.get("chat_id"))
        caption, html_source, found = text_field(p, "caption", MAX_CAPTION, required=False)
        placed = self._placed(chat, p)
        sizes = self.world.resolve_photo(p.get("photo"), u)
        return self.world.new_message(chat, self.world.bot_user, photo=sizes, caption=caption,
                                      caption_entities=found, html=html_source, **placed)

    async def m_senddocument(self, p, u):
        chat = self.world.chat(p.get("chat_id"))
        caption, html_source, found = text_field(p, "caption", MAX_CAPTION, required=False)
        value = p.get("document")
        if isinstance(value, bytes):
            stored = self.world.store_file(value, "bin")
        elif isinstance(value, str) and value in self.world.files:
            stored = self.world.files[value]
        else:
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        name = (p.get("_filenames") or {}).get("document") or "file"
        doc = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id, "file_size": len(stored.data),
               "file_name": name, "mime_type": mimetypes.guess_type(name)[0] or "application/octet-stream"}
        return self.world.new_message(chat, self.world.bot_user, document=doc, caption=caption,
                                      caption_entities=found, html=html_source, **self._placed(chat, p))

    async def m_sendmediagroup(self, p, u):
        chat = self.world.chat(p.get("chat_id"))
        media = p.get("media")
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise ApiError(400, "Bad Request: wrong number of media in the album (must be 2-10)")
        prepared = []
        for item in media:
            # photos and videos may share an album; animations and video notes never go in one
            if not isinstance(item, dict) or item.get("type") not in ("photo", VIDEO):
                raise ApiError(400, "Bad Request: unsupported media type in the album")
            caption, html_source, found = text_field({**item, "parse_mode": item.get("parse_mode")}, "caption",
                                                     MAX_CAPTION, required=False)
            fields = ({"photo": self.world.resolve_photo(item.get("media"), u)} if item["type"] == "photo" else
                      resolve_media(self.world, VIDEO, item.get("media"), u))
            prepared.append((fields, caption, html_source, found))
        group_id = self.world.next_media_group_id()
        reply = self._reply_to(chat, p)
        thread_id = self.world.thread_of(chat, p.get("message_thread_id"), reply)
        return [self.world.new_message(chat, self.world.bot_user, thread_id, caption=caption, caption_entities=found,
                                       html=html_source, media_group_id=group_id, reply_to_message=reply, **fields)
                for fields, caption, html_source, found in prepared]

    async def m_getfile(self, p, u):
        stored = self.world.files.get(str(p.get("file_id")))
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        if len(stored.data) > MAX_DOWNLOAD:
            raise ApiError(400, "Bad Request: file is too big")
        return {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id, "file_size": len(stored.data),
                "file_path": stored.path}

    async def m_sendchataction(self, p, u):
        chat = self.world.chat(p.get("chat_id"))
        self.world.chat_actions.append((chat.id, str(p.get("action"))))
        return True

    # -- inline, commands, misc --------------------------------------------------------------
    async def m_answerinlinequery(self, p, u):
        query_id = str(p.get("inline_query_id"))
        results = p.get("results") or []
        if len(results) > 50:
            raise ApiError(400, "Bad Request: too many inline query results")
        self.world.inline_answers[query_id] = {"results": results, "next_offset": p.get("next_offset", "")}
        return True

    async def m_setmycommands(self, p, u):
        commands = p.get("commands") or []
        if len(commands) > 100 or any(not isinstance(c, dict) or not c.get("command") for c in commands):
            raise ApiError(400, "Bad Request: invalid commands")
        self.world.commands[str(p.get("language_code") or "")] = commands
        return True

    async def m_getmycommands(self, p, u):
        return self.world.commands.get(str(p.get("language_code") or ""), [])

    async def m_deletemycommands(self, p, u):
        self.world.commands.pop(str(p.get("language_code") or ""), None)
        return True

    async def m_close(self, p, u):
        return True

    async def m_logout(self, p, u):
        return True
