"""/find by the words read in a photo (and its captions' words), with a real engine and Redis: scopes,
deletions, another process learning the text from the change log, a restart reading it again."""
from indexing.relevance import Relevance
from indexing.search import PhotoInput
from tests.conftest import wait_until

CHAT_A, CHAT_B = "chat:-1001", "chat:-1002"
NOTICE = "Team news\nTHE MEETING M0VED TO 5PM\nRoom 12"
PHRASE = "meeting moved to 5 pm"


def _add(engine, data, scope, captions=()):
    return engine.add_photo(PhotoInput(data=data, scope=scope, captions=list(captions))).post_id


def _collection(engine, samples, scope):
    """A few photos of a chat, one of them carrying the notice."""
    ids = {name: _add(engine, samples[name], scope) for name in ("coffee", "rocket", "chelsea", "coins", "page")}
    assert engine.put_read_text(ids["page"], "text", NOTICE, "en")
    engine.put_read_text(ids["coffee"], "text", "ESPRESSO BAR open 7-19", "en")
    engine.put_read_text(ids["rocket"], "none")
    return ids


def test_a_phrase_read_in_a_photo_finds_it_first_even_under_the_find_floor(engine_factory, samples):
    engine = engine_factory(relevance=Relevance.load())  # the shipped floors, as the bot answers
    ids = _collection(engine, samples, CHAT_A)
    for query in (PHRASE, f'"{PHRASE}"', "Meeting moved", "MEETING MOVED TO 5PM", "meeting mōved to 5 p.m."):
        hits = engine.find(query, CHAT_A, k=3)
        assert hits[0].post.id == ids["page"] and hits[0].words >= 0.75, query
    assert engine.find("espresso bar", CHAT_A, k=1)[0].post.id == ids["coffee"]
    # the words are what found it: its meaning alone is under the find floor
    floor = engine.relevance.floors_for(5).find
    assert engine.find(PHRASE, CHAT_A, k=3)[0].score < floor
    # a phrase the photo does not carry finds nothing by words (and nothing clears the find floor)
    assert all(h.words == 0.0 for h in engine.find("meeting cancelled tomorrow morning", CHAT_A, k=5))
    assert engine.find("quarterly budget review", CHAT_A, k=5) == []


def test_another_chats_photo_with_the_same_text_is_never_found(engine_factory, samples):
    engine = engine_factory(relevance=Relevance.load())
    mine = _collection(engine, samples, CHAT_A)
    theirs = _collection(engine, samples, CHAT_B)
    public = _add(engine, samples["moon"], "public")
    engine.put_read_text(public, "text", "meeting moved to 5 pm", "en")
    from_a = {h.post.id for h in engine.find(PHRASE, CHAT_A, k=10)}
    from_b = {h.post.id for h in engine.find(PHRASE, CHAT_B, k=10)}
    assert mine["page"] in from_a and public in from_a and not from_a & set(theirs.values())
    assert theirs["page"] in from_b and public in from_b and not from_b & set(mine.values())
    only_chat = engine.find(PHRASE, CHAT_A, k=10, include_public=False)
    assert {h.post.id for h in only_chat} <= set(mine.values()) and only_chat[0].post.id == mine["page"]
    assert {h.post.id for h in engine.find(PHRASE, "public", k=10)} == {public}


def test_a_deleted_or_forgotten_post_is_no_longer_found_by_its_words(engine_factory, samples):
    engine = engine_factory()
    ids = _collection(engine, samples, CHAT_A)
    assert engine.find(PHRASE, CHAT_A, k=1)[0].words > 0.75
    assert engine.forget_post(ids["page"])
    assert all(h.post.id != ids["page"] for h in engine.find(PHRASE, CHAT_A, k=10))
    assert all(h.words == 0.0 for h in engine.find(PHRASE, CHAT_A, k=10))
    assert not engine.put_read_text(ids["page"], "text", NOTICE)  # gone: nothing written
    assert engine.store.get_post(ids["page"]) is None
    other = _collection(engine, samples, CHAT_B)
    engine.forget_scope(CHAT_B)
    assert engine.find(PHRASE, CHAT_B, k=10) == [] and other["page"] not in engine.lexicon


def test_a_caption_s_words_find_its_photo(engine_factory, samples):
    engine = engine_factory(relevance=Relevance.load())
    ids = {name: _add(engine, samples[name], CHAT_A) for name in ("rocket", "coins", "moon")}
    food = _add(engine, samples["brick"], CHAT_A, captions=["#food"])  # bricks: nothing there looks like food
    hit = engine.find("food", CHAT_A, k=1)[0]
    assert hit.post.id == food and hit.words == 1.0
    engine.update_caption(CHAT_A, engine.store.get_post(food).sha256, ["#bricks"], ["bricks"])
    assert all(h.words == 0.0 for h in engine.find("food", CHAT_A, k=5))  # its new caption does not say it
    assert engine.find("bricks", CHAT_A, k=1)[0].post.id == food and len(ids) == 3


def test_another_process_learns_read_text_from_the_change_log_and_a_restart_reads_it_again(engine_factory,
                                                                                          samples):
    writer = engine_factory()
    reader = engine_factory().follow()
    try:
        ids = {name: _add(writer, samples[name], CHAT_A) for name in ("coffee", "rocket", "page")}
        assert wait_until(lambda: ids["page"] in reader.catalogue.live_ids())
        assert all(h.words == 0.0 for h in reader.find(PHRASE, CHAT_A, k=3))
        writer.store.put_read_text(ids["page"], "text", NOTICE, "en")  # as a reader worker without an engine writes it
        assert wait_until(lambda: ids["page"] in reader.lexicon)
        assert reader.find(PHRASE, CHAT_A, k=1)[0].post.id == ids["page"]
        writer.delete_posts([ids["page"]])
        assert wait_until(lambda: ids["page"] not in reader.lexicon)
        assert all(h.post.id != ids["page"] for h in reader.find(PHRASE, CHAT_A, k=3))
        writer.put_read_text(ids["rocket"], "text", PHRASE.upper(), "en")
    finally:
        reader.close()
    restarted = engine_factory()  # reads every post's words from Redis
    assert restarted.find(PHRASE, CHAT_A, k=1)[0].post.id == ids["rocket"]
    assert restarted.lexicon.text(ids["rocket"]) == "meeting moved to s pm" and len(restarted.lexicon) == 1
