"""Relevance floors, calibration maps and evidence weights (pure numpy, no server)."""

import json

import numpy as np
import pytest

from indexing.relevance import (DEFAULT_TABLE, NOTHING_CLOSE, TOO_FEW_POSTS, Answer, CalibrationTable, Floors,
                                Relevance, at_floor, choose_floor, expected_calibration_error, fit_isotonic,
                                reliability, unreachable, why_empty)


def test_isotonic_fit_is_monotone_and_pools_violators():
    xs, ys = fit_isotonic([0.1, 0.2, 0.3, 0.4], [0, 1, 0, 1])
    assert list(ys) == sorted(ys)
    # 0.2 (right) and 0.3 (wrong) violate the order: pooled into one block of precision 0.5
    assert xs == (0.1, 0.25, 0.4) and ys == (0.0, 0.5, 1.0)


def test_isotonic_fit_recovers_a_known_curve_within_its_knots():
    rng = np.random.default_rng(0)
    scores = rng.random(20000)
    labels = rng.random(20000) < scores ** 2  # P(right | s) = s^2
    xs, ys = fit_isotonic(scores, labels, max_points=12)
    assert len(xs) <= 12 and list(ys) == sorted(ys)
    table = CalibrationTable(10 ** 9, xs, ys)
    for s in (0.3, 0.5, 0.8):
        assert table(s) == pytest.approx(s ** 2, abs=0.06)


def test_reliability_bins_compare_prediction_and_observation():
    rows = reliability([0.05, 0.05, 0.95, 0.95], [0, 0, 1, 0], bins=10)
    assert [r["bin"] for r in rows] == ["0.0-0.1", "0.9-1.0"]
    assert rows[1]["predicted"] == 0.95 and rows[1]["observed"] == 0.5
    assert expected_calibration_error([0.05, 0.05, 0.95, 0.95], [0, 0, 1, 0]) == pytest.approx(0.25, abs=1e-3)


def test_at_floor_counts_what_users_see():
    answers = [[(0.9, True), (0.4, False)], [(0.3, False)], []]
    seen = at_floor(answers, 0.5)
    assert seen["answered"] == pytest.approx(1 / 3, abs=1e-3) and seen["precision"] == 1.0 and seen["top1"] == 1.0
    none = at_floor(answers, 0.95)
    assert none["answered"] == 0 and none["precision"] is None


def test_floor_must_hold_at_every_collection_size():
    big = [[(0.6, True)]] * 10 + [[(0.3, False)]] * 10  # scores mean the same at both sizes
    small = [[(0.45, False)]] * 10 + [[(0.7, True)]] * 10
    # 0.3 lets the big collection's wrong answers through, 0.45 the small one's; 0.5 is the first that holds
    assert choose_floor({6000: big, 14: small}, [0.2, 0.3, 0.4, 0.5, 0.6], target=0.9) == 0.5
    assert choose_floor({6000: big}, [0.2, 0.3, 0.4, 0.5, 0.6], target=0.9) == 0.4


def test_a_size_that_answers_almost_nothing_does_not_block_a_floor():
    answers = {14: [[(0.35, False)]] + [[]] * 50, 500: [[(0.5, True)]] * 20}
    assert choose_floor(answers, [0.3, 0.4], target=0.9, min_answered=5) == 0.3


def test_one_far_neighbour_is_not_the_whole_vote():
    rel = Relevance(vote_ref=0.5, vote_temperature=0.05, prior_mass=1.0)
    far = rel.neighbour_weights(np.array([0.3]))
    close = rel.neighbour_weights(np.array([0.8, 0.75, 0.7]))
    assert rel.evidence(far) < 0.05
    assert rel.evidence(close) > 0.99
    # the evidence grows with the number of equally close neighbours
    one, five = rel.neighbour_weights(np.array([0.5])), rel.neighbour_weights(np.full(5, 0.5))
    assert rel.evidence(one) == pytest.approx(0.5) and rel.evidence(five) == pytest.approx(5 / 6)


def test_zero_shot_trust_ramps_with_the_absolute_match():
    rel = Relevance(zero_shot_ramp=(0.2, 0.5))
    assert list(rel.zero_shot_trust(np.array([0.1, 0.35, 0.9]))) == pytest.approx([0.0, 0.5, 1.0])


