"""The search facade against a real Redis server, real encoders, photos made or shipped by packages."""

import numpy as np
import pytest
from PIL import Image, ImageEnhance, ImageOps

from indexing.errors import BadImageError, EmptyQueryError, UnknownPostError
from indexing.holdout import held_out
from indexing.search import PhotoInput
from tests.conftest import BACKENDS, jpeg_bytes, sample_image
from tests.topologies import redis_topology  # noqa: F401 - these tests run on a single server and a cluster

CHAT_A, CHAT_B = "chat:-1001", "chat:-1002"


@pytest.fixture(params=BACKENDS)
def vector_backend(request):
    """Every engine of these tests on hnswlib, then on Milvus Lite (the contract holds on both)."""
    return request.param


def _add(engine, data, scope="public", captions=(), tags=(), **kw):
    return engine.add_photo(PhotoInput(data=data, scope=scope, captions=list(captions), tags=list(tags), **kw)).post_id


@pytest.fixture
def catalogue(engine, samples):
    """A small public catalogue with captions and tags."""
    ids = {
        "coffee": _add(engine, samples["coffee"], captions=["a cup of espresso coffee on a saucer"], tags=["coffee", "cafe"]),
        "chelsea": _add(engine, samples["chelsea"], captions=["a tabby cat lying down"], tags=["cat", "pets"]),
        "rocket": _add(engine, samples["rocket"], captions=["a rocket launching into the sky"], tags=["space", "rocket"]),
        "astronaut": _add(engine, samples["astronaut"], captions=["an astronaut in a space suit with a flag"], tags=["space", "nasa"]),
        "coins": _add(engine, samples["coins"], captions=["old coins on a table"], tags=["money"]),
    }
    return ids


