"""The text part of the re-post rule: one text must hold the other (line by line, spaces and misreads
forgiven), and only two photos both read with text are told apart."""
from indexing.chats import Thresholds
from indexing.search.reposttext import MIN_TEXT_CHARS, lines_found, text_agrees

STORED = "WHEN THE CODE WORKS\nON THE FIRST TRY"
MATCH = Thresholds().min_text_match


def test_every_line_of_one_text_is_looked_for_in_the_other():
    assert lines_found(STORED, STORED) == 1.0
    assert lines_found(STORED, "WHEN THE CODE WORKS\nI LIED") < 0.3  # the same top line, another bottom one
    assert lines_found(STORED, "WHEN THE WIFI DROPS\nDURING THE FINAL") < MATCH  # shared words, other lines
    # a re-post's misreads: spaces dropped or added, a letter wrong, a watermark added, lines merged
    assert lines_found(STORED, "WHENTHE CODE WORKS\nON THEFIRST TRY\n@memes_daily") == 1.0
    assert lines_found(STORED, "WHEN THE C0DE W0RKS ON THE FIRST TRV") > 0.7
    assert lines_found("OK\nSEE YOU", "see you ok") == 1.0 and lines_found("OK\nSEE YOU", "see you") == 0.0


def test_one_text_holding_the_other_is_the_same_photo_another_line_on_each_side_is_not():
    assert text_agrees("text", "WHEN THE CODE WORKS\nON THE FIRST TRY\n@memes_daily", "text", STORED, MATCH)
    assert text_agrees("text", "WHEN THE CODE WORKS", "text", STORED, MATCH)  # a line lost on a smaller copy
    assert not text_agrees("text", "WHEN THE CODE WORKS\nI LIED", "text", STORED, MATCH)
    assert not text_agrees("text", "WHEN THE WIFI DROPS\nDURING THE FINAL", "text", STORED, MATCH)


def test_without_text_on_both_sides_the_image_rule_stands():
    for unknown in ("", "none", "unreadable", "error"):  # not read yet, text-free, unreadable, failed
        assert text_agrees("text", "something else entirely", unknown, "", MATCH)
        assert text_agrees(unknown, "", "text", STORED, MATCH)
    stray = "O" * (MIN_TEXT_CHARS - 1)  # a stray short reading on a photo says nothing
    assert text_agrees("text", stray, "text", STORED, MATCH) and text_agrees("text", STORED, "text", "5 !", MATCH)


def test_a_text_that_differs_is_read_flipped_back_before_the_photos_are_told_apart():
    from indexing.search.reposttext import agrees_as_read_or_flipped

    stored = ("text", "WHEN THE CODE WORKS\nON THE FIRST TRY")
    asked = []

    def flipped(read):
        return lambda: asked.append(1) or read

    assert agrees_as_read_or_flipped(("text", "when the code works on the first try"), stored, 0.45,
                                     flipped(("text", "garbage"))) and not asked  # agrees as read: not read again
    assert agrees_as_read_or_flipped(("text", "YRT TSRIF EHT NO"), stored, 0.45,
                                     flipped(("text", "WHEN THE CODE WORKS ON THE FIRST TRY")))  # a mirrored re-post
    assert not agrees_as_read_or_flipped(("text", "WHEN THE WIFI DROPS"), stored, 0.45,
                                         flipped(("none", "")))  # flipped reads nothing: still other words
    assert not agrees_as_read_or_flipped(("text", "WHEN THE WIFI DROPS"), stored, 0.45,
                                         flipped(("text", "2NbBI")))  # a stray flipped reading says nothing
    assert not agrees_as_read_or_flipped(("text", "WHEN THE WIFI DROPS"), stored, 0.45)