def test_probability_uses_the_map_of_the_collection_size():
    small = CalibrationTable(30, (0.0, 0.2), (0.01, 0.05))
    large = CalibrationTable(10 ** 9, (0.0, 0.5, 1.0), (0.0, 0.4, 0.9))
    rel = Relevance(calibration=(small, large))
    assert rel.probability(0.1, visible_posts=14) == pytest.approx(0.03)
    assert rel.probability(0.1, visible_posts=6000) == pytest.approx(0.08)
    # above what the small collection ever saw (a near-copy of a stored photo): the larger map
    assert rel.probability(0.5, visible_posts=14) == pytest.approx(0.4)
    assert np.all(np.diff(rel.probability(np.linspace(0, 1, 50), 14)) >= -1e-9)
    assert rel.probability(np.array([2.0]), 14)[0] == pytest.approx(0.9)  # beyond every map: its last value


def test_no_calibration_means_raw_scores_clipped():
    assert list(Relevance().probability(np.array([-0.2, 0.3, 1.7]), 10)) == [0.0, 0.3, 1.0]


def test_tables_round_trip_through_json():
    rel = Relevance(floors=Floors(similar=0.6, find=0.5, captions=0.55, hashtags=0.4),
                    calibration=(CalibrationTable(30, (0.0, 0.2), (0.0, 0.1)),), vote_ref=0.6)
    back = Relevance.from_json(rel.to_json())
    assert back == rel and back.raw().floors == Floors() and back.raw().calibration == ()


def test_the_shipped_table_is_sane():
    rel = Relevance.load(DEFAULT_TABLE)
    assert rel.source == str(DEFAULT_TABLE)
    data = json.loads(DEFAULT_TABLE.read_text())
    assert set(data["floors"]) == {"similar", "find", "captions", "hashtags", "find_other_language"}
    assert 0 < rel.floors.find_other_language < 1 and 0 < rel.floors.find < 1
    assert 0 < rel.floors.hashtags < 1 and 0 < rel.floors.similar < 1
    for table in rel.calibration:
        assert list(table.xs) == sorted(table.xs) and list(table.ys) == sorted(table.ys)
        assert all(0 <= y <= 1 for y in table.ys)
    assert [t.max_posts for t in rel.calibration] == sorted(t.max_posts for t in rel.calibration)


def test_an_empty_answer_says_why():
    assert Answer([], why_empty(14)).why_empty == TOO_FEW_POSTS
    assert Answer([], why_empty(6000)).why_empty == NOTHING_CLOSE
    assert Answer([1], why_empty(14)).why_empty is None and Answer([1, 2]) == [1, 2]


def test_a_kind_is_withheld_at_the_sizes_where_no_floor_reaches_the_target():
    bad = [[(0.9, False), (0.8, True)]] * 20  # 50 % at best, whatever the floor
    good = [[(0.9, True)]] * 20
    assert unreachable(bad, [0.5, 0.7], target=0.6)
    assert not unreachable(good, [0.5, 0.7], target=0.6)
    rel = Relevance(floors=Floors(captions=0.7), size_floors=(("captions", 30, 181, None),
                                                              ("captions", 182, 10 ** 9, 0.6)))
    assert rel.floors_for(64).captions == float("inf") and rel.floors_for(6000).captions == 0.6
    assert rel.floors_for(10).captions == 0.7
    assert rel.floors_for(64).similar == rel.floors.similar
    assert Relevance.from_json(rel.to_json()) == rel


def test_with_learned_heads_only_the_image_floor_holds():
    from indexing.relevance import CalibrationTable, Floors, Relevance

    table = Relevance(floors=Floors(similar=0.6, find=0.5, captions=0.8, hashtags=0.45),
                      calibration=(CalibrationTable(100, (0.0, 1.0), (0.0, 0.5)),),
                      size_floors=(("captions", 0, 10, 0.3),))
    learned = table.with_learned_heads()
    assert learned.floors_for(5) == Floors(similar=0.6)  # find, captions, hashtags: unmeasured with heads
    assert learned.probability([0.8], 50)[0] == 0.8  # no cold-start calibration map on the heads' scores
    assert learned.vote_ref == table.vote_ref  # the evidence weights are not floors: they stay
