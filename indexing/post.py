"""A stored photo post and how it is written to (and read from) its Redis hash."""
from __future__ import annotations

import json
from dataclasses import dataclass, field

FORWARD, AUTOMATIC = "forward", "automatic"  # a post's origin: forwarded from elsewhere, or from the linked channel
VIDEO, ANIMATION, VIDEO_NOTE = "video", "animation", "video_note"  # Telegram's message kinds (Post.media)
VIDEO_MEDIA = (VIDEO, ANIMATION, VIDEO_NOTE)


@dataclass
class Post:
    """One stored photo post. `id` is also its label in every HNSW index."""

    id: int
    scope: str
    sha256: str
    phash: int
    captions: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    source: str = ""
    chat_id: int | None = None
    message_id: int | None = None
    file_id: str | None = None
    file_unique_id: str | None = None
    document_file_id: str | None = None  # sent to the bot as a file: no photo file id until uploaded as one
    width: int = 0
    height: int = 0
    created_s: float = 0.0
    image_model: str = ""
    repost_of: int | None = None  # the first post of this photo in its chat, when this one re-posts it
    message_deleted: bool = False  # the bot deleted its message (a re-post in /dupes delete mode): never link to it
    user_id: int | None = None  # who posted it: a member, or the chat (anonymous admin, channel) posting as itself
    origin: str = ""  # "" a member's own post, FORWARD from another chat, AUTOMATIC from the linked channel
    # Text read from the photo in the background (issue 19): "" not read yet, else models.ocr's status
    # ("none" no text, "text", "unreadable" a script the reader cannot read, "error").
    ocr_status: str = ""
    ocr_text: str = ""  # lines in reading order, joined by "\n"
    ocr_lang: str = ""  # its language (ISO 639-1) when one was recognised
    # What was posted (issue 20): "" a photo (or image file), else one of VIDEO_MEDIA, sent back by
    # `file_id` as that kind of message; its vectors are its keyframes' (indexing.search.VideoVectors).
    media: str = ""

    def to_redis(self) -> dict[str, str]:
        out = {
            "id": str(self.id), "scope": self.scope, "sha256": self.sha256, "phash": f"{self.phash:016x}",
            "captions": json.dumps(self.captions, ensure_ascii=False), "tags": json.dumps(self.tags, ensure_ascii=False),
            "source": self.source, "width": str(self.width), "height": str(self.height),
            "created_s": f"{self.created_s:.3f}", "image_model": self.image_model,
        }
        for name in ("chat_id", "message_id", "file_id", "file_unique_id", "document_file_id", "repost_of",
                     "user_id"):
            value = getattr(self, name)
            if value is not None:
                out[name] = str(value)
        if self.message_deleted:
            out["message_deleted"] = "1"
        if self.origin:
            out["origin"] = self.origin
        for name in ("ocr_status", "ocr_text", "ocr_lang", "media"):
            if getattr(self, name):
                out[name] = getattr(self, name)
        return out

    @classmethod
    def from_redis(cls, raw: dict[bytes, bytes]) -> "Post":
        d = {k.decode(): v.decode() for k, v in raw.items()}
        return cls(
            id=int(d["id"]), scope=d["scope"], sha256=d.get("sha256", ""), phash=int(d.get("phash", "0"), 16),
            captions=json.loads(d.get("captions", "[]")), tags=json.loads(d.get("tags", "[]")),
            source=d.get("source", ""),
            chat_id=int(d["chat_id"]) if "chat_id" in d else None,
            message_id=int(d["message_id"]) if "message_id" in d else None,
            file_id=d.get("file_id"), file_unique_id=d.get("file_unique_id"),
            document_file_id=d.get("document_file_id"),
            width=int(d.get("width", 0)), height=int(d.get("height", 0)),
            created_s=float(d.get("created_s", 0)), image_model=d.get("image_model", ""),
            repost_of=int(d["repost_of"]) if "repost_of" in d else None,
            message_deleted=d.get("message_deleted") == "1",
            user_id=int(d["user_id"]) if "user_id" in d else None, origin=d.get("origin", ""),
            ocr_status=d.get("ocr_status", ""), ocr_text=d.get("ocr_text", ""), ocr_lang=d.get("ocr_lang", ""),
            media=d.get("media", ""),
        )
