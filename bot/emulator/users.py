"""What emulated users do: send messages (as themselves, as the group, forwarded, in a topic), open a
private chat with the bot, press inline buttons. Each becomes the update Telegram would send the bot."""
from __future__ import annotations

import asyncio
import base64
import re
import time

from bot.emulator.imagefiles import document_of, sticker_of
from bot.emulator.keyboards import has_button
from bot.emulator.videos import VIDEO, VIDEO_KINDS, VIDEO_NOTE, media_fields
from bot.emulator.world import ANONYMOUS_ADMIN, MAX_CAPTION, MAX_TEXT, TELEGRAM_SERVICE, ApiError, World

_COMMAND = re.compile(r"^/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]+)?")
_HASHTAG = re.compile(r"(?<![\w#])#\w+")
_MENTION = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{5,32}")


def _utf16(text: str, index: int) -> int:
    return len(text[:index].encode("utf-16-le")) // 2


def entities(text: str | None) -> list[dict] | None:
    """Telegram's entities for a user's text: a leading bot command, hashtags and @mentions (UTF-16 offsets)."""
    if not text:
        return None
    out = []
    m = _COMMAND.match(text)
    if m:
        out.append({"type": "bot_command", "offset": 0, "length": _utf16(text, m.end())})
    for kind, pattern in (("hashtag", _HASHTAG), ("mention", _MENTION)):
        for found in pattern.finditer(text):
            start, end = _utf16(text, found.start()), _utf16(text, found.end())
            out.append({"type": kind, "offset": start, "length": end - start})
    return sorted(out, key=lambda e: e["offset"]) or None


def _bytes(value) -> bytes | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        return value
    try:
        return base64.b64decode(value, validate=True)
    except (ValueError, TypeError):
        raise ApiError(400, "Bad Request: files must be base64") from None


def _forward_origin(w: World, source: dict) -> dict:
    """A MessageOrigin (https://core.telegram.org/bots/api#messageorigin) from the control's short form."""
    kind, when = source.get("type", "user"), int(source.get("date") or time.time() - 3600)
    if kind == "user":
        return {"type": "user", "date": when, "sender_user": w.user(int(source["id"]), source.get("first_name"))}
    if kind == "hidden_user":
        return {"type": "hidden_user", "date": when, "sender_user_name": source.get("first_name") or "Someone"}
    if kind == "chat":
        return {"type": "chat", "date": when, "sender_chat": {"id": int(source["id"]), "type": "supergroup",
                                                              "title": source.get("title") or "Group"}}
    if kind == "channel":
        return {"type": "channel", "date": when, "message_id": int(source.get("message_id") or 1),
                "chat": {"id": int(source["id"]), "type": "channel", "title": source.get("title") or "Channel"}}
    raise ApiError(400, f"Bad Request: unknown forward origin type {kind!r}")


def _author(w: World, chat, user: dict, body: dict) -> dict:
    """Who the message is from: the user; the group itself (an anonymous admin); the linked channel
    (an automatic forward); and where it was forwarded from."""
    if body.get("automatic_forward"):
        if chat.linked_channel_id is None:
            raise ApiError(400, "Bad Request: the group has no linked channel")
        channel = w.chats[chat.linked_channel_id]
        post = w.new_message(channel, TELEGRAM_SERVICE)["message_id"]  # the channel post being forwarded
        origin = {"type": "channel", "date": int(time.time()), "chat": channel.as_json(), "message_id": post}
        return {"from": TELEGRAM_SERVICE, "sender_chat": channel.as_json(), "is_automatic_forward": True,
                "forward_origin": origin, "forward_date": origin["date"]}
    author: dict = {"from": user}
    if body.get("as_group"):
        if chat.type == "private" or not chat.is_admin(user["id"]):
            raise ApiError(400, "Bad Request: only an admin can send messages as the group")
        chat.anonymous.add(user["id"])
        author = {"from": ANONYMOUS_ADMIN, "sender_chat": chat.as_json()}
    if body.get("forward_from"):
        origin = _forward_origin(w, body["forward_from"])
        author.update(forward_origin=origin, forward_date=origin["date"])
    return author


