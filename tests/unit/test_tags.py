import pytest

from models.tags import normalize_tag, normalize_tags


@pytest.mark.parametrize("raw, expected", [
    ("#Beach", "beach"), ("  beach ", "beach"), ("＃ＢＥＡＣＨ", "beach"), ("#food-porn", "food_porn"),
    ("New York", "newyork"), ("#Ça_va", "ça_va"), ("#привет", "привет"), ("#東京", "東京"),
    ("#2024", None), ("###", None), ("", None), ("#!!!", None), ("#foo_2024", "foo_2024"),
])
def test_normalize_tag(raw, expected):
    assert normalize_tag(raw) == expected


def test_normalize_tags_dedups_in_order_and_blocklists():
    assert normalize_tags(["#Food", "food", "#Yummy", "spam"], blocklist=frozenset({"spam"})) == ["food", "yummy"]


def test_overlong_tag_is_cut():
    assert len(normalize_tag("a" * 500)) == 64


def test_content_words_drop_stop_words_and_numbers():
    from models.tags import content_words

    assert content_words("A dog is running on the beach with 2 other dogs.") == ["dog", "running", "beach", "dogs"]
    assert content_words("") == [] and content_words("🐶🐶") == []
