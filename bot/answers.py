"""The answers to a photo, a text and a search, shared by the commands, the photo pipeline and albums:
engine calls in the workers, replies through Telegram I/O, text from bot.render."""
from __future__ import annotations

import hashlib
import time

from telegram import Message, Update
from telegram.constants import ChatAction

from bot import render
from bot.config import MAX_TEXT_CHARS, BotConfig, scope_of
from bot.i18n import shorten, t
from bot.parsing import caption_hashtags, caption_words
from bot.telegram_io import PostSender, is_private, reply, user_language, working, writes_in
from bot.workers import Workers
from bot.clips import video_of
from indexing.search import TOO_FEW_POSTS, PhotoInput, PhotoVectors, SearchEngine, VideoVectors

PHOTO_COMMANDS = ("hashtags", "similar", "captions")  # a photo's or video's caption asks for one answer only
PRIVATE_ANSWERS = {"hashtags", "similar"}  # a photo or video in a private chat, without a command
HINT_EVERY_S = 600  # the "send me more photos with captions" hint, at most this often per chat
CAPTIONS_K = 5
FIND_CHARS = 1000
QUOTED_CHARS = 200  # of a query, said back


def photo_input(message: Message, photo: bytes) -> PhotoInput:
    """What the engine stores of a Telegram photo (or video: `photo` its bytes): its chat, message,
    caption, hashtags and file ids."""
    caption = caption_words(message.caption)
    common = dict(captions=[caption] if caption else [], tags=caption_hashtags(message.caption), source="telegram",
                  chat_id=message.chat.id, message_id=message.message_id)
    clip = video_of(message)
    if clip is not None:  # a video is shown again by its own file id (send_video, send_animation, ...)
        media, item = clip
        return PhotoInput(photo, scope_of(message.chat.id), **common, file_id=item.file_id,
                          file_unique_id=item.file_unique_id, media=media)
    item = message.photo[-1] if message.photo else message.document
    # A photo sent as a file has no photo file id: its document's id is kept, to upload it as a
    # photo the first time a result shows it (bot.resend)
    return PhotoInput(photo, scope_of(message.chat.id), **common, file_id=item.file_id if message.photo else None,
                      document_file_id=None if message.photo else item.file_id,
                      file_unique_id=item.file_unique_id)


async def store_edited_caption(engine: SearchEngine, run, update: Update, data: bytes, embed) -> None:
    """A photo's (or video's: `data` its bytes, `embed` how to embed them) caption was edited: the stored
    post takes the new caption and hashtags; one never stored (sent before the bot joined?) is stored now."""
    message = update.effective_message
    caption, scope = message.caption or "", scope_of(message.chat.id)
    captions, tags = [caption] if caption else [], caption_hashtags(caption)
    sha = hashlib.sha256(data).hexdigest()
    updated = await run(engine.update_caption_of_message, scope, message.message_id, captions, tags, sha)
    if not updated and is_private(update):  # its bytes were stored from an earlier message: that post
        updated = await run(engine.update_caption, scope, sha, captions, tags)
    if not updated:
        await run(engine.add_photos, [photo_input(message, data)], [await run(embed, data)])


