"""What `bench similar` scores: precision and average precision of toy rankings, and its relevance rules."""
import numpy as np
import pytest

from bench.ranking_metrics import average_precision, mean_percent, precision_at
from bench.similar import exact_neighbours, score, without_similar_floor
from bench.similar_truth import (caption_categories, jaccard_at_least, relevance_matrix, rules_for,
                                 shares_label, shares_specific_label)
from indexing.relevance import Floors, Relevance


def test_precision_counts_only_what_is_shown():
    assert precision_at([True, False, True, True], 1) == 1.0
    assert precision_at([False, True, True, True], 4) == 0.75
    # a floor cut the answer to two results: the share of those two, not padded with misses
    assert precision_at([True, False], 4) == 0.5
    assert precision_at([], 4) is None


def test_average_precision_of_known_rankings():
    assert average_precision([True, True, False], n_relevant=2) == 1.0
    # relevant at ranks 2 and 4: (1/2 + 2/4) / 2
    assert average_precision([False, True, False, True], n_relevant=2) == pytest.approx(0.5)
    # a third relevant photo never ranked counts as a miss
    assert average_precision([True, False, True], n_relevant=3) == pytest.approx((1 + 2 / 3) / 3)
    # at most k can be found in the top k: 10 relevant of 50, all ten ranked first is perfect
    assert average_precision([True] * 10, n_relevant=50, k=10) == 1.0
    assert average_precision([False] * 10 + [True], n_relevant=1, k=10) == 0.0
    with pytest.raises(ValueError):
        average_precision([False], n_relevant=0)


def test_mean_percent_skips_queries_without_a_value():
    assert mean_percent([1.0, 0.5, None]) == 75.0
    assert mean_percent([None]) is None


def test_caption_categories_need_two_captions():
    captions = ["A dog runs on the beach", "Two dogs play in the sand", "A puppy on grass"]
    # dog: 3 captions; beach: 2 (beach, sand); grass: only 1
    assert caption_categories(captions) == {"dog", "beach"}
    assert caption_categories(["A man stands"] * 5) == frozenset()


def test_relevance_rules():
    a, b, c = frozenset({"food", "tacos", "lime"}), frozenset({"food", "tacos"}), frozenset({"food", "cake"})
    assert shares_label(a, c) and not shares_label(b, frozenset({"cake"}))
    assert jaccard_at_least(0.5)(a, b) and not jaccard_at_least(0.5)(a, c)  # 2/3 and 1/4
    # "food" is on every photo: broad, so sharing it is not specific; "tacos" is on 2 of 50
    labels = [a, b, c] + [frozenset({"food", f"dish{n}"}) for n in range(47)]
    specific = shares_specific_label(labels)
    assert specific(a, b) and not specific(a, c)
    assert set(rules_for("curated_tags", labels)) == set(rules_for("captions", labels)) == {"shared", "strict"}


def test_relevance_matrix_never_relates_a_photo_to_itself_or_an_unlabelled_one():
    labels = [frozenset({"dog"}), frozenset({"dog", "beach"}), frozenset(), frozenset({"snow"})]
    m = relevance_matrix(labels, shares_label)
    assert m.tolist() == [[False, True, False, False], [True, False, False, False],
                          [False] * 4, [False] * 4]


def test_score_of_toy_answers():
    # photos 0,1,2 are dogs, 3 is snow (it has no relevant photo: counted, not scored)
    relevant = relevance_matrix([frozenset({"dog"})] * 3 + [frozenset({"snow"})], shares_label)
    shown = [[1], [3, 0], [], [0]]  # photo 2's answer was emptied by the floor
    ranked = [[1, 2, 3], [3, 0, 2], [3, 0, 1], [0, 1, 2]]
    out = score(relevant, shown, ranked, ranked, k=2)
    assert out["queries"] == 3 and out["no_relevant"] == 1
    assert out["answer"] == {"answered": 2, "nothing_fits": 1, "P@1": 50.0, "P@2": 75.0, "shown_per_answer": 1.5}
    # APs: 1.0, (1/2 + 2/3) / 2, (1/2 + 2/3) / 2
    assert out["ranking"]["mAP@10"] == round(100 * (1 + 7 / 6) / 3, 2)
    assert out["ranking"]["P@1"] == round(100 / 3, 2) and out["ranking"]["P@2"] == round(100 * 2 / 3, 2)


def test_exact_neighbours_leave_the_query_out():
    x = np.array([[1, 0], [0.8, 0.6], [0, 1], [0.6, 0.8]], np.float32)
    assert exact_neighbours(x, 2) == [[1, 3], [3, 0], [3, 1], [1, 2]]


def test_the_floor_is_lifted_for_the_ranking_only():
    shipped = Relevance(floors=Floors(similar=0.6, find=0.4), size_floors=(("similar", 0, 10, 0.9),
                                                                           ("captions", 0, 10, 0.5)))
    lifted = without_similar_floor(shipped)
    assert lifted.floors_for(5).similar == -1.0 and lifted.floors_for(5).captions == 0.5
    assert lifted.floors.find == 0.4 and shipped.floors_for(5).similar == 0.9
