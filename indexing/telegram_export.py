"""A Telegram Desktop export of a group read as the posts hashlens stores: each photo, image file,
video, GIF and video note with its message id, date, author, caption and hashtags.

The format is what Telegram Desktop's JSON writer produces (telegramdesktop/tdesktop,
Telegram/SourceFiles/export/output/export_output_json.cpp, `SerializeMessage` and
`JsonWriter::writeDialogStart`), checked against exports parsed by other projects (e.g. tg-parser's
docs/TELEGRAM_FORMAT.md). `result.json` of one chat holds `name`, `type`, `id` (the bare id: the Bot
API's id of a supergroup is -100<id>) and `messages`; an export of the whole account has the chats in
`chats.list` (and `left_chats.list`). A message is
`{"id", "type": "message"|"service"|"unsupported", "date": local ISO time, "date_unixtime": "<seconds>",
"from", "from_id": "user<n>"|"channel<n>"|"chat<n>", "forwarded_from"?, "text": str | [str | {type, text}],
"text_entities": [{type, text}]}` plus its media: `"photo": path, "width", "height"` for a photo, or
`"file": path, "media_type"?, "mime_type", "thumbnail"?` for a document, where `media_type` is
"video_file", "animation", "video_message", "sticker", "voice_message" or "audio_file" (none for other
files, e.g. a photo sent as a file). A path is relative to the export's folder, or the reason the file
was left out, in parentheses.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from indexing.post import ANIMATION, FORWARD, VIDEO, VIDEO_NOTE

PHOTO = ""  # Post.media of a photo or an image file
_MEDIA_TYPES = {"video_file": VIDEO, "animation": ANIMATION, "video_message": VIDEO_NOTE}
# Kinds of files that are no photo or video: counted, never stored (a sticker is a set's picture,
# repeated by design, and is not what a re-post check is for)
_OTHER_KINDS = {"sticker": "sticker", "voice_message": "voice message", "audio_file": "audio file"}
# What Telegram Desktop writes instead of a path (export_output_json.cpp, `pushPath`)
_LEFT_OUT = (("not included", "file not included in the export (its settings left this kind out)"),
             ("exceeds maximum size", "file over the export's size limit"),
             ("unavailable", "file unavailable when the export was made"))
# Bot API chat ids: a supergroup's (and channel's) is -100<bare id>, a basic group's -<bare id>, a person's <id>
_SUPERGROUP_TYPES = ("private_supergroup", "public_supergroup", "private_channel", "public_channel")


class ExportError(ValueError):
    """The export cannot be read, or is not of the chat asked for."""


@dataclass(frozen=True)
class ExportedMedia:
    """One message's photo or video, or why it cannot be stored (`skip`: then `path` may be None)."""

    message_id: int
    date_s: float
    media: str  # PHOTO or one of VIDEO_MEDIA
    path: Path | None
    author_id: int | None = None  # as the Bot API numbers it: a user, or -100<n> a channel posting as itself
    origin: str = ""  # FORWARD when forwarded from elsewhere
    caption: str = ""
    tags: list[str] = field(default_factory=list)
    skip: str = ""  # why this file cannot be read from the export


@dataclass
class ExportedChat:
    name: str
    chat_id: int  # the Bot API's id of the chat
    media: list[ExportedMedia]  # in the order they were posted
    messages: int  # every message of the export, text and service ones too
    other_files: dict[str, int] = field(default_factory=dict)  # stickers, voice messages... by kind


def bot_api_chat_id(chat: dict) -> int:
    """The id the bot knows the exported chat by (a person's chat: their user id)."""
    bare = int(chat["id"])
    if chat.get("type") in _SUPERGROUP_TYPES:
        return int(f"-100{bare}")
    return -bare if chat.get("type") == "private_group" else bare


