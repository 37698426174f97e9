"""Words search (indexing/search/lexical.py) and its fusion into find (retrieval.py) on fakes: strict
word similarity with case, accents and OCR confusions ignored, the floor, RRF order, scopes."""
import tracemalloc

import pytest

from indexing.relevance import Floors, Relevance
from indexing.search.lexical import (LexicalIndex, post_text, strict_word_similarity, tiers, weighted_rrf, word_trigrams,
                                     words_weight)
from models.textfold import fold, trigrams
from tests.unit.search_fakes import World, unit

CAT, DOG, SKY, SEA = unit(1, 0, 0, 0), unit(0, 1, 0, 0), unit(0, 0, 1, 0), unit(0, 0, 0, 1)


def sim(query: str, text: str, floor: float = 0.0) -> float:
    return strict_word_similarity(trigrams(fold(query)), post_text([], text), floor)


def test_a_phrase_matches_the_ocr_text_it_was_read_as_whatever_the_case_and_look_alikes():
    assert sim("meeting moved to 5 pm", "MEETING M0VED TO 5PM") >= 0.75
    assert sim("meeting moved", "Team news\nTHE MEETING M0VED TO 5PM\nsee you") == 1.0  # the best span of a line
    assert sim("fête à l'école", "FETE A L ECOLE") == 1.0
    assert sim("fete a l'ecole", "Fête à l’École !") == 1.0


def test_a_partial_or_unrelated_phrase_stays_under_the_floor():
    assert sim("meeting moved to 5 pm", "meeting at 3") < 0.5
    assert sim("moved", "removed") < 0.5
    assert sim("meeting moved", "lunch is served in the hall", floor=0.5) == 0.0
    # as pg_trgm's: one whole word of a two-word query is a match (0.62), of a three-word one not
    assert sim("meeting moved", "meeting at 3") == pytest.approx(8 / 13)
    assert sim("meeting moved today", "meeting at 3") < 0.5
    assert sim("meeting moved to 5 pm", "meeting at 3", floor=0.5) == 0.0


def test_a_span_never_crosses_from_one_text_of_a_post_to_another():
    text = post_text(["dinner moved"], "team meeting")  # read text, then a caption
    assert strict_word_similarity(trigrams(fold("meeting dinner")), text) < 0.6
    assert strict_word_similarity(trigrams(fold("dinner moved")), text) == 1.0


def test_the_index_finds_visible_posts_best_first_and_forgets_deleted_ones():
    index = LexicalIndex()
    index.put(1, post_text([], "MEETING M0VED TO 5PM"))
    index.put(2, post_text([], "meeting moved to 5 pm"))
    index.put(3, post_text([], "meeting at 3"))
    index.put(4, post_text(["#food"], ""))
    found = index.search("meeting moved to 5 pm", None, limit=10)
    assert [pid for pid, _ in found] == [2, 1] and found[0][1] == 1.0
    assert [pid for pid, _ in index.search("meeting moved to 5 pm", {1, 3}, limit=10)] == [1]
    assert [pid for pid, _ in index.search("food", None, limit=10)] == [4]
    index.forget([2])
    assert [pid for pid, _ in index.search("meeting moved to 5 pm", None, limit=10)] == [1]
    index.put(1, post_text([], "nothing to see"))  # read again: the old words no longer match
    assert index.search("meeting moved to 5 pm", None, limit=10) == []
    assert [pid for pid, _ in index.search("nothing to see", None, limit=10)] == [1]
    assert index.search("", None, limit=10) == [] and len(index) == 3


def test_the_limit_keeps_the_best_matches():
    index = LexicalIndex()
    index.replace_all([(pid, post_text([], text)) for pid, text in
                       [(1, "sale end on friday night"), (2, "big sale ends today friday"), (3, "sale ends friday"),
                        (4, "sale")]])
    assert index.search("sale ends friday", None, limit=1) == [(3, 1.0)]
    assert [pid for pid, _ in index.search("sale ends friday", None, limit=5)] == [3, 2, 1]  # 4: under the floor


def test_compaction_after_many_changes_keeps_answers_right():
    index = LexicalIndex()
    for round_ in range(3):
        for pid in range(2000):
            index.put(pid, post_text([], f"ticket {pid} round {round_} word{pid % 7}"))
    assert index._stale <= max(index._live, 10_000)
    assert index.search("ticket 1234 round 2", None, limit=3)[0] == (1234, 1.0)
    assert index.search("ticket 5 round 2 word5", {5}, limit=3) == [(5, 1.0)]
    assert index.search("ticket 5 round 1 word5", {5}, limit=3)[0][1] < 0.9  # its old text is gone


