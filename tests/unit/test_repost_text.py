"""The text part of the re-post rule: the stored text's lines found in the new photo's, and what
happens when one side has no text or was not read."""
from indexing.chats import Thresholds
from indexing.search.reposttext import MIN_TEXT_CHARS, lines_found, text_agrees

STORED = "WHEN THE CODE WORKS\nON THE FIRST TRY"
MATCH = Thresholds().min_text_match


def test_every_stored_line_must_be_found_in_the_new_text():
    assert lines_found(STORED, STORED) == 1.0
    assert lines_found(STORED, "WHEN THE CODE WORKS\nI LIED") < 0.3  # the same top line, another bottom one
    assert lines_found(STORED, "WHEN THE WIFI DROPS\nDURING THE FINAL") < MATCH  # shared words, other lines
    # a re-post's misreads: spaces dropped or added, a letter wrong, a watermark added, lines merged
    assert lines_found(STORED, "WHENTHE CODE WORKS\nON THEFIRST TRY\n@memes_daily") == 1.0
    assert lines_found(STORED, "WHEN THE C0DE W0RKS ON THE FIRST TRV") > 0.7
    assert lines_found("OK\nSEE YOU", "see you ok") == 1.0 and lines_found("OK\nSEE YOU", "see you") == 0.0


def test_texts_decide_only_when_both_photos_were_read():
    assert text_agrees("text", "WHEN THE CODE WORKS\nON THE FIRST TRY (2)", "text", STORED, MATCH)
    assert not text_agrees("text", "WHEN THE CODE WORKS\nI LIED", "text", STORED, MATCH)
    for unknown in ("", "unreadable", "error"):  # not read yet, or unreadable: the image rule alone
        assert text_agrees("text", "something else entirely", unknown, STORED, MATCH)
        assert text_agrees(unknown, "", "text", STORED, MATCH)
    assert text_agrees("none", "", "none", "", MATCH)  # both text-free: the image rule alone


def test_a_text_against_a_text_free_photo_differs_only_when_it_is_a_real_text():
    assert not text_agrees("none", "", "text", STORED, MATCH)  # a meme and its blank template
    assert not text_agrees("text", STORED, "none", "", MATCH)
    stray = "O" * (MIN_TEXT_CHARS - 1)  # a stray short reading on a photo is no text
    assert text_agrees("text", stray, "none", "", MATCH) and text_agrees("none", "", "text", "5 !", MATCH)
