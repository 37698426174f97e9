"""Who may moderate a group, and what the bot itself may do there.

An admin posting anonymously writes as the group: Telegram sends `from` = its GroupAnonymousBot
account and `sender_chat` = the group, so `sender_chat` decides, not `effective_user`. A button
press always comes from the real person (callback_query.from_user), checked with getChatMember.
"""
from __future__ import annotations

import logging

from telegram import Message, Update, User
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError

log = logging.getLogger(__name__)
ADMIN_STATUSES = (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)


def posted_as_the_group(message: Message | None) -> bool:
    """An anonymous admin's message (a channel posting in the group is not one)."""
    return message is not None and message.sender_chat is not None and message.sender_chat.id == message.chat.id


async def is_admin(update: Update, context) -> bool:
    """Whether the sender of this message administers its chat (anonymous admins do)."""
    if posted_as_the_group(update.effective_message):
        return True
    if update.effective_user is None:
        return False
    return await is_chat_admin(context.bot, update.effective_chat.id, update.effective_user.id)


async def is_chat_admin(bot, chat_id: int, user_id: int) -> bool:
    member = await bot.get_chat_member(chat_id, user_id)
    return member.status in ADMIN_STATUSES


async def human_admins(bot, chat_id: int) -> list[User]:
    """The chat's admins who are people (bots cannot be told anything)."""
    return [member.user for member in await bot.get_chat_administrators(chat_id) if not member.user.is_bot]


async def can_delete(bot, chat_id: int) -> bool:
    """Whether the bot may delete members' messages in the chat."""
    try:
        member = await bot.get_chat_member(chat_id, bot.id)
    except TelegramError as exc:
        log.info("could not read the bot's rights in chat %s: %s", chat_id, exc)
        return False
    return member.status == ChatMemberStatus.OWNER or bool(getattr(member, "can_delete_messages", False))


async def sees_members_photos(bot, chat_id: int) -> bool:
    """Whether the bot receives every message of the group: privacy mode off (getMe's
    can_read_all_group_messages), or an admin there (admins get every message)."""
    if bot.can_read_all_group_messages:
        return True
    try:
        member = await bot.get_chat_member(chat_id, bot.id)
    except TelegramError as exc:
        log.info("could not read the bot's status in chat %s: %s", chat_id, exc)
        return True  # unknown: do not warn about what may not be true
    return member.status in ADMIN_STATUSES


def name_of(user: User | None) -> str:
    """How the bot names a person in a notice: their first name (or @username)."""
    if user is None:
        return ""
    return user.first_name or (f"@{user.username}" if user.username else str(user.id))


def author_of(message: Message) -> tuple[int | None, str]:
    """Who posted: a chat posting as itself (anonymous admin, channel), or a member."""
    if message.sender_chat is not None:
        return message.sender_chat.id, message.sender_chat.title or ""
    return (message.from_user.id, name_of(message.from_user)) if message.from_user else (None, "")
