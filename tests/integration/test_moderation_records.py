"""A chat's moderation records against a real Redis server: cleared pairs, flag and clear events for
/stats (bounded), notices given once, flags' private alerts (a month), and the message -> post index (older posts
found too)."""
import time

from indexing import moderation_records
from indexing.moderation_records import CLEARED, FLAGGED, SentAlert
from indexing.store import Post, PostStore
from tests.topologies import redis_topology  # noqa: F401 - these tests run on a single server and a cluster

CHAT = "chat:-1007"


def _post(pid, scope=CHAT, message_id=None, repost_of=None, user_id=None):
    return Post(id=pid, scope=scope, sha256=f"sha{pid}", phash=pid, chat_id=-1007, message_id=message_id,
                repost_of=repost_of, user_id=user_id)


def test_a_pair_is_cleared_once_and_the_post_drops_its_original(redis_client, keys):
    store = PostStore(redis_client, keys)
    store.add(_post(1, message_id=10), {})
    store.add(_post(2, message_id=11, repost_of=1), {})
    store.add(_post(3, scope="chat:-1008", message_id=11, repost_of=1), {})  # another chat's post
    records = store.moderation
    assert records.cleared_by(CHAT, 2, 1) is None
    assert records.clear(CHAT, 2, 1, 501, "Ann") is True
    assert records.clear(CHAT, 2, 1, 502, "Bob") is False  # pressed twice: the first decision stands
    assert records.cleared_by(CHAT, 2, 1) == "Ann" and records.cleared_by("chat:-1008", 2, 1) is None
    assert store.get_post(2).repost_of is None and store.get_post(1).repost_of is None
    assert records.cleared_pairs(CHAT, [(2, 1), (1, 2), (2, 1)]) == {(2, 1)}
    # a forged pair naming another chat's post leaves that post alone
    assert records.clear(CHAT, 3, 1, 501, "Ann") is True and store.get_post(3).repost_of == 1
    events = records.events(CHAT, 0)
    assert [(e.kind, e.post_id, e.original_id, e.user_id) for e in events] == [(CLEARED, 2, 1, 501),
                                                                              (CLEARED, 3, 1, 501)]
    assert records.names(CHAT, [501, 502]) == {501: "Ann", 502: ""}


def test_flags_are_logged_once_and_events_stay_bounded(redis_client, keys, monkeypatch):
    records = PostStore(redis_client, keys).moderation
    now = time.time()
    assert records.record_flag(CHAT, 5, 1, 700, "Carol", now=now - 40 * 86400)
    assert records.record_flag(CHAT, 6, 1, 700, "Carol", now=now - 3 * 86400)
    assert not records.record_flag(CHAT, 6, 1, 700, "Carol", now=now)  # the same flag again
    assert records.record_flag(CHAT, 7, 2, None, now=now)  # an author we do not know
    # the 40-day-old flag was trimmed by the next write; the same flag kept its first time
    assert [(e.kind, e.post_id, e.user_id, round(e.at)) for e in records.events(CHAT, 0)] == [
        (FLAGGED, 6, 700, round(now - 3 * 86400)), (FLAGGED, 7, None, round(now))]
    assert records.events(CHAT, now - 86400)[0].post_id == 7
    monkeypatch.setattr(moderation_records, "EVENTS_CAP", 3)
    for post in range(10, 15):
        records.record_flag(CHAT, post, 1, 700, "Carol", now=now + post)
    assert [e.post_id for e in records.events(CHAT, 0)] == [12, 13, 14]  # the newest kept
    records.forget(CHAT)
    assert records.events(CHAT, 0) == [] and records.names(CHAT, [700]) == {700: ""}


def test_notices_are_given_once_per_chat(redis_client, keys):
    records = PostStore(redis_client, keys).moderation
    assert records.first_time(CHAT, "cannot-delete") is True
    assert records.first_time(CHAT, "cannot-delete") is False
    assert records.first_time(CHAT, "privacy") is True and records.first_time("chat:-1008", "cannot-delete") is True
    records.forget(CHAT)  # about the bot's rights, not the chat's photos: kept
    assert records.first_time(CHAT, "cannot-delete") is False


def test_a_message_finds_its_post_even_one_stored_before_the_index(redis_client, keys):
    store = PostStore(redis_client, keys)
    for pid, message in ((1, 10), (2, 11), (3, 12)):
        store.add(_post(pid, message_id=message, user_id=900 + pid), {})
    store.add(_post(4, scope="chat:-1008", message_id=13), {})
    assert store.post_by_message(CHAT, 11).user_id == 902
    assert store.post_by_message(CHAT, 13) is None  # another chat's message
    redis_client.delete(keys.scope_messages(CHAT))  # posts stored before the index existed
    assert store.post_by_message(CHAT, 12).id == 3
    assert redis_client.hget(keys.scope_messages(CHAT), "10") == b"1"  # indexed once, all of them
    store.delete([2], [])
    assert store.post_by_message(CHAT, 11) is None and store.post_by_message(CHAT, 99) is None


def test_presses_racing_each_other_clear_a_pair_once(redis_client, keys):
    from concurrent.futures import ThreadPoolExecutor

    store = PostStore(redis_client, keys)
    store.add(_post(1, message_id=10), {})
    store.add(_post(2, message_id=11, repost_of=1), {})
    pairs = [(2, 1)] * 6 + [(2, 9), (5, 1)]  # the same button pressed by six admins at once, two other pairs
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda pair: store.moderation.clear(CHAT, *pair, 501, "Ann"), pairs))
    assert results[:6].count(True) == 1 and results[6:] == [True, True]
    assert len(store.moderation.events(CHAT, 0)) == 3 and store.get_post(2).repost_of is None


def test_a_flags_alerts_are_kept_a_month_per_chat_and_forgotten_with_it(redis_client, keys):
    records = PostStore(redis_client, keys).moderation
    now = time.time()
    sent = [SentAlert(501, 3, "fr", True, "<b>Mods</b>"), SentAlert(504, 9, "en", False, "x")]
    records.remember_alerts(CHAT, 2, 1, sent, now=now - 31 * 86400)
    assert records.alerts_of(CHAT, 2, 1, now=now - 31 * 86400) == sent
    assert records.alerts_of(CHAT, 2, 1, now=now) == []  # over a month old: no longer kept in step
    records.remember_alerts(CHAT, 5, 4, sent[:1], now=now)  # a later flag's write drops the stale one
    assert not redis_client.hexists(keys.alerts(CHAT), "2:1")
    assert records.alerts_of(CHAT, 5, 4, now=now) == sent[:1]
    assert records.alerts_of(CHAT, 4, 5, now=now) == [] and records.alerts_of("chat:-1008", 5, 4, now=now) == []
    assert 0 < redis_client.ttl(keys.alerts(CHAT)) <= moderation_records.ALERTS_TTL_S
    records.forget(CHAT)
    assert records.alerts_of(CHAT, 5, 4, now=now) == []
    assert not redis_client.exists(keys.alerts(CHAT), keys.alert_times(CHAT))
