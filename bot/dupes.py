"""/dupes: a group's re-post settings, shown to anyone and changed by its admins (anonymous ones too),
with a warning on top when privacy mode keeps members' photos from the bot, or when it is to delete
re-posts without the right to."""
from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.admins import can_delete, is_admin, sees_members_photos
from bot.config import scope_of
from bot.i18n import t
from bot.render import dupes_text, setting_error_text
from bot.telegram_io import is_private, reply, user_language
from bot.workers import Workers
from indexing.search import ChatSettings, SearchEngine, SettingError, min_size, window_days

TURN_ON = "on"  # `/dupes on`: back to the default mode
SETTINGS = {  # `/dupes WORD VALUE` -> ChatSettings.changed(...)
    "sensitivity": lambda value: {"sensitivity": value},
    "window": lambda value: {"window_days": window_days(value)},
    "notify": lambda value: {"notify": value},
    "forwards": lambda value: {"forwards": value},
    "minsize": lambda value: {"minsize": min_size(value)},
    "self": lambda value: {"self_reposts": value},
    "gifs": lambda value: {"gifs": value},
}


def changed(settings: ChatSettings, args: list[str]) -> ChatSettings:
    """The settings after `/dupes ARGS` (SettingError says what was wrong)."""
    if args[0] in SETTINGS:  # the value is the next word ("/dupes window 7 days": 7)
        return settings.changed(**SETTINGS[args[0]](args[1] if len(args) > 1 else ""))
    return settings.changed(dupes="reply" if args[0] == TURN_ON else args[0])


class Dupes:
    def __init__(self, engine: SearchEngine, workers: Workers) -> None:
        self.engine = engine
        self.workers = workers

    async def dupes(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/dupes shows the settings; admins change them: /dupes reply|delete|off, /dupes sensitivity
        low|normal|high, /dupes window DAYS, /dupes notify public|admins, /dupes forwards on|off,
        /dupes minsize N, /dupes self on|off, /dupes gifs on|off."""
        lang = user_language(update)
        if is_private(update):
            await reply(update, t(lang, "groups_only"))
            return
        scope = scope_of(update.effective_chat.id)
        settings = await self.workers.run(self.engine.chat_settings, scope)
        args = [a.lower() for a in context.args or []]
        if args:
            if not await is_admin(update, context):
                await reply(update, t(lang, "admins_only"))
                return
            if args[0] in SETTINGS and len(args) == 1:  # "/dupes window": which value? the panel says
                await reply(update, t(lang, "dupes_needs_value", setting=args[0]) + "\n\n" + dupes_text(lang, settings))
                return
            try:
                settings = changed(settings, args)
            except SettingError as error:
                await reply(update, setting_error_text(lang, error))
                return
            await self.workers.run(self.engine.save_chat_settings, scope, settings)
        chat_id = update.effective_chat.id
        text = dupes_text(lang, settings, blind=not await sees_members_photos(context.bot, chat_id))
        if settings.dupes == "delete" and not await can_delete(context.bot, chat_id):
            text = t(lang, "cannot_delete") + "\n\n" + text
        await reply(update, text)