def test_a_post_with_ten_words_of_read_text_takes_under_half_a_kilobyte():
    words = "meeting moved to five pm in room twelve see you".split()
    read = [" ".join(f"{w}{pid % 997}" if i % 3 == 0 else w for i, w in enumerate(words)) for pid in range(20_000)]
    tracemalloc.start()
    index = LexicalIndex()
    for pid, text in enumerate(read):
        index.put(pid, post_text([], text))
    word_trigrams.cache_clear()  # shared by all posts, bounded (8,192 words): not a post's share
    held, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert held / len(read) < 512, held / len(read)  # its folded text, its dict entry, ~50 postings of 4 bytes


def test_weighted_rrf_orders_by_both_rankings_and_ties_share_a_rank():
    fused = weighted_rrf([([[1], [2], [3]], 1.0), ([[3], [4]], 1.0)])
    assert sorted(fused, key=lambda p: -fused[p]) == [3, 1, 2, 4]
    assert fused[3] == pytest.approx(1 / 63 + 1 / 61)
    heavier = weighted_rrf([([[1], [2], [3]], 1.0), ([[3], [4]], 2.0)])
    assert sorted(heavier, key=lambda p: -heavier[p])[:2] == [3, 4]
    assert tiers([(7, 1.0), (8, 1.0), (9, 0.5)]) == [[7, 8], [9]]
    tied = weighted_rrf([([[7, 8], [9]], 1.0)])
    assert tied[7] == tied[8] == pytest.approx(1 / 61) and tied[9] == pytest.approx(1 / 63)


def test_a_query_in_quotes_weighs_the_words_more():
    assert words_weight('"meeting moved"') == 2.0 and words_weight("«réunion déplacée»") == 2.0
    assert words_weight("meeting moved") == 1.0 and words_weight('"') == 1.0


def fusion_world(find_floor: float = 0.5) -> World:
    return World(words={"meeting moved": CAT, "a dog": DOG, "\"meeting moved\"": CAT},
                 relevance=Relevance(floors=Floors(find=find_floor)))


def test_find_shows_a_photo_by_its_words_even_when_its_meaning_is_under_the_floor():
    w = fusion_world()
    w.add(1, features=SEA, text=CAT)  # its meaning matches, no words
    w.add(2, features=SKY, text=SKY)  # its meaning does not: its words do
    w.add(3, features=DOG, text=unit(1, 1, 0, 0))  # half the meaning, words under the floor
    w.retrieval.lexicon.put(2, post_text([], "THE MEETING M0VED TO 5PM"))
    w.retrieval.lexicon.put(3, post_text([], "greeting card"))
    hits = w.retrieval.find("meeting moved", "public", k=5)
    assert [h.post.id for h in hits] == [2, 1, 3]  # the words match first (both rankings hold it)
    assert hits[0].words == 1.0 and hits[0].score == pytest.approx(0.0, abs=1e-3) and hits[1].words == 0.0
    w.retrieval.relevance = Relevance(floors=Floors(find=0.9))
    assert [h.post.id for h in w.retrieval.find("meeting moved", "public", k=5)] == [2, 1]  # 3: under both floors


def test_words_are_matched_in_the_viewers_scope_only_with_or_without_a_query_photo():
    w = fusion_world(find_floor=0.9)
    w.add(1, features=SKY, text=SKY, scope="chat:-1001")
    w.add(2, features=SEA, text=SKY, scope="chat:-1002")
    for pid in (1, 2):
        w.retrieval.lexicon.put(pid, post_text([], "meeting moved"))
    assert [h.post.id for h in w.retrieval.find("meeting moved", "chat:-1001")] == [1]
    assert [h.post.id for h in w.retrieval.find("meeting moved", "chat:-1002")] == [2]
    assert w.retrieval.find("meeting moved", "public") == []
    # words with a photo say what to change ("at night"): a post whose words match them fits, in the
    # viewer's scope only, shown with the fused score (text and photo), not its words' match
    query = w.photo(DOG, sha="query bytes")
    with_photo = w.retrieval.find("meeting moved", "chat:-1001", photo=query)
    assert [h.post.id for h in with_photo] == [1] and with_photo[0].words == 0.0
    assert w.retrieval.find("meeting moved", "public", photo=query) == []


def test_find_scored_keeps_the_fused_order_with_the_meaning_score():
    w = fusion_world()
    w.add(1, features=SEA, text=CAT)
    w.add(2, features=SKY, text=SKY)
    w.retrieval.lexicon.put(2, post_text(["meeting moved"], ""))
    v = w.serving.view
    found = w.retrieval.find_scored(v, w.retrieval.encode_query('"meeting moved"', v), '"meeting moved"', "public",
                                    5, None, 0.5, True)
    assert [pid for pid, _ in found] == [2, 1] and found[1][1] == pytest.approx(1.0, abs=1e-3)
