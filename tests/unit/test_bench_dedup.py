"""`bench dedup`'s protocol on made-up candidates: folds keep a photo with its edits, thresholds are
scored on photos they were not tuned on."""
from types import SimpleNamespace

from bench.dedup import Query, cross_validate, threshold_grid, tune


def _photo(dataset, n, posted, cos, ham=30):
    """Two edits of one photo: posted ones must find post n, new ones nothing (their nearest is a look-alike)."""
    return [Query(dataset, f"p{n}", v, n if posted else None, [(n if posted else 1000 + n, cos, ham)])
            for v in ("jpeg", "crop")]


def test_a_photo_and_its_edits_are_scored_in_one_fold():
    queries = [q for n in range(20) for q in _photo("d", n, n % 2 == 0, 0.95 if n % 2 == 0 else 0.5)]
    result = cross_validate(queries, threshold_grid(), SimpleNamespace(folds=5, seed=1, min_precision=0.995))
    assert result["groups"] == 20 and len(result["thresholds_per_fold"]) == 5
    assert result["held_out"] == {"precision": 1.0, "recall": 1.0, "false_positives": 0, "misses": 0}


def test_of_equally_perfect_thresholds_tuning_keeps_the_strictest():
    # Copies at 0.95 and look-alikes at 0.85 (far hashes): 0.86 to 0.94 all score 100 %; the look-alikes
    # of photos not tuned on may come nearer than these did, so the bar goes as high as the copies allow.
    queries = [q for n in range(10) for q in _photo("d", n, n < 5, 0.95 if n < 5 else 0.85)]
    assert tune(queries, threshold_grid(), 0.995).min_cosine == 0.94
