from indexing.post import Post
from models.textfold import fold, similarity, trigrams


def test_fold_ignores_case_accents_punctuation_and_ocr_look_alikes():
    assert fold("Noël à Besançon : FÊTE des lumières!") == "noel a besancon fete des lumieres"
    assert fold("Meeting m0ved to 5 PM") == fold("meeting moved to s pm")
    assert fold("  \n ") == ""


def test_trigrams_pad_words_so_short_words_count():
    assert trigrams("on") == {"  o", " on", "on "}
    assert trigrams("") == set()


def test_similarity_tells_same_words_from_other_words():
    same = similarity("Meeting moved to 5 pm", "MEETING m0ved to 5pm.")
    other = similarity("When the code works", "When the coffee runs out")
    assert same > 0.7 > other
    assert similarity("Cat", "cat") == 1.0
    assert similarity("", "anything") == 0.0


def test_post_keeps_text_read_from_it_through_redis():
    post = Post(id=7, scope="s", sha256="x", phash=3, ocr_status="text", ocr_text="Fête\nà 5 pm", ocr_lang="fr")
    raw = {k.encode(): v.encode() for k, v in post.to_redis().items()}
    back = Post.from_redis(raw)
    assert (back.ocr_status, back.ocr_text, back.ocr_lang) == ("text", "Fête\nà 5 pm", "fr")
    unread = Post.from_redis({k.encode(): v.encode() for k, v in Post(id=8, scope="s", sha256="y", phash=0).to_redis().items()})
    assert (unread.ocr_status, unread.ocr_text) == ("", "")