def test_similar_returns_scored_neighbours_and_excludes_a_stored_query(engine, catalogue, samples):
    hits = engine.similar(catalogue["rocket"], "public", k=3)
    assert hits and all(h.post.id != catalogue["rocket"] for h in hits)
    assert all(-1.0 <= h.score <= 1.0 for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    # The stored photo sent again (the same bytes, or re-compressed) is that photo, not a similar one.
    for again in (samples["chelsea"], jpeg_bytes(sample_image("chelsea"), quality=40)):
        hits = engine.similar(again, "public", k=4)
        assert len(hits) == 4 and catalogue["chelsea"] not in {h.post.id for h in hits}


def test_find_text_ranks_the_matching_photo_first(engine, catalogue):
    assert engine.find("espresso", "public", k=1)[0].post.id == catalogue["coffee"]
    assert engine.find("a cat", "public", k=1)[0].post.id == catalogue["chelsea"]


def test_find_text_plus_photo_combines_both(engine, catalogue, samples):
    hits = engine.find("space", "public", k=2, photo=samples["astronaut"])
    # the other space photo first; the query photo itself (stored byte for byte) never comes back
    assert hits[0].post.id == catalogue["rocket"] and catalogue["astronaut"] not in {h.post.id for h in hits}


def test_like_this_but_at_night_answers_with_the_shipped_floors(engine_factory, samples):
    """The README's text + photo query, as a newcomer types it in reply to a photo, on captioned photos
    and the relevance table the bot ships: the photos that fit the words, best first by the fused score
    shown under them; "nothing fits" only when no photo fits the words."""
    from indexing.relevance import NOTHING_CLOSE, TOO_FEW_POSTS, Relevance

    engine = engine_factory(relevance=Relevance.load())
    captions = {"moon": "the full moon at night", "hubble_deep_field": "stars and galaxies in the sky at night",
                "astronaut": "an astronaut in a space suit", "coffee": "a cup of espresso coffee on a saucer",
                "chelsea": "a tabby cat lying down", "coins": "old coins on a table",
                "camera": "a man with a camera in a park", "brick": "a red brick wall", "grass": "green grass"}
    night = {_add(engine, samples[name], scope=CHAT_A, captions=[caption]) for name, caption in captions.items()
             if "at night" in caption}
    for query in ("like this one, but at night", "at night"):
        hits = engine.find(query, CHAT_A, k=5, photo=samples["rocket"])  # the photo replied to, never stored
        assert hits and {h.post.id for h in hits} <= night, (query, [(h.post.captions, h.score) for h in hits])
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
        assert all(h.words == 0.0 for h in hits)  # the number shown is the fused match, the order's
    nothing = engine.find("like this one, but underwater", CHAT_A, k=5, photo=samples["rocket"])
    assert nothing == [] and nothing.why_empty in (TOO_FEW_POSTS, NOTHING_CLOSE)


def test_uncaptioned_photos_are_found_through_the_class_bridge(engine, samples):
    pid = _add(engine, samples["coffee"])
    _add(engine, samples["rocket"])
    _add(engine, samples["moon"])
    assert engine.find("a cup of coffee", "public", k=1)[0].post.id == pid


def test_hashtags_vote_from_similar_tagged_posts(engine, catalogue):
    copy = jpeg_bytes(sample_image("coffee").resize((300, 200)), quality=50)
    tags = engine.hashtags(copy, "public", k=5)
    assert tags[0].tag in {"coffee", "cafe"}
    assert tags[0].reason == "neighbours" and tags[0].count >= 1 and 0 < tags[0].score <= 1


def test_hashtags_with_nothing_tagged_come_from_imagenet_classes(engine, samples):
    tags = engine.hashtags(samples["coffee"], "public")
    assert tags and tags[0].tag == "espresso" and tags[0].reason == "imagenet"


def test_captions_of_a_photo(engine, catalogue, samples):
    caps = engine.captions(jpeg_bytes(sample_image("chelsea"), quality=60), "public", k=3)
    assert caps[0].caption == "a tabby cat lying down"  # the near duplicate's own caption first
    caps = engine.captions(catalogue["rocket"], "public", k=3)
    assert caps and all(c.post_id != catalogue["rocket"] for c in caps)


def test_duplicates_survive_common_repost_edits(engine, samples):
    original = sample_image("astronaut")
    pid = _add(engine, jpeg_bytes(original), scope=CHAT_A)
    _add(engine, samples["rocket"], scope=CHAT_A)
    w, h = original.size
    edits = {
        "jpeg30": jpeg_bytes(original, quality=30),
        "half": jpeg_bytes(original.resize((w // 2, h // 2))),
        "crop85": jpeg_bytes(original.crop((int(w * .075), int(h * .075), int(w * .925), int(h * .925)))),
        "brighter": jpeg_bytes(ImageEnhance.Brightness(original).enhance(1.25)),
        "border": jpeg_bytes(ImageOps.expand(original, 20, fill="white")),
        "mirror": jpeg_bytes(ImageOps.mirror(original)),
    }
    for name, data in edits.items():
        match = engine.duplicate_of(data, CHAT_A)
        assert match is not None and match.post.id == pid, name
    for other in ("coffee", "chelsea", "coins", "camera"):
        assert engine.duplicate_of(samples[other], CHAT_A) is None, other


def test_scopes_never_leak_between_chats(engine, samples):
    secret = _add(engine, samples["chelsea"], scope=CHAT_B, captions=["my secret cat"], tags=["secretcat"])
    mine = _add(engine, samples["coffee"], scope=CHAT_A, captions=["my coffee"], tags=["mycoffee"])
    public = _add(engine, samples["rocket"], scope="public", captions=["a rocket"], tags=["rocket"])
    query = jpeg_bytes(sample_image("chelsea"), quality=50)
    seen_ids = set()
    seen_ids |= {h.post.id for h in engine.similar(query, CHAT_A, k=10)}
    seen_ids |= {h.post.id for h in engine.find("secret cat", CHAT_A, k=10)}
    seen_ids |= {h.post.id for h in engine.find("cat", CHAT_A, k=10, photo=query)}
    seen_ids |= {c.post_id for c in engine.captions(query, CHAT_A, k=10)}
    assert secret not in seen_ids and {mine, public} <= seen_ids
    assert all(t.tag != "secretcat" for t in engine.hashtags(query, CHAT_A, k=20, min_score=0))
    assert engine.duplicate_of(query, CHAT_A, include_public=True) is None
    assert engine.duplicate_of(query, CHAT_B).post.id == secret
    assert engine.similar(query, "public", k=10)[0].post.id == public  # public sees neither chat


def test_scope_isolation_holds_on_the_hnsw_path_too(engine_factory, samples):
    engine = engine_factory(exact_search_max_posts=2)  # force filtered HNSW instead of exact search
    others = [name for name in samples if name != "chelsea"][:12]  # distinct photos (noise photos are copies)
    for n, name in enumerate(others):
        _add(engine, samples[name], scope=CHAT_A if n % 2 else "public")
    secret = _add(engine, samples["chelsea"], scope=CHAT_B)
    hits = engine.similar(samples["chelsea"], CHAT_A, k=20)
    assert len(hits) == 12 and secret not in {h.post.id for h in hits}


def test_same_bytes_twice_in_a_scope_are_stored_once(engine, samples):
    first = engine.add_photo(PhotoInput(samples["coins"], scope=CHAT_A))
    again = engine.add_photo(PhotoInput(samples["coins"], scope=CHAT_A))
    other_chat = engine.add_photo(PhotoInput(samples["coins"], scope=CHAT_B))
    assert first.created and not again.created and again.post_id == first.post_id
    assert other_chat.created and other_chat.post_id != first.post_id


def test_restart_loads_snapshots_and_catches_up_with_redis(engine_factory, samples):
    engine = engine_factory()
    a = _add(engine, samples["coffee"], captions=["coffee"])
    b = _add(engine, samples["rocket"])
    engine.publish_release()
    c = _add(engine, samples["chelsea"], captions=["a cat"])  # after the snapshot
    engine.delete_posts([b])
    reopened = engine_factory()
    assert set(reopened.image_index.labels().tolist()) == {a, c}
    assert reopened.find("a cat", "public", k=1)[0].post.id == c
    assert reopened.similar(samples["rocket"], "public", k=5)[0].post.id != b


def test_forget_deletes_a_chat_and_nothing_else(engine, samples):
    kept = _add(engine, samples["coffee"], scope=CHAT_B, tags=["x"])
    for name in ("chelsea", "rocket"):
        _add(engine, samples[name], scope=CHAT_A, tags=["gone"])
    assert engine.forget_scope(CHAT_A) == 2
    assert engine.store.count(CHAT_A) == 0 and engine.store.count(CHAT_B) == 1
    assert engine.store.tag_counts([CHAT_A]) == {}
    assert [h.post.id for h in engine.similar(samples["chelsea"], CHAT_B, k=5)] == [kept]


def test_bad_input_is_refused_clearly_and_changes_nothing(engine, catalogue, samples):
    before = engine.store.count()
    for bad in (b"", b"not an image", samples["coffee"][:200]):
        with pytest.raises(BadImageError):
            engine.add_photo(PhotoInput(bad))
        with pytest.raises(BadImageError):
            engine.similar(bad, "public")
    with pytest.raises(EmptyQueryError):
        engine.find("   ", "public")
    with pytest.raises(UnknownPostError):
        engine.similar(999_999, "public")
    with pytest.raises(ValueError):
        engine.similar(samples["coffee"], "chat:abc")
    assert engine.store.count() == before
    huge = engine.find("word " * 5000, "public", k=1)  # huge text is cut, not fatal
    assert len(huge) == 1


def test_empty_index_answers_with_nothing(engine, samples):
    assert engine.similar(samples["coffee"], "public") == []
    assert engine.find("anything", "public") == []
    assert engine.captions(samples["coffee"], "public") == []
    assert engine.duplicate_of(samples["coffee"], "public") is None


def test_refit_projector_improves_text_search_on_captioned_posts(engine):
    rng = np.random.default_rng(0)
    # Two visual kinds (red-ish noise, blue-ish noise) with two kinds of captions.
    def photo(kind, seed):
        base = np.array([200, 40, 40] if kind == "red" else [40, 40, 200], np.float32)
        arr = np.clip(base + rng.normal(0, 40, (60, 80, 3)), 0, 255).astype(np.uint8)
        return jpeg_bytes(Image.fromarray(arr).resize((320, 240)))
    captioned = []
    for i in range(40):
        kind = "red" if i % 2 else "blue"
        caption = "a glowing red sunset over fire" if kind == "red" else "a deep blue ocean under water"
        captioned.append(_add(engine, photo(kind, i), captions=[caption]))
    red_query = _add(engine, photo("red", 100))  # no captions: only the bridge can rank these two
    blue_query = _add(engine, photo("blue", 101))
    assert engine.refit_projector(min_captioned=10) is not None
    # (noise photos of one colour are copies of each other to the features: `find` shows one of them,
    # so the two uncaptioned ones are compared as `find` scores them)
    red_score, blue_score = engine.text_match("red fire", [red_query, blue_query])
    assert red_score > blue_score
    red_score, blue_score = engine.text_match("blue water", [red_query, blue_query])
    assert blue_score > red_score
    private = _add(engine, photo("red", 102), scope="chat:-77", captions=["a secret"])
    assert engine.refit_projector(min_captioned=10) is not None
    # neither the chat's captioned photo nor the held-out tenth (the retrain's yardstick) feeds the bridge
    trainable = [i for i in captioned if not held_out(i)]
    assert len(engine.projector.bank) == engine.projector.fitted_on == len(trainable) < 40
    assert private not in {h.post.id for h in engine.find("red fire", "public", k=50)}


def test_redis_down_is_a_clear_error_and_the_engine_recovers_when_it_returns(tmp_path, encoders, samples,
                                                                              session_dir):
    from indexing.errors import StorageUnavailableError
    from indexing.keys import Keys
    from indexing.redis_server import EmbeddedRedis, connect
    from indexing.service import build_engine
    from indexing.store import PostStore

    client, server = connect(None, tmp_path / "r")
    engine = build_engine(PostStore(client, Keys("down")), encoders, session_dir / "models")
    kept = _add(engine, samples["coffee"], captions=["a coffee"])
    server.stop()
    with pytest.raises(StorageUnavailableError):
        engine.add_photo(PhotoInput(samples["rocket"]))
    with pytest.raises(StorageUnavailableError):
        engine.find("coffee", "public")
    assert len(engine.image_index) == 1  # nothing half-added while Redis was away
    server = EmbeddedRedis(tmp_path / "r").start()  # same data dir: the AOF brings the post back
    try:
        assert engine.find("coffee", "public", k=1)[0].post.id == kept
        assert engine.add_photo(PhotoInput(samples["rocket"])).created
    finally:
        server.stop()


def test_learned_heads_plug_in_survive_a_restart_and_fall_back_when_damaged(engine_factory, caplog):
    from models.training import train_heads

    engine = engine_factory()
    rng = np.random.default_rng(1)

    def photo(kind):
        base = np.array([200, 40, 40] if kind == "red" else [40, 40, 200], np.float32)
        arr = np.clip(base + rng.normal(0, 40, (60, 80, 3)), 0, 255).astype(np.uint8)
        return jpeg_bytes(Image.fromarray(arr).resize((320, 240)))
    texts = {"red": "a glowing red sunset over fire", "blue": "a deep blue ocean under water"}
    tags = {"red": ["sunset", "fire"], "blue": ["ocean", "water"]}
    for kind in texts:
        for _ in range(20):
            _add(engine, photo(kind), captions=[texts[kind]], tags=tags[kind])
    _add(engine, photo("red"), scope="chat:-5", captions=["a secret"], tags=["secret"])
    red, blue = _add(engine, photo("red")), _add(engine, photo("blue"))
    data = engine.training_data()
    assert len(data.features) == 42 and data.captioned == 40  # public posts only: the chat's post stays out
    heads = train_heads(data, members=1, min_captioned=10, min_tagged=10, min_tag_count=3)
    installed = engine.install_heads(heads, "v-test")
    assert (installed["projector"], installed["hashtag_head"]) == ("v-test", "v-test")
    assert engine.release_version == installed["release"]  # published: other processes swap to it
    assert engine.refit_projector(min_captioned=10) is None  # the cold start does not overwrite it

    def check(e):
        # noise photos of one colour are copies of each other to the features: compared as `find` scores them
        red_score, blue_score = e.text_match("red fire", [red, blue])
        assert red_score > blue_score
        red_score, blue_score = e.text_match("blue water", [red, blue])
        assert blue_score > red_score
        suggested = e.hashtags(photo("red"), "public", k=4)
        assert {t.tag for t in suggested[:2]} == {"sunset", "fire"}
        assert "secret" not in {t.tag for t in e.hashtags(photo("red"), "public", k=20, min_score=0)}

    check(engine)
    reopened = engine_factory()  # a restart: both heads come back from Redis
    assert (reopened.projector_version, reopened.hashtag_head_version) == ("v-test", "v-test")
    check(reopened)
    found = reopened.find("a deep blue ocean", "public", k=5)  # captions are searched in the same space
    assert found and found[0].post.captions == [texts["blue"]]

    # Damaged artifacts: the next start falls back to the cold start, says so in the log, still answers.
    engine.store.r.set(engine.store.keys.artifact("projector", "v-test"), b"garbage")
    engine.store.r.set(engine.store.keys.artifact("hashtag-head", "v-test"), b"garbage")
    with caplog.at_level("ERROR"):
        fallback = engine_factory()
    assert (fallback.projector_version, fallback.hashtag_head_version) == ("none", "none")
    assert "projector artifact v-test is unreadable" in caplog.text and "hashtag head v-test" in caplog.text
    assert fallback.find("red fire", "public", k=3) and fallback.hashtags(photo("red"), "public")

    heads.projector.input_model = "another-model"  # heads for other features are refused, never mixed in
    with pytest.raises(ValueError, match="another-model"):
        fallback.install_heads(heads)


def test_blocklisted_hashtags_are_never_suggested(engine_factory, samples):
    engine = engine_factory(hashtag_blocklist=["#Spam", "nsfw"])
    _add(engine, samples["coffee"], tags=["coffee", "spam", "NSFW"])
    suggested = {t.tag for t in engine.hashtags(samples["coffee"], "public", k=20, min_score=0)}
    assert "coffee" in suggested and not suggested & {"spam", "nsfw"}
