"""The packaged encoders, for real (offline): ONNX and PyTorch agree, outputs are what the design says."""
import numpy as np
import pytest

from models.errors import UnknownEncoderError
from models.registry import get_image_encoder, get_text_encoder
from models.zeroshot import class_hashtags
from tests.conftest import sample_image


def test_onnx_export_matches_pytorch_and_knows_an_espresso(encoders, session_dir):
    served, _ = encoders  # the default runtime (OpenVINO bf16 where the CPU has it)
    photos = [sample_image("coffee"), sample_image("chelsea")]
    ref = get_image_encoder("efficientnet-lite0-torch", threads=2).encode(photos)
    exact = get_image_encoder("efficientnet-lite0", cache_dir=session_dir / "models", runtime="onnxruntime")
    fp32 = exact.encode(photos)
    assert np.abs(fp32.features - ref.features).max() < 1e-3  # the export itself is exact
    out = served.encode(photos)
    assert out.features.shape == (2, 1280) and out.class_probs.shape == (2, 1000)
    assert np.allclose(np.linalg.norm(out.features, axis=1), 1.0, atol=1e-3)
    assert np.min(np.sum(out.features * ref.features, axis=1)) > 0.99  # bf16 stays this close
    assert class_hashtags(out.class_probs[0], 1)[0][0] == "espresso"
    assert np.allclose(out.class_probs.sum(axis=1), 1.0, atol=1e-2)


def test_batch_results_do_not_depend_on_batch_company(encoders):
    image_encoder, _ = encoders
    alone = image_encoder.encode([sample_image("rocket")]).features[0]
    together = image_encoder.encode([sample_image("astronaut"), sample_image("rocket")]).features[1]
    assert float(alone @ together) > 0.999


@pytest.fixture
def minilm(encoders):
    """The packaged MiniLM: the English part of the default (multilingual) text encoder."""
    return encoders[1].english


@pytest.mark.slow  # loads MiniLM
def test_text_encoder_is_normalised_and_semantic(minilm):
    text_encoder = minilm
    v = text_encoder.encode(["a dog runs on the beach", "a puppy playing by the sea", "a bowl of soup"])
    assert v.shape == (3, 384) and np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert v[0] @ v[1] > v[0] @ v[2] + 0.2


@pytest.mark.slow  # loads MiniLM
def test_onnx_text_encoder_matches_sentence_transformers(minilm):
    text_encoder = minilm
    texts = ["a dog", "two children play football on a sunny field near the river", "", "émoji 🐶 ok"]
    reference = get_text_encoder("all-minilm-l6-v2-torch").encode(texts)
    exact = get_text_encoder("all-minilm-l6-v2", runtime="onnxruntime", cache_dir=text_encoder.cache_dir)
    assert np.abs(exact.encode(texts) - reference).max() < 1e-4
    assert np.min(np.sum(text_encoder.encode(texts) * reference, axis=1)) > 0.999


def test_empty_batches():
    enc = get_image_encoder("efficientnet-lite0")
    assert enc.encode([]).features.shape == (0, 1280) and not enc.loaded


def test_runtime_choice_is_explicit_or_measured():
    from models.encoders.onnx_session import openvino_computes, resolve_runtime

    assert resolve_runtime("onnxruntime") == "onnxruntime"
    assert resolve_runtime("auto") == ("openvino" if openvino_computes("BF16") else "onnxruntime")
    with pytest.raises(ValueError, match="runtime"):
        resolve_runtime("tpu")


def test_unknown_names_are_rejected():
    with pytest.raises(UnknownEncoderError, match="known"):
        get_image_encoder("resnet-9000")
    with pytest.raises(UnknownEncoderError):
        get_text_encoder("")


def test_an_export_is_found_by_its_weights_bytes_wherever_they_are_installed(tmp_path):
    """Another clone or virtualenv holds the same package at another path: it reuses the export."""
    from models.encoders.onnx_session import cache_file

    here, there, other = tmp_path / "a" / "w.pth", tmp_path / "b" / "w.pth", tmp_path / "c" / "w.pth"
    for path, data in ((here, b"weights" * 1000), (there, b"weights" * 1000), (other, b"weightz" * 1000)):
        path.parent.mkdir()
        path.write_bytes(data)
    assert cache_file(tmp_path, "m", here, "1") == cache_file(tmp_path, "m", there, "1")
    assert cache_file(tmp_path, "m", here, "1") != cache_file(tmp_path, "m", other, "1")  # same size, new bytes
    assert cache_file(tmp_path, "m", here, "1") != cache_file(tmp_path, "m", here, "2")  # a new exporter


@pytest.mark.slow  # loads MiniLM
def test_a_damaged_onnx_cache_file_is_exported_again(tmp_path, minilm):
    from models.encoders.minilm_onnx import OnnxMiniLMTextEncoder

    reference = minilm
    enc = OnnxMiniLMTextEncoder(cache_dir=tmp_path)
    enc.onnx_path().parent.mkdir(parents=True, exist_ok=True)
    enc.onnx_path().write_bytes(b"half a file")
    vec = enc.encode(["a red bicycle"])
    assert float(vec[0] @ reference.encode(["a red bicycle"])[0]) > 0.999
    assert enc.onnx_path().stat().st_size > 1_000_000


def test_composite_encoder_concatenates_parts_and_mirror_makes_it_flip_invariant(encoders, session_dir):
    from PIL import ImageOps

    plain, _ = encoders
    cache = session_dir / "models"
    mirrored = get_image_encoder("efficientnet-lite0+mirror", cache_dir=cache)
    twice = get_image_encoder("efficientnet-lite0+efficientnet-lite0", cache_dir=cache)
    assert mirrored.name == "efficientnet-lite0+mirror" and mirrored.dim == 1280 and twice.dim == 2560
    photo = sample_image("astronaut")
    pair = mirrored.encode([photo, ImageOps.mirror(photo)])
    assert pair.features.dtype == np.float32 and np.allclose(np.linalg.norm(pair.features, axis=1), 1.0, atol=1e-5)
    assert float(pair.features[0] @ pair.features[1]) > 0.999  # a photo and its mirror image: one vector
    alone = plain.encode([photo, ImageOps.mirror(photo)]).features
    assert float(alone[0] @ alone[1]) < 0.99  # ... which the plain model does not give
    both = twice.encode([photo]).features[0]
    assert np.allclose(both[:1280], both[1280:], atol=1e-5) and abs(np.linalg.norm(both) - 1) < 1e-5
    assert class_hashtags(pair.class_probs[0], 1) == class_hashtags(pair.class_probs[1], 1)
    with pytest.raises(UnknownEncoderError):
        get_image_encoder("efficientnet-lite0+nonsense")
