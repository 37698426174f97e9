"""What a user wrote, read (bot/parsing.py): a command's words, a photo caption's request, its hashtags."""
from bot.parsing import caption_hashtags, caption_request, caption_words, command_of, query_of, unquoted


def test_a_command_is_named_without_the_bots_username():
    assert command_of("/find@hashlens_bot dogs") == "find"
    assert command_of("/MAP") == "map"
    assert command_of("dogs /find") is None and command_of(None) is None and command_of("") is None


def test_quoted_queries_lose_their_quotes():
    assert query_of(['"dogs', "on", "a", 'beach"']) == "dogs on a beach"  # /find "dogs on a beach"
    assert query_of(["«neige»"]) == "neige"
    assert query_of([]) == "" and query_of(None) == ""
    assert unquoted("  “red bicycle” ") == "red bicycle"


def test_a_photo_caption_carries_its_command_and_words():
    assert caption_request('/find@hashlens_bot "at night"') == ("find", "at night")
    assert caption_request("/similar") == ("similar", "")
    assert caption_request("our cat #cats") == (None, "")
    assert caption_words("our cat") == "our cat" and caption_words("/hashtags") is None and caption_words(None) is None


def test_hashtags_in_a_caption_are_the_ones_written_as_such():
    assert caption_hashtags("sunset #Beach at #paris, not mail#box nor ##x") == ["Beach", "paris"]
    assert caption_hashtags(None) == []
