"""The multilingual text space: which part speaks for which text, and the language guess behind it."""
import numpy as np
import pytest

from models.language import detect, english_probability


@pytest.fixture(scope="module")
def multilingual(tmp_path_factory):
    from models.registry import DEFAULT_TEXT_MODEL, get_text_encoder

    return get_text_encoder(DEFAULT_TEXT_MODEL, cache_dir=tmp_path_factory.mktemp("models")).load()


@pytest.mark.slow  # loads the multilingual encoder
def test_english_text_uses_both_parts_and_other_languages_the_multilingual_one(multilingual):
    texts = ["two dogs playing on the beach", "deux chiens qui jouent sur la plage", "собаки играют на пляже",
             "zwei Hunde spielen am Strand"]
    vecs = multilingual.encode(texts)
    english_part = np.linalg.norm(vecs[:, :384], axis=1)
    assert english_part[0] > 0.7 and np.all(english_part[1:] == 0)
    assert np.allclose(np.linalg.norm(vecs[:, 384:], axis=1), np.sqrt(0.5), atol=1e-4)
    # the same meaning lands close in the multilingual part, whatever the language
    use = vecs[:, 384:] / np.linalg.norm(vecs[:, 384:], axis=1, keepdims=True)
    other = multilingual.encode(["a plate of pasta with tomato sauce"])[0, 384:]
    assert np.all(use[1:] @ use[0] > (other / np.linalg.norm(other)) @ use[0] + 0.3)


def test_a_short_query_is_read_in_the_users_language():
    assert english_probability("dogs on a beach") > 0.9
    assert english_probability("un chien sur une plage") < 0.1
    assert detect("neige", "fr") == "fr" and detect("sunset", "en") == "en"
    assert english_probability("a man in a red shirt", "fr") > 0.5  # a clear sentence overrules the hint
    assert english_probability("") == 1.0


def test_use_m3_queries_on_one_blas_thread_match_its_batches():
    from models.encoders.use_m3 import PARALLEL_FROM, UseM3TextEncoder

    encoder = UseM3TextEncoder(threads=2).load()
    texts = ["un chien sur la plage", "a dog on the beach"] * PARALLEL_FROM  # one batch on 2 BLAS threads
    batch = encoder.encode(texts)
    queries = np.stack([encoder.encode([text])[0] for text in texts[:2]])  # each a query on 1 thread
    assert np.allclose(queries, batch[:2], atol=1e-5)
    assert float(queries[0] @ queries[1]) > 0.7  # the same meaning in two languages, still close
