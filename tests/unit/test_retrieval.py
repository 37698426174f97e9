"""Ranking in retrieval (indexing/search/retrieval.py) on fakes: a text's best match per post, text
and photo fused, copies collapsed, the query photo left out, floors applied."""
from dataclasses import replace

import numpy as np
import pytest

from indexing.relevance import ONLY_ITSELF, TOO_FEW_POSTS, Floors, Relevance
from indexing.search.retrieval import best_of, fused
from tests.unit.search_fakes import IdentityProjector, World, unit

CAT, DOG, SKY, SEA = unit(1, 0, 0, 0), unit(0, 1, 0, 0), unit(0, 0, 1, 0), unit(0, 0, 0, 1)
WORDS = {"cat": CAT, "a cat on a mat": CAT, "a dog": DOG}


def world(**kw) -> World:
    return World(words=dict(WORDS), **kw)


def test_a_post_scores_by_its_better_text_match_photo_or_caption():
    assert best_of([1, 2], np.array([0.2, 0.7], np.float32),
                   [(1 << 3 | 0, 0.9), (1 << 3 | 1, 0.1), (2 << 3, 0.3)]).tolist() == pytest.approx([0.9, 0.7])
    assert best_of([5], np.array([0.4], np.float32), []).tolist() == pytest.approx([0.4])


def test_text_and_photo_are_fused_by_the_photo_weight():
    assert fused(np.array([1.0, 0.0]), np.array([0.0, 1.0]), 0.25).tolist() == pytest.approx([0.75, 0.25])


def test_find_ranks_a_post_by_its_caption_when_that_matches_better_than_its_photo():
    w = world()
    w.add(1, features=SEA, text=SKY, captions=["a cat on a mat"])  # the photo says sky, its caption cat
    w.add(2, features=SKY, text=unit(1, 1, 0, 0))  # the photo half says cat
    w.add(3, features=unit(1, 1, 1, 1), text=DOG, captions=["a dog"])
    hits = w.retrieval.find("cat", "public", k=5)
    assert [h.post.id for h in hits] == [1, 2, 3]
    assert [h.score for h in hits] == pytest.approx([1.0, 0.7071, 0.0], abs=2e-3)


def test_find_with_a_photo_weighs_both_and_never_returns_the_photo_or_its_copies():
    w = world()
    query = w.photo(CAT, sha="the query's bytes")
    w.add(1, features=SEA, text=CAT)  # the text matches, the photo does not
    w.add(2, features=unit(1, 1, 0, 0), text=SKY)  # the photo is like the query, the text not
    w.add(3, features=CAT, text=CAT, sha="the query's bytes")  # the query photo itself, stored before
    w.add(4, features=unit(1, 0.05, 0, 0), text=CAT)  # a copy of it (cosine 0.999)
    by_text = w.retrieval.find("cat", "public", k=5, photo=query, photo_weight=0.5)
    assert [h.post.id for h in by_text] == [1, 2]
    assert [h.score for h in by_text] == pytest.approx([0.5, 0.3536], abs=2e-3)
    by_photo = w.retrieval.find("cat", "public", k=5, photo=query, photo_weight=0.8)
    assert [h.post.id for h in by_photo] == [2, 1]


def test_copies_of_one_photo_collapse_to_the_best_ranked_post():
    w = world()
    w.add(1, features=SKY, text=DOG, captions=["a cat on a mat"], phash=7)
    w.add(2, features=SKY, text=unit(1, 0.2, 0, 0), phash=7)  # the same photo, posted again
    w.add(3, features=SEA, text=unit(1, 1, 0, 0))
    assert [h.post.id for h in w.retrieval.find("cat", "public", k=5)] == [1, 3]
    v = w.serving.view
    kept = w.retrieval.find_scored(v, w.retrieval.encode_query("cat", v), "cat", "public", 5, None, 0.5, True,
                                   one_per_photo=False)
    assert [pid for pid, _ in kept] == [1, 2, 3]


def test_the_find_floor_leaves_weak_matches_out_and_an_empty_answer_says_why():
    w = world(relevance=Relevance(floors=Floors(find=0.8)))
    w.add(1, features=SEA, text=CAT)
    w.add(2, features=SKY, text=unit(1, 1, 0, 0))
    assert [h.post.id for h in w.retrieval.find("cat", "public")] == [1]
    empty = w.retrieval.find("a dog", "public")
    assert empty == [] and empty.why_empty == TOO_FEW_POSTS


def test_learned_heads_lift_the_text_floors_measured_with_the_cold_start_bridge():
    w = world(relevance=Relevance(floors=Floors(find=0.8, similar=0.3)))
    w.add(2, features=SKY, text=unit(1, 1, 0, 0))
    learned = IdentityProjector()
    learned.cold_start = False
    w.serving.view = replace(w.serving.view, projector=learned)
    assert [h.post.id for h in w.retrieval.find("cat", "public")] == [2]
    assert w.retrieval.relevance_for().floors.similar == 0.3  # the image floor does not depend on heads


