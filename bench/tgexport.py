"""Telegram Desktop exports that benchmarks and tests write themselves: `result.json` as Telegram
Desktop's JSON writer lays it out (telegramdesktop/tdesktop, export_output_json.cpp `SerializeMessage`;
the layout indexing/telegram_export.py reads), with the media in the folders it uses (photos/,
video_files/, files/, stickers/, voice_messages/, round_video_messages/)."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

NOT_INCLUDED = "(File not included. Change data exporting settings to download.)"


@dataclass
class ExportWriter:
    """Messages appended in order (ids from `first_id`, one every `step_s` seconds from `start_s`)."""

    folder: Path
    chat_bare_id: int
    name: str = "Test group"
    start_s: float = 0.0
    step_s: float = 300.0
    first_id: int = 1
    messages: list[dict] = field(default_factory=list)

    def _message(self, author: str, author_id: str, text: str = "", **extra) -> dict:
        message_id = self.first_id + len(self.messages)
        date = self.start_s + self.step_s * len(self.messages)
        message = {"id": message_id, "type": "message",
                   "date": datetime.fromtimestamp(date).isoformat(timespec="seconds"),
                   "date_unixtime": str(int(date)), "from": author, "from_id": author_id, **extra}
        parts = [p for p in re.split(r"(#\w+)", text) if p]
        entities = [{"type": "hashtag" if p.startswith("#") else "plain", "text": p} for p in parts]
        # `text` is a string when it is one plain part, else its parts: strings and entity objects
        plain_only = len(parts) <= 1 and not any(e["type"] == "hashtag" for e in entities)
        message["text"] = text if plain_only else [e["text"] if e["type"] == "plain" else e for e in entities]
        message["text_entities"] = entities
        self.messages.append(message)
        return message

    def text(self, author: str, author_id: str, text: str) -> dict:
        return self._message(author, author_id, text)

    def service(self, actor: str, actor_id: str, action: str = "invite_members") -> dict:
        message = self._message(actor, actor_id)
        for key in ("from", "from_id", "text", "text_entities"):
            message.pop(key)
        message.update(type="service", actor=actor, actor_id=actor_id, action=action, members=["Someone"],
                       text="", text_entities=[])
        return message

    def photo(self, author: str, author_id: str, data: bytes | None, size: tuple[int, int], caption: str = "",
              **extra) -> dict:
        """A photo (None: left out of the export, as Telegram Desktop says)."""
        message_id = self.first_id + len(self.messages)
        where = self._write(f"photos/photo_{message_id}@{self._stamp()}.jpg", data)
        return self._message(author, author_id, caption, photo=where, width=size[0], height=size[1], **extra)

    def document(self, author: str, author_id: str, data: bytes | None, folder: str, name: str, mime: str,
                 media_type: str | None = None, caption: str = "", **extra) -> dict:
        """A file: a video ("video_file"), GIF ("animation"), video note ("video_message"), sticker,
        voice message, or (no media_type) any file, e.g. a photo sent as a file."""
        message_id = self.first_id + len(self.messages)
        where = self._write(f"{folder}/{message_id}_{name}", data)
        fields = {"file": where, **({"media_type": media_type} if media_type else {})}
        if media_type != "sticker":
            fields["mime_type"] = mime
        return self._message(author, author_id, caption, **fields, **extra)

    def _write(self, relative: str, data: bytes | None) -> str:
        if data is None:
            return NOT_INCLUDED
        path = self.folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return relative

    def _stamp(self) -> str:
        return datetime.fromtimestamp(self.start_s + self.step_s * len(self.messages)).strftime("%d-%m-%Y_%H-%M-%S")

    def save(self) -> Path:
        """result.json of a one-chat export (a supergroup)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / "result.json"
        path.write_text(json.dumps({"name": self.name, "type": "private_supergroup", "id": self.chat_bare_id,
                                    "messages": self.messages}, ensure_ascii=False, indent=1), encoding="utf-8")
        return path