def read_export(folder: str | Path, chat_id: int) -> ExportedChat:
    """The photos and videos of the chat `chat_id` (its Bot API id) in a Telegram Desktop export."""
    folder = Path(folder)
    result = folder / "result.json" if folder.is_dir() else folder
    if not result.is_file():
        raise ExportError(f"no result.json in {folder}: export the chat from Telegram Desktop in JSON format")
    try:
        data = json.loads(result.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ExportError(f"cannot read {result}: {exc}") from exc
    chat = _the_chat(data, chat_id)
    if chat.get("type") not in _SUPERGROUP_TYPES:
        # Telegram numbers a basic group's messages per member: the export's ids are not the bot's
        raise ExportError(f"{chat.get('name')!r} is a {chat.get('type')}: only a supergroup's history can be "
                          "imported (its message ids are the ones the bot sees and links to)")
    media, other = [], {}
    for message in chat.get("messages", []):
        if message.get("type") != "message":
            continue
        item = _media_of(message, result.parent)
        if isinstance(item, str):
            other[item] = other.get(item, 0) + 1
        elif item is not None:
            media.append(item)
    media.sort(key=lambda m: (m.date_s, m.message_id))
    return ExportedChat(chat.get("name") or "", chat_id, media, len(chat.get("messages", [])), other)


def _the_chat(data: dict, chat_id: int) -> dict:
    if "messages" in data:
        chats = [data]  # one chat's export
    else:  # the whole account's
        chats = [c for part in ("chats", "left_chats") for c in (data.get(part) or {}).get("list", [])]
    found = [c for c in chats if "id" in c and bot_api_chat_id(c) == chat_id]
    if found:
        return found[0]
    exported = ", ".join(f"{c.get('name')!r} ({bot_api_chat_id(c)})" for c in chats[:5] if "id" in c)
    raise ExportError(f"chat {chat_id} is not in this export (it has: {exported or 'no chats'})")


def _media_of(message: dict, folder: Path) -> ExportedMedia | str | None:
    """The message's photo or video; the kind of another file (a sticker...); None: no file."""
    if "photo" in message:
        kind, where = PHOTO, message["photo"]
    elif "file" in message:
        media_type = message.get("media_type")
        mime = message.get("mime_type") or ""
        if media_type in _OTHER_KINDS:
            return _OTHER_KINDS[media_type]
        if media_type in _MEDIA_TYPES:
            kind = _MEDIA_TYPES[media_type]
        elif mime.startswith("image/"):
            kind = PHOTO  # a photo sent as a file
        elif mime.startswith("video/"):
            kind = VIDEO  # a video sent as a file
        else:
            return "other file"
        where = message["file"]
    else:
        return None
    path, skip = _path(where, folder)
    text, tags = _caption(message)
    return ExportedMedia(message_id=int(message["id"]), date_s=_date(message), media=kind, path=path,
                         author_id=_author(message.get("from_id")),
                         origin=FORWARD if "forwarded_from" in message else "", caption=text, tags=tags, skip=skip)


def _path(where, folder: Path) -> tuple[Path | None, str]:
    if not isinstance(where, str) or not where:
        return None, "no file in the export"
    if where.startswith("("):
        return None, next((reason for words, reason in _LEFT_OUT if words in where), where.strip("()"))
    path = (folder / where).resolve()
    if not path.is_relative_to(folder.resolve()):
        return None, f"outside the export folder: {where}"
    return path, ""


def _date(message: dict) -> float:
    """When the message was posted: `date_unixtime` (exports since 2022), else `date` in local time."""
    if message.get("date_unixtime"):
        return float(message["date_unixtime"])
    return datetime.fromisoformat(message["date"]).timestamp()


def _author(from_id) -> int | None:
    """`user<n>` is the user n; `channel<n>` a channel or the group itself posting (Bot API: -100<n>)."""
    if not isinstance(from_id, str):
        return None
    for prefix, to_id in (("user", int), ("channel", lambda n: int(f"-100{n}")), ("chat", lambda n: -int(n))):
        if from_id.startswith(prefix) and from_id[len(prefix):].isdigit():
            return to_id(from_id[len(prefix):])
    return None


def _caption(message: dict) -> tuple[str, list[str]]:
    """The message's text, and the hashtags in it (Telegram's own entities, without the '#')."""
    text = message.get("text", "")
    parts = text if isinstance(text, list) else [text]
    plain = "".join(p if isinstance(p, str) else str(p.get("text", "")) for p in parts)
    entities = message.get("text_entities") or [p for p in parts if isinstance(p, dict)]
    tags = [e["text"].lstrip("#") for e in entities if e.get("type") == "hashtag" and e.get("text")]
    return plain.strip(), tags
