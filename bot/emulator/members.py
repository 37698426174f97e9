"""Bot API methods about chats and their members: rights (the bot's too), administrators, forum topics."""
from __future__ import annotations

from bot.emulator.world import ApiError, Chat

# ChatMemberAdministrator's rights, all granted to the emulated admins except the ones named otherwise
ADMIN_RIGHTS = ("can_manage_chat", "can_delete_messages", "can_manage_video_chats", "can_restrict_members",
                "can_change_info", "can_invite_users", "can_post_stories", "can_edit_stories",
                "can_delete_stories", "can_pin_messages", "can_manage_topics")


class MemberMethods:
    """Mixed into BotApi: `self.world` is the emulated Telegram."""

    def member(self, chat: Chat, user_id: int) -> dict:
        """The ChatMember object of a user (or the bot) in a chat."""
        w = self.world
        if user_id == w.bot_id:
            if not chat.bot_admin:
                return {"status": "member", "user": w.bot_user}
            return self._administrator(chat, w.bot_user, can_delete_messages=chat.bot_may_delete(),
                                       can_promote_members=False, is_anonymous=False)
        user = w.users.get(user_id) or w.user(user_id)
        if chat.creator == user_id:
            return {"status": "creator", "user": user, "is_anonymous": user_id in chat.anonymous}
        if user_id in chat.admins:
            return self._administrator(chat, user, is_anonymous=user_id in chat.anonymous)
        return {"status": "member", "user": user}

    @staticmethod
    def _administrator(chat: Chat, user: dict, **rights) -> dict:
        member = {"status": "administrator", "user": user, "can_be_edited": False, "can_promote_members": False,
                  **{right: True for right in ADMIN_RIGHTS}, **rights}
        if not chat.is_forum:
            member.pop("can_manage_topics")  # only given in supergroups with topics
        return member

    async def m_getchatmember(self, p, u):
        chat = self.world.chat(p.get("chat_id"))
        try:
            user_id = int(p.get("user_id"))
        except (TypeError, ValueError):
            raise ApiError(400, "Bad Request: invalid user_id specified") from None
        return self.member(chat, user_id)

    async def m_getchatadministrators(self, p, u):
        """The chat's administrators that are not bots, as the Bot API documents it."""
        chat = self.world.chat(p.get("chat_id"))
        if chat.type == "private":
            raise ApiError(400, "Bad Request: there are no administrators in the private chat")
        people = chat.admins | ({chat.creator} if chat.creator else set())
        return [self.member(chat, uid) for uid in sorted(people)]

    async def m_getchat(self, p, u):
        chat = self.world.chat(p.get("chat_id"))
        full = {**chat.as_json(), "accent_color_id": 0, "max_reaction_count": 11}
        if chat.linked_channel_id is not None:
            full["linked_chat_id"] = chat.linked_channel_id
        return full

    async def m_createforumtopic(self, p, u):
        chat = self.world.chat(p.get("chat_id"))
        if not chat.bot_admin:
            raise ApiError(400, "Bad Request: not enough rights to create a topic")
        name = str(p.get("name") or "")
        thread_id = self.world.create_topic(chat, name, self.world.bot_user)
        return {"message_thread_id": thread_id, "name": name, "icon_color": 7322096}
