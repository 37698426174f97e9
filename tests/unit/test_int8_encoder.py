"""The int8 EfficientNet-Lite encoders: quantised from the fp32 export on shipped photos, close to it."""
import numpy as np
import pytest

from models.encoders.composite import CompositeImageEncoder
from models.encoders.quantize import CALIBRATION_PHOTOS, calibration_images
from models.errors import UnknownEncoderError
from models.registry import get_image_encoder
from models.zeroshot import class_hashtags
from tests.conftest import sample_image

# Inputs the calibration never saw: shipped photos mirrored and turned by 7 degrees.
HELD_OUT = ("cat", "astronaut", "coffee", "rocket", "chelsea", "camera")


@pytest.fixture(scope="module")
def int8_lite0(session_dir):
    return get_image_encoder("efficientnet-lite0-int8", threads=2, cache_dir=session_dir / "models").load()


def _photos():
    from PIL import ImageOps

    return [ImageOps.mirror(sample_image(name)).rotate(7, expand=False) for name in HELD_OUT]


@pytest.mark.slow  # quantises Lite0 once (~30 s)
def test_int8_features_agree_with_fp32_and_know_an_espresso(int8_lite0, session_dir):
    fp32 = get_image_encoder("efficientnet-lite0", cache_dir=session_dir / "models", runtime="onnxruntime")
    photos = _photos()
    exact, quick = fp32.encode(photos), int8_lite0.encode(photos)
    cosines = np.sum(exact.features * quick.features, axis=1)
    # Measured on 192 held-out Flickr8k photos: mean 0.994, min 0.975 (docs/DESIGN-NOTES.md).
    assert cosines.min() > 0.96 and cosines.mean() > 0.985
    assert np.allclose(np.linalg.norm(quick.features, axis=1), 1.0, atol=1e-5)
    assert np.allclose(quick.class_probs.sum(axis=1), 1.0, atol=1e-3)  # the softmax stays in float
    coffee = int8_lite0.encode([sample_image("coffee")])
    assert class_hashtags(coffee.class_probs[0], 1)[0][0] == "espresso"
    # int8 convolutions: a quarter of their float bytes (the float classifier is the rest of the file)
    assert int8_lite0.onnx_path() != fp32.onnx_path()
    assert int8_lite0.onnx_path().stat().st_size < 0.5 * fp32.onnx_path().stat().st_size


@pytest.mark.slow  # quantises Lite0 again (~30 s)
def test_a_damaged_or_missing_int8_file_is_made_again(int8_lite0, session_dir, tmp_path):
    cache = tmp_path / "models"
    cache.mkdir()
    fp32 = get_image_encoder("efficientnet-lite0", cache_dir=session_dir / "models").fp32_path()
    (cache / fp32.name).symlink_to(fp32)  # the fp32 export is reused, only the int8 file is made
    damaged = get_image_encoder("efficientnet-lite0-int8", cache_dir=cache)
    assert damaged.onnx_path() == cache / int8_lite0.onnx_path().name  # same weights, same calibration, same name
    damaged.onnx_path().write_bytes(b"half a file")
    photo = [sample_image("chelsea")]
    assert float(damaged.encode(photo).features[0] @ int8_lite0.encode(photo).features[0]) > 0.9999
    assert damaged.onnx_path().stat().st_size > 1_000_000


def test_calibration_uses_only_shipped_photos_and_is_deterministic():
    first, again = calibration_images(), calibration_images()
    assert 100 <= len(first) <= 200 and len(first) == 8 * len(CALIBRATION_PHOTOS)
    assert all(np.array_equal(np.asarray(a), np.asarray(b)) for a, b in zip(first[::17], again[::17]))


def test_int8_names_compose_like_the_float_ones():
    default_before = get_image_encoder("efficientnet-lite0+efficientnet-lite2+mirror")
    assert default_before.mirrored == 2 and default_before.dim == 2560
    one_mirrored = get_image_encoder("efficientnet-lite0-int8+mirror+efficientnet-lite2-int8")
    assert isinstance(one_mirrored, CompositeImageEncoder) and one_mirrored.mirrored == 1
    assert [p.name for p in one_mirrored.parts] == ["efficientnet-lite0-int8", "efficientnet-lite2-int8"]
    assert [p.input_side for p in one_mirrored.parts] == [224, 260] and one_mirrored.dim == 2560
    assert one_mirrored.name == "efficientnet-lite0-int8+mirror+efficientnet-lite2-int8"
    assert get_image_encoder("efficientnet-lite2-int8+mirror").name == "efficientnet-lite2-int8+mirror"
    assert get_image_encoder("efficientnet-lite0-int8+efficientnet-lite2-int8").mirrored == 0
    with pytest.raises(UnknownEncoderError):
        get_image_encoder("efficientnet-lite0-int4")
    with pytest.raises(ValueError):
        from models.encoders.efficientnet import EfficientNetLiteEncoder

        EfficientNetLiteEncoder("efficientnet-lite0", backend="torch", int8=True)


def test_auto_serves_int8_files_with_openvino_where_it_runs_int8():
    from models.encoders.onnx_session import openvino_computes, resolve_runtime, runtime_for

    assert runtime_for("auto", True) == ("openvino" if openvino_computes("INT8") else "onnxruntime")
    assert runtime_for("auto", False) == resolve_runtime("auto")  # float files: as before
    assert runtime_for("onnxruntime", True) == "onnxruntime"
