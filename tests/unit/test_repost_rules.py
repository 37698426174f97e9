"""The re-post policy's moderation rules (indexing/search/duplicates.py) on fakes, where the distances
are chosen: pairs an admin cleared, forwards, small pictures, a member's own photo."""
import time

from indexing.chats import ChatSettings
from indexing.search.duplicates import NOT_A_REPOST
from indexing.store import AUTOMATIC, FORWARD
from tests.unit.search_fakes import World, unit

CHAT = "chat:-3"
PHOTO = unit(1, 0, 0, 0)
LOOKALIKE = unit(1, 0.3, 0, 0)  # cosine 0.958 to PHOTO: a copy by the thresholds, a different shot in truth
ANN, BOB = 1, 2


def _world() -> World:
    w = World()
    now = time.time()
    w.add(10, PHOTO, scope=CHAT, message_id=10, created_s=now - 3600, user_id=ANN)
    w.add(11, LOOKALIKE, scope=CHAT, message_id=11, created_s=now - 60, user_id=BOB)  # cleared: repost_of dropped
    return w


def test_a_cleared_lookalike_and_its_copies_are_never_flagged_against_the_original_again():
    w = _world()
    check = w.duplicates.check_repost
    assert check(w.photo(LOOKALIKE), CHAT, ChatSettings()).repost.original.id == 10  # before the decision
    w.store.moderation.cleared.add((CHAT, 11, 10))
    again = check(w.photo(LOOKALIKE), CHAT, ChatSettings())
    assert again.original_id == 11 and again.repost.original.id == 11  # a re-post of the lookalike's own post
    # the original's very photo (same features, same hash) is still its re-post
    assert check(w.photo(PHOTO, phash=w.store.by_id[10].phash), CHAT, ChatSettings()).repost.original.id == 10
    # an edit of the cleared photo a hair closer to the original (cosine 0.991 to it, 0.988 to the cleared one) is not brought
    # back to it: only the original's own photo is
    between = unit(1, 0.135, 0, 0)
    assert check(w.photo(between), CHAT, ChatSettings()).repost.original.id == 11
    # a copy stored from the lookalike records it: a photo closest to that copy is the lookalike's too
    w.add(12, unit(1, 0.32, 0, 0), scope=CHAT, message_id=12, created_s=time.time(), repost_of=11)
    assert check(w.photo(unit(1, 0.33, 0, 0)), CHAT, ChatSettings()).repost.original.id == 11
    assert check(w.photo(LOOKALIKE), "chat:-4", ChatSettings()) is NOT_A_REPOST  # decisions are per chat


def test_forwards_small_pictures_and_own_photos_follow_the_chats_settings():
    w = _world()
    check, photo, s = w.duplicates.check_repost, w.photo(PHOTO), ChatSettings()
    assert check(photo, CHAT, s, origin=AUTOMATIC) is NOT_A_REPOST
    assert check(photo, CHAT, s, origin=FORWARD).repost is not None
    assert check(photo, CHAT, s.changed(forwards="off"), origin=FORWARD) is NOT_A_REPOST
    assert check(photo, CHAT, s, size=(127, 500)) is NOT_A_REPOST
    assert check(photo, CHAT, s.changed(minsize=0), size=(1, 1)).repost is not None
    own = check(photo, CHAT, s, author_id=ANN)
    assert own.original_id == 10 and own.repost is None
    assert check(photo, CHAT, s.changed(self_reposts="on"), author_id=ANN).repost.original.id == 10
    assert check(photo, CHAT, s, author_id=BOB).repost.original.id == 10
