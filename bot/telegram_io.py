"""Telegram I/O: who asks and in which language, replies, chat actions, a photo's bytes within the size
limit, and stored posts sent back as photos (by file id once Telegram has one)."""
from __future__ import annotations

import logging

from telegram import InputMediaPhoto, InputMediaVideo, Message, Update
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import BadRequest, TelegramError

from bot.i18n import language, t
from bot.imagefiles import is_image_document, is_still_sticker
from bot.render import hit_caption
from bot.resend import showable_photo
from bot.workers import Workers
from indexing.search import ANIMATION, VIDEO, VIDEO_MEDIA, VIDEO_NOTE, Hit, Post, SearchEngine

log = logging.getLogger(__name__)


async def _skipping_unknown_file(call) -> Message | None:
    """The message a send made, or None when Telegram no longer knows the stored file (a result left
    out of the answer, logged, rather than the whole answer failing)."""
    try:
        return await call
    except BadRequest as exc:
        if "file" not in str(exc).lower() and "url" not in str(exc).lower():
            raise
        log.warning("a result was left out: Telegram refused its file (%s)", exc)
        return None
ALBUM_MAX = 10  # photos in one Telegram album


class PhotoTooBigError(Exception):
    """A photo over the size the bot downloads (Telegram's getFile stops at 20 MB)."""

    def __init__(self, size: int) -> None:
        super().__init__(f"file of {size} bytes is over the limit")
        self.size = size


def user_language(update: Update) -> str:
    """The language the bot answers this user in."""
    user = update.effective_user
    return language(user.language_code if user else None)


def writes_in(update: Update) -> str | None:
    """The language the user's Telegram client reports (any, not only those we answer in): a hint for
    reading their short queries ("neige" is French for a French user)."""
    user = update.effective_user
    return user.language_code if user else None


def thread_of(message: Message | None) -> int | None:
    """The forum topic a message was posted in (None outside topics): whatever answers it goes there.
    (Message.reply_* do it by themselves; Bot.send_* must be told.)"""
    return message.message_thread_id if message is not None and message.is_topic_message else None


def replied_to(message: Message | None) -> Message | None:
    """The message this one really replies to: in a forum topic Telegram sets `reply_to_message` to the
    topic's opening service message on every message that replies to nothing."""
    replied = getattr(message, "reply_to_message", None)  # (an inaccessible message has none)
    if replied is None or replied.forum_topic_created is not None:
        return None
    return replied


def is_private(update: Update) -> bool:
    return update.effective_chat is None or update.effective_chat.type == ChatType.PRIVATE


async def reply(update: Update, text: str, **kwargs) -> Message | None:
    """Quoted in groups, and always for a photo or a message answering one (`/hashtags` in reply to a
    photo): in a burst, it says which photo is answered."""
    message = update.effective_message
    quote = (message.chat.type != ChatType.PRIVATE or bool(message.photo or message.document or message.sticker
                                                          or message.video or message.animation or message.video_note)
             or message.reply_to_message is not None)
    return await message.reply_html(text, do_quote=quote, **kwargs)


async def working(update: Update, context, action: str = ChatAction.TYPING) -> None:
    try:
        await context.bot.send_chat_action(update.effective_chat.id, action,
                                           message_thread_id=thread_of(update.effective_message))
    except TelegramError as exc:  # a chat action is a courtesy; never fail the request on it
        log.debug("chat action failed: %s", exc)


async def tell_waiting(update: Update, waiting: int, per_minute: float) -> None:
    """Once per flood: the user's updates wait their turn (bot.lanes), they are not lost."""
    if update.effective_message is None:
        return
    try:
        await reply(update, t(user_language(update), "queued", waiting=waiting, per_minute=int(per_minute)))
    except TelegramError as exc:
        log.info("could not tell user %s their updates wait: %s", update.effective_user.id, exc)


async def photo_of(message: Message | None, max_bytes: int) -> bytes | None:
    """The bytes of the photo (or image document, or still sticker: bot.imagefiles) in a message; None
    if it has none. Raises PhotoTooBigError when the file is over `max_bytes`."""
    if message is None:
        return None
    if message.photo:
        item = message.photo[-1]
    elif is_image_document(message.document) and message.animation is None:
        item = message.document
    elif is_still_sticker(message.sticker):
        item = message.sticker
    else:
        return None
    if item.file_size and item.file_size > max_bytes:
        raise PhotoTooBigError(item.file_size)
    file = await item.get_file()
    return bytes(await file.download_as_bytearray())


def file_id_of(message: Message) -> str | None:
    """The file id of what a message shows: its photo's largest size, or its video, animation or video note."""
    if message.photo:
        return message.photo[-1].file_id
    item = message.video or message.animation or message.video_note
    return item.file_id if item is not None else None


