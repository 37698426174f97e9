"""The packaged encoders, for real (offline): ONNX and PyTorch agree, outputs are what the design says."""
import numpy as np
import pytest

from models.errors import UnknownEncoderError
from models.registry import get_image_encoder, get_text_encoder
from models.zeroshot import class_hashtags
from tests.conftest import sample_image


def test_onnx_matches_pytorch_and_knows_an_espresso(encoders):
    image_encoder, _ = encoders
    photos = [sample_image("coffee"), sample_image("chelsea")]
    onnx = image_encoder.encode(photos)
    torch_enc = get_image_encoder("efficientnet-lite0-torch", threads=2)
    ref = torch_enc.encode(photos)
    assert onnx.features.shape == (2, 1280) and onnx.class_probs.shape == (2, 1000)
    assert np.allclose(np.linalg.norm(onnx.features, axis=1), 1.0, atol=1e-5)
    assert np.abs(onnx.features - ref.features).max() < 1e-3
    assert class_hashtags(onnx.class_probs[0], 1)[0][0] == "espresso"
    assert np.allclose(onnx.class_probs.sum(axis=1), 1.0, atol=1e-4)


def test_batch_results_do_not_depend_on_batch_company(encoders):
    image_encoder, _ = encoders
    alone = image_encoder.encode([sample_image("rocket")]).features[0]
    together = image_encoder.encode([sample_image("astronaut"), sample_image("rocket")]).features[1]
    assert float(alone @ together) > 0.9999


def test_text_encoder_is_normalised_and_semantic(encoders):
    _, text_encoder = encoders
    v = text_encoder.encode(["a dog runs on the beach", "a puppy playing by the sea", "a bowl of soup"])
    assert v.shape == (3, 384) and np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert v[0] @ v[1] > v[0] @ v[2] + 0.2


def test_onnx_text_encoder_matches_sentence_transformers(encoders):
    _, text_encoder = encoders
    texts = ["a dog", "two children play football on a sunny field near the river", "", "émoji 🐶 ok"]
    reference = get_text_encoder("all-minilm-l6-v2-torch").encode(texts)
    assert np.abs(text_encoder.encode(texts) - reference).max() < 1e-4


def test_empty_batches():
    enc = get_image_encoder("efficientnet-lite0")
    assert enc.encode([]).features.shape == (0, 1280) and not enc.loaded


def test_unknown_names_are_rejected():
    with pytest.raises(UnknownEncoderError, match="known"):
        get_image_encoder("resnet-9000")
    with pytest.raises(UnknownEncoderError):
        get_text_encoder("")


def test_a_damaged_onnx_cache_file_is_exported_again(tmp_path, encoders):
    from models.encoders.minilm_onnx import OnnxMiniLMTextEncoder

    _, reference = encoders
    enc = OnnxMiniLMTextEncoder(cache_dir=tmp_path)
    enc.onnx_path().parent.mkdir(parents=True, exist_ok=True)
    enc.onnx_path().write_bytes(b"half a file")
    vec = enc.encode(["a red bicycle"])
    assert np.abs(vec - reference.encode(["a red bicycle"])).max() < 1e-5
    assert enc.onnx_path().stat().st_size > 1_000_000
