"""The re-post policy's moderation rules and decisions through the search facade, against a real Redis
server and real encoders: forwards, small pictures, a member's own photo, an admin's "not a re-post"
(kept through restarts, rebuilds and refits), one photo forgotten, the chat's statistics."""
import argparse
import io
import time

from PIL import Image

from indexing.__main__ import _dupes, _moderation_stats
from indexing.search import AUTOMATIC, FORWARD, NOT_A_REPOST, ChatSettings, PhotoInput
from tests.conftest import jpeg_bytes, sample_image

CHAT = "chat:-1005"
ANN, BOB, EVE = 501, 502, 503


def _add(engine, data, message_id, user_id=None, origin="", repost_of=None, scope=CHAT):
    return engine.add_photo(PhotoInput(data=data, scope=scope, chat_id=-1005, message_id=message_id, user_id=user_id,
                                       origin=origin, repost_of=repost_of)).post_id


def _copy(name: str, scale: float = 0.6, quality: int = 70) -> bytes:
    im = sample_image(name)
    return jpeg_bytes(im.resize((int(im.width * scale), int(im.height * scale))), quality=quality)


def test_forwards_small_pictures_and_a_members_own_photo(engine):
    first = _add(engine, jpeg_bytes(sample_image("astronaut")), 10, user_id=ANN, origin=FORWARD)
    stored = engine.post(first)
    assert (stored.user_id, stored.origin) == (ANN, FORWARD)
    copy, settings = engine.embed_photo(_copy("astronaut")), ChatSettings()
    assert engine.check_repost(copy, CHAT, settings, 11, author_id=BOB).repost.original.id == first
    # the linked channel's posts, shown in its discussion group, are originals, never re-posts
    assert engine.check_repost(copy, CHAT, settings, 11, author_id=BOB, origin=AUTOMATIC) is NOT_A_REPOST
    # forwards from other chats are checked like posts, unless the chat turned them off
    assert engine.check_repost(copy, CHAT, settings, 11, origin=FORWARD).repost.original.id == first
    assert engine.check_repost(copy, CHAT, settings.changed(forwards="off"), 11, origin=FORWARD) is NOT_A_REPOST
    assert engine.check_repost(copy, CHAT, settings.changed(forwards="off"), 11).repost.original.id == first
    # smaller than the minimum on its short side: never a re-post; the minimum can be turned off
    assert engine.check_repost(copy, CHAT, settings, 11, size=(400, 127)) is NOT_A_REPOST
    assert engine.check_repost(copy, CHAT, settings, 11, size=(400, 128)).repost is not None
    assert engine.check_repost(copy, CHAT, settings.changed(minsize=0), 11, size=(90, 60)).repost is not None
    # the author posting their own photo again: recorded, not flagged, unless the chat flags that too
    own = engine.check_repost(copy, CHAT, settings, 11, author_id=ANN)
    assert own.original_id == first and own.repost is None
    assert engine.check_repost(copy, CHAT, settings.changed(self_reposts="on"), 11,
                               author_id=ANN).repost.original.id == first
    assert engine.check_repost(copy, CHAT, settings, 11).repost is not None  # no author known: flagged


def test_a_cleared_pair_stays_cleared_through_restarts_rebuilds_and_refits(engine_factory):
    engine = engine_factory()
    first = _add(engine, jpeg_bytes(sample_image("astronaut")), 10, user_id=ANN)
    second_bytes = _copy("astronaut")
    verdict = engine.check_repost(second_bytes, CHAT, ChatSettings(), 11, author_id=BOB)
    second = _add(engine, second_bytes, 11, user_id=BOB, repost_of=verdict.original_id)
    coffee = _add(engine, jpeg_bytes(sample_image("coffee")), 12, user_id=ANN)
    assert verdict.repost.original.id == first and engine.post(second).repost_of == first
    assert engine.moderation.cleared_by(CHAT, second, first) is None
    assert engine.moderation.clear_repost(CHAT, second, first, ANN, "Ann") is True
    assert engine.moderation.clear_repost(CHAT, second, first, EVE, "Eve") is False  # the button pressed twice
    assert engine.moderation.cleared_by(CHAT, second, first) == "Ann" and engine.post(second).repost_of is None

    engine = engine_factory()  # a restart
    engine.rebuild()
    engine.refit_projector(min_captioned=0)
    engine = engine_factory()  # and another, from the release the rebuild published
    assert engine.moderation.cleared_by(CHAT, second, first) == "Ann"
    # The cleared photo posted again is a re-post of its own earlier post, never of the first one.
    again = engine.check_repost(second_bytes, CHAT, ChatSettings(), 13, author_id=EVE)
    assert again.original_id == second and again.repost.original.id == second
    assert engine.check_repost(second_bytes, "chat:-1006", ChatSettings()) is NOT_A_REPOST
    # The first photo itself posted again (closer to it than to the cleared one) is still its re-post;
    # so is a copy of another photo.
    assert engine.check_repost(jpeg_bytes(sample_image("astronaut")), CHAT, ChatSettings(), 14,
                               author_id=EVE).repost.original.id == first
    assert engine.check_repost(_copy("coffee"), CHAT, ChatSettings(), 15, author_id=EVE).repost.original.id == coffee
    # Another chat's decisions are its own.
    other = _add(engine, jpeg_bytes(sample_image("astronaut")), 10, scope="chat:-1006")
    assert engine.check_repost(second_bytes, "chat:-1006", ChatSettings()).repost.original.id == other


