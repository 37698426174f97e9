"""int8 static quantisation of an exported CNN, calibrated on photos that ship with scikit-image.

ONNX Runtime's `quantize_static` writes a QDQ file (per-channel int8 weights, uint8 activations)
that both runtimes read: ONNX Runtime runs it with MLAS int8 kernels (AVX2, AVX-512, VNNI) and
OpenVINO with its own. The convolutions, their additions and ReLU6 are quantised; the pooled
features, the classifier and its softmax stay in float (uint8 probabilities would erase the
small class probabilities the zero-shot bridge reads).

Calibration: scikit-image's photos (the ones the demo collection and the tests use, plus the
others of `skimage.data` that are photos), each seen in a few deterministic crops, scales,
flips and colour shifts, so activation ranges come from varied real pixels and never from a
data set that may not ship. The method was chosen by feature cosine to fp32 on held-out photos
(docs/DESIGN-NOTES.md, "The image path").
"""
from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageEnhance, ImageOps

from models.encoders.onnx_session import export_atomically

log = logging.getLogger(__name__)

CALIBRATION_PHOTOS = ("astronaut", "coffee", "chelsea", "rocket", "hubble_deep_field", "immunohistochemistry",
                      "camera", "coins", "moon", "brick", "grass", "gravel", "colorwheel", "retina", "clock",
                      "stereo_motorcycle", "page", "text")
CALIBRATION_METHOD = "Percentile"
# Part of the int8 file's cache key: a change here makes a new file.
CALIBRATION_VERSION = f"1:{CALIBRATION_METHOD}:{','.join(CALIBRATION_PHOTOS)}"
# Float where int8 would cost meaning: pooled features, classifier, probabilities.
_FLOAT_OPS = ("ReduceMean", "Gemm", "Softmax")


def _photo(name: str) -> Image.Image:
    from skimage import data

    arr = getattr(data, name)()
    if isinstance(arr, tuple):  # stereo_motorcycle: (left, right, disparity)
        arr = arr[0]
    return Image.fromarray(arr).convert("RGB")


def _views(im: Image.Image, k: int) -> list[Image.Image]:
    """Eight deterministic variations of one photo (k varies the crop offsets between photos)."""
    w, h = im.size
    views = [im, ImageOps.mirror(im)]
    for n, frac in enumerate((0.5, 0.65, 0.8)):  # crops: the model sees parts at a larger scale
        cw, ch = int(w * frac), int(h * frac)
        ox, oy = ((k + n) % 3) * (w - cw) // 2, ((k + 2 * n) % 3) * (h - ch) // 2
        views.append(im.crop((ox, oy, ox + cw, oy + ch)))
    views.append(im.resize((max(32, w // 4), max(32, h // 4))).resize((w, h)))  # a blurred, upscaled copy
    views.append(ImageEnhance.Brightness(ImageEnhance.Color(im).enhance(1.4)).enhance(0.75))  # darker, more saturated
    warm = np.asarray(im, np.float32) * np.array([1.15, 1.0, 0.85], np.float32)  # a colour cast
    views.append(Image.fromarray(np.clip(warm, 0, 255).astype(np.uint8)))
    return views


def calibration_images() -> list[Image.Image]:
    """~140 calibration inputs from the shipped photos, the same ones on every machine."""
    return [v for k, name in enumerate(CALIBRATION_PHOTOS) for v in _views(_photo(name), k)]


class _Reader:
    """onnxruntime's CalibrationDataReader protocol, read a range at a time (`CalibStridedMinMax`):
    the calibrator keeps every intermediate tensor of what it reads at once (Lite2 on all inputs: 20 GB)."""

    def __init__(self, batches: list[np.ndarray], input_name: str) -> None:
        self._feeds = [{input_name: b} for b in batches]
        self._next = iter(())

    def __len__(self) -> int:
        return len(self._feeds)

    def set_range(self, start_index: int, end_index: int) -> None:
        self._next = iter(self._feeds[start_index:end_index])

    def get_next(self):
        return next(self._next, None)


def _quantizer_chatter(record: logging.LogRecord) -> bool:
    """False for ONNX Runtime's quantiser's INFO lines: it logs one per weight (hundreds) on the root logger."""
    return record.levelno >= logging.WARNING or "onnxruntime" not in record.pathname


def quantize_int8(fp32_path: Path, int8_path: Path, prepare, *, method: str = CALIBRATION_METHOD,
                  input_name: str = "pixels", batch: int = 8) -> None:
    """Write the int8 QDQ model of `fp32_path` to `int8_path` (atomically), calibrated on the shipped
    photos preprocessed by `prepare(list[PIL]) -> NCHW float32`."""
    import onnx
    from onnxruntime.quantization import CalibrationMethod, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    images = calibration_images()
    batches = [prepare(images[i:i + batch]) for i in range(0, len(images), batch)]
    extra = {"CalibStridedMinMax": 1}
    if method == "Percentile":
        extra["CalibPercentile"] = 99.999
    log.info("quantising %s to int8 (%d calibration inputs, %s; once)", fp32_path.name, len(images), method)
    with tempfile.TemporaryDirectory(prefix="hashlens-int8-") as tmp_dir:
        # Folds the exporter's run-time "same" padding into the convolutions: quantised as it is,
        # every Pad would run in float between a dequantise and a quantise (int8 slower than fp32).
        folded = Path(tmp_dir) / "folded.onnx"
        quant_pre_process(str(fp32_path), str(folded))
        float_nodes = [n.name for n in onnx.load(str(folded)).graph.node if n.op_type in _FLOAT_OPS]
        root = logging.getLogger()
        root.addFilter(_quantizer_chatter)
        try:
            export_atomically(int8_path, lambda tmp: quantize_static(
                str(folded), tmp, _Reader(batches, input_name), quant_format=QuantFormat.QDQ, per_channel=True,
                activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8, nodes_to_exclude=float_nodes,
                calibrate_method=CalibrationMethod[method], extra_options=extra))
        finally:
            root.removeFilter(_quantizer_chatter)