class PostSender:
    """Stored posts shown as what they are (photos, videos, GIFs, video notes): by Telegram file id when
    there is one; else uploaded (from disk, or a document the bot was sent) and its new file id remembered."""

    def __init__(self, engine: SearchEngine, workers: Workers, max_photo_bytes: int) -> None:
        self.engine = engine
        self.workers = workers
        self.max_photo_bytes = max_photo_bytes

    async def send_hits(self, update: Update, context, hits: list[Hit], intro: str | None = None,
                        label: str = "similar_caption") -> int:
        """Photos of hits as one album (or one photo), each captioned with its score; returns how many."""
        return await self.send_posts(update, context, [(hit.post, hit_caption(user_language(update), hit, label))
                                                       for hit in hits], intro)

    async def send_posts(self, update: Update, context, items: list[tuple[Post, str]], intro: str | None = None,
                         fallback_tiles: bool = False) -> int:
        """Stored posts as one album (or one message) with the given HTML captions; returns how many were
        sent. Photos and videos share the album (Telegram allows that); an animation or a video note
        cannot go in one, so each follows on its own (a video note without its caption: it takes none).
        A post with neither a Telegram file id nor a file on disk is skipped (or, with `fallback_tiles`,
        shown as its small /map tile)."""
        ids = [post.id for post, _ in items]
        tiles = dict(zip(ids, await self.workers.run(self.engine.thumbnails, ids))) if fallback_tiles else {}
        album, alone, uploaded = [], [], []
        for post, caption in items[:ALBUM_MAX]:
            source, is_tile = post.file_id or await self._post_file(context, post), False
            if source is None and tiles.get(post.id):
                source, is_tile = tiles[post.id], True
            if source is None:
                continue
            kind = "" if is_tile else post.media  # a tile is a photo, whatever it shows
            # A file uploaded from disk is sent by file id from now on (never a tile: it would stick).
            upload = post.id if not post.file_id and not is_tile else None
            if kind in (ANIMATION, VIDEO_NOTE):
                alone.append((kind, source, caption, upload))
            else:
                album.append((InputMediaVideo if kind == VIDEO else InputMediaPhoto)(source, caption=caption,
                                                                                    parse_mode=ParseMode.HTML))
                uploaded.append(upload)
        if not album and not alone:
            return 0
        if intro:
            await reply(update, intro)
        where = dict(chat_id=update.effective_chat.id, reply_to_message_id=update.effective_message.message_id,
                     message_thread_id=thread_of(update.effective_message))
        sent: list[tuple[int | None, Message]] = []  # (post uploaded from disk or None, the message sent)
        if len(album) > 1:
            try:
                sent += zip(uploaded, await context.bot.send_media_group(media=album, **where))
            except BadRequest as exc:  # one file Telegram no longer knows fails the whole album: one by one
                log.warning("an album of %d results was refused (%s); sending them one by one", len(album), exc)
            else:
                album = []
        for media, upload in zip(album, uploaded):
            send = context.bot.send_video if isinstance(media, InputMediaVideo) else context.bot.send_photo
            key = "video" if isinstance(media, InputMediaVideo) else "photo"
            message = await _skipping_unknown_file(send(**{key: media.media}, caption=media.caption,
                                                        parse_mode=ParseMode.HTML, **where))
            if message is not None:
                sent.append((upload, message))
        for kind, source, caption, upload in alone:
            if kind == ANIMATION:
                call = context.bot.send_animation(animation=source, caption=caption, parse_mode=ParseMode.HTML, **where)
            else:
                call = context.bot.send_video_note(video_note=source, **where)
            message = await _skipping_unknown_file(call)
            if message is not None:
                sent.append((upload, message))
        for post_id, message in sent:
            if post_id is not None and file_id_of(message):
                await self.workers.run(self.engine.remember_file_id, post_id, file_id_of(message))
        return len(sent)

    async def upload(self, context, post: Post, chat_id: int) -> str | None:
        """Send a post's photo (or video) to `chat_id` (inline mode's upload chat) to learn its file id;
        None when there is nothing to send."""
        data = await self._post_file(context, post)
        if data is None:
            return None
        send = {VIDEO: context.bot.send_video, ANIMATION: context.bot.send_animation,
                VIDEO_NOTE: context.bot.send_video_note}.get(post.media, context.bot.send_photo)
        message = await send(chat_id, data, disable_notification=True)
        file_id = file_id_of(message)
        await self.workers.run(self.engine.remember_file_id, post.id, file_id)
        return file_id

    async def _post_file(self, context, post: Post) -> bytes | None:
        """The bytes to upload for a post without a file id: a video's file on disk (IMPORT stores them),
        a photo's from bot.resend's rules."""
        if post.media in VIDEO_MEDIA:
            return await self.workers.run(self.engine.photo_bytes, post)
        return await self._photo_file(context, post)

    async def _photo_file(self, context, post: Post) -> bytes | None:
        """The bytes to upload for a post without a photo file id: its file on disk, or the document it
        was sent as (as Telegram takes a photo: bot.resend)."""
        data = await self.workers.run(self.engine.photo_bytes, post)
        if data is None and post.document_file_id:
            data = await showable_photo(context.bot, post.document_file_id, self.max_photo_bytes)
        return data