def test_one_photo_forgotten_is_gone_from_the_store_and_every_index(engine_factory):
    engine = engine_factory()
    original = jpeg_bytes(sample_image("chelsea"))
    first = _add(engine, original, 10, user_id=ANN)
    kept = _add(engine, jpeg_bytes(sample_image("rocket")), 11, user_id=ANN)
    assert engine.post_by_message(CHAT, 10).id == first and engine.post_by_message(CHAT, 99) is None
    assert engine.post_by_message("chat:-1006", 10) is None
    assert engine.forget_post(first) is True and engine.forget_post(first) is False
    for view in (engine, engine_factory()):  # here, and after a restart
        assert view.post(first) is None and view.post_by_message(CHAT, 10) is None
        assert first not in view.scope_ids(CHAT) and kept in view.scope_ids(CHAT)
        assert first not in [pid for pid, _, _ in view.duplicate_candidates(_copy("chelsea"), CHAT)]
        assert view.check_repost(_copy("chelsea"), CHAT, ChatSettings(), 12) is NOT_A_REPOST
        assert first not in [h.post.id for h in view.similar(jpeg_bytes(sample_image("coffee")), CHAT, k=10)]
    again = engine.add_photo(PhotoInput(data=original, scope=CHAT, message_id=13))
    assert again.created and again.post_id != first  # the same bytes are a new post now


def test_statistics_count_flags_and_clears_and_name_who_and_what(engine):
    now = time.time()
    astronaut = _add(engine, jpeg_bytes(sample_image("astronaut")), 10, user_id=ANN)
    coffee = _add(engine, jpeg_bytes(sample_image("coffee")), 11, user_id=ANN)
    moon = _add(engine, jpeg_bytes(sample_image("moon")), 12, user_id=ANN)
    assert engine.moderation.record_flag(CHAT, 20, astronaut, BOB, "Bob", now=now - 2 * 86400)
    assert not engine.moderation.record_flag(CHAT, 20, astronaut, BOB, "Bob", now=now - 86400)  # logged once
    engine.moderation.record_flag(CHAT, 21, astronaut, BOB, "Bob", now=now - 10 * 86400)
    engine.moderation.record_flag(CHAT, 22, coffee, EVE, "Eve", now=now - 86400)
    engine.moderation.record_flag(CHAT, 23, astronaut, EVE, "Eve", now=now - 86400)
    engine.moderation.record_flag(CHAT, 24, moon, EVE, "Eve", now=now - 20 * 86400)
    engine.moderation.record_flag(CHAT, 25, moon, BOB, "Bob", now=now - 45 * 86400)  # too old to count
    engine.moderation.clear_repost(CHAT, 23, astronaut, ANN, "Ann", now=now - 3600)  # a false flag: not Eve's, not the photo's
    engine.moderation.record_flag("chat:-1006", 30, astronaut, BOB, "Bob", now=now)  # another chat
    stats = engine.moderation.stats(CHAT, now=now)
    assert (stats.flagged_7d, stats.flagged_30d, stats.cleared_7d, stats.cleared_30d) == (3, 5, 1, 1)
    assert stats.top_reposters == [(BOB, "Bob", 2), (EVE, "Eve", 2)] or \
        stats.top_reposters == [(EVE, "Eve", 2), (BOB, "Bob", 2)]
    assert [(post.id, n) for post, n in stats.top_reposted][0] == (astronaut, 2)
    assert sorted((post.id, n) for post, n in stats.top_reposted[1:]) == [(coffee, 1), (moon, 1)]
    engine.forget_post(coffee)  # a gone original is left out
    assert [post.id for post, _ in engine.moderation.stats(CHAT, now=now).top_reposted] == [astronaut, moon]
    later = engine.moderation.stats(CHAT, now=now + 12 * 86400)  # the 20-day-old flag is out
    assert (later.flagged_7d, later.flagged_30d, later.cleared_7d) == (0, 4, 0)
    assert engine.moderation.first_time(CHAT, "cannot-delete") and not engine.moderation.first_time(CHAT, "cannot-delete")
    # /forget of the whole chat takes its decisions and statistics with its photos
    engine.forget_scope(CHAT)
    assert engine.moderation.cleared_by(CHAT, 23, astronaut) is None
    assert engine.moderation.stats(CHAT, now=now).flagged_30d == 0
    assert engine.moderation.stats("chat:-1006", now=now).flagged_30d == 1


def test_the_cli_applies_the_minimum_size_and_shows_the_statistics(engine, capsys, tmp_path):
    first = _add(engine, jpeg_bytes(sample_image("astronaut")), 10, user_id=ANN)
    small = tmp_path / "small.jpg"
    small.write_bytes(jpeg_bytes(Image.open(io.BytesIO(_copy("astronaut"))).resize((120, 120))))
    args = argparse.Namespace(scope=CHAT, photo=str(small))
    _dupes(engine, args)
    assert "smaller than 128 px" in capsys.readouterr().out
    engine.save_chat_settings(CHAT, ChatSettings(minsize=0))
    _dupes(engine, args)
    assert capsys.readouterr().out.startswith(f"re-post of #{first} message 10 ")
    engine.moderation.record_flag(CHAT, 20, first, BOB, "Bob")
    _moderation_stats(engine, CHAT)
    out = capsys.readouterr().out
    assert "re-posts flagged: 1 in 7 days, 1 in 30 days; cleared: 0, 0" in out
    assert "Bob (502): 1" in out and f"#{first} message 10: 1" in out