def test_similar_leaves_out_the_query_and_its_copies_and_says_when_only_those_are_close():
    w = world()
    w.add(1, features=CAT)
    w.add(2, features=unit(1, 0.05, 0, 0))  # a copy of post 1
    w.add(3, features=unit(1, 1, 0, 0))
    w.add(4, features=SKY, scope="chat:-5")  # another chat's: never seen from public
    assert [h.post.id for h in w.retrieval.similar_to_any([1], "public", k=5)] == [3]
    assert [h.post.id for h in w.retrieval.similar_to_any([1], "chat:-5", k=5)] == [3, 4]
    alone = world()
    alone.add(1, features=CAT)
    alone.add(2, features=unit(1, 0.05, 0, 0))
    answer = alone.retrieval.similar_to_any([1], "public", k=5)
    assert answer == [] and answer.why_empty == ONLY_ITSELF


def test_the_viewers_own_chat_is_searched_with_public():
    w = world()
    w.add(1, features=SEA, text=CAT, scope="chat:-5")
    w.add(2, features=SKY, text=unit(1, 1, 0, 0))
    assert [h.post.id for h in w.retrieval.find("cat", "chat:-5")] == [1, 2]
    assert [h.post.id for h in w.retrieval.find("cat", "chat:-6")] == [2]
    assert [h.post.id for h in w.retrieval.find("cat", "chat:-5", include_public=False)] == [1]


def test_find_shows_its_results_in_the_order_of_the_numbers_shown_under_them():
    """The number under a result (its words' match when better, else its meaning's) never grows down the
    list, even where the fusion of both rankings put a photo matched both ways first."""
    from indexing.search.lexical import post_text

    w = World(words={"meeting moved": CAT})
    w.add(1, features=SEA, text=unit(1, 0.484, 0, 0))  # meaning 0.90, no words
    w.add(2, features=SKY, text=unit(1, 0.75, 0, 0))  # meaning 0.80, words 0.73: in both rankings
    w.add(3, features=DOG, text=unit(1, 1.52, 0, 0))  # meaning 0.55, no words
    w.retrieval.lexicon.put(2, post_text(["meeting moves"], ""))
    hits = w.retrieval.find("meeting moved", "public", k=5)
    assert [h.post.id for h in hits] == [1, 2, 3]
    assert [round(max(h.score, h.words), 2) for h in hits] == [0.9, 0.8, 0.55]  # as bot.render shows it
    assert hits[1].words == pytest.approx(0.7333, abs=1e-3)  # said "0.80 match": its meaning is the better


def test_like_this_but_at_night_finds_photos_that_fit_the_words_ranked_with_the_photo():
    """Text + photo: the words pointing at the photo are dropped, the change asked ("at night") must fit
    by its meaning (the find floor, on the text part alone) or its words; the photo only ranks."""
    from indexing.search.lexical import post_text

    night = unit(0, 0, 1, 0)
    w = World(words={"at night": night, "like this one, but at night": unit(1, 0, 1, 0),
                     "a dog at night": unit(0, 1, 1, 0)},
              relevance=Relevance(floors=Floors(find=0.9, similar=0.9)))
    query = w.photo(DOG, sha="the dog")
    w.add(1, features=unit(0.8, 1, 0, 0.3), text=unit(0, 1, 0.8, 0), captions=["a dog at night"])  # a dog at night
    w.add(2, features=unit(1, 0.3, 0, 0), text=night)  # a night photo, not much like the dog
    w.add(3, features=unit(0.6, 1, 0, 0.4), text=unit(0, 1, 0, 0.3))  # a dog by day: not at night
    w.add(4, features=SEA, text=unit(0, 0, 0.4, 1))  # neither
    w.retrieval.lexicon.put(1, post_text(["a dog at night"], ""))
    for words in ("like this one, but at night", "at night"):
        hits = w.retrieval.find(words, "public", k=5, photo=query)
        # 1 fits by its caption's words (its meaning, 0.78, is under the floor), 2 by its meaning (1.0);
        # 1 is far more like the dog: first. 3 is like the dog but not at night, 4 nothing: left out
        assert [h.post.id for h in hits] == [1, 2], words
        assert hits[0].score > hits[1].score and all(h.words == 0.0 for h in hits)
    w2 = World(words={"at night": night}, relevance=Relevance(floors=Floors(find=0.9)))
    w2.add(3, features=unit(0.6, 1, 0, 0.4), text=unit(0, 1, 0, 0.3))
    nothing = w2.retrieval.find("at night", "public", k=5, photo=w2.photo(DOG, sha="the dog"))
    assert nothing == [] and nothing.why_empty == TOO_FEW_POSTS  # nothing fits the words: said so


def test_the_words_pointing_at_the_replied_photo_are_not_searched_for():
    from indexing.search.retrieval import change_asked

    assert change_asked("like this one, but at night") == "at night"
    assert change_asked("Something like that, but in winter") == "in winter"
    assert change_asked("comme celle-ci, mais la nuit") == "la nuit"
    assert change_asked("at night") == "at night" and change_asked("people at night") == "people at night"
    assert change_asked("like this") == "like this"  # nothing else asked: the words as they are