class Answers:
    def __init__(self, engine: SearchEngine, config: BotConfig, workers: Workers, sender: PostSender) -> None:
        self.engine = engine
        self.config = config
        self.workers = workers
        self.sender = sender
        self._hinted: dict[int, float] = {}  # chat id -> when the "send more photos" hint was last given

    async def text(self, update: Update, context, text: str) -> None:
        """Hashtags that fit a caption, and the photos that match it (someone drafting a post)."""
        scope, run = scope_of(update.effective_chat.id), self.workers.run
        await working(update, context)
        hint, text = writes_in(update), text[:MAX_TEXT_CHARS]
        tags = await run(self.engine.text_hashtags, text, scope, self.config.hashtags_k, language=hint)
        hits = await run(self.engine.find, text, scope, self.config.similar_k, language=hint)
        await reply(update, self.hashtags(update, tags, for_text=True))
        await self.sender.send_hits(update, context, hits, label="match_caption")

    async def find(self, update: Update, context, query: str, photo: bytes | PhotoVectors | None = None) -> None:
        """Photos matching words (and `photo`, when the words ask for a change to it: "at night")."""
        if not query:
            await reply(update, t(user_language(update), "find_usage"))
            return
        await working(update, context, ChatAction.UPLOAD_PHOTO)
        hits = await self.workers.run(self.engine.find, query[:FIND_CHARS], scope_of(update.effective_chat.id),
                                      self.config.find_k, photo=photo, language=writes_in(update))
        said = shorten(query, QUOTED_CHARS)
        intro = t(user_language(update), "find_results", query=said)
        if not await self.sender.send_hits(update, context, hits, intro, "match_caption"):
            await reply(update, self.nothing_fits(update, "find_none", hits, query=said))

    async def photo(self, update: Update, context, photo: bytes, wanted: set[str], store: bool = False,
                    vec: PhotoVectors | None = None) -> None:
        """The `wanted` answers ("hashtags", "similar", "captions") to a photo; with `store`, the photo is
        kept in the chat's scope (a private chat's photos stay searchable there). A video comes embedded
        (`vec` its VideoVectors, `photo` its bytes)."""
        scope, run, message = scope_of(update.effective_chat.id), self.workers.run, update.effective_message
        await working(update, context)
        if vec is None:
            vec = await run(self.engine.embed_photo, photo)
        caption = caption_words(message.caption if message else None)
        tags = await run(self.engine.hashtags, vec, scope, self.config.hashtags_k, caption=caption,
                         language=writes_in(update)) if "hashtags" in wanted else None
        captions = await run(self.engine.captions, vec, scope, CAPTIONS_K) if "captions" in wanted else None
        still = vec.poster if isinstance(vec, VideoVectors) else photo  # a video's text: its middle frame's
        read = await run(self.engine.photo_text, still, vec.sha256, scope) if "captions" in wanted else None
        similar = await run(self.engine.similar, vec, scope, self.config.similar_k) if "similar" in wanted else None
        if store:  # before any reply, so a photo the bot has answered is never lost to a crash
            await run(self.engine.add_photos, [photo_input(message, photo)], [vec])
        video = isinstance(vec, VideoVectors)  # "nothing looks like this video", not "this photo"
        of = "_video" if video else ""
        if tags is not None:
            await reply(update, self.hashtags(update, tags, video=video))
        if captions is not None:
            await reply(update, render.photo_text(user_language(update), read, video) +
                        (render.captions_text(user_language(update), captions) if captions else
                         self.nothing_fits(update, "no_captions" + of, captions)))
        if similar is not None and not await self.sender.send_hits(update, context, similar):
            await reply(update, self.nothing_fits(update, "similar_none" + of, similar))

    def hashtags(self, update: Update, tags, for_text: bool = False, video: bool = False) -> str:
        if tags:
            return render.hashtag_text(user_language(update), tags, for_text)
        key = "no_text_hashtags" if for_text else "no_hashtags_video" if video else "no_hashtags"
        return self.nothing_fits(update, key, tags)

    def nothing_fits(self, update: Update, key: str, answer, **values) -> str:
        """The reply to an empty answer; while the collection is too small to know, what would help, once
        in a while per chat (not under every photo of a burst)."""
        why = getattr(answer, "why_empty", None)
        hint = None
        if why == TOO_FEW_POSTS and self._hint_due(update):
            hint = "private" if is_private(update) else "group"
        return render.nothing_fits(user_language(update), key, why, hint, **values)

    def _hint_due(self, update: Update) -> bool:
        chat_id = update.effective_chat.id if update.effective_chat else 0
        now = time.monotonic()
        if now - self._hinted.get(chat_id, -HINT_EVERY_S) < HINT_EVERY_S:
            return False
        if len(self._hinted) > 100_000:  # forget old chats rather than grow forever
            self._hinted.clear()
        self._hinted[chat_id] = now
        return True
