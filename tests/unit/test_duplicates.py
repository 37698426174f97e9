"""Duplicates and the re-post policy (indexing/search/duplicates.py) on fakes: which candidate is a
copy, the chat's sensitivity and window, never the photo itself, one original per photo."""
import time

import numpy as np

from indexing.chats import ChatSettings, Thresholds
from indexing.search.duplicates import NOT_A_REPOST, decide_duplicate
from tests.unit.search_fakes import World, unit

CHAT = "chat:-3"
PHOTO = unit(1, 0, 0, 0)
CROP = unit(1, 0.75, 0, 0)  # cosine 0.8 to PHOTO: a copy only for a sensitive chat
DAY = 86400


def test_the_most_similar_candidate_that_passes_is_the_duplicate():
    th = Thresholds(max_hamming=6, min_cosine_with_hash=0.5, min_cosine=0.84)
    assert decide_duplicate([(1, 0.6, 30), (2, 0.9, 40), (3, 0.95, 2)], th) == (3, 0.95, 2)
    assert decide_duplicate([(1, 0.6, 3), (2, 0.7, 40)], th) == (1, 0.6, 3)  # close hashes, weaker features
    assert decide_duplicate([(1, 0.6, 30), (2, 0.83, 7)], th) is None


def test_the_defaults_pass_look_alike_scenes_and_flag_edited_copies():
    th = Thresholds()
    # the nearest look-alikes `bench dedup` measured for the default model: cosine 0.817 (the same dish
    # photographed again, hashes 26-30 bits apart); a layout match of another scene: cosine 0.65, 8 bits
    assert decide_duplicate([(1, 0.815, 26)], th) is None
    assert decide_duplicate([(1, 0.65, 8)], th) is None
    assert decide_duplicate([(1, 0.81, 3)], th) == (1, 0.81, 3)  # resized: features drift, the hash stays
    assert decide_duplicate([(1, 0.88, 28)], th) == (1, 0.88, 28)  # cropped: the hash moves, the features stay
    low, high = th.scaled("low"), th.scaled("high")
    for cos, ham in ((0.815, 26), (0.81, 3), (0.88, 28), (0.95, 2), (0.97, 40)):  # stricter flags a subset
        assert low.matches(cos, ham) <= th.matches(cos, ham) <= high.matches(cos, ham)
    assert low.matches(0.97, 40) and not low.matches(0.88, 28) and high.matches(0.80, 40)


def _cosine_to_x_axis(cos: float) -> np.ndarray:
    return unit(1, np.sqrt(1 / cos ** 2 - 1), 0, 0)


def test_a_near_hash_is_a_candidate_even_far_from_the_features_nearest():
    th = Thresholds()
    w = World()
    repost_cos = th.min_cosine_with_hash + 0.002
    for pid in range(2, 14):  # a dozen look-alikes nearer than the re-post below, none a copy (far hashes)
        w.add(pid, features=_cosine_to_x_axis(repost_cos + (th.min_cosine - repost_cos) * pid / 15))
    w.add(1, features=_cosine_to_x_axis(repost_cos), phash=0b1011)  # resized: features drift, the hash stays
    query = w.photo(PHOTO, phash=0b1001)
    found = {pid: (cos, ham) for pid, cos, ham in w.duplicates.candidates(query, "public", k=3)}
    assert found[1][1] == 1 and abs(found[1][0] - repost_cos) < 2e-3
    assert w.duplicates.duplicate_of(query, "public").post.id == 1


def _stored(w: World, pid: int, features, days_ago: float, **fields):
    return w.add(pid, features=features, scope=CHAT, created_s=time.time() - days_ago * DAY, message_id=pid, **fields)


def test_every_copy_names_the_first_post_and_the_window_runs_from_it():
    w = World()
    _stored(w, 10, PHOTO, days_ago=20)
    _stored(w, 11, unit(1, 0.02, 0, 0), days_ago=1, repost_of=10)  # re-posted yesterday
    new = w.photo(unit(1, 0.03, 0, 0))
    verdict = w.duplicates.check_repost(new, CHAT, ChatSettings(window_days=30))
    assert verdict.original_id == 10 and verdict.repost.original.id == 10
    assert verdict.repost.copy_id in (10, 11)
    late = w.duplicates.check_repost(new, CHAT, ChatSettings(window_days=10))
    assert late.original_id == 10 and late.repost is None  # recorded as a copy, not flagged


def test_the_sensitivity_decides_whether_a_crop_is_a_repost():
    w = World()
    _stored(w, 10, PHOTO, days_ago=1)
    crop = w.photo(CROP)
    assert w.duplicates.check_repost(crop, CHAT, ChatSettings(sensitivity="normal")) is NOT_A_REPOST
    assert w.duplicates.check_repost(crop, CHAT, ChatSettings(sensitivity="high")).repost.original.id == 10
    closer = w.photo(unit(1, 0.5, 0, 0))  # cosine 0.894
    assert w.duplicates.check_repost(closer, CHAT, ChatSettings(sensitivity="normal")).repost.original.id == 10
    assert w.duplicates.check_repost(closer, CHAT, ChatSettings(sensitivity="low")) is NOT_A_REPOST


def test_a_photo_is_never_a_repost_of_its_own_message_nor_of_another_chats_photo():
    w = World()
    _stored(w, 10, PHOTO, days_ago=1)
    again = w.photo(PHOTO)
    assert w.duplicates.check_repost(again, CHAT, ChatSettings(), message_id=10) is NOT_A_REPOST
    assert w.duplicates.check_repost(again, CHAT, ChatSettings(), message_id=12).original_id == 10
    assert w.duplicates.check_repost(again, "chat:-4", ChatSettings()) is NOT_A_REPOST


def test_a_deleted_message_is_never_the_original():
    w = World()
    _stored(w, 10, PHOTO, days_ago=2, message_deleted=True)
    _stored(w, 11, unit(1, 0.02, 0, 0), days_ago=1, repost_of=10)
    assert w.duplicates.check_repost(w.photo(PHOTO), CHAT, ChatSettings()) is NOT_A_REPOST
    w.store.by_id.pop(10)  # the original gone from the store: its live copy stands in
    assert w.duplicates.check_repost(w.photo(PHOTO), CHAT, ChatSettings()).original_id == 11
