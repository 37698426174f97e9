"""What the hashtag benchmarks score a held-out photo or caption against."""
from pathlib import Path

from bench.hashtags import truth_tags
from bench.text2tags import query_and_truth
from indexing.sources import SourceItem


def _item(tags=(), captions=()):
    return SourceItem(path=Path("x.jpg"), captions=list(captions), tags=list(tags))


def test_photographer_tags_are_the_truth_where_the_data_has_them():
    tagged = _item(tags=["#Tacos", "lime"], captions=["Tacos With Lime"])
    untagged = _item(captions=["Chicken Burrito"])
    assert truth_tags(tagged, tagged_data=True) == {"tacos", "lime"}
    # an untagged photo in a tagged data set has no truth: its title is not its tags
    assert truth_tags(untagged, tagged_data=True) == set()
    assert query_and_truth(untagged, tagged_data=True) is None
    assert query_and_truth(tagged, tagged_data=True) == ("Tacos With Lime", {"tacos", "lime"})


def test_caption_words_are_the_truth_where_the_data_has_no_tags():
    item = _item(captions=["A dog runs on the beach", "Two dogs play in the sand"])
    assert truth_tags(item, tagged_data=False) == {"dog", "runs", "beach", "dogs", "play", "sand"}
    # one caption is typed, the others' content words are what it should get
    assert query_and_truth(item, tagged_data=False) == ("A dog runs on the beach", {"dogs", "play", "sand"})
    assert query_and_truth(_item(captions=["only one caption"]), tagged_data=False) is None
