"""Search and hashtags in the user's language, on a small collection the test makes."""
import numpy as np
import pytest

from indexing.migration.captions import migrate_caption_vectors, posts_to_migrate
from indexing.relevance import Relevance
from indexing.search import EngineOptions, PhotoInput
from indexing.service import build_engine
from models.registry import get_text_encoder


def _add(engine, data, scope, captions=(), tags=()):
    return engine.add_photo(PhotoInput(data=data, scope=scope, captions=list(captions), tags=list(tags))).post_id


ENGLISH = [
    ("coffee", "a cup of espresso coffee on a saucer with a spoon"),
    ("chelsea", "a tabby cat lying on the floor"),
    ("rocket", "a rocket on its launch pad before lift-off"),
    ("astronaut", "an astronaut in a space suit in front of a flag"),
    ("coins", "old coins on a dark background"),
    ("moon", "the surface of the moon with craters"),
    ("brick", "a red brick wall"),
]


@pytest.mark.parametrize("lang, query, photo", [
    ("fr", "une tasse de café", "coffee"),
    ("fr", "un chat couché par terre", "chelsea"),
    ("es", "un gato tumbado en el suelo", "chelsea"),
    ("es", "un astronauta con su traje espacial", "astronaut"),
    ("ru", "ракета на стартовой площадке", "rocket"),
    ("ru", "старинные монеты", "coins"),
])
def test_a_query_in_the_users_language_finds_its_photo_among_english_captions(engine, samples, lang, query,
                                                                                photo):
    ids = {name: _add(engine, samples[name], "chat:7", [caption]) for name, caption in ENGLISH}
    found = engine.find(query, "chat:7", k=3, language=lang)
    assert found and found[0].post.id == ids[photo], [h.post.captions for h in found]
    # the same query with no hint at all: a sentence says which language it is in
    assert engine.find(query, "chat:7", k=1)[0].post.id == ids[photo]


def test_a_french_caption_feeds_hashtags_and_finds_its_photo_from_an_english_query(engine, samples):
    rows = [("chelsea", "un chat tigré allongé par terre", ["chat", "animaux"]),
            ("coffee", "un petit café serré dans sa tasse", ["café", "petitdej"]),
            ("rocket", "une fusée sur son pas de tir", ["espace", "fusée"]),
            ("brick", "un mur de briques rouges", ["mur", "texture"])]
    ids = {name: _add(engine, samples[name], "chat:8", [c], t) for name, c, t in rows}
    tags = [t.tag for t in engine.text_hashtags("mon chaton fait la sieste", "chat:8", k=3, language="fr")]
    assert tags and tags[0] in {"chat", "animaux"}, tags  # from the French caption nearest, kept as written
    tags = [t.tag for t in engine.text_hashtags("an espresso before work", "chat:8", k=3)]
    assert tags and tags[0] in {"café", "petitdej"}, tags
    assert engine.find("a launch pad", "chat:8", k=1)[0].post.id == ids["rocket"]
    assert engine.find("mur de briques", "chat:8", k=1, language="fr")[0].post.id == ids["brick"]


def test_scores_mean_the_same_in_every_language(engine, samples):
    """The French query's best match scores like the English one's (the relevance floors hold for both)."""
    for name, caption in ENGLISH:
        _add(engine, samples[name], "chat:9", [caption])
    english = engine.find("a cat lying on the floor", "chat:9", k=1)[0].score
    french = engine.find("un chat couché par terre", "chat:9", k=1, language="fr")[0].score
    assert abs(english - french) < 0.25 and french > 0.4, (english, french)


def test_posts_stored_with_an_english_only_model_migrate_to_the_multilingual_one(engine_factory, encoders, samples,
                                                                                session_dir):
    image, multilingual = encoders
    english = get_text_encoder("all-minilm-l6-v2", cache_dir=session_dir / "models").load()
    first = engine_factory()  # only for a store under a fresh key prefix
    store = first.store
    first.close()
    before = build_engine(store, (image, english), session_dir / "models", EngineOptions(relevance=Relevance()))
    ids = {name: _add(before, samples[name], "chat:5", [caption]) for name, caption in ENGLISH}
    before.close()

    after = build_engine(store, (image, multilingual), session_dir / "models", EngineOptions(relevance=Relevance()))
    assert sorted(posts_to_migrate(after)) == sorted(ids.values())
    counted = store.counters().get("labelled", 0)
    assert migrate_caption_vectors(after) == len(ids)
    assert posts_to_migrate(after) == []
    assert store.counters().get("labelled", 0) == counted  # chat posts never train heads: not counted
    vecs = store.get_vectors("captions", after.text_model, [ids["chelsea"]], after.text_encoder.dim)[0]
    assert vecs is not None and vecs.shape == (1, 896) and np.all(np.isfinite(vecs))
    # the migrated captions answer French queries; the old model's vectors are still there (a rollback works)
    assert after.find("un chat couché par terre", "chat:5", k=1, language="fr")[0].post.id == ids["chelsea"]
    assert store.get_vectors("captions", "all-minilm-l6-v2", [ids["chelsea"]], 384)[0] is not None
    after.close()