async def send_as_user(w: World, body: dict) -> list[dict]:
    """The user's message(s) in a chat (one per photo or video of an album), pushed as updates the bot can see."""
    user = w.user(int(body["user_id"]), body.get("first_name"), body.get("language_code"))
    chat_id = int(body.get("chat_id") or user["id"])
    chat = w.private_chat(user) if chat_id == user["id"] else w.group(chat_id, body.get("chat_title") or "Group")
    reply = None
    if body.get("reply_to"):
        original = w.find_message(chat, body["reply_to"])
        if original is None:
            raise ApiError(400, "Bad Request: message to be replied not found")
        reply = {k: v for k, v in original.items() if k != "reply_to_message"}
    thread_id = w.thread_of(chat, body.get("thread_id"), reply)
    author = _author(w, chat, user, body)
    sender = author.pop("from")
    media = _media(body)
    document = _bytes(body.get("document") or body.get("document_b64"))
    sticker = _bytes(body.get("sticker") or body.get("sticker_b64"))
    text = body.get("text") or None
    caption = body.get("caption") or (text if (media or document) else None)
    if media or document or sticker:
        text = None
    if text and len(text) > MAX_TEXT or caption and len(caption) > MAX_CAPTION:
        raise ApiError(400, "Bad Request: message is too long")
    if caption and media and media[0][0] == VIDEO_NOTE:
        raise ApiError(400, "Bad Request: a video note has no caption")
    sent = []
    group_id = w.next_media_group_id() if len(media) > 1 else None
    if media:
        for n, (kind, data) in enumerate(media):
            cap = caption if n == 0 else None
            fields = ({"photo": w.photo_sizes(data)} if kind == "photo" else
                      media_fields(w, kind, data, body.get("file_name")))
            sent.append(w.new_message(chat, sender, thread_id, caption=cap, caption_entities=entities(cap),
                                      media_group_id=group_id, reply_to_message=reply, **fields, **author))
    elif document is not None:
        doc = document_of(w, document, body.get("file_name"), body.get("mime_type"))
        sent.append(w.new_message(chat, sender, thread_id, document=doc, caption=caption,
                                  caption_entities=entities(caption), reply_to_message=reply, **author))
    elif sticker is not None:  # a sticker has no caption
        sent.append(w.new_message(chat, sender, thread_id, sticker=sticker_of(
            w, sticker, body.get("sticker_format") or "static", body.get("emoji"), body.get("set_name")),
            reply_to_message=reply, **author))
    elif text:
        sent.append(w.new_message(chat, sender, thread_id, text=text, entities=entities(text),
                                  reply_to_message=reply, **author))
    else:
        raise ApiError(400, "Bad Request: message text is empty")
    seen = [m for m in sent if w.sees(chat, m)]
    gap = float(body.get("album_gap_s") or 0)
    if gap and len(seen) > 1:
        asyncio.get_running_loop().create_task(_push_apart(w, seen, gap))
    else:
        for message in seen:
            await w.push_update("message", message)
    return sent


def _media(body: dict) -> list[tuple[str, bytes]]:
    """What the user sends: (kind, bytes) of photos, a video, an animation, a video note, or an album
    ({"type": "photo"|"video", "b64"}: photos and videos may share one; nothing else may)."""
    media = [("photo", _bytes(p)) for p in body.get("photos") or body.get("photos_b64") or []]
    if body.get("photo_b64"):
        media.append(("photo", _bytes(body["photo_b64"])))
    for kind in VIDEO_KINDS:
        if body.get(f"{kind}_b64") or body.get(kind):
            media.append((kind, _bytes(body.get(f"{kind}_b64") or body.get(kind))))
    for item in body.get("album") or []:
        media.append((item.get("type"), _bytes(item.get("b64") or item.get("data"))))
    if len(media) > 10 or (len(media) > 1 and any(kind not in ("photo", VIDEO) for kind, _ in media)):
        raise ApiError(400, "Bad Request: an album holds 2-10 photos and videos")
    if any(kind not in ("photo", *VIDEO_KINDS) for kind, _ in media):
        raise ApiError(400, "Bad Request: unknown media type")
    return media


async def _push_apart(w: World, messages: list[dict], gap: float) -> None:
    for n, message in enumerate(messages):
        if n:
            await asyncio.sleep(gap)
        await w.push_update("message", message)


async def start(w: World, body: dict) -> dict:
    """The user opens a private chat with the bot: Telegram sends `/start`; from then on the bot may
    write to them."""
    return (await send_as_user(w, {**body, "chat_id": body["user_id"], "text": body.get("text") or "/start"}))[0]


async def press(w: World, body: dict) -> str:
    """The user presses the inline button carrying `data` under a bot message: a callback_query update.
    Returns the query id, whose answer (answerCallbackQuery) the caller may wait for."""
    chat = w.chat(body["chat_id"])
    message = w.find_message(chat, body["message_id"])
    data = str(body.get("data") or "")
    if message is None or message["from"]["id"] != w.bot_id or not has_button(message, data):
        raise ApiError(400, f"Bad Request: no button {data!r} on message {body['message_id']}")
    user = w.user(int(body["user_id"]), body.get("first_name"), body.get("language_code"))
    query_id = w.next_callback_id()
    w.callback_answers[query_id] = None
    await w.push_update("callback_query", {"id": query_id, "from": user, "message": message, "data": data,
                                           "chat_instance": str(abs(chat.id) * 7919 % 10 ** 18)})
    return query_id
