"""The emulated Telegram: users, chats, messages, files and the bot's update queue.

Everything is in memory and JSON-shaped exactly as the Bot API returns it, so the same dicts
go to the bot (Bot API side) and to tests / the playground page (control side).
"""
from __future__ import annotations

import asyncio
import io
import itertools
import time
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from bot.emulator.files import FileStore
from bot.emulator.videos import FOLDERS, ID_PREFIXES, VIDEO_KINDS

# Telegram's documented limits
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_UPLOAD_PHOTO = 10 * 1024 * 1024
MAX_DOWNLOAD = 20 * 1024 * 1024
MAX_CALLBACK_DATA = 64  # bytes
MAX_CALLBACK_ANSWER = 200
PHOTO_SIDES = (90, 1280)  # thumbnail and largest side Telegram keeps of a sent photo
# Telegram's service accounts: who an anonymous admin's message is "from", and an automatic forward's
ANONYMOUS_ADMIN = {"id": 1087968824, "is_bot": True, "first_name": "Group", "username": "GroupAnonymousBot"}
TELEGRAM_SERVICE = {"id": 777000, "is_bot": False, "first_name": "Telegram"}


class ApiError(Exception):
    """A Bot API error: becomes {"ok": false, "error_code": ..., "description": ...}."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after

    def payload(self) -> dict:
        out = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            out["parameters"] = {"retry_after": self.retry_after}
        return out


def attached(value, uploads: dict[str, bytes]):
    """A file argument as sent: "attach://name" is the multipart part of that name (its bytes); an upload
    or a file id stays as it is."""
    if isinstance(value, str) and value.startswith("attach://"):
        value = uploads.get(value[len("attach://"):])
        if value is None:
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
    return value


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    data: bytes
    path: str
    kind: str = "photo"  # photo | document | thumbnail | video | animation | video_note (bot.emulator.videos)
    attributes: dict = field(default_factory=dict)  # a video's Video/Animation/VideoNote object, to send it again


@dataclass
class Chat:
    id: int
    type: str  # private | group | supergroup | channel
    title: str | None = None
    first_name: str | None = None
    admins: set[int] = field(default_factory=set)
    creator: int | None = None
    messages: list[dict] = field(default_factory=list)
    next_message_id: int = 1
    is_forum: bool = False
    topics: dict[int, str] = field(default_factory=dict)  # message_thread_id -> name
    bot_admin: bool = True  # the bot's rights in this group
    bot_can_delete: bool = True
    privacy: bool = True  # the bot's privacy mode: without admin rights it sees only what is meant for it
    linked_channel_id: int | None = None  # the channel whose posts are automatically forwarded here
    anonymous: set[int] = field(default_factory=set)  # admins who post as the group

    def as_json(self) -> dict:
        out = {"id": self.id, "type": self.type}
        if self.title:
            out["title"] = self.title
        if self.first_name:
            out["first_name"] = self.first_name
        if self.is_forum:
            out["is_forum"] = True
        return out

    def is_admin(self, user_id: int) -> bool:
        return user_id in self.admins or user_id == self.creator

    def bot_may_delete(self) -> bool:
        """Any admin bot may delete in a basic group; a supergroup needs the can_delete_messages right."""
        return self.bot_admin and (self.bot_can_delete or self.type == "group")


@dataclass
class Failure:
    """Make the next `count` calls of `method` (or '*' for any send*) fail like Telegram would:
    429 (with retry_after), a 5xx, or a timeout (`delay_s` of silence before the error, longer
    than the client waits)."""

    method: str
    count: int
    code: int = 429
    retry_after: int = 1
    delay_s: float = 0.0

    def error(self) -> ApiError:
        if self.code == 429:
            return ApiError(429, f"Too Many Requests: retry after {self.retry_after}", self.retry_after)
        return ApiError(self.code, SERVER_ERRORS.get(self.code, "Bad Request"))


SERVER_ERRORS = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
                 504: "Gateway Timeout"}
KICKED = {"private": "Forbidden: bot was blocked by the user", "group": "Forbidden: bot was kicked from the group chat",
          "supergroup": "Forbidden: bot was kicked from the supergroup chat"}


class World:
    def __init__(self, token: str = "123456:TEST-TOKEN", bot_username: str = "hashlens_bot", id_base: int = 0,
                 files_dir: Path | None = None) -> None:
        """`id_base`: message ids and file ids start after it. Telegram never gives a chat's message id or
        a file id twice, and the bot relies on it (a known message id is a re-delivered update; a known
        file_unique_id an exact re-send): a world that restarts over a bot's stored posts (the
        playground) starts past the ids it gave before. `files_dir`: where its files are kept too, so
        the bot can still send them after a restart (bot/emulator/files.py)."""
        self.token = token
        self.id_base = id_base
        self.bot_id = int(token.split(":")[0])
        self.bot_user = {"id": self.bot_id, "is_bot": True, "first_name": "hashlens", "username": bot_username,
                         "can_join_groups": True, "can_read_all_group_messages": False,
                         "supports_inline_queries": True}
        self.users: dict[int, dict] = {}
        self.chats: dict[int, Chat] = {}
        self.files = FileStore(files_dir)  # file_id -> StoredFile
        self.updates: list[dict] = []
        self.acknowledged = 0  # highest update_id the bot confirmed via getUpdates offset
        self.commands: dict[str, list[dict]] = {}
        self.inline_answers: dict[str, dict] = {}
        self.chat_actions: list[tuple[int, str]] = []
        self.webhook: dict | None = None
        self.failures: list[Failure] = []
        self.callback_answers: dict[str, dict | None] = {}  # callback query id -> the bot's answer
        self.allowed_updates: list[str] = []  # as last given to getUpdates / setWebhook; [] = the default set
        self.kicked: dict[int, int] = {}  # chat id -> messages the bot may still send there before it is out
        self.meta: dict = {}  # what the playground page needs to know (its users and chats)
        self.calls: list[tuple[str, float]] = []  # (method, time) of every Bot API call, for tests
        self._update_ids = itertools.count(1)
        self._file_ids = itertools.count(id_base + 1)
        self._inline_ids = itertools.count(1)
        self._media_groups = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self.changed = asyncio.Condition()

    # -- people and chats ----------------------------------------------------------------
    def user(self, user_id: int, first_name: str | None = None, language_code: str | None = None) -> dict:
        """A user, made on first sight ("User", English, unless told); a name or language given later
        replaces the old one, as a Telegram client reports its user's current ones with each update
        (so a user first met as a group's admin can speak French later)."""
        user = self.users.setdefault(user_id, {"id": user_id, "is_bot": False, "first_name": "User",
                                               "language_code": "en"})
        if first_name:
            user["first_name"] = first_name
        if language_code:
            user["language_code"] = language_code
        return user

    def private_chat(self, user: dict) -> Chat:
        if user["id"] not in self.chats:
            self.chats[user["id"]] = Chat(user["id"], "private", first_name=user["first_name"], next_message_id=self.id_base + 1)
        return self.chats[user["id"]]

    def group(self, chat_id: int, title: str = "Group", admins: set[int] | None = None,
              creator: int | None = None, **options) -> Chat:
        """A group (a supergroup when its id starts with -100, or when it is a forum); `options` are
        Chat fields: is_forum, bot_admin, bot_can_delete, privacy, linked_channel_id."""
        if chat_id not in self.chats:
            kind = "supergroup" if str(chat_id).startswith("-100") or options.get("is_forum") else "group"
            self.chats[chat_id] = Chat(chat_id, kind, title=title, next_message_id=self.id_base + 1)
        chat = self.chats[chat_id]
        if admins is not None:
            chat.admins = set(admins)
        if creator is not None:
            chat.creator = creator
        for name, value in options.items():
            setattr(chat, name, value)
        if chat.is_forum:
            chat.type = "supergroup"  # only supergroups can be forums
        if chat.linked_channel_id is not None and chat.linked_channel_id not in self.chats:
            self.chats[chat.linked_channel_id] = Chat(chat.linked_channel_id, "channel", title=f"{title} channel", next_message_id=self.id_base + 1)
        return chat

    def chat(self, chat_id) -> Chat:
        try:
            return self.chats[int(chat_id)]
        except (KeyError, ValueError, TypeError):
            if str(chat_id).lstrip("-").isdigit() and int(chat_id) in self.users:
                # a user who never opened a private chat with the bot
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user") from None
            raise ApiError(400, "Bad Request: chat not found") from None

    def create_topic(self, chat: Chat, name: str, creator: dict) -> int:
        """A forum topic: its message_thread_id is the id of the service message that opens it."""
        if not chat.is_forum:
            raise ApiError(400, "Bad Request: the chat is not a forum")
        if not 1 <= len(name) <= 128:
            raise ApiError(400, "Bad Request: TOPIC_TITLE_EMPTY" if not name else "Bad Request: TOPIC_TITLE_INVALID")
        opening = self.new_message(chat, creator, forum_topic_created={"name": name, "icon_color": 7322096})
        thread_id = opening["message_id"]
        opening.update(message_thread_id=thread_id, is_topic_message=True)
        chat.topics[thread_id] = name
        return thread_id

    def thread_of(self, chat: Chat, thread_id, replied: dict | None) -> int | None:
        """The forum topic a new message lands in: the one asked for, else the replied message's;
        None = the General topic (or a chat without topics)."""
        if thread_id in (None, "", 0):
            return (replied or {}).get("message_thread_id") if chat.is_forum else None
        try:
            thread_id = int(thread_id)
        except (TypeError, ValueError):
            raise ApiError(400, "Bad Request: message thread not found") from None
        if not chat.is_forum or thread_id not in chat.topics:
            raise ApiError(400, "Bad Request: message thread not found")
        return thread_id

    def sees(self, chat: Chat, message: dict) -> bool:
        """Privacy mode: a group bot that is not an admin receives only commands, replies to its own
        messages and messages that mention it (https://core.telegram.org/bots/features#privacy-mode)."""
        if chat.type == "private" or not chat.privacy or chat.bot_admin:
            return True
        words = message.get("text") or message.get("caption") or ""
        replied = message.get("reply_to_message") or {}
        return (words.startswith("/") or (replied.get("from") or {}).get("id") == self.bot_id
                or f"@{self.bot_user['username']}".lower() in words.lower())

    # -- files -----------------------------------------------------------------------------
    def store_file(self, data: bytes, ext: str = "jpg", kind: str = "photo") -> StoredFile:
        n = next(self._file_ids)
        stored = StoredFile(f"{ID_PREFIXES.get(kind, 'AgAC')}{n:06d}emu", f"AQAD{n:06d}", data,
                            f"{FOLDERS.get(kind, 'photos')}/file_{n}.{ext}", kind)
        self.files[stored.file_id] = stored
        return stored

    def photo_sizes(self, data: bytes) -> list[dict]:
        """A thumbnail and the photo itself, as Telegram lists a photo's sizes (largest last).

        Cheap on purpose (it runs inside benchmarks' timed path): the stream is validated by a
        reduced-scale decode, the original bytes are kept unless a side exceeds 1280 px.
        """
        try:
            with Image.open(io.BytesIO(data)) as im:
                width, height = im.size
                if width + height > 10000 or max(width, height) > 20 * min(width, height):
                    raise ApiError(400, "Bad Request: PHOTO_INVALID_DIMENSIONS")  # Telegram's photo limits
                im.draft("RGB", (160, 160))  # JPEG: decode at 1/8 scale, enough to validate and thumbnail
                thumb = im.convert("RGB")
                largest = None
                if max(width, height) > PHOTO_SIDES[-1] or im.format not in ("JPEG", "PNG", "WEBP"):
                    with Image.open(io.BytesIO(data)) as full:
                        full = full.convert("RGB")
                        full.thumbnail((PHOTO_SIDES[-1], PHOTO_SIDES[-1]))
                        buf = io.BytesIO()
                        full.save(buf, "JPEG", quality=87)
                        largest, (width, height) = buf.getvalue(), full.size
        except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
            raise ApiError(400, "Bad Request: IMAGE_PROCESS_FAILED") from None
        thumb.thumbnail((PHOTO_SIDES[0], PHOTO_SIDES[0]))
        buf = io.BytesIO()
        thumb.save(buf, "JPEG", quality=80)
        sizes = []
        for blob, (w, h) in ((buf.getvalue(), thumb.size), (largest or data, (width, height))):
            stored = self.store_file(blob)
            sizes.append({"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                          "width": w, "height": h, "file_size": len(blob)})
        return sizes

    def resolve_photo(self, value, uploads: dict[str, bytes]) -> list[dict]:
        """A photo argument of sendPhoto / sendMediaGroup: an upload, attach://name, or a known file_id."""
        value = attached(value, uploads)
        if isinstance(value, bytes):
            if len(value) > MAX_UPLOAD_PHOTO:
                raise ApiError(400, "Bad Request: file is too big")
            return self.photo_sizes(value)
        if isinstance(value, str) and value in self.files:
            if self.files[value].kind in VIDEO_KINDS:  # a video's id is no photo's
                raise ApiError(400, "Bad Request: type of file mismatch")
            return self._same_sizes(value)
        raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")

    def _same_sizes(self, file_id: str) -> list[dict]:
        """Sending by file_id re-uses the stored file (no new upload, same file_id)."""
        stored = self.files[file_id]
        with Image.open(io.BytesIO(stored.data)) as im:
            w, h = im.size
        return [{"file_id": stored.file_id, "file_unique_id": stored.file_unique_id, "width": w, "height": h,
                 "file_size": len(stored.data)}]

    # -- messages ----------------------------------------------------------------------------
    def new_message(self, chat: Chat, sender: dict, thread_id: int | None = None, **content) -> dict:
        message = {"message_id": chat.next_message_id, "date": int(time.time()), "chat": chat.as_json(),
                   "from": sender}
        chat.next_message_id += 1
        if thread_id is not None:
            message.update(message_thread_id=thread_id, is_topic_message=True)
            if content.get("reply_to_message") is None:  # in a topic, Telegram quotes the topic's first message
                content["reply_to_message"] = self.find_message(chat, thread_id)
        message.update({k: v for k, v in content.items() if v is not None})
        chat.messages.append(message)
        return message

    def find_message(self, chat: Chat, message_id) -> dict | None:
        try:
            wanted = int(message_id)
        except (TypeError, ValueError):
            return None
        return next((m for m in chat.messages if m["message_id"] == wanted and not m.get("deleted")), None)

    async def push_update(self, kind: str, payload: dict) -> dict:
        update = {"update_id": next(self._update_ids), kind: payload}
        async with self.changed:
            self.updates.append(update)
            self.changed.notify_all()
        return update

    def pending(self) -> list[dict]:
        """Updates not yet confirmed, of the kinds the bot asked for (Telegram's default: all but
        chat_member, message_reaction and message_reaction_count)."""
        wanted = set(self.allowed_updates) or None
        return [u for u in self.updates if u["update_id"] > self.acknowledged and
                (next(k for k in u if k != "update_id") in wanted if wanted else
                 not {"chat_member", "message_reaction", "message_reaction_count"} & u.keys())]

    def next_callback_id(self) -> str:
        return f"{self.bot_id}{next(self._callback_ids):08d}"

    async def notify(self) -> None:
        async with self.changed:
            self.changed.notify_all()

    def next_inline_id(self) -> str:
        return f"inline{next(self._inline_ids)}"

    def next_media_group_id(self) -> str:
        return f"mg{next(self._media_groups)}"

    def check_member(self, method: str, chat_id) -> None:
        """A bot kicked from a group (or blocked by a user) gets 403 Forbidden for anything it sends there."""
        try:
            chat_id = int(chat_id)
        except (TypeError, ValueError):
            return
        if chat_id not in self.kicked or not (method.startswith("send") or method.startswith("edit")):
            return
        if self.kicked[chat_id] > 0:
            if method != "sendChatAction":  # `after` counts messages
                self.kicked[chat_id] -= 1
            return
        chat = self.chats.get(chat_id)
        raise ApiError(403, KICKED.get(chat.type if chat else "group", KICKED["group"]))

    def take_failure(self, method: str) -> Failure | None:
        for failure in self.failures:
            if failure.count > 0 and (failure.method == method or
                                      (failure.method == "*" and method.startswith("send"))):
                failure.count -= 1
                return failure
        return None
