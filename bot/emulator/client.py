"""A small synchronous client of the emulator's control API: act as users, read what the bot sent."""
from __future__ import annotations

import base64

import httpx


class EmulatorClient:
    def __init__(self, url: str, timeout: float = 60.0) -> None:
        self.http = httpx.Client(base_url=url, timeout=timeout)

    def close(self) -> None:
        self.http.close()

    def _post(self, path: str, body: dict):
        res = self.http.post(path, json=body)
        data = res.json()
        if res.status_code >= 400:
            raise RuntimeError(f"{path}: {data}")
        return data

    def send(self, user_id: int, chat_id: int | None = None, *, text: str | None = None, photo: bytes | None = None,
             photos: list[bytes] | None = None, document: bytes | None = None, file_name: str | None = None,
             mime_type: str = "application/octet-stream", caption: str | None = None, reply_to: int | None = None,
             language_code: str | None = None, first_name: str | None = None, album_gap_s: float | None = None,
             as_group: bool = False, thread_id: int | None = None, forward_from: dict | None = None,
             automatic_forward: bool = False, sticker: bytes | None = None, sticker_format: str = "static",
             emoji: str | None = None, video: bytes | None = None, animation: bytes | None = None,
             video_note: bytes | None = None, album: list[tuple[str, bytes]] | None = None) -> list[dict]:
        """The messages the user sent (one per photo for an album; with `album_gap_s`, the album's
        updates reach the bot that far apart, in separate getUpdates batches).

        `as_group`: an admin posting anonymously (from GroupAnonymousBot, `sender_chat` the group);
        `thread_id`: in that forum topic; `forward_from` ({"type": "user"|"hidden_user"|"chat"|"channel",
        "id": N, "first_name"/"title": ...}): forwarded from there (`forward_origin`);
        `automatic_forward`: a post of the group's linked channel, forwarded into it by Telegram;
        `sticker`: a sticker of `sticker_format` static (the image, made a 512 px .webp) | animated (.tgs
        bytes) | video (.webm bytes);
        `video`, `animation` (a GIF becomes an MP4, as Telegram makes it), `video_note`: one of those;
        `album`: [("photo"|"video", bytes), ...], an album that may mix photos and videos."""
        body = {"user_id": user_id, "chat_id": chat_id or user_id, "text": text, "caption": caption,
                "reply_to": reply_to, "language_code": language_code, "first_name": first_name,
                "file_name": file_name, "mime_type": mime_type, "album_gap_s": album_gap_s,
                "as_group": as_group or None, "thread_id": thread_id, "forward_from": forward_from,
                "automatic_forward": automatic_forward or None}
        if photo is not None:
            body["photo_b64"] = base64.b64encode(photo).decode()
        if photos:
            body["photos_b64"] = [base64.b64encode(p).decode() for p in photos]
        for kind, value in (("video", video), ("animation", animation), ("video_note", video_note)):
            if value is not None:
                body[f"{kind}_b64"] = base64.b64encode(value).decode()
        if album:
            body["album"] = [{"type": kind, "b64": base64.b64encode(data).decode()} for kind, data in album]
        if document is not None:
            body["document_b64"] = base64.b64encode(document).decode()
        if sticker is not None:
            body.update(sticker_b64=base64.b64encode(sticker).decode(), sticker_format=sticker_format, emoji=emoji)
        return self._post("/control/message", {k: v for k, v in body.items() if v is not None})

    def wait(self, chat_id: int, after: int, count: int = 1, timeout: float = 30.0,
             reply_to: int | None = None) -> list[dict]:
        """The bot's messages in a chat after message `after` (replying to `reply_to` if given), once
        there are `count` (or at the timeout)."""
        params = {"chat_id": chat_id, "after": after, "count": count, "timeout": timeout}
        if reply_to is not None:
            params["reply_to"] = reply_to
        res = self.http.get("/control/wait", params=params, timeout=timeout + 10)
        return res.json()

    def messages(self, chat_id: int, after: int = 0, deleted: bool = False) -> list[dict]:
        """The chat's messages as stored (reply_markup, message_thread_id, edits included); deleted
        ones only with `deleted=True` (then marked "deleted": true)."""
        params = {"after": after, **({"deleted": 1} if deleted else {})}
        return self.http.get(f"/control/chats/{chat_id}/messages", params=params).json()

    def group(self, chat_id: int, title: str, admins: list[int], creator: int | None = None, *, forum: bool = False,
              bot_admin: bool = True, bot_can_delete: bool = True, privacy: bool = True,
              linked_channel_id: int | None = None) -> dict:
        """A group; `forum` makes it a supergroup with topics; `bot_admin`/`bot_can_delete` are the
        bot's rights there; with `privacy` on and no admin rights the bot sees only commands, replies
        to it and mentions; `linked_channel_id` is the channel whose posts are forwarded into it."""
        return self._post("/control/group", {"chat_id": chat_id, "title": title, "admins": admins,
                                             "creator": creator, "forum": forum, "bot_admin": bot_admin,
                                             "bot_can_delete": bot_can_delete, "privacy": privacy,
                                             "linked_channel_id": linked_channel_id})

    def topic(self, chat_id: int, name: str, user_id: int | None = None) -> int:
        """A new forum topic (opened by `user_id`, by default the group's creator): its message_thread_id."""
        return self._post("/control/topic", {"chat_id": chat_id, "name": name, "user_id": user_id})["message_thread_id"]

    def start(self, user_id: int, first_name: str | None = None, language_code: str | None = None) -> dict:
        """The user opens a private chat with the bot (sends /start): the bot may write to them from now on.
        (A user's name and language: "User" and English when never given; the last given otherwise.)"""
        return self._post("/control/start", {"user_id": user_id, "first_name": first_name,
                                             "language_code": language_code})

    def press(self, chat_id: int, message_id: int, user_id: int, data: str, timeout: float = 30.0) -> dict:
        """The user presses the inline button with callback_data `data` under a bot message; returns
        the bot's answerCallbackQuery parameters ({"text", "show_alert", ...}) once it answered."""
        query_id = self._post("/control/press", {"chat_id": chat_id, "message_id": message_id, "user_id": user_id,
                                                 "data": data})["id"]
        res = self.http.get(f"/control/press/{query_id}", params={"timeout": timeout}, timeout=timeout + 10)
        if res.status_code != 200:
            raise TimeoutError(f"the bot did not answer the press of {data!r} within {timeout} s")
        return res.json()

    def inline(self, user_id: int, query: str, timeout: float = 30.0) -> dict:
        query_id = self._post("/control/inline", {"user_id": user_id, "query": query})["id"]
        return self.http.get(f"/control/inline/{query_id}", params={"timeout": timeout}, timeout=timeout + 10).json()

    def edit(self, chat_id: int, message_id: int, *, text: str | None = None, caption: str | None = None) -> dict:
        """The user edits a message's text (or a photo's caption): the bot gets an `edited_message`."""
        return self._post("/control/edit", {"chat_id": chat_id, "message_id": message_id, "text": text,
                                            "caption": caption})

    def kick(self, chat_id: int, after: int = 0) -> None:
        """The bot is kicked from the chat (blocked, for a private chat) after `after` more messages there."""
        self._post("/control/kick", {"chat_id": chat_id, "after": after})

    def fail(self, method: str = "*", count: int = 1, code: int = 429, retry_after: int = 1,
             delay_s: float = 0.0) -> None:
        """The next `count` calls fail: 429, a 5xx, or (delay_s) a timeout before the error."""
        self._post("/control/fail", {"method": method, "count": count, "code": code, "retry_after": retry_after,
                                     "delay_s": delay_s})

    def state(self) -> dict:
        return self.http.get("/control/state").json()

    def file(self, file_id: str) -> bytes:
        return self.http.get(f"/control/files/{file_id}").content
