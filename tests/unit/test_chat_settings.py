"""A chat's moderation settings: validated changes, stored values read back (old or damaged ones as the
defaults), and posts stored before they knew their author and origin."""
import pytest

from indexing.chats import MAX_MIN_SIZE, ChatSettings, SettingError, min_size
from indexing.store import FORWARD, Post


def test_each_setting_takes_only_its_values_and_says_which_was_wrong():
    s = ChatSettings()
    assert (s.notify, s.forwards, s.minsize, s.self_reposts) == ("public", "on", 128, "off")
    changed = s.changed(notify="admins", forwards="off", minsize=0, self_reposts="on")
    assert (changed.notify, changed.forwards, changed.minsize, changed.self_reposts) == ("admins", "off", 0, "on")
    assert changed.dupes == s.dupes and changed.window_days == s.window_days  # the others stay
    for kwargs, setting in (({"notify": "everyone"}, "notify"), ({"forwards": "yes"}, "forwards"),
                            ({"self_reposts": "sometimes"}, "self_reposts"), ({"minsize": -1}, "minsize"),
                            ({"minsize": MAX_MIN_SIZE + 1}, "minsize"), ({"dupes": "shout"}, "dupes")):
        with pytest.raises(SettingError) as error:
            s.changed(**kwargs)
        assert error.value.setting == setting and error.value.value == next(iter(kwargs.values()))
    with pytest.raises(SettingError) as error:
        s.changed(notify="everyone")
    assert error.value.choices == ("public", "admins") and "notify must be one of public, admins" in str(error.value)
    assert s.changed(minsize=MAX_MIN_SIZE).minsize == MAX_MIN_SIZE


def test_sizes_are_read_from_what_an_admin_types():
    assert min_size("200") == 200 and min_size(" 64px ") == 64 and min_size("0") == 0
    for text in ("big", "-5", "", "1.5"):
        with pytest.raises(SettingError) as error:
            min_size(text)
        assert error.value.setting == "minsize" and error.value.max_size == MAX_MIN_SIZE


def test_stored_settings_read_back_and_bad_or_missing_ones_read_as_defaults():
    s = ChatSettings(dupes="delete", window_days=7, notify="admins", forwards="off", minsize=300, self_reposts="on")
    assert ChatSettings.from_redis(s.to_redis()) == s
    older = {"dupes": "delete", "window_days": "7"}  # stored before the moderation settings existed
    assert ChatSettings.from_redis(older) == ChatSettings(dupes="delete", window_days=7)
    damaged = ChatSettings.from_redis({"notify": "loud", "forwards": "", "minsize": "huge", "self_reposts": "ON"})
    assert damaged == ChatSettings()
    assert ChatSettings.from_redis({"minsize": "99999"}).minsize == MAX_MIN_SIZE


def test_posts_keep_their_author_and_origin_and_older_posts_read_without():
    post = Post(id=3, scope="chat:-1", sha256="s", phash=5, user_id=-1001, origin=FORWARD)
    raw = {k.encode(): v.encode() for k, v in post.to_redis().items()}
    assert Post.from_redis(raw) == post
    older = {k: v for k, v in raw.items() if k not in (b"user_id", b"origin")}
    assert (Post.from_redis(older).user_id, Post.from_redis(older).origin) == (None, "")
    assert "user_id" not in Post(id=4, scope="public", sha256="s", phash=1).to_redis()


def test_gif_checks_are_off_by_default_and_stored_like_the_others():
    s = ChatSettings()
    assert s.gifs == "off"
    on = s.changed(gifs="on")
    assert on.gifs == "on" and ChatSettings.from_redis(on.to_redis()) == on
    assert ChatSettings.from_redis({"gifs": "maybe"}).gifs == "off"  # damaged: the default
    with pytest.raises(SettingError) as error:
        s.changed(gifs="sometimes")
    assert error.value.setting == "gifs" and error.value.choices == ("off", "on")
