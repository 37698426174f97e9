"""/dupes arguments (bot/dupes.py) read into the chat's settings, or a SettingError naming the setting."""
import pytest

from bot.dupes import changed
from indexing.chats import ChatSettings, SettingError


def test_every_setting_is_changed_by_its_words():
    base = ChatSettings()
    assert changed(base, ["delete"]).dupes == "delete" and changed(base, ["on"]).dupes == "reply"
    assert changed(base, ["window", "30d"]).window_days == 30
    assert changed(base, ["window", "7", "days"]).window_days == 7  # the value is the next word
    assert changed(base, ["notify", "admins"]).notify == "admins"
    assert changed(base, ["forwards", "off"]).forwards == "off"
    assert changed(base, ["minsize", "200px"]).minsize == 200 and changed(base, ["minsize", "0"]).minsize == 0
    assert changed(base, ["self", "on"]).self_reposts == "on"
    assert changed(base, ["sensitivity", "high"]) == ChatSettings(sensitivity="high")  # nothing else moves


@pytest.mark.parametrize("args, setting", [(["louder"], "dupes"), (["notify", "everyone"], "notify"),
                                           (["minsize", "big"], "minsize"), (["minsize", "5000"], "minsize"),
                                           (["self"], "self_reposts"), (["window", "soon"], "window_days")])
def test_a_wrong_value_names_its_setting(args, setting):
    with pytest.raises(SettingError) as error:
        changed(ChatSettings(), args)
    assert error.value.setting == setting
