"""Collapsing copies in a ranked answer (indexing/distinct.py) on made-up vectors and hashes."""
from types import SimpleNamespace

import numpy as np

from indexing.chats import Thresholds
from indexing.distinct import distinct


def unit(*xs):
    v = np.array(xs, np.float32)
    return v / np.linalg.norm(v)


A, A_COPY, A_CROP = unit(1, 0, 0), unit(0.99, 0.1, 0), unit(0.85, 0.5, 0)  # A_CROP: cosine 0.86 with A
B, C = unit(0, 1, 0), unit(0, 0, 1)


def test_copies_collapse_to_the_best_ranked_and_k_distinct_photos_are_kept():
    ranked = [(1, 0.9), (2, 0.8), (3, 0.7), (4, 0.6), (5, 0.5)]
    features = np.array([A, A_COPY, B, A_CROP, C])
    hashes = [0b1111, 0b1111, 0xFF00, 0xF0F0F0F0, 0x0F0F]
    assert distinct(ranked, features, hashes, Thresholds(), k=5) == [(1, 0.9), (3, 0.7), (5, 0.5)]
    assert distinct(ranked, features, hashes, Thresholds(), k=2) == [(1, 0.9), (3, 0.7)]


def test_a_close_hash_needs_only_a_loose_cosine_and_unknown_features_are_never_copies():
    t = Thresholds()
    between = (t.min_cosine_with_hash + t.min_cosine) / 2  # a copy only with a near hash
    near = unit(between, np.sqrt(1 - between ** 2), 0)
    features = np.array([A, near])
    assert distinct([(1, 0.9), (2, 0.8)], features, [0, 0b111], Thresholds(), k=5) == [(1, 0.9)]
    assert distinct([(1, 0.9), (2, 0.8)], features, [0, 2**40 - 1], Thresholds(), k=5) == [(1, 0.9), (2, 0.8)]
    zeros = np.zeros((2, 3), np.float32)  # posts missing from the image index, same (zero) hash
    assert distinct([(1, 0.9), (2, 0.8)], zeros, [0, 0], Thresholds(), k=5) == [(1, 0.9), (2, 0.8)]


def test_copies_of_a_query_photo_are_left_out_including_mirrored_ones():
    query = SimpleNamespace(features=unit(0.6, 0, 0.8), phash=0xABCD, phash_mirror=0x1234)
    features = np.array([B, unit(0.6, 0.1, 0.8), C])
    ranked = [(1, 0.9), (2, 0.8), (3, 0.7)]
    assert distinct(ranked, features, [0, 0, 0xFFFF0000], Thresholds(), 5, [query]) == [(1, 0.9), (3, 0.7)]
    mirrored = np.array([B, unit(0.6, 0.7, 0.8)])  # cosine 0.82: a copy only through the mirror's hash
    assert distinct(ranked[:2], mirrored, [0xFFFF0000, 0x1234], Thresholds(), 5, [query]) == [(1, 0.9)]
    assert distinct(ranked[:2], mirrored, [0xFFFF0000, 0xFFFF00], Thresholds(), 5, [query]) == ranked[:2]
